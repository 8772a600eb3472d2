/*
 * BareMetal's b_system(function, var1, var2) (include/pith/system.h) and
 * the machine-wide calls behind it: power, free memory, the console hook
 * (STDOUT_SET) and the timer, network and keyboard callbacks. Callbacks
 * run on core 0 from their interrupt, with the program's FPU state saved
 * around them (irq_call_program).
 */
#include <pith/bus.h>
#include <pith/console.h>
#include <pith/net.h>
#include <pith/smp.h>
#include <pith/system.h>
#include <pith/time.h>
#include "console.h"
#include "irq.h"
#include "mem.h"
#include "memlayout.h"
#include "param.h"
#include "power.h"
#include "printf.h"
#include "system.h"
#include "time.h"
#include "wq.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"

#define TIMER_HZ	100		/* CALLBACK_TIMER's rate */
#define COM1_ISA_IRQ	4
#define DUMP_MAX	65536		/* bytes DUMP_MEM prints at most */

static void (*volatile timer_cb)(void);
static void (*volatile keyboard_cb)(void);

static bool keyboard_routed;

/* Codes from 64 on are the kernel's fault codes (docs/BOOT-CONTRACT.md). */
void b_shutdown(int code)
{
	power_off(code < 0 || code >= EXIT_FAULT_BASE ? EXIT_FAULT_BASE - 1 : code);
}
void b_reboot(void) { power_reboot(); }

static void timer_tick(void)
{
	void (*fn)(void) = timer_cb;

	if (fn && !irq_call_program(fn))
		timer_cb = NULL;	/* it faulted: the timer runs on, uncalled */
}

static uint64_t set_timer(uint64_t fn)
{
	if (this_cpu()->index != 0)
		return (uint64_t)B_EINVAL;	/* the LAPIC timer is per core: core 0's */
	timer_cb = (void (*)(void))fn;
	if (fn)
		return lapic_timer_start(TIMER_HZ, timer_tick) ? 0 : (uint64_t)B_ENODEV;
	lapic_timer_stop();
	return 0;
}

/* COM1's receive interrupt: bytes go to the console's buffer, then the
 * program hears of them. */
static void keyboard_interrupt(void *arg)
{
	void (*fn)(void) = keyboard_cb;

	(void)arg;
	if (console_rx_interrupt() && fn && !irq_call_program(fn))
		keyboard_cb = NULL;
}

void system_init(const struct platform *p)
{
	bool level, low;
	uint32_t gsi = platform_isa_gsi(p, COM1_ISA_IRQ, &level, &low);

	/* ISA interrupts are edge-triggered, active high unless overridden. */
	if (!p->noverrides || gsi == COM1_ISA_IRQ)
		level = low = false;
	if (irq_route_gsi(gsi, level, low, keyboard_interrupt, NULL)) {
		console_rx_irq(gsi);
		keyboard_routed = true;
	}
}

void system_program_ended(void)
{
	set_timer(0);
	keyboard_cb = NULL;
	b_net_set_callback(NULL);
	console_set_hook(NULL);
}

/* Hex dump of len bytes at addr, 16 a line; unmapped pages are refused. */
static uint64_t dump(uint64_t addr, uint64_t len)
{
	const uint8_t *p = (const uint8_t *)addr;

	if (len > DUMP_MAX || addr + len < addr)
		return (uint64_t)B_EINVAL;
	for (uint64_t a = addr & ~(PAGE_SIZE - 1); a < addr + len; a += PAGE_SIZE)
		if (!paging_is_mapped(a))
			return (uint64_t)B_EFAULT;
	for (uint64_t i = 0; i < len; i += 16) {
		kprintf("%016lx:", (unsigned long)(addr + i));
		for (uint64_t k = i; k < i + 16 && k < len; k++)
			kprintf(" %02x", p[k]);
		kprintf("\n");
	}
	return 0;
}

/* BUS_READ/BUS_WRITE's var1: an ECAM offset, bus<<20 | dev<<15 | fn<<12 | reg. */
static uint64_t bus(uint64_t a, bool write, uint64_t value)
{
	unsigned b = a >> 20 & 0xff, d = a >> 15 & 31, f = a >> 12 & 7, r = a & 0xfff;

	if (a >> 28)
		return (uint64_t)B_EINVAL;
	if (write)
		return (uint64_t)(long)b_bus_write(b, d, f, r, (uint32_t)value);
	return (uint64_t)b_bus_read(b, d, f, r);
}

static uint64_t smp_call(uint64_t fn, uint64_t v1, uint64_t v2)
{
	switch (fn) {
	case B_SYS_SMP_ID:	return b_smp_id();
	case B_SYS_SMP_NUMCORES: return b_smp_numcores();
	case B_SYS_SMP_SET:	return (uint64_t)(long)b_smp_set((unsigned)v2,
							       (void (*)(void *))v1, NULL);
	case B_SYS_SMP_GET:	return (uint64_t)b_smp_get();
	case B_SYS_SMP_LOCK:
	case B_SYS_SMP_UNLOCK:
		if (!mem_program_range((void *)v1, 8) || (v1 & 7))
			return (uint64_t)B_EFAULT;
		if (fn == B_SYS_SMP_LOCK)
			b_smp_lock((volatile uint64_t *)v1);
		else
			b_smp_unlock((volatile uint64_t *)v1);
		return 0;
	case B_SYS_SMP_BUSY:	return (uint64_t)b_smp_busy();
	}
	return (uint64_t)B_EINVAL;
}

uint64_t b_system(uint64_t fn, uint64_t v1, uint64_t v2)
{
	switch (fn) {
	case B_SYS_TIMECOUNTER:	return time_ns();
	case B_SYS_FREE_MEMORY:	return b_mem_free() >> 20;
	case B_SYS_TSC:		return rdtsc();
	case B_SYS_SCREEN_LFB_GET: case B_SYS_SCREEN_X_GET: case B_SYS_SCREEN_Y_GET:
	case B_SYS_SCREEN_PPSL_GET: case B_SYS_SCREEN_BPP_GET:
		return 0;	/* no screen: a serial console */
	case B_SYS_NET_STATUS:	return b_net_status((unsigned)v1);
	case B_SYS_NET_CONFIG:	return (uint64_t)(long)b_net_info((unsigned)v1,
								  (struct b_net_info *)v2);
	case B_SYS_BUS_READ:	return bus(v1, false, 0);
	case B_SYS_BUS_WRITE:	return bus(v1, true, v2);
	case B_SYS_STDOUT_SET:	console_set_hook((void (*)(const char *, uint64_t))v1); return 0;
	case B_SYS_STDOUT_GET:	return (uint64_t)console_get_hook();
	case B_SYS_CALLBACK_TIMER: return set_timer(v1);
	case B_SYS_CALLBACK_NETWORK: return (uint64_t)(long)b_net_set_callback((void (*)(void))v1);
	case B_SYS_CALLBACK_KEYBOARD:
		if (!keyboard_routed)
			return (uint64_t)B_ENODEV;
		keyboard_cb = (void (*)(void))v1;
		return 0;
	case B_SYS_DUMP_MEM:	return dump(v1, v2);
	case B_SYS_DUMP_RAX:	kprintf("%#018lx\n", (unsigned long)v1); return 0;
	case B_SYS_DELAY:	delay_us(v1); return 0;
	case B_SYS_RESET:	return (uint64_t)(long)wq_reset();
	case B_SYS_REBOOT:	power_reboot();
	case B_SYS_SHUTDOWN:	b_shutdown((int)v1);
	}
	return smp_call(fn, v1, v2);
}
