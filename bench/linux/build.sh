#!/bin/bash
# bench/linux/build.sh - builds the Linux guest that Pith's benchmarks are
# compared with: Debian's cloud kernel and an initramfs, from Debian packages
# only.
#
#   bench/linux/build.sh        # prints progress; safe to run again
#
# Output, in build/bench/linux/ (PITH_LINUX_OUT overrides):
#   vmlinuz           the kernel of linux-image-<current>-cloud-amd64 (bzImage)
#   initramfs.gz      cpio newc, gzip: busybox-static, the virtio modules,
#                     nginx with its libraries, bench/guest/*.c built
#                     static, bench/linux/init as /init
#   initramfs-fio.gz  the same followed by a second archive with fio and its
#                     libraries (~75 MB unpacked: only bench=fio boots it)
#   versions.txt      the Debian packages that went in, with versions
# Cache, same folder: plan.txt (the resolved packages), debs/, kernel/
# busybox/ sysroot/ (unpacked), bin/ (guest programs), root/ (the tree).
#
# Third-party code comes only from Debian: `apt-get download` and
# `dpkg-deb -x`. Nothing is installed on the host except, when missing and
# we are root, libc6-dev (the static C library the guest programs need).
# Each step is skipped when its inputs have not changed; a new package
# version is picked up after the next apt-get update.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${PITH_LINUX_OUT:-$REPO/build/bench/linux}
GUEST=$REPO/bench/guest
META=linux-image-cloud-amd64	# resolves to the current versioned kernel
USERLAND="fio nginx"		# dynamically linked, copied with their libraries
# The drivers QEMU's virtio devices need; in this kernel they are modules
# (CONFIG_VIRTIO*=m), dependencies are added from each module's .modinfo.
MODULES="virtio_pci virtio_mmio virtio_net virtio_blk"
APT_OPTS="-o APT::Sandbox::User=root -q"

say() { echo "linux-guest: $*"; }
die() { echo "linux-guest: error: $*" >&2; exit 1; }

check_host() {
	local t
	for t in apt-get apt-cache dpkg-deb gcc objcopy gzip sha256sum; do
		command -v "$t" >/dev/null || die "'$t' is not installed (a Debian host is needed)"
	done
	if [ "$(gcc -print-file-name=libc.a)" = libc.a ]; then
		[ "$(id -u)" = 0 ] || die "no static C library: apt-get install libc6-dev"
		say "installing libc6-dev (static C library for the guest programs)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libc6-dev >/dev/null ||
			die "cannot install libc6-dev"
	fi
}

# apt's package lists are empty on a fresh machine: refresh them once.
apt_lists() {
	apt-cache show "$META" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || die "apt does not know $META; run apt-get update as root"
	say "apt-get update (the package lists do not know $META)"
	apt-get update -q >/dev/null || die "apt-get update failed"
	apt-cache show "$META" >/dev/null 2>&1 || die "Debian package $META cannot be had"
}

# Prints the versioned kernel package the metapackage's candidate depends on.
kernel_package() {
	apt-cache show --no-all-versions "$META" |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		grep -o 'linux-image-[^ ]*-cloud-amd64' | head -n 1
}

# Prints the given packages and, recursively, the shared-library packages
# (lib*, zlib1g) they depend on: a superset of what their binaries load.
# Which files are really needed is decided later from the loader's list.
lib_closure() {
	local todo="$*" seen=" " next d p
	while [ -n "$todo" ]; do
		for p in $todo; do seen="$seen$p "; done
		next=""
		for d in $(apt-cache depends --no-recommends --no-suggests \
			--no-conflicts --no-breaks --no-replaces --no-enhances $todo |
			awk '$1 ~ /Depends:$/ { print $2 }'); do
			case "$d" in lib*|zlib1g) ;; *) continue ;; esac
			case "$seen $next " in *" $d "*) continue ;; esac
			next="$next $d"
		done
		todo=$next
	done
	echo $seen
}

# A fingerprint of apt's package lists: it changes with every apt-get update
# that brings new versions.
lists_key() {
	stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* 2>/dev/null | sha256sum | cut -c1-16
}

# Writes plan.txt: "package file size SHA256:sum", one line per .deb the
# guest is made of. Resolving takes apt a few seconds, so the plan is kept
# until apt's lists change (lists_key, its first line) or this script does.
plan() {
	local p=$OUT/plan.txt kpkg libs uris
	if [ -s "$p" ] && [ "$p" -nt "$HERE/build.sh" ] &&
		[ "$(head -n 1 "$p")" = "lists $(lists_key)" ]; then
		return 0
	fi
	apt_lists
	kpkg=$(kernel_package)
	[ -n "$kpkg" ] || die "cannot resolve $META to a versioned kernel package"
	libs=$(lib_closure $USERLAND)
	say "packages: $kpkg busybox-static $libs" | fold -s -w 100
	uris=$(apt-get download --print-uris "$kpkg" busybox-static $libs 2>&1) ||
		die "cannot get Debian package(s): $(echo "$uris" | grep '^E:' | tr '\n' ' ')"
	{
		echo "lists $(lists_key)"
		echo "$uris" | awk '{ p = $2; sub(/_.*/, "", p); print p, $2, $3, $4 }'
	} > "$p.tmp"
	mv "$p.tmp" "$p"
}

# Downloads into debs/ each .deb of the plan that is missing or whose
# SHA-256 differs, in one apt-get call.
fetch() {
	local pkg file size sum missing="" kib=0
	mkdir -p "$OUT/debs"
	while read -r pkg file size sum; do
		[ "$pkg" = lists ] && continue
		if ! [ -f "$OUT/debs/$file" ] ||
			[ "$(sha256sum < "$OUT/debs/$file" | cut -d' ' -f1)" != "${sum#SHA256:}" ]; then
			rm -f "$OUT/debs/$file"
			missing="$missing $pkg"
			kib=$((kib + size / 1024))
		fi
	done < "$OUT/plan.txt"
	[ -n "$missing" ] || return 0
	say "downloading $(echo $missing | wc -w) package(s), $((kib / 1024)) MiB"
	(cd "$OUT/debs" && apt-get $APT_OPTS download $missing >/dev/null 2>&1) ||
		die "apt-get download failed for:$missing"
	while read -r pkg file _ _; do
		[ "$pkg" = lists ] || [ -f "$OUT/debs/$file" ] ||
			die "apt-get download $pkg did not give $file"
	done < "$OUT/plan.txt"
}

# unpack DIR FILE...: DIR holds exactly those .debs unpacked, redone only
# when the list changes (DIR/.debs records it).
unpack() {
	local dir=$1 f
	shift
	if [ -f "$dir/.debs" ] && [ "$(cat "$dir/.debs")" = "$*" ]; then
		return 0
	fi
	say "unpacking $# package(s) into ${dir#$REPO/}"
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "$@"; do
		dpkg-deb -x "$OUT/debs/$f" "$dir" || die "cannot unpack $f"
	done
	echo "$*" > "$dir/.debs"
}

# Prints the module files to load, dependencies first, for the names given.
module_order() {
	local moddir=$1 name file deps d
	shift
	for name in "$@"; do
		case " $MOD_DONE " in *" $name "*) continue ;; esac
		file=$(find "$moddir" -name "$name.ko" | head -n 1)
		[ -n "$file" ] || die "module $name.ko is not in the kernel package"
		# Through a file: objcopy writes nothing to /dev/stdout when
		# that is a pipe (seen with binutils 2.40), and a module whose
		# dependencies were lost fails to load in the guest.
		objcopy -O binary -j .modinfo "$file" "$OUT/modinfo.tmp" ||
			die "cannot read .modinfo of $name.ko"
		deps=$(tr '\0' '\n' < "$OUT/modinfo.tmp" | sed -n 's/^depends=//p' | tr ',' ' ')
		for d in $deps; do module_order "$moddir" "$d"; done
		MOD_DONE="$MOD_DONE $name"
		echo "$file"
	done
}

# Prints the shared objects the sysroot's own loader resolves for a binary,
# failing if one is missing or would come from the host.
libs_of() {
	local sys=$OUT/sysroot bin=$1 list path
	# Every folder of the sysroot that holds a shared object: some
	# libraries live in private folders named by an absolute RUNPATH
	# (librados2's ceph/), which would point at the host.
	path=$(find "$sys" -name '*.so*' -printf '%h\n' | sort -u | tr '\n' ':')
	list=$("$sys/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$path" \
		--list "$bin" 2>&1) ||
		die "the loader cannot list the libraries of ${bin#$sys}: $list"
	if echo "$list" | grep -q 'not found'; then
		die "${bin#$sys} needs libraries no Debian dependency gave: $(echo "$list" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	echo "$list" | awk '$2 == "=>" { print $3 }' | while read -r lib; do
		case "$lib" in "$sys"/*) echo "$lib" ;;
		*) die "${bin#$sys}: $lib resolved outside the Debian sysroot" ;; esac
	done
}

build_programs() {
	local src name bin flags
	mkdir -p "$OUT/bin"
	for src in "$GUEST"/*.c; do
		name=$(basename "$src" .c)
		bin=$OUT/bin/$name
		if [ -f "$bin" ] && [ -z "$(find "$GUEST" -newer "$bin" -name '*.[ch]')" ]; then
			continue
		fi
		say "compiling bench/guest/$name.c (static)"
		# testfile has no libc (raw system calls): a few KB, not ~700.
		case $name in
		testfile) flags="-nostdlib -ffreestanding -fno-stack-protector" ;;
		*) flags="-pthread" ;;
		esac
		gcc -O2 -static $flags -s -Wall -Wextra -o "$bin" "$src" ||
			die "cannot compile bench/guest/$name.c"
	done
}

# stage_dynamic TREE BIN [BASE]: copies a binary of the sysroot and every
# library the loader lists into TREE, except libraries BASE already has.
stage_dynamic() {
	local r=$1 bin=$2 base=${3:-} libs lib name
	libs=$(libs_of "$bin")
	mkdir -p "$r/$(dirname "${bin#$OUT/sysroot/}")" "$r/lib/x86_64-linux-gnu"
	cp "$bin" "$r/${bin#$OUT/sysroot/}"
	for lib in $libs; do
		name=lib/x86_64-linux-gnu/$(basename "$lib")
		[ -n "$base" ] && [ -e "$base/$name" ] && continue
		cp -L "$lib" "$r/$name"
	done
}

# The base tree: everything but fio.
stage_base() {
	local r=$OUT/root kver=$1 a f
	local bb=$OUT/busybox/bin/busybox sys=$OUT/sysroot
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,www} \
		"$r"/{etc/nginx,var/log/nginx,var/lib/nginx,lib/modules} \
		"$r"/lib/x86_64-linux-gnu "$r"/lib64
	cp "$bb" "$r/bin/busybox"
	for a in $("$bb" --list-full); do
		[ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
	done
	MOD_DONE=""
	module_order "$OUT/kernel/lib/modules/$kver" $MODULES > "$OUT/modules.list"
	while read -r f; do
		cp "$f" "$r/lib/modules/"
		basename "$f" .ko >> "$r/etc/modules"
	done < "$OUT/modules.list"
	cp -L "$sys/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$r/lib/x86_64-linux-gnu/"
	ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/lib64/ld-linux-x86-64.so.2"
	stage_dynamic "$r" "$sys/usr/sbin/nginx"
	cp "$OUT"/bin/* "$r/bin/"
	cp "$HERE/init" "$r/init"
	cp "$HERE/udhcpc.script" "$r/etc/udhcpc.script"
	cp "$HERE/nginx.conf" "$r/etc/nginx/nginx.conf"
	cp "$GUEST/index.html" "$r/www/index.html"
	chmod 755 "$r/init" "$r/etc/udhcpc.script"
	echo 'root:x:0:0:root:/:/bin/sh' > "$r/etc/passwd"
	echo 'root:x:0:' > "$r/etc/group"
}

# The fio layer: fio and the libraries the base lacks (ceph, gluster, ICU:
# ~80 MB that would slow every boot, so only bench=fio boots carry them).
stage_fio() {
	rm -rf "$OUT/root-fio"
	stage_dynamic "$OUT/root-fio" "$OUT/sysroot/usr/bin/fio" "$OUT/root"
}

# pack TREE FILE LEVEL: cpio newc, gzip; sorted, owned by root, mtime 0,
# so the same inputs give the same bytes.
pack() {
	local r=$1 bb=$OUT/busybox/bin/busybox
	find "$r" -exec touch -h -d @0 {} +
	(cd "$r" && find . -mindepth 1 | LC_ALL=C sort |
		"$bb" cpio -o -H newc -R 0:0 --ignore-devno --renumber-inodes 2>/dev/null) |
		gzip "-$3" -n > "$2.tmp"
	mv "$2.tmp" "$2"
}

# The kernel unpacks concatenated archives in order: base, then fio's.
# The base is packed hardest (every boot reads it), fio's layer at gzip's
# default (-9 would take three times as long for 0.5% less).
build_initramfs() {
	say "staging the initramfs trees"
	stage_base "$1"
	stage_fio
	say "packing initramfs.gz and initramfs-fio.gz"
	pack "$OUT/root" "$OUT/initramfs.gz" 9
	pack "$OUT/root-fio" "$OUT/fio-layer.gz" 6
	cat "$OUT/initramfs.gz" "$OUT/fio-layer.gz" > "$OUT/initramfs-fio.gz"
	rm -r "$OUT/fio-layer.gz" "$OUT/root-fio"	# 75 MB; root/ stays to look at
}

# debs_of REGEX [!]: the plan's .deb files whose package name matches an
# awk regex (with !: does not match).
debs_of() {
	awk -v re="$1" -v neg="${2:-}" \
		'$1 != "lists" && (($1 ~ re) != (neg == "!")) { print $2 }' "$OUT/plan.txt"
}

main() {
	local kdeb kver
	check_host
	mkdir -p "$OUT"
	plan
	fetch
	kdeb=$(debs_of '^linux-image-')
	kver=${kdeb#linux-image-}
	kver=${kver%%_*}
	say "kernel package linux-image-$kver"
	unpack "$OUT/kernel" $kdeb
	unpack "$OUT/busybox" $(debs_of '^busybox-static$')
	unpack "$OUT/sysroot" $(debs_of '^(linux-image-|busybox-static$)' !)
	[ -f "$OUT/kernel/boot/vmlinuz-$kver" ] || die "linux-image-$kver has no boot/vmlinuz-$kver"
	cmp -s "$OUT/kernel/boot/vmlinuz-$kver" "$OUT/vmlinuz" 2>/dev/null ||
		cp "$OUT/kernel/boot/vmlinuz-$kver" "$OUT/vmlinuz"
	build_programs
	if [ -f "$OUT/initramfs-fio.gz" ] && [ -z "$(find "$HERE/build.sh" "$HERE/init" \
		"$HERE/udhcpc.script" "$HERE/nginx.conf" "$GUEST/index.html" "$OUT/bin" \
		"$OUT/kernel/.debs" "$OUT/busybox/.debs" "$OUT/sysroot/.debs" \
		-newer "$OUT/initramfs-fio.gz" -type f | head -n 1)" ]; then
		say "initramfs is up to date"
	else
		build_initramfs "$kver"
	fi
	awk '$1 != "lists" { print $2 }' "$OUT/plan.txt" > "$OUT/versions.txt"
	say "kernel    ${OUT#$REPO/}/vmlinuz ($(($(stat -c %s "$OUT/vmlinuz") / 1024)) KiB, $kver)"
	say "initramfs ${OUT#$REPO/}/initramfs.gz ($(($(stat -c %s "$OUT/initramfs.gz") / 1024)) KiB; for bench=fio initramfs-fio.gz, $(($(stat -c %s "$OUT/initramfs-fio.gz") / 1024)) KiB)"
}

main "$@"
