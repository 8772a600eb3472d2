/*
 * The physical memory map as the kernel builds it (docs/MEMORY.md draws it).
 * All RAM is identity-mapped: a physical address is its own virtual address.
 *
 *   0x0000_0000  page 0, left unmapped so a NULL dereference faults
 *   0x0000_1000  low memory: BIOS data, EBDA, ACPI and MP tables (not used)
 *   0x0000_8000  TRAMPOLINE_BASE: where the other cores start (smp.c)
 *   0x0010_0000  KERNEL_BASE: text, rodata, data, symbols, bss (boot stack)
 *   kernel_end   early allocations (mem.c), page aligned: page tables, and
 *                per core a struct cpu, a guard page, its stack, its fault stack
 *   alloc_end    free RAM, all of it for the program
 *   0xfec0_0000  IOAPIC, 0xfed0_0000 HPET, 0xfee0_0000 LAPIC (MMIO, mapped)
 */
#ifndef PITH_MEMLAYOUT_H
#define PITH_MEMLAYOUT_H

#define TRAMPOLINE_BASE	0x8000	/* below 1 MiB, 4 KiB aligned: a STARTUP IPI vector */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define PAGE_SIZE	4096ull
#define LARGE_PAGE	(2ull << 20)
#define HUGE_PAGE	(1ull << 30)
#define KERNEL_BASE	0x100000ull
#define LOW_4G		(4ull << 30)	/* mapped even with less RAM: MMIO lives below it */

/* Linker-script symbols (kernel/kernel.ld). */
extern char __kernel_start[], __text_end[], __rodata_end[], __bss_start[], __bss_end[], __kernel_end[];

static inline uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static inline uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
#endif

#endif
