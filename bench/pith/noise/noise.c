/*
 * OS noise on Pith: the twin of bench/guest/noise.c, compiled from the same
 * quantum.h (the work) and stats.h (the summary). Every core runs
 * QUANTUM_SAMPLES fixed quanta at the same time, each timed with the TSC;
 * the spread of their durations is what the platform and the OS add. Cores
 * 1..n-1 get their share with b_smp_set, core 0 runs its own, and a start
 * line makes them begin together. Prints the Linux twin's lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <pith/app.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../../guest/quantum.h"
#include "../../guest/stats.h"
#include "../../../apps/common/out.h"

#define NOISE_MAX_CORES	8	/* 400 KB of samples each, in the image's bss */

struct core {
	unsigned id;
	uint64_t ticks[QUANTUM_SAMPLES];
};

static struct core cores[NOISE_MAX_CORES];
static unsigned started, finished;
static volatile uint64_t sink;

static void measure(void *arg)
{
	struct core *c = arg;
	uint64_t state = c->id + 1;

	__atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < b_smp_numcores() &&
	       __atomic_load_n(&started, __ATOMIC_ACQUIRE) < NOISE_MAX_CORES)
		__asm__ volatile("pause");
	for (uint32_t i = 0; i < QUANTUM_WARMUP; i++)
		state = quantum_work(state);
	for (uint32_t i = 0; i < QUANTUM_SAMPLES; i++)
		c->ticks[i] = quantum_time(&state);
	sink = state;
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

static void report(const struct core *c)
{
	struct stats s;

	stats_compute(c->ticks, QUANTUM_SAMPLES, &s);
	out_str("noise cpu=");
	out_u64(c->id);
	out_str(" samples=");
	out_u64(s.n);
	out_str(" min=");
	out_u64(s.min);
	out_str(" mean=");
	out_u64(s.mean);
	out_str(" sd=");
	out_u64(s.sd);
	out_str(" max=");
	out_u64(s.max);
	out_str(" over1pct=");
	out_fixed(s.over1pct_ppm, 1000000, 6);
	out_str("\n");
}

int app_main(int argc, char **argv)
{
	unsigned n = b_smp_numcores() < NOISE_MAX_CORES ? b_smp_numcores() : NOISE_MAX_CORES;

	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < n; i++)
		cores[i].id = i;
	for (unsigned i = 1; i < n; i++)
		if (b_smp_set(i, measure, &cores[i]) != 0)
			return 1;
	measure(&cores[0]);
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < n)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < n; i++)
		report(&cores[i]);
	out_str("noise tsc_hz=");
	out_u64(b_tsc_hz());
	out_str("\n");
	return 0;
}
