#!/bin/sh
# Installs the Debian packages a Pith task needs, and only those missing.
#
#   tools/deps.sh build|run|test|iso|bench|rust|libc|shot ...
#
# Each group names what that task runs; groups add up. Nothing is fetched
# from anywhere but the machine's configured Debian archive.
set -eu

pkgs_build="gcc make binutils gawk"
pkgs_run="$pkgs_build qemu-system-x86 qemu-utils"
pkgs_iso="grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools"
pkgs_test="$pkgs_run $pkgs_iso ovmf libcmocka-dev pkg-config python3 python3-pytest clang libclang-rt-14-dev curl wget wrk iproute2 iputils-ping"
pkgs_bench="$pkgs_run libc6-dev cpio gzip gnuplot-nox wrk"
# Rust programs (lib/rust): Debian's compiler and cargo, with the host's
# x86_64-unknown-linux-gnu core/alloc (called as /usr/bin/rustc, /usr/bin/cargo).
pkgs_rust="$pkgs_build rustc cargo"
# C and C++ programs (lib/c): the sources tools/build-libc.sh builds
# newlib 3.3 and libstdc++ from, and g++ to build them with.
pkgs_libc="$pkgs_build g++ xz-utils newlib-source gcc-12-source"
# The README's screenshot (tools/screenshot.sh): headless Chromium.
pkgs_shot="$pkgs_run chromium curl"

want=""
for group in "$@"; do
	case "$group" in
	build) want="$want $pkgs_build" ;;
	run)   want="$want $pkgs_run" ;;
	iso)   want="$want $pkgs_iso" ;;
	test)  want="$want $pkgs_test" ;;
	bench) want="$want $pkgs_bench" ;;
	rust)  want="$want $pkgs_rust" ;;
	libc)  want="$want $pkgs_libc" ;;
	shot)  want="$want $pkgs_shot" ;;
	*) echo "deps.sh: unknown group '$group' (build run iso test bench rust libc shot)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: this is not a Debian system; install them by hand." >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
		echo "deps.sh: missing packages:$missing" >&2
		echo "deps.sh: run as root or install sudo: apt-get install$missing" >&2
		exit 1
	fi
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list is the usual reason an install fails: refresh once and retry.
if ! $sudo apt-get install -y -q --no-install-recommends $missing >/tmp/pith-deps.log 2>&1; then
	$sudo apt-get update -q >>/tmp/pith-deps.log 2>&1 || true
	if ! $sudo apt-get install -y -q --no-install-recommends $missing >>/tmp/pith-deps.log 2>&1; then
		tail -n 20 /tmp/pith-deps.log >&2
		echo "deps.sh: could not install:$missing (log: /tmp/pith-deps.log)" >&2
		exit 1
	fi
fi
