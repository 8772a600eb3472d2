#!/bin/sh
# Builds the disk Pith's monitor runs programs from: a BMFS image holding
# the given files. Usage:
#   tools/mkimage.sh [-k KERNEL [-c CMDLINE]] IMAGE SIZE [NAME=]FILE...
# Each FILE is a host path, stored under its own name (build/programs/
# hello.app as hello.app), or NAME=PATH to store PATH as NAME. The image is
# built beside IMAGE and renamed into place, so a failure leaves no half
# image; build/bmfs (make build/bmfs) does the work and checks the result.
#
# With -k the disk also boots by itself under a PC BIOS: GRUB's boot.img in
# the MBR and a core.img in block 0's free space (tools/bootsect.py), the
# core holding a memdisk with grub.cfg and KERNEL (debug information
# stripped), which GRUB loads by multiboot2 with CMDLINE. Needs
# grub-mkimage and GRUB's i386-pc files (grub-common, grub-pc-bin;
# GRUB_PC_DIR overrides /usr/lib/grub/i386-pc).
set -eu
usage() {
	echo "usage: tools/mkimage.sh [-k KERNEL [-c CMDLINE]] IMAGE SIZE [NAME=]FILE..." >&2
	exit 2
}
kernel="" cmdline=""
while getopts k:c: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	c) cmdline=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
image=$1 size=$2
shift 2
bmfs=${BMFS:-build/bmfs}
grubdir=${GRUB_PC_DIR:-/usr/lib/grub/i386-pc}
tmp=$image.tmp
work=""
trap 'rm -f "$tmp"; [ -z "$work" ] || rm -rf "$work"' EXIT
rm -f "$tmp"
"$bmfs" "$tmp" format "$size" >/dev/null
for f in "$@"; do
	case $f in
	*=*) name=${f%%=*} path=${f#*=} ;;
	*) name=$(basename "$f") path=$f ;;
	esac
	"$bmfs" "$tmp" write "$name" "$path" >/dev/null
done
if [ -n "$kernel" ]; then
	for f in "$grubdir/boot.img" "$grubdir/diskboot.img"; do
		[ -f "$f" ] || { echo "mkimage.sh: no $f: apt-get install grub-pc-bin" >&2; exit 1; }
	done
	work=$(mktemp -d)
	mkdir -p "$work/memdisk/boot/grub"
	objcopy --strip-debug "$kernel" "$work/memdisk/pith.elf"
	# No menu: GRUB's normal mode runs these lines and boots at once; an
	# error leaves GRUB's prompt on COM1 and the screen.
	cat > "$work/memdisk/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
multiboot2 (memdisk)/pith.elf $cmdline
boot
CFG
	tar -C "$work/memdisk" --format=ustar --owner=0 --group=0 --numeric-owner \
		--mtime=@0 --sort=name -cf "$work/memdisk.tar" boot pith.elf
	# The modules: the memdisk (a tar), GRUB's script (normal), the serial
	# console and multiboot2; biosdisk, configfile and echo for GRUB's
	# prompt. Dependencies come with them (moddep.lst).
	grub-mkimage -O i386-pc -d "$grubdir" -o "$work/core.img" \
		-p "(memdisk)/boot/grub" -m "$work/memdisk.tar" \
		biosdisk memdisk tar normal configfile echo serial terminal multiboot2
	boot=$(/usr/bin/python3 "$(dirname "$0")/bootsect.py" "$tmp" "$work/core.img" \
		"$grubdir/boot.img")
fi
"$bmfs" "$tmp" check >/dev/null
mv "$tmp" "$image"
trap - EXIT
[ -z "$work" ] || rm -rf "$work"
"$bmfs" "$image" list
[ -z "$kernel" ] || echo "$image${boot#"$tmp"}"
