/*
 * Device interrupts. Vectors VEC_DEV_BASE.. are handed out one per device
 * at boot and never freed. The handler runs with interrupts off on the
 * boot core; handlers do not nest, so one FPU save area is enough for
 * program callbacks.
 */
#include "irq.h"
#include "param.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/lapic.h"

struct irq_handler {
	void (*fn)(void *);
	void *arg;
};

static struct irq_handler handlers[MAX_DEV_VECTORS];
static unsigned used;
static uint8_t fpu_area[4096] __attribute__((aligned(64)));	/* SDM vol. 1 §13.4: XSAVE wants 64 */

uint8_t irq_alloc(void (*handler)(void *), void *arg)
{
	if (used == MAX_DEV_VECTORS)
		return 0;
	handlers[used] = (struct irq_handler){ handler, arg };
	return (uint8_t)(VEC_DEV_BASE + used++);
}

void irq_dispatch(uint8_t vector)
{
	unsigned i = vector - VEC_DEV_BASE;

	if (i < used)
		handlers[i].fn(handlers[i].arg);
	lapic_eoi();
}

void irq_call_program(void (*fn)(void))
{
	fpu_save(fpu_area);
	fn();
	fpu_restore(fpu_area);
}
