/*
 * Putting work on the queue from a program's main flow, running one worker
 * function on k cores, and reporting how long it took: shared by the
 * sample programs and Pith's benchmark twins.
 */
#ifndef APPS_PAR_H
#define APPS_PAR_H

#include <stdint.h>
#include <pith/smp.h>
#include "out.h"

/* Queues fn(arg), running queued tasks on this core while the queue is
 * full. For the program's main flow: inside a task, helping nests tasks
 * on the core's stack (docs/API.md), so a task runs the work itself. */
static inline void par_enqueue(void (*fn)(void *), void *arg)
{
	while (b_smp_enqueue(fn, arg) == B_EAGAIN)
		b_smp_run();
}

/* Runs worker on k cores: k-1 queued tasks, and the calling core itself
 * (so it works rather than spins in b_smp_wait). Returns b_smp_wait's
 * count of faulted tasks. The workers share the job among themselves. */
static inline int par_run(void (*worker)(void *), unsigned k)
{
	for (unsigned w = 1; w < k; w++)
		par_enqueue(worker, 0);
	worker(0);
	return b_smp_wait();
}

/* Core counts to try: 1, 2, 4, ... below cores, then cores itself. */
static inline unsigned par_next_k(unsigned k, unsigned cores)
{
	return k * 2 < cores ? k * 2 : (k < cores ? cores : cores + 1);
}

/* " time_ms=T speedup=S" for a run of ns against the 1-core run's ns1. */
static inline void out_time_speedup(uint64_t ns, uint64_t ns1)
{
	out_str(" time_ms=");
	out_fixed(ns, 1000000, 3);
	out_str(" speedup=");
	out_fixed(ns ? ns1 * 1000 / ns : 0, 1000, 2);
}

#endif
