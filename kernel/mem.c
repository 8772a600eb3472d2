/*
 * Early memory: the kernel takes page tables and each core's struct cpu and
 * stacks from the usable range that holds the kernel image, right after it, and
 * leaves the rest of RAM to the program. Nothing is ever freed: the kernel
 * allocates only at boot, so a bump allocator is all it needs.
 */
#include <pith/program.h>
#include "mem.h"
#include "memlayout.h"
#include "arch/x86_64/paging.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

struct meminfo meminfo;
static const struct bootinfo *map;

void mem_init(const struct bootinfo *bi)
{
	uint64_t kend = align_up((uint64_t)__kernel_end, PAGE_SIZE);
	uint64_t start = kend;

	map = bi;

	for (unsigned i = 0; i < bi->nranges; i++) {
		const struct mem_range *r = &bi->ranges[i];
		if (r->type != MEM_USABLE)
			continue;
		meminfo.usable += r->size;
		if (r->base + r->size > meminfo.top)
			meminfo.top = r->base + r->size;
		if (r->base <= KERNEL_BASE && r->base + r->size >= kend)
			meminfo.alloc_end = align_down(r->base + r->size, PAGE_SIZE);
	}
	if (!meminfo.alloc_end)
		panic("the kernel at %#lx is not in usable RAM", (unsigned long)KERNEL_BASE);
	/* GRUB may put modules right after the kernel: allocate above them. */
	for (unsigned i = 0; i < bi->nmodules; i++) {
		uint64_t mend = bi->modules[i].base + bi->modules[i].size;
		if (mend > start && mend <= meminfo.alloc_end)
			start = align_up(mend, PAGE_SIZE);
	}
	meminfo.alloc_start = meminfo.alloc_next = start;
}

uint64_t mem_usable_mib(void)
{
	return (meminfo.usable + (1 << 19)) >> 20;	/* to the nearest MiB */
}

void *mem_alloc_page(void)
{
	void *p;

	if (meminfo.alloc_next + PAGE_SIZE > meminfo.alloc_end)
		panic("out of memory for the kernel's page tables and core stacks");
	p = (void *)meminfo.alloc_next;
	meminfo.alloc_next += PAGE_SIZE;
	return memset(p, 0, PAGE_SIZE);
}

void *mem_alloc_dma(uint64_t bytes)
{
	uint64_t n = align_up(bytes, PAGE_SIZE);
	void *p;

	if (n > meminfo.alloc_end - meminfo.alloc_next)
		return NULL;
	if (!meminfo.dma_start)
		meminfo.dma_start = meminfo.alloc_next;
	p = (void *)meminfo.alloc_next;
	meminfo.alloc_next += n;
	return memset(p, 0, n);
}

void mem_seal_tables(void) { meminfo.tables_end = meminfo.alloc_next; }

static bool overlaps(uint64_t a, uint64_t len, uint64_t start, uint64_t end)
{
	return a < end && a + len > start;
}

bool mem_in_program_area(const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)p;

	return a >= B_PROGRAM_BASE && a - B_PROGRAM_BASE <= meminfo.prog_size &&
	       len <= meminfo.prog_size - (a - B_PROGRAM_BASE);
}

uint64_t mem_dma_addr(const void *p)
{
	uint64_t a = (uint64_t)p;

	return a >= B_PROGRAM_BASE ? a - B_PROGRAM_BASE + meminfo.prog_phys : a;
}

bool mem_program_readable(const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)p;

	if (mem_in_program_area(p, len))
		return true;
	if (a < PAGE_SIZE || a + len < a)
		return false;
	for (unsigned i = 0; i < map->nranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		if (r->type == MEM_USABLE && a >= r->base && a + len <= r->base + r->size)
			return true;
	}
	return false;
}

bool mem_program_range(const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)p;

	if (mem_in_program_area(p, len))
		return true;
	return mem_program_readable(p, len) &&
	       !overlaps(a, len, KERNEL_BASE, (uint64_t)__rodata_end) &&
	       !overlaps(a, len, meminfo.alloc_start, meminfo.tables_end) &&
	       !paging_split_table_in(a, len) &&
	       !(meminfo.dma_start && overlaps(a, len, meminfo.dma_start, meminfo.alloc_next));
}

void mem_print(const struct bootinfo *bi)
{
	unsigned usable = 0;

	for (unsigned i = 0; i < bi->nranges; i++)
		usable += bi->ranges[i].type == MEM_USABLE;
	kprintf("mem    %lu MiB usable in %u ranges%s; top %#lx; kernel and its tables %#lx-%#lx\n",
		(unsigned long)mem_usable_mib(), usable,
		bi->truncated ? " (map cut)" : "", (unsigned long)meminfo.top,
		(unsigned long)KERNEL_BASE, (unsigned long)meminfo.alloc_next);
}
