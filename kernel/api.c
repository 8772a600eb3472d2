/*
 * The calls programs make (include/pith/). Each is a thin, checked wrapper
 * over the kernel function that does the work; this file is what the API
 * table will list.
 */
#include <pith/bus.h>
#include <pith/console.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "console.h"
#include "mem.h"
#include "smp.h"
#include "time.h"
#include "wq.h"
#include "spinlock.h"
#include "drivers/pci.h"

void b_output(const char *str, unsigned long nbr)
{
	if (str && mem_program_readable(str, nbr))
		console_program_write(str, nbr);
}

unsigned char b_input(void)
{
	int c = console_getc();
	return c < 0 ? 0 : (unsigned char)c;
}

uint64_t b_time_ns(void) { return time_ns(); }
uint64_t b_time_wall_ns(void) { return time_wall_ns(); }
uint64_t b_tsc_hz(void) { return tsc_hz(); }
void b_delay_us(uint64_t us) { delay_us(us); }

int b_smp_enqueue(void (*fn)(void *), void *arg) { return wq_enqueue(fn, arg); }
int b_smp_run(void) { return wq_run_one(); }
int b_smp_wait(void) { return wq_wait(); }
int b_smp_busy(void) { return wq_busy(); }
unsigned b_smp_numcores(void) { return smp_cores(); }
unsigned b_smp_id(void) { return this_cpu()->index; }
int b_smp_set(unsigned core, void (*fn)(void *), void *arg) { return wq_set(core, fn, arg); }
void (*b_smp_get(void))(void *) { return wq_get(); }

void b_smp_lock(volatile uint64_t *lock) { spin_lock_word(lock); }
void b_smp_unlock(volatile uint64_t *lock) { spin_unlock_word(lock); }

int b_smp_stats(unsigned core, struct b_core_stats *out)
{
	struct cpu *c = smp_cpu(core);

	if (!c || !out)
		return !c ? B_ENODEV : B_EFAULT;
	out->apic_id = c->apic_id;
	out->tasks_run = c->tasks_run;
	out->tasks_failed = c->tasks_failed;
	out->busy_ns = tsc_to_us(c->busy_tsc) * 1000;
	out->idle_ns = tsc_to_us(c->idle_tsc) * 1000;
	return 0;
}

/* 0 if bus:dev.fn reg may be accessed, else the error. */
static int check_bus(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	if (bus > 255 || dev > 31 || fn > 7 || (reg & 3))
		return B_EINVAL;
	return pci_reachable((uint8_t)bus, (uint8_t)dev, (uint8_t)fn,
			     reg > 0xffff ? 0xffff : (uint16_t)reg) ? 0 : B_ERANGE;
}

long b_bus_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	int r = check_bus(bus, dev, fn, reg);

	if (r)
		return r;
	return (long)pci_read32((uint8_t)bus, (uint8_t)dev, (uint8_t)fn, (uint16_t)reg);
}

int b_bus_write(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t value)
{
	int r = check_bus(bus, dev, fn, reg);

	if (!r)
		pci_write32((uint8_t)bus, (uint8_t)dev, (uint8_t)fn, (uint16_t)reg, value);
	return r;
}
