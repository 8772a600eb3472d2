/*
 * Cross-core task dispatch on Pith: the twin of bench/guest/dispatch.c (a
 * pthread pool in Linux), measured the same way, printed the same way.
 *
 * - latency: core 0 stamps a probe and enqueues it; the probe stamps its
 *   start. Core 0 waits on the probe's flag (not in b_smp_wait, which would
 *   let it run the probe itself); only probes that started on another core
 *   count. Back to back, the other cores are still polling the queue.
 * - wake latency (Pith only): the same with a pause longer than WQ_SPIN_US
 *   before each probe, so the core that takes it was halted and an IPI woke
 *   it: the idle path's price.
 * - throughput: THROUGHPUT_TASKS empty tasks enqueued back to back, until
 *   b_smp_wait returns (core 0 helps, as Pith's model intends).
 * - fork-join: two empty tasks, then b_smp_wait.
 */
#include <stdint.h>
#include <pith/app.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../../guest/quantum.h"
#include "../../guest/stats.h"
#include "../../../apps/common/out.h"
#include "../../../apps/common/par.h"

#define LATENCY_SAMPLES		10000u
#define LATENCY_ATTEMPTS	(10 * LATENCY_SAMPLES)
#define WAKE_SAMPLES		1000u
#define WAKE_PAUSE_US		300	/* > WQ_SPIN_US: the taker is asleep */
#define THROUGHPUT_TASKS	1000000u
#define FORKJOIN_SAMPLES	10000u
#define WARMUP			100u

struct probe {
	uint64_t t_enq, t_start;
	unsigned core;
	volatile int done;
};

static uint64_t lat[LATENCY_SAMPLES], wake[WAKE_SAMPLES], fj[FORKJOIN_SAMPLES];

static void probe_task(void *arg)
{
	struct probe *p = arg;

	p->t_start = quantum_tsc();
	p->core = b_smp_id();
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

static void empty_task(void *arg)
{
	(void)arg;
}

/* One probe; returns its latency, or UINT64_MAX if core 0 ran it. */
static uint64_t run_probe(void)
{
	struct probe p = { 0 };

	p.t_enq = quantum_tsc();
	while (b_smp_enqueue(probe_task, &p) != 0)
		;
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	b_smp_wait();	/* settles the count of finished tasks */
	if (b_smp_numcores() > 1 && p.core == 0)
		return UINT64_MAX;
	return p.t_start > p.t_enq ? p.t_start - p.t_enq : 0;
}

static uint32_t measure(uint64_t *out, uint32_t want, uint64_t pause_us)
{
	uint32_t n = 0;

	for (uint32_t tries = 0; n < want && tries < 10 * want; tries++) {
		if (pause_us)
			b_delay_us(pause_us);
		uint64_t t = run_probe();
		if (t != UINT64_MAX)
			out[n++] = t;
	}
	stats_sort(out, n);
	return n;
}

static uint64_t measure_throughput(void)
{
	uint64_t t0, t1;

	for (uint32_t i = 0; i < WARMUP; i++)
		b_smp_enqueue(empty_task, 0);
	b_smp_wait();
	t0 = quantum_tsc();
	for (uint32_t i = 0; i < THROUGHPUT_TASKS; i++)
		par_enqueue(empty_task, 0);
	b_smp_wait();
	t1 = quantum_tsc();
	return (uint64_t)THROUGHPUT_TASKS * b_tsc_hz() / (t1 - t0);
}

static void measure_forkjoin(void)
{
	for (uint32_t i = 0; i < WARMUP + FORKJOIN_SAMPLES; i++) {
		uint64_t t0 = quantum_tsc();

		b_smp_enqueue(empty_task, 0);
		b_smp_enqueue(empty_task, 0);
		b_smp_wait();
		if (i >= WARMUP)
			fj[i - WARMUP] = quantum_tsc() - t0;
	}
	stats_sort(fj, FORKJOIN_SAMPLES);
}

static void field(const char *name, uint64_t v)
{
	out_str(name);
	out_u64(v);
}

int app_main(int argc, char **argv)
{
	uint32_t got, woke;
	uint64_t tput;

	(void)argc;
	(void)argv;
	for (uint32_t i = 0; i < WARMUP; i++)
		run_probe();
	got = measure(lat, LATENCY_SAMPLES, 0);
	woke = measure(wake, WAKE_SAMPLES, WAKE_PAUSE_US);
	tput = measure_throughput();
	measure_forkjoin();
	field("dispatch latency_p50_ticks=", got ? stats_percentile(lat, got, 50) : 0);
	field(" latency_p99_ticks=", got ? stats_percentile(lat, got, 99) : 0);
	field(" throughput_tasks_per_s=", tput);
	field(" forkjoin_p50_ticks=", stats_percentile(fj, FORKJOIN_SAMPLES, 50));
	field(" wake_p50_ticks=", woke ? stats_percentile(wake, woke, 50) : 0);
	field(" wake_p99_ticks=", woke ? stats_percentile(wake, woke, 99) : 0);
	field("\ndispatch tsc_hz=", b_tsc_hz());
	field(" cpus=", b_smp_numcores());
	field(" latency_samples=", got);
	field(" wake_samples=", woke);
	out_str("\n");
	return 0;
}
