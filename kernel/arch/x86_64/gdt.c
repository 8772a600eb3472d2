/*
 * Each core's GDT: flat 64-bit code and data (SDM vol. 3A §3.4.5) and its
 * own TSS, used only for the interrupt stack table: #PF, #DF, NMI and #MC
 * switch to a known-good stack, so a stack overflow can still be reported.
 */
#include <stdint.h>
#include "cpu.h"
#include "percpu.h"
#include "trap.h"

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define TSS_AVAILABLE	0x89	/* present, 64-bit TSS (SDM table 3-2) */
#define GDT_CODE64	0x00af9a000000ffffull	/* 0x08: 64-bit code, DPL 0 */
#define GDT_DATA	0x00cf92000000ffffull	/* 0x10: data, DPL 0 */

/* The GDT entry.S loads before C runs; selectors match every core's GDT. */
uint64_t boot_gdt[3] = { 0, GDT_CODE64, GDT_DATA };
struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) gdt_pointer = { sizeof(boot_gdt) - 1, (uint64_t)boot_gdt };

struct cpu boot_cpu;
static uint8_t boot_fault_stack[FAULT_STACK_SIZE] __attribute__((aligned(16)));

void percpu_set(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}

void gdt_init(struct cpu *c)
{
	uint64_t base = (uint64_t)&c->tss, limit = sizeof(c->tss) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };

	if (!c->fault_stack_top)
		c->fault_stack_top = (uint64_t)boot_fault_stack + sizeof(boot_fault_stack);
	c->tss.ist[0] = c->fault_stack_top;
	c->tss.iomap_base = sizeof(c->tss);	/* no I/O bitmap */
	c->gdt[0] = 0;
	c->gdt[1] = GDT_CODE64;
	c->gdt[2] = GDT_DATA;
	c->gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		    (uint64_t)TSS_AVAILABLE << 40 | (limit >> 16 & 0xf) << 48 |
		    (base >> 24 & 0xff) << 56;
	c->gdt[4] = base >> 32;
	__asm__ volatile("lgdt %0" : : "m"(ptr));
	/* Reload every segment: an application processor arrives with the
	 * trampoline's selectors, and 0x18 is a TSS here, not code. */
	__asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
			 : : "i"(SEL_CODE) : "rax", "memory");
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" : : "r"(SEL_DATA));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}
