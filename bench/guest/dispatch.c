/*
 * dispatch.c - cross-core task dispatch in the Linux guest: a pthread pool.
 *
 * The Linux twin of Pith's work queue (DESIGN.md §6): one worker thread per
 * online CPU, each pinned to its CPU, all taking tasks from one bounded FIFO
 * guarded by a mutex, with condition variables for "work queued", "room in
 * the queue" and "all tasks done". It is the ordinary way to write such a
 * pool, with the usual care: a condition is signalled only when someone
 * waits on it. The producer is the main thread, pinned to the first CPU.
 *
 * Three measurements, all in TSC ticks (quantum.h's lfence'd rdtsc):
 * - latency: the producer stamps a task and enqueues it; the task stamps
 *   its start. One task at a time (the producer waits for it to finish), so
 *   no queueing is counted. With two or more CPUs only tasks that started
 *   on another CPU than the producer's count; LATENCY_SAMPLES of them give
 *   p50 and p99.
 * - throughput: THROUGHPUT_TASKS empty tasks enqueued back to back, from
 *   the first enqueue until the pool is idle again; tasks per second.
 * - fork-join: enqueue two empty tasks and wait until both have run;
 *   FORKJOIN_SAMPLES of those give p50.
 *
 * Output (after the measurements):
 *   dispatch latency_p50_ticks=T latency_p99_ticks=T throughput_tasks_per_s=R forkjoin_p50_ticks=T
 *   dispatch tsc_hz=HZ cpus=N latency_samples=S latency_attempts=A
 * Exit status 0, or 1 if the pool could not be set up.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "quantum.h"
#include "stats.h"
#include "tsc_linux.h"

#define POOL_QCAP 1024u		/* queue slots */
#define LATENCY_SAMPLES 10000u
#define LATENCY_ATTEMPTS (10 * LATENCY_SAMPLES)	/* cap on tries */
#define THROUGHPUT_TASKS 1000000u
#define FORKJOIN_SAMPLES 10000u
#define WARMUP 100u		/* untimed rounds before each measurement */

struct task {
	void (*fn)(void *arg);
	void *arg;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a task was queued, or stop was set */
	pthread_cond_t room;	/* a queue slot came free */
	pthread_cond_t idle;	/* pending dropped to 0 */
	struct task ring[POOL_QCAP];
	uint32_t head;		/* oldest queued task */
	uint32_t count;		/* queued tasks */
	uint32_t pending;	/* queued or running tasks */
	uint32_t sleepers;	/* workers waiting on work */
	uint32_t room_waiters;
	uint32_t idle_waiters;
	int stop;
};

struct worker {
	struct pool *pool;
	int cpu;
	pthread_t thread;
};

struct probe {
	uint64_t t_enq;		/* stamped by the producer */
	uint64_t t_start;	/* stamped by the task */
	int cpu;		/* where the task ran */
};

static struct pool pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.room = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

/* Pins the calling thread to one CPU; returns 0 or -1. */
static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Worker body: take the oldest task, run it unlocked, count it done. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	struct task t;

	pin_self(w->cpu);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->count == 0 && !p->stop) {
			p->sleepers++;
			pthread_cond_wait(&p->work, &p->lock);
			p->sleepers--;
		}
		if (p->count == 0)
			break;
		t = p->ring[p->head];
		p->head = (p->head + 1) % POOL_QCAP;
		p->count--;
		if (p->room_waiters)
			pthread_cond_signal(&p->room);
		pthread_mutex_unlock(&p->lock);
		t.fn(t.arg);
		pthread_mutex_lock(&p->lock);
		if (--p->pending == 0 && p->idle_waiters)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Queues fn(arg), waiting for a free slot if the queue is full. */
static void pool_submit(struct pool *p, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&p->lock);
	while (p->count == POOL_QCAP) {
		p->room_waiters++;
		pthread_cond_wait(&p->room, &p->lock);
		p->room_waiters--;
	}
	p->ring[(p->head + p->count) % POOL_QCAP] = (struct task){ fn, arg };
	p->count++;
	p->pending++;
	if (p->sleepers)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

/* Returns once the queue is empty and every task has finished. */
static void pool_wait(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->pending) {
		p->idle_waiters++;
		pthread_cond_wait(&p->idle, &p->lock);
		p->idle_waiters--;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Starts one pinned worker per CPU in *cpus; returns their number or -1. */
static int pool_start(struct pool *p, const cpu_set_t *cpus,
		      struct worker *w)
{
	int n = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, cpus))
			continue;
		w[n].pool = p;
		w[n].cpu = cpu;
		if (pthread_create(&w[n].thread, NULL, worker_main, &w[n]))
			return -1;
		n++;
	}
	for (;;) {	/* all asleep: every worker is ready */
		pthread_mutex_lock(&p->lock);
		int ready = p->sleepers == (uint32_t)n;
		pthread_mutex_unlock(&p->lock);
		if (ready)
			return n;
		usleep(1000);
	}
}

static void pool_stop(struct pool *p, struct worker *w, int n)
{
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
}

static void empty_task(void *arg)
{
	(void)arg;
}

static void probe_task(void *arg)
{
	struct probe *pr = arg;

	pr->t_start = quantum_tsc();
	pr->cpu = sched_getcpu();
}

/* Enqueues one stamped probe and waits until it has run. */
static void run_probe(struct probe *pr)
{
	pr->t_enq = quantum_tsc();
	pool_submit(&pool, probe_task, pr);
	pool_wait(&pool);
}

/* Fills lat[] with cross-core start latencies; returns the attempts made. */
static uint32_t measure_latency(uint64_t *lat, uint32_t *got, int ncpu)
{
	struct probe pr;
	uint32_t tries, n = 0;
	int here = sched_getcpu();

	for (uint32_t i = 0; i < WARMUP; i++)
		run_probe(&pr);
	for (tries = 0; n < LATENCY_SAMPLES && tries < LATENCY_ATTEMPTS;
	     tries++) {
		run_probe(&pr);
		if (ncpu > 1 && pr.cpu == here)
			continue;	/* started on the producer's CPU */
		lat[n++] = pr.t_start > pr.t_enq ? pr.t_start - pr.t_enq : 0;
	}
	*got = n;
	return tries;
}

/* Returns empty tasks per second over THROUGHPUT_TASKS of them. */
static uint64_t measure_throughput(uint64_t hz)
{
	uint64_t t0, t1;

	for (uint32_t i = 0; i < WARMUP; i++)
		pool_submit(&pool, empty_task, NULL);
	pool_wait(&pool);
	t0 = quantum_tsc();
	for (uint32_t i = 0; i < THROUGHPUT_TASKS; i++)
		pool_submit(&pool, empty_task, NULL);
	pool_wait(&pool);
	t1 = quantum_tsc();
	return (uint64_t)((double)THROUGHPUT_TASKS * (double)hz /
			  (double)(t1 - t0));
}

/* Fills fj[] with the ticks of FORKJOIN_SAMPLES two-task fork-joins. */
static void measure_forkjoin(uint64_t *fj)
{
	for (uint32_t i = 0; i < WARMUP + FORKJOIN_SAMPLES; i++) {
		uint64_t t0 = quantum_tsc();

		pool_submit(&pool, empty_task, NULL);
		pool_submit(&pool, empty_task, NULL);
		pool_wait(&pool);
		if (i >= WARMUP)
			fj[i - WARMUP] = quantum_tsc() - t0;
	}
}

int main(void)
{
	static uint64_t lat[LATENCY_SAMPLES], fj[FORKJOIN_SAMPLES];
	cpu_set_t cpus;
	struct worker *w;
	uint64_t hz, tput;
	uint32_t got, tries;
	int n, first = -1;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
		return 1;
	for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		first = CPU_ISSET(cpu, &cpus) ? cpu : first;
	w = calloc(CPU_COUNT(&cpus), sizeof(*w));
	if (!w || pin_self(first) != 0) {
		fprintf(stderr, "dispatch: cannot pin the producer\n");
		return 1;
	}
	hz = tsc_hz();
	n = pool_start(&pool, &cpus, w);
	if (n < 0) {
		fprintf(stderr, "dispatch: cannot start the workers\n");
		return 1;
	}
	tries = measure_latency(lat, &got, n);
	tput = measure_throughput(hz);
	measure_forkjoin(fj);
	pool_stop(&pool, w, n);

	stats_sort(lat, got);
	stats_sort(fj, FORKJOIN_SAMPLES);
	printf("dispatch latency_p50_ticks=%llu latency_p99_ticks=%llu "
	       "throughput_tasks_per_s=%llu forkjoin_p50_ticks=%llu\n",
	       (unsigned long long)(got ? stats_percentile(lat, got, 50) : 0),
	       (unsigned long long)(got ? stats_percentile(lat, got, 99) : 0),
	       (unsigned long long)tput,
	       (unsigned long long)stats_percentile(fj, FORKJOIN_SAMPLES, 50));
	printf("dispatch tsc_hz=%llu cpus=%d latency_samples=%u "
	       "latency_attempts=%u\n", (unsigned long long)hz, n, got, tries);
	return 0;
}
