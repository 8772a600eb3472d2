#!/bin/sh
# Writes the seed images of tests/fuzz/corpus/elf/ with the host's gcc:
# tiny stripped programs, well under run.sh's 8 KiB -max_len.
#   pie.elf       static PIE with R_X86_64_RELATIVE relocations, bss
#   exec.elf      ET_EXEC linked at 0x40100000, fuzz_elf.c's AREA_AT
#   pie-relro.elf the same with RELRO: .dynamic read-only after start-up
#
#   tests/fuzz/mkcorpus_elf.sh
set -eu
out=$(dirname "$0")/corpus/elf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkcorpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# Pointers in data (relocated in a PIE), bss, and code that uses both.
cat >"$tmp/p.c" <<'C'
static int counter = 5;
static int *ptr = &counter;
int *table[3] = { &counter, 0, &counter };
int zeros[64];
void _start(void)
{
	*ptr += *table[0] + zeros[3];
	for (;;)
		__asm__ volatile("hlt");
}
C
small="-Os -nostdlib -fno-asynchronous-unwind-tables -Wl,--build-id=none \
 -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack"
gcc $small -fPIE -static-pie -Wl,-z,noseparate-code -Wl,-z,norelro -o "$tmp/pie.elf" "$tmp/p.c"
gcc $small -fno-pie -static -no-pie -Wl,-z,noseparate-code -Wl,-Ttext-segment=0x40100000 \
	-o "$tmp/exec.elf" "$tmp/p.c"
gcc $small -fPIE -static-pie -Wl,-z,noseparate-code -Wl,-z,relro -o "$tmp/pie-relro.elf" "$tmp/p.c"
for f in pie.elf exec.elf pie-relro.elf; do
	strip -s -R .comment "$tmp/$f"
	cp "$tmp/$f" "$out/$f"
done
ls -l "$out"
