/*
 * Device interrupts. Vectors VEC_DEV_BASE.. are handed out at boot and
 * never freed: one per MSI-X device, one per I/O APIC line (devices on a
 * shared PCI line share its vector, and each handler asks its own device).
 * Handlers run with interrupts off on the boot core and do not nest, so
 * one FPU save area is enough for program callbacks.
 */
#include "irq.h"
#include "param.h"
#include "smp.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"

int task_call(void (*fn)(void *), void *arg, struct task_jmp *j);	/* task.S */

#define MAX_HANDLERS	(MAX_NICS + MAX_DRIVES)

struct irq_handler {
	uint8_t vector;
	void (*fn)(void *);
	void *arg;
};

static struct irq_handler handlers[MAX_HANDLERS];
static unsigned nhandlers;
static uint8_t next_vector = VEC_DEV_BASE;
static uint32_t line_gsi[MAX_DEV_VECTORS];	/* per vector: its I/O APIC input + 1, or 0 */
static uint8_t fpu_area[4096] __attribute__((aligned(64)));	/* SDM vol. 1 §13.4: XSAVE wants 64 */

static bool add_handler(uint8_t vector, void (*fn)(void *), void *arg)
{
	if (nhandlers == MAX_HANDLERS)
		return false;
	handlers[nhandlers++] = (struct irq_handler){ vector, fn, arg };
	return true;
}

uint8_t irq_alloc(void (*handler)(void *), void *arg)
{
	if (next_vector == VEC_DEV_BASE + MAX_DEV_VECTORS || !add_handler(next_vector, handler, arg))
		return 0;
	return next_vector++;
}

uint8_t irq_route_gsi(uint32_t gsi, bool level, bool active_low,
		      void (*handler)(void *), void *arg)
{
	uint8_t v;

	for (v = VEC_DEV_BASE; v < next_vector; v++)
		if (line_gsi[v - VEC_DEV_BASE] == gsi + 1)
			return add_handler(v, handler, arg) ? v : 0;
	v = irq_alloc(handler, arg);
	if (!v || !ioapic_route(gsi, v, smp_cpu(0)->apic_id, level, active_low))
		return 0;
	line_gsi[v - VEC_DEV_BASE] = gsi + 1;
	return v;
}

void irq_dispatch(uint8_t vector)
{
	for (unsigned i = 0; i < nhandlers; i++)
		if (handlers[i].vector == vector)
			handlers[i].fn(handlers[i].arg);
	lapic_eoi();
}

static void call_callback(void *fn)
{
	((void (*)(void))fn)();
}

/* The callback runs inside task_call: if it faults, the report ends it
 * and we come back here, so the interrupt still gets its EOI (else core 0
 * would take no interrupt again). Returns false if it faulted. */
bool irq_call_program(void (*fn)(void))
{
	struct cpu *c = this_cpu();
	struct task_jmp j, *outer = c->task_jmp;
	bool faulted;

	fpu_save(fpu_area);
	c->task_jmp = &j;
	c->in_callback = true;
	faulted = task_call(call_callback, (void *)fn, &j);
	c->in_callback = false;
	c->task_jmp = outer;
	fpu_restore(fpu_area);
	return !faulted;
}
