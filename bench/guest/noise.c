/*
 * noise.c - OS noise in the Linux guest, measured with fixed work quanta.
 *
 * One thread per online CPU, each pinned to its CPU with sched_setaffinity.
 * Each touches its sample array first (a page fault while measuring would
 * be the benchmark's own noise, which Pith, with all memory mapped, never
 * has). The threads meet at a barrier, run QUANTUM_WARMUP untimed quanta, then
 * time QUANTUM_SAMPLES quanta each (quantum.h: the same loop Pith's twin
 * runs). Anything that takes the CPU away from the loop - a timer tick, an
 * interrupt, another task, a hypervisor exit - makes that quantum longer
 * than the minimum; the spread of the samples is the OS noise.
 *
 * Output, after every thread has finished (printing never disturbs a
 * measurement), one line per CPU in ascending order and one for the TSC:
 *
 *   noise cpu=N samples=50000 min=T mean=T sd=T max=T over1pct=F
 *   noise tsc_hz=HZ
 *
 * T are TSC ticks; F is the share of samples more than 1% above min.
 * Exit status 0, or 1 if a thread could not be started or pinned.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantum.h"
#include "stats.h"
#include "tsc_linux.h"

struct core {
	int cpu;
	int ok;			/* pinned and measured */
	uint64_t *ticks;	/* QUANTUM_SAMPLES durations */
	pthread_t thread;
};

static pthread_barrier_t start_line;
static volatile uint64_t sink;	/* keeps the quanta's results alive */

/* Pins the calling thread to one CPU; returns 0 or -1. */
static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return -1;
	return sched_getcpu() == cpu ? 0 : -1;
}

static void *measure(void *arg)
{
	struct core *c = arg;
	uint64_t state = (uint64_t)c->cpu + 1;

	c->ok = pin_self(c->cpu) == 0;
	memset(c->ticks, 0, QUANTUM_SAMPLES * sizeof(uint64_t));	/* fault in now */
	pthread_barrier_wait(&start_line);
	if (!c->ok)
		return NULL;
	for (uint32_t i = 0; i < QUANTUM_WARMUP; i++)
		state = quantum_work(state);
	for (uint32_t i = 0; i < QUANTUM_SAMPLES; i++)
		c->ticks[i] = quantum_time(&state);
	sink = state;
	return NULL;
}

static void report(const struct core *c)
{
	struct stats s;

	stats_compute(c->ticks, QUANTUM_SAMPLES, &s);
	printf("noise cpu=%d samples=%llu min=%llu mean=%llu sd=%llu max=%llu "
	       "over1pct=%u.%06u\n", c->cpu, (unsigned long long)s.n,
	       (unsigned long long)s.min, (unsigned long long)s.mean,
	       (unsigned long long)s.sd, (unsigned long long)s.max,
	       s.over1pct_ppm / 1000000, s.over1pct_ppm % 1000000);
}

int main(void)
{
	cpu_set_t online;
	struct core *cores;
	int n = 0, failed = 0;

	if (sched_getaffinity(0, sizeof(online), &online) != 0) {
		perror("noise: sched_getaffinity");
		return 1;
	}
	cores = calloc(CPU_COUNT(&online), sizeof(*cores));
	if (!cores)
		return 1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &online))
			continue;
		cores[n].cpu = cpu;
		cores[n].ticks = malloc(QUANTUM_SAMPLES * sizeof(uint64_t));
		if (!cores[n].ticks)
			return 1;
		n++;
	}
	pthread_barrier_init(&start_line, NULL, n);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&cores[i].thread, NULL, measure, &cores[i])) {
			fprintf(stderr, "noise: cannot start a thread\n");
			return 1;
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(cores[i].thread, NULL);
	for (int i = 0; i < n; i++) {
		if (cores[i].ok) {
			report(&cores[i]);
		} else {
			printf("noise cpu=%d error=cannot-pin\n", cores[i].cpu);
			failed = 1;
		}
	}
	printf("noise tsc_hz=%llu\n", (unsigned long long)tsc_hz());
	return failed;
}
