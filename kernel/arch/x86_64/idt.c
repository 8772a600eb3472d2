/*
 * The IDT (SDM vol. 3A §6.14.1) and trap(), the one C function every
 * interrupt and exception comes through.
 */
#include <stdint.h>
#include "trap.h"
#include "lapic.h"
#include "../../irq.h"
#include "../../wq.h"
#include "../../param.h"

#define SEL_CODE	0x08
#define GATE_INTERRUPT	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define IST_FAULT	1	/* tss.ist[0]: see gdt.c */

/* Exceptions that must run on a fresh stack: NMI, #DF, #PF, #MC. */
#define USES_IST(v)	((v) == 2 || (v) == 8 || (v) == 14 || (v) == 18)

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

extern const uint64_t isr_stubs[NUM_ISR_STUBS];
extern char isr_spurious[];

static struct idt_gate idt[256];

static void set_gate(unsigned v, uint64_t handler, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = SEL_CODE,
		.ist = ist,
		.type = GATE_INTERRUPT,
		.offset_mid = handler >> 16 & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void idt_init(void)
{
	for (unsigned v = 0; v < NUM_ISR_STUBS; v++)
		set_gate(v, isr_stubs[v], USES_IST(v) ? IST_FAULT : 0);
	set_gate(VEC_SPURIOUS, (uint64_t)isr_spurious, 0);
	idt_load();
}

void trap(struct trapframe *f)
{
	if (f->vector < 32)
		fault_report(f);
	else if (f->vector == VEC_TIMER) {
		lapic_timer_interrupt();
		lapic_eoi();
	} else if (f->vector == VEC_WAKE) {
		wq_wake_interrupt();
	} else if (f->vector >= VEC_DEV_BASE) {
		irq_dispatch((uint8_t)f->vector);
	}
	/* VEC_PIC_BASE..+15: a masked 8259's spurious IRQ 7 or 15; no EOI is owed. */
}
