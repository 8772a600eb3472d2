/* Physical memory: the loader's map, summed, and the early page allocator. */
#ifndef PITH_MEM_H
#define PITH_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"

struct meminfo {
	uint64_t usable;	/* bytes of usable RAM in the map */
	uint64_t top;		/* end of the highest usable range */
	uint64_t alloc_start;	/* kernel allocations: [alloc_start, alloc_next) */
	uint64_t alloc_next;
	uint64_t alloc_end;	/* end of the range the allocator draws from */
	uint64_t tables_end;	/* page tables: [alloc_start, tables_end) */
	uint64_t prog_phys, prog_size;	/* the program area's RAM (program.c) */
	uint64_t dma_start;	/* device memory: [dma_start, alloc_next) once used */
};

extern struct meminfo meminfo;

/* Sums the map and places the allocator after the kernel and any modules. */
void mem_init(const struct bootinfo *bi);
/* A zeroed 4 KiB page; panics when the range is used up (boot only). */
void *mem_alloc_page(void);
/* Marks everything allocated so far (the identity map's tables) as the
 * kernel's: mem_program_range refuses it from now on. */
void mem_seal_tables(void);
/* bytes of zeroed, page-aligned, contiguous memory for a device's rings and
 * buffers, marked as the kernel's (mem_program_range refuses it); NULL when
 * the range is used up (boot only). */
void *mem_alloc_dma(uint64_t bytes);
/* True if [p, p+len) is RAM a program may hand a device: inside a usable
 * range of the memory map, not page 0, not the kernel's code or read-only
 * data, not its page tables, not a device's rings or buffers, and not
 * wrapping. (The cores' stacks are allowed: tasks keep buffers there.) */
bool mem_program_range(const void *p, uint64_t len);
/* True if [p, p+len) lies in the program area's mapping at B_PROGRAM_BASE. */
bool mem_in_program_area(const void *p, uint64_t len);
/* The physical address a device must be given for a program's pointer:
 * itself (identity map), or its place in the program area's RAM. */
uint64_t mem_dma_addr(const void *p);
/* True if [p, p+len) is RAM a device or the kernel may read for the
 * program: inside a usable range, not page 0, not wrapping. Constants in
 * the program's read-only data qualify (a frame or sector to send). */
bool mem_program_readable(const void *p, uint64_t len);
void mem_print(const struct bootinfo *bi);
uint64_t mem_usable_mib(void);

#endif
