/*
 * Four-level paging (SDM vol. 3A §4.5) used only as an identity map: the
 * kernel and the program share one address space, so paging exists to give
 * long mode what it requires, to catch NULL and stack overflows with
 * unmapped pages, and nothing else. Page tables come from mem.c.
 */
#include "paging.h"
#include "cpu.h"
#include "../../mem.h"
#include "../../memlayout.h"
#include "../../panic.h"
#include "../../printf.h"
#include "../../param.h"

#define PTE_P		0x001ull
#define PTE_W		0x002ull
#define PTE_PS		0x080ull	/* a 2 MiB or 1 GiB page, not a table */
#define PTE_ADDR	0x000ffffffffff000ull
#define CPUID_PDPE1GB	(1u << 26)	/* CPUID 0x80000001 EDX */

extern char boot_stack_guard[];		/* entry.S */

static uint64_t *pml4;
static uint64_t large_page;
static uint64_t guards[MAX_CPUS];	/* stack guard pages, one per core */
static unsigned nguards;
/* Tables made by splitting large pages, which can come after
 * mem_seal_tables (each core's guard page): kept so program pointers can
 * be refused there too. Two per guard at most, and page 0's. */
static uint64_t split_tables[2 * MAX_CPUS + 4];
static unsigned nsplit;

static uint64_t *table(uint64_t entry) { return (uint64_t *)(entry & PTE_ADDR); }

static bool has_1g_pages(void)
{
	return cpuid(0x80000000, 0).a >= 0x80000001 &&
	       (cpuid(0x80000001, 0).d & CPUID_PDPE1GB);
}

void paging_init(uint64_t top)
{
	uint64_t *pdpt;
	uint64_t gib;

	if (top > RAM_MAP_MAX) {
		kprintf("paging: mapping only the first %lu GiB of RAM\n",
			(unsigned long)(RAM_MAP_MAX >> 30));
		top = RAM_MAP_MAX;
	}
	gib = align_up(top, HUGE_PAGE) / HUGE_PAGE;

	large_page = has_1g_pages() ? HUGE_PAGE : LARGE_PAGE;
	pml4 = mem_alloc_page();
	pdpt = mem_alloc_page();
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
	for (uint64_t g = 0; g < gib; g++) {
		if (large_page == HUGE_PAGE) {
			pdpt[g] = g * HUGE_PAGE | PTE_P | PTE_W | PTE_PS;
			continue;
		}
		uint64_t *pd = mem_alloc_page();
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = (g * HUGE_PAGE + i * LARGE_PAGE) | PTE_P | PTE_W | PTE_PS;
		pdpt[g] = (uint64_t)pd | PTE_P | PTE_W;
	}
	write_cr3((uint64_t)pml4);
	paging_add_guard((uint64_t)boot_stack_guard);
}

void paging_add_guard(uint64_t va)
{
	paging_unmap(va);
	if (nguards < MAX_CPUS)
		guards[nguards++] = va;
}

/* Replaces a large-page entry by a table of 512 entries one level down. */
static void split(uint64_t *entry, uint64_t child_size)
{
	uint64_t *t = mem_alloc_page();
	uint64_t base = *entry & PTE_ADDR;

	if (nsplit < sizeof(split_tables) / sizeof(split_tables[0]))
		split_tables[nsplit++] = (uint64_t)t;
	uint64_t flags = child_size == PAGE_SIZE ? PTE_P | PTE_W : PTE_P | PTE_W | PTE_PS;

	for (uint64_t i = 0; i < 512; i++)
		t[i] = (base + i * child_size) | flags;
	*entry = (uint64_t)t | PTE_P | PTE_W;
}

void paging_unmap(uint64_t va)
{
	uint64_t *e = &pml4[va >> 39 & 511];
	static const uint64_t child[] = { 0, HUGE_PAGE, LARGE_PAGE, PAGE_SIZE };

	for (int level = 1; level < 4; level++) {
		if (!(*e & PTE_P))
			return;
		if (*e & PTE_PS)
			split(e, child[level]);
		e = &table(*e)[va >> (39 - 9 * level) & 511];
	}
	*e &= ~PTE_P;
	invlpg(va);
}

/* Walks whatever tables CR3 holds: the boot tables too, so a panic before
 * paging_init can still print a stack trace. */
bool paging_is_mapped(uint64_t va)
{
	uint64_t e;

	if (va >> 47 && va >> 47 != 0x1ffff)
		return false;	/* not canonical */
	e = ((uint64_t *)(read_cr3() & PTE_ADDR))[va >> 39 & 511];
	for (int level = 1; level < 4; level++) {
		if (!(e & PTE_P))
			return false;
		if (e & PTE_PS)
			return true;
		e = table(e)[va >> (39 - 9 * level) & 511];
	}
	return e & PTE_P;
}

bool paging_split_table_in(uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < nsplit; i++)
		if (a < split_tables[i] + PAGE_SIZE && a + len > split_tables[i])
			return true;
	return false;
}

bool paging_is_stack_guard(uint64_t va)
{
	for (unsigned i = 0; i < nguards; i++)
		if (va >= guards[i] && va < guards[i] + PAGE_SIZE)
			return true;
	return false;
}

/* The table an entry points to, made (zeroed, from device memory) if absent. */
static uint64_t *table_of(uint64_t *entry)
{
	uint64_t *t;

	if (*entry & PTE_P)
		return table(*entry);
	t = mem_alloc_dma(PAGE_SIZE);
	if (t)
		*entry = (uint64_t)t | PTE_P | PTE_W;
	return t;
}

/* 2 MiB pages where va and phys are both 2 MiB-aligned and 2 MiB remain;
 * 4 KiB pages (a page table per 2 MiB of va) elsewhere. */
bool paging_map_range(uint64_t va, uint64_t phys, uint64_t size)
{
	uint64_t off = 0;

	while (off < size) {
		uint64_t v = va + off, p = phys + off;
		uint64_t *pdpt = table_of(&pml4[v >> 39 & 511]);
		uint64_t *pd = pdpt ? table_of(&pdpt[v >> 30 & 511]) : NULL;
		uint64_t *pt;

		if (!pd)
			return false;
		if (!((v | p) & (LARGE_PAGE - 1)) && size - off >= LARGE_PAGE) {
			pd[v >> 21 & 511] = p | PTE_P | PTE_W | PTE_PS;
			off += LARGE_PAGE;
			continue;
		}
		if (!(pt = table_of(&pd[v >> 21 & 511])))
			return false;
		pt[v >> 12 & 511] = p | PTE_P | PTE_W;
		off += PAGE_SIZE;
	}
	write_cr3(read_cr3());	/* no stale entries for the range */
	return true;
}

uint64_t paging_page_size(void)
{
	return large_page;
}
