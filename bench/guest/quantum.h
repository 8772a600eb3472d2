/*
 * quantum.h - the fixed unit of work the OS-noise benchmark times.
 *
 * Both sides of the comparison compile this one file: bench/guest/noise.c in
 * the Linux guest and Pith's noise program. A quantum is a chain of
 * QUANTUM_ITERS dependent multiply-adds (an LCG step: each one needs the
 * previous result, so the CPU cannot overlap them and the compiler cannot
 * fold or vectorise them). Nothing is calibrated: the count is a constant,
 * so every core, every run and both OSes do exactly the same work, and any
 * spread in its duration is noise from the platform and the OS.
 *
 * Sizing: one step is ~4 cycles of latency (imul 3 + add 1), so a quantum is
 * ~8,000 cycles (~2-3 us) on hardware or KVM, and ~5-10 us under TCG.
 *
 * Freestanding: only <stdint.h> (a compiler header) and GNU C inline asm;
 * no libc. Times are TSC ticks, read with lfence on both sides of rdtsc so
 * that the quantum's instructions neither start early nor finish late.
 */
#ifndef PITH_BENCH_QUANTUM_H
#define PITH_BENCH_QUANTUM_H

#include <stdint.h>

#define QUANTUM_ITERS 2000u	/* dependent steps per quantum */
#define QUANTUM_SAMPLES 50000u	/* timed quanta per core */
#define QUANTUM_WARMUP 100u	/* untimed quanta first (caches, TCG translation) */

/* Knuth's MMIX LCG constants: any odd multiplier would do. */
#define QUANTUM_MUL 6364136223846793005ull
#define QUANTUM_ADD 1442695040888963407ull

/* Reads the TSC, ordered against the instructions around it. */
static inline uint64_t quantum_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence"
			 : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Runs one quantum on x and returns the new value. The empty asm makes x
 * opaque to the optimiser each step, so the chain stays QUANTUM_ITERS long
 * at any optimisation level.
 */
static inline uint64_t quantum_work(uint64_t x)
{
	for (uint32_t i = 0; i < QUANTUM_ITERS; i++) {
		x = x * QUANTUM_MUL + QUANTUM_ADD;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

/* Times one quantum: returns its duration in TSC ticks, updates *state. */
static inline uint64_t quantum_time(uint64_t *state)
{
	uint64_t t0 = quantum_tsc();

	*state = quantum_work(*state);
	return quantum_tsc() - t0;
}

#endif
