/*
 * tsc_linux.h - the TSC rate, as the Linux guest's benchmarks measure it.
 *
 * The benchmarks print raw TSC ticks (the unit Pith's twins print too) and
 * one tsc_hz line, so ticks can be turned into time afterwards. The rate is
 * measured against CLOCK_MONOTONIC over TSC_CAL_NS rather than read from
 * /proc/cpuinfo's "cpu MHz", which is the core clock, not the TSC's, and
 * under TCG is whatever the CPU model claims.
 */
#ifndef PITH_BENCH_TSC_LINUX_H
#define PITH_BENCH_TSC_LINUX_H

#include <stdint.h>
#include <time.h>

#include "quantum.h"

#define TSC_CAL_NS 100000000ull	/* 100 ms */

static inline uint64_t tsc_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Returns TSC ticks per second, measured over ~100 ms of busy waiting. */
static inline uint64_t tsc_hz(void)
{
	uint64_t n0 = tsc_mono_ns(), t0 = quantum_tsc(), n1, t1;

	do {
		n1 = tsc_mono_ns();
	} while (n1 - n0 < TSC_CAL_NS);
	t1 = quantum_tsc();
	return (uint64_t)((double)(t1 - t0) * 1e9 / (double)(n1 - n0));
}

#endif
