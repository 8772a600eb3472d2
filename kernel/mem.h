/* Physical memory: the loader's map, summed, and the early page allocator. */
#ifndef PITH_MEM_H
#define PITH_MEM_H

#include <stdint.h>
#include "bootinfo.h"

struct meminfo {
	uint64_t usable;	/* bytes of usable RAM in the map */
	uint64_t top;		/* end of the highest usable range */
	uint64_t alloc_start;	/* kernel allocations: [alloc_start, alloc_next) */
	uint64_t alloc_next;
	uint64_t alloc_end;	/* end of the range the allocator draws from */
};

extern struct meminfo meminfo;

/* Sums the map and places the allocator after the kernel and any modules. */
void mem_init(const struct bootinfo *bi);
/* A zeroed 4 KiB page; panics when the range is used up (boot only). */
void *mem_alloc_page(void);
void mem_print(const struct bootinfo *bi);
uint64_t mem_usable_mib(void);

#endif
