/*
 * TSC calibration. The TSC is the cheapest clock (one instruction, no
 * exit under virtualization), so everything is measured in TSC ticks;
 * this file only learns their rate, from the most exact source present:
 *
 *   CPUID 0x15 (crystal ratio, exact) > CPUID 0x16 (nominal MHz) >
 *   hypervisor leaf 0x40000010 (kHz) > HPET > ACPI PM timer > PIT.
 *
 * Counting against a timer takes 3 x CALIBRATE_US of boot time (the median
 * of three windows), so each window is short; each reference read is
 * bracketed by two TSC reads and the midpoint used, which keeps the error
 * near the read's own cost.
 */
#include <stdbool.h>
#include "time.h"
#include "drivers/rtc.h"
#include "param.h"
#include "panic.h"
#include "printf.h"
#include "arch/x86_64/cpu.h"

#define CALIBRATE_US		500	/* boot-time cost vs. ~0.2% error */
#define CALIBRATE_MAX_READS	200000	/* ~0.2-1 s: then the timer is dead */
#define HPET_CAPS		0x000	/* HPET spec 1.0a §2.3.4: period fs in 63:32 */
#define HPET_CONFIG		0x010
#define HPET_COUNTER		0x0f0
#define HPET_ENABLE		1
#define PM_TIMER_HZ		3579545	/* ACPI 6.5 §4.8.3.3 */
#define PIT_HZ			1193182	/* 8254 input clock */
#define PIT_CH0			0x40
#define PIT_CMD			0x43
#define PIT_CH0_RATE_GEN	0x34	/* channel 0, lo/hi byte, mode 2 */
#define PIT_CH0_LATCH		0x00
#define HV_LEAF_TIMING		0x40000010
#define CPUID_INVARIANT_TSC	(1u << 8)	/* CPUID 0x80000007 EDX */

extern uint64_t boot_tsc0;		/* entry.S */

static uint64_t hz;
static uint64_t ns_mult;		/* ns = ticks * ns_mult >> 32 */
static uint64_t tsc_start;
static const char *source = "none";

struct stamp {
	const char *step;
	uint64_t tsc;
};
static struct stamp timeline[MAX_TIMELINE];
static unsigned nstamps;

/* A free-running counter read together with the TSC at the read's midpoint. */
struct reading {
	uint64_t count, tsc;
};

static const struct platform *plat;

static uint64_t read_hpet(void)
{
	return *(volatile uint32_t *)(plat->hpet_base + HPET_COUNTER);
}

static uint64_t read_pm_timer(void)
{
	return inl(plat->pm_timer);
}

static uint64_t read_pit(void)
{
	outb(PIT_CMD, PIT_CH0_LATCH);
	uint8_t lo = inb(PIT_CH0);
	return (uint64_t)(0xffff - (lo | inb(PIT_CH0) << 8));	/* counts down */
}

static struct reading sample(uint64_t (*read)(void))
{
	uint64_t t0 = rdtsc(), c = read(), t1 = rdtsc();
	return (struct reading){ c, t0 + (t1 - t0) / 2 };
}

/* Counts the reference (of freq Hz, mask bits wide) for about CALIBRATE_US;
 * the counter must not wrap twice between samples, which all sources here
 * guarantee (the PIT's 16 bits wrap every 55 ms). Returns 0 if the counter
 * does not move: a timer the tables promise may still be switched off. */
static uint64_t count_against(uint64_t (*read)(void), uint64_t freq, uint64_t mask)
{
	struct reading a = sample(read), b;
	uint64_t want = freq * CALIBRATE_US / 1000000, elapsed = 0, last = a.count;

	for (unsigned n = 0; elapsed < want; n++) {
		if (n == CALIBRATE_MAX_READS)
			return 0;
		b = sample(read);
		elapsed += (b.count - last) & mask;
		last = b.count;
	}
	return (b.tsc - a.tsc) * freq / elapsed;
}

/* The median of three counts: under TCG the host may deschedule the vCPU
 * or stall a timer read for longer than the whole window, and one such
 * count was seen at half the true rate (q35, a loaded host). One outlier
 * among three cannot move the median. */
static uint64_t count_median(uint64_t (*read)(void), uint64_t freq, uint64_t mask)
{
	uint64_t r[3];

	for (int i = 0; i < 3; i++)
		if ((r[i] = count_against(read, freq, mask)) == 0)
			return 0;
	uint64_t lo = r[0] < r[1] ? r[0] : r[1], hi = r[0] < r[1] ? r[1] : r[0];
	return r[2] < lo ? lo : r[2] > hi ? hi : r[2];
}

static uint64_t from_cpuid(void)
{
	uint32_t max = cpuid(0, 0).a;
	struct cpuid c;

	if (max >= 0x15) {
		c = cpuid(0x15, 0);
		if (c.a && c.b && c.c) {
			source = "cpuid 0x15";
			return (uint64_t)c.c * c.b / c.a;
		}
	}
	if (max >= 0x16 && (cpuid(0x16, 0).a & 0xffff)) {
		source = "cpuid 0x16";
		return (uint64_t)(cpuid(0x16, 0).a & 0xffff) * 1000000;
	}
	if ((cpuid(1, 0).c & (1u << 31)) && cpuid(0x40000000, 0).a >= HV_LEAF_TIMING &&
	    cpuid(HV_LEAF_TIMING, 0).a) {
		source = "hypervisor leaf";
		return (uint64_t)cpuid(HV_LEAF_TIMING, 0).a * 1000;
	}
	return 0;
}

static uint64_t from_hpet(void)
{
	volatile uint64_t *hpet = (volatile uint64_t *)plat->hpet_base;
	uint64_t period_fs = hpet[HPET_CAPS / 8] >> 32;

	if (!period_fs || period_fs > 100000000)	/* spec: at most 100 ns */
		return 0;
	hpet[HPET_CONFIG / 8] |= HPET_ENABLE;
	/* 32-bit HPETs exist: count modulo 2^32. */
	return count_median(read_hpet, 1000000000000000ull / period_fs, 0xffffffffu);
}

static uint64_t from_pit(void)
{
	outb(PIT_CMD, PIT_CH0_RATE_GEN);
	outb(PIT_CH0, 0);	/* reload 0 = 65536: the longest period */
	outb(PIT_CH0, 0);
	return count_median(read_pit, PIT_HZ, 0xffff);
}

/* The first timer that answers, in order of precision. */
static uint64_t from_timer(void)
{
	uint64_t r;

	if (plat->hpet_base && (r = from_hpet()) != 0) {
		source = "hpet";
		return r;
	}
	if (plat->pm_timer && (r = count_median(read_pm_timer, PM_TIMER_HZ,
						  plat->pm_timer_32bit ? 0xffffffffu : 0xffffffu)) != 0) {
		source = "acpi pm timer";
		return r;
	}
	source = "pit";
	return from_pit();
}

static uint64_t wall_at_boot_ns;	/* the RTC's reading when time_init ran */

void time_init(const struct platform *p)
{
	wall_at_boot_ns = rtc_epoch_seconds() * 1000000000ull;
	plat = p;
	hz = from_cpuid();
	if (!hz)
		hz = from_timer();
	if (!hz)
		panic("no clock to calibrate the TSC against: no CPUID rate, HPET, "
		      "ACPI PM timer or PIT answered");
	ns_mult = (1000000000ull << 32) / hz;
	tsc_start = rdtsc();
}

uint64_t tsc_hz(void) { return hz; }

uint64_t time_wall_ns(void) { return wall_at_boot_ns + time_ns(); }

uint64_t time_ns(void)
{
	return (uint64_t)((unsigned __int128)(rdtsc() - tsc_start) * ns_mult >> 32);
}

/* a * b / c without a 128-bit division (the kernel links no libgcc);
 * exact while (a % c) * b fits in 64 bits, true for every use here. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return hz ? muldiv(ticks, 1000000, hz) : 0;
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + muldiv(us, hz, 1000000);
	while (rdtsc() < end)
		cpu_relax();
}

void time_print(void)
{
	bool invariant = cpuid(0x80000000, 0).a >= 0x80000007 &&
			 (cpuid(0x80000007, 0).d & CPUID_INVARIANT_TSC);

	kprintf("tsc    %lu.%03lu MHz from %s%s\n", (unsigned long)(hz / 1000000),
		(unsigned long)(hz / 1000 % 1000), source, invariant ? ", invariant" : "");
}

void timeline_mark(const char *step)
{
	if (nstamps < MAX_TIMELINE)
		timeline[nstamps++] = (struct stamp){ step, rdtsc() };
}

uint64_t timeline_since_entry_us(void)
{
	return tsc_to_us(rdtsc() - boot_tsc0);
}

void timeline_print(void)
{
	uint64_t prev = boot_tsc0;

	kprintf("timeline (us since first instruction, +us for the step):\n");
	for (unsigned i = 0; i < nstamps; i++) {
		kprintf("  %8lu +%-6lu %s\n", (unsigned long)tsc_to_us(timeline[i].tsc - boot_tsc0),
			(unsigned long)tsc_to_us(timeline[i].tsc - prev), timeline[i].step);
		prev = timeline[i].tsc;
	}
}
