#!/bin/sh
# Prints the bytes of a kernel image that a loader places in memory, by kind:
# what `make` reports after every build. Usage: tools/size.sh pith.elf
set -eu
size -A -d "$1" | awk -v f="$(basename "$1")" '
$1 ~ /^\.text/ || $1 ~ /^\.note/ { text += $2 }
$1 ~ /^\.rodata/ { ro += $2 }
$1 ~ /^\.data/ { data += $2 }
$1 == ".ksyms" { syms += $2 }
$1 == ".bss" { bss += $2 }
END {
	printf "%s: text %d, rodata %d, data %d, symbols %d, bss %d bytes; loaded from file %d, in memory %d\n",
		f, text, ro, data, syms, bss, text + ro + data + syms, text + ro + data + syms + bss
}'
