#!/bin/sh
# Writes the kernel symbol table (kernel/ksyms.h) as assembly, from the
# function symbols of a linked kernel; with no argument, an empty table
# for the first link. Usage: tools/ksyms.sh [kernel.elf] > ksyms.S
set -eu
{
	if [ $# -gt 0 ]; then
		# Functions only (t/T); isr0..isr48 stubs are one family, named by isr_common's caller.
		nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^(isr[0-9]+|\.L)/ { print $1, $3 }'
	fi
} | awk '
BEGIN { n = 0 }
{ addr[n] = $1; name[n] = $2; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 4"
	print "\t.globl ksyms_count, ksyms_addr, ksyms_str"
	print "ksyms_count:\t.long " n
	print "ksyms_addr:"
	for (i = 0; i < n; i++) print "\t.long 0x" addr[i]
	print "ksyms_str:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}'
