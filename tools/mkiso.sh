#!/bin/sh
# Builds a hybrid BIOS + UEFI ISO that boots Pith through GRUB's multiboot2
# loader, with the console on COM1. Usage: tools/mkiso.sh pith.elf out.iso [cmdline]
set -eu
kernel=$1 out=$2 cmdline=${3:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/pith.elf"
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "Pith" {
	multiboot2 /boot/pith.elf $cmdline
	boot
}
CFG
# grub-mkrescue puts both the BIOS (i386-pc) and UEFI (x86_64-efi) loaders
# on the image when both GRUB platforms are installed (tools/deps.sh iso).
grub-mkrescue -o "$out" "$root" >/dev/null 2>&1 || {
	grub-mkrescue -o "$out" "$root"
	exit 1
}
echo "$out: $(stat -c %s "$out") bytes, GRUB multiboot2, BIOS + UEFI"
