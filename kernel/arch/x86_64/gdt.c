/*
 * The GDT: flat 64-bit code and data (SDM vol. 3A §3.4.5) and one TSS,
 * used only for its interrupt stack table: #PF, #DF, NMI and #MC switch to
 * a known-good stack, so a stack overflow can still be reported.
 */
#include <stdint.h>
#include "trap.h"
#include "../../param.h"

#define SEL_CODE	0x08
#define SEL_TSS		0x18
#define TSS_AVAILABLE	0x89	/* present, 64-bit TSS (SDM table 3-2) */

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

/* Selectors 0x08 and 0x10 are also what entry.S loads before C runs. */
static uint64_t gdt[5] = {
	0,
	0x00af9a000000ffff,	/* 0x08: 64-bit code, DPL 0 */
	0x00cf92000000ffff,	/* 0x10: data, DPL 0 */
	0, 0,			/* 0x18: TSS, 16 bytes, filled below */
};

struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) gdt_pointer = { sizeof(gdt) - 1, (uint64_t)gdt };

static struct tss tss;
static uint8_t fault_stack[FAULT_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

	tss.ist[0] = (uint64_t)fault_stack + sizeof(fault_stack);
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap */
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		 (uint64_t)TSS_AVAILABLE << 40 | (limit >> 16 & 0xf) << 48 |
		 (base >> 24 & 0xff) << 56;
	gdt[4] = base >> 32;
	__asm__ volatile("lgdt %0" : : "m"(gdt_pointer));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

