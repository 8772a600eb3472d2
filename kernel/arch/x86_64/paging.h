/* The identity map of all RAM (paging.c). */
#ifndef PITH_PAGING_H
#define PITH_PAGING_H

#include <stdint.h>
#include <stdbool.h>

/* Maps [0, top) 1:1 with 1 GiB pages where the CPU has them, else 2 MiB;
 * then unmaps the boot stack's guard page. Boot core only. Page 0 stays
 * mapped until the BIOS data area in it has been read: kmain unmaps it. */
void paging_init(uint64_t top);
/* Makes the 4 KiB page at va fault, splitting large pages as needed. */
void paging_unmap(uint64_t va);
bool paging_is_mapped(uint64_t va);
/* Unmaps the page at va and remembers it as a stack guard. */
void paging_add_guard(uint64_t va);
/* True if [a, a+len) touches a page table made by splitting a large page. */
bool paging_split_table_in(uint64_t a, uint64_t len);
/* True if va lies in a stack guard page (a fault there is an overflow). */
bool paging_is_stack_guard(uint64_t va);
/* Maps [va, va + size) to [phys, phys + size) with 2 MiB pages (all three
 * 2 MiB-aligned, size at most 512 GiB), with tables from mem_alloc_dma so
 * program pointers can never reach them. False if they ran out. */
bool paging_map_range(uint64_t va, uint64_t phys, uint64_t size);
/* Size of the largest pages used: 1 GiB or 2 MiB. */
uint64_t paging_page_size(void);

#endif
