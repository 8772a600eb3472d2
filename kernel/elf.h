/*
 * ELF64 program images (elf.c): checking one against the bytes really
 * there and the memory it may occupy, then placing it. Pure code over
 * memory: unit-tested and fuzzed on the host (tests/unit/kernel/test_elf.c,
 * tests/fuzz/fuzz_elf.c). The loader (program.c) maps the program area
 * first; nothing here touches memory outside the ranges it checked.
 */
#ifndef PITH_ELF_H
#define PITH_ELF_H

#include <stdbool.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS	16	/* PT_LOAD entries taken */

struct elf_segment {
	uint64_t file_off, file_size;	/* bytes to copy from the image */
	uint64_t addr, mem_size;	/* where they go (bias applied); the rest is zeroed */
	uint32_t flags;			/* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_image {
	bool pie;			/* ET_DYN: placed at the area's start */
	uint64_t bias;			/* added to every p_vaddr (0 for ET_EXEC) */
	uint64_t entry;			/* absolute, inside an executable segment */
	uint64_t lo, hi;		/* the segments' span, page-aligned, inside the area */
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t rela, rela_count;	/* PIE: Elf64_Rela array, absolute address once loaded; 0 if none */
};

/* Checks that the len bytes at img are an ELF64 little-endian x86-64
 * ET_EXEC or ET_DYN whose PT_LOAD segments lie inside the file and, once
 * placed (ET_EXEC at their own addresses, ET_DYN with the lowest at
 * area), inside [area, area + area_size), without overlapping each other,
 * with the entry in an executable segment. area must be page-aligned.
 * Fills *out. 0, or B_ENOEXEC with *why pointing at a one-line reason
 * ("not ELF", "segment past end of file", ...). */
int elf_check(const void *img, uint64_t len, uint64_t area, uint64_t area_size,
	      struct elf_image *out, const char **why);
/* Copies each segment's file bytes to its address, zeroes the rest of its
 * memory and the gaps in [lo, hi), then applies a PIE's relocations (only
 * R_X86_64_RELATIVE, each target 8 bytes inside a writable segment). 0, or
 * B_ENOEXEC with *why for a relocation it refuses (memory then holds a
 * partly relocated image: do not run it). Writes only inside [lo, hi). */
int elf_load(const void *img, const struct elf_image *im, const char **why);

#endif
