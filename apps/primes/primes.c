/*
 * primes: counts the primes below N with a segmented sieve of Eratosthenes
 * spread over the work queue, once with 1 core, then 2, 4, ... and finally
 * every core, and checks that every run counts the same.
 *
 *   primes [N]     N in 1..100000000, default 2000000
 *
 * The odd numbers below N are cut into chunks of CHUNK_ODDS; a chunk's
 * descriptor (its range and a slot for its count) is the unit of work.
 * To run on k cores, k - 1 worker tasks go on the queue with b_smp_enqueue
 * and the boot core runs one more worker itself; each worker claims the
 * next chunk with an atomic counter until none is left, writing each
 * chunk's count to that chunk's slot. So the boot core and at most k - 1
 * others sieve (which others is the queue's choice), and no core sits
 * spinning in b_smp_wait while others work, which under QEMU would take a
 * host CPU from them. The slots are summed after b_smp_wait.
 *
 * Each k is timed REPEATS times after one untimed warm-up run (which
 * faults in the buffers and lets QEMU translate the code), and the fastest
 * run is reported; every run's count must match.
 *
 * Prints one line per k:
 *   primes: N=2000000 cores=K count=148933 time_ms=T speedup=S.SS
 * Exit code: 0 when every run agrees, 1 when not, 2 for a bad argument.
 */
#include <stdbool.h>
#include <stdint.h>
#include <pith/app.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../common/out.h"
#include "../common/par.h"

#define N_DEFAULT	2000000
#define N_MAX		100000000
#define BASE_MAX	10000		/* sqrt(N_MAX): the sieving primes */
#define CHUNK_ODDS	16384		/* odd numbers per chunk: 16 KiB of flags */
#define MAX_CHUNKS	(N_MAX / 2 / CHUNK_ODDS + 1)
#define MAX_WORKERS	64		/* kernel/param.h MAX_CPUS */
#define REPEATS		3		/* timed runs per core count; the fastest counts */

/* One chunk: the odd numbers lo, lo+2, ... below hi, and their prime count. */
struct chunk {
	uint32_t lo, hi;
	uint32_t count;
};

static struct chunk chunks[MAX_CHUNKS];
static uint32_t nchunks;
static uint32_t next_chunk;		/* the next chunk to claim; atomic */
static uint32_t next_worker;		/* hands each worker its buffer; atomic */
static uint8_t composite[MAX_WORKERS][CHUNK_ODDS];	/* one per worker */
static uint32_t base[1300];		/* odd primes below BASE_MAX (1228) */
static uint32_t nbase;

/* Digits only, 1..N_MAX: the value, or 0 when s is not that. */
static uint32_t parse_n(const char *s)
{
	uint64_t v = 0;
	int len = 0;

	for (; s[len]; len++) {
		if (s[len] < '0' || s[len] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[len] - '0');
		if (v > N_MAX)
			return 0;
	}
	return len ? (uint32_t)v : 0;
}

/* The odd primes below BASE_MAX, by a plain sieve (run once). */
static void find_base_primes(void)
{
	static uint8_t flag[BASE_MAX];

	for (uint32_t i = 3; i < BASE_MAX; i += 2) {
		if (flag[i])
			continue;
		base[nbase++] = i;
		for (uint32_t j = i * i; j < BASE_MAX; j += 2 * i)
			flag[j] = 1;
	}
}

/* Counts the primes among the odd numbers of c, using buf as scratch. */
static uint32_t sieve_chunk(const struct chunk *c, uint8_t *buf)
{
	uint32_t odds = (c->hi - c->lo + 1) / 2, count = 0;

	for (uint32_t i = 0; i < odds; i++)
		buf[i] = 0;
	for (uint32_t b = 0; b < nbase; b++) {
		uint32_t p = base[b];
		uint64_t m = (uint64_t)p * p;
		if (m >= c->hi)
			break;
		if (m < c->lo)
			m = ((uint64_t)c->lo + p - 1) / p * p;
		if (m % 2 == 0)
			m += p;			/* odd multiples only */
		for (; m < c->hi; m += 2 * p)
			buf[(m - c->lo) / 2] = 1;
	}
	for (uint32_t i = 0; i < odds; i++)
		count += !buf[i];
	return count;
}

/* A worker task: sieves chunks until none is left to claim. */
static void worker(void *arg)
{
	uint32_t w = __atomic_fetch_add(&next_worker, 1, __ATOMIC_RELAXED);
	uint32_t i;

	(void)arg;
	while ((i = __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED)) < nchunks)
		chunks[i].count = sieve_chunk(&chunks[i], composite[w]);
}

/* The chunks covering the odd numbers 3 .. n-1. */
static void make_chunks(uint32_t n)
{
	nchunks = 0;
	for (uint64_t lo = 3; lo < n; lo += 2 * CHUNK_ODDS) {
		uint64_t hi = lo + 2 * CHUNK_ODDS;
		chunks[nchunks].lo = (uint32_t)lo;
		chunks[nchunks].hi = (uint32_t)(hi < n ? hi : n);
		nchunks++;
	}
}

/* pi(n-1) on k cores: k workers share the chunks. Returns the count, or
 * -1 when a task faulted (the kernel has reported it). */
static int64_t count_primes(uint32_t n, unsigned k)
{
	int64_t total = n > 2;		/* 2, the even prime */

	next_chunk = 0;
	next_worker = 0;
	for (uint32_t i = 0; i < nchunks; i++)
		chunks[i].count = 0;
	if (par_run(worker, k) != 0)
		return -1;
	for (uint32_t i = 0; i < nchunks; i++)
		total += chunks[i].count;
	return total;
}

static void report(uint32_t n, unsigned k, int64_t count, uint64_t ns, uint64_t ns1)
{
	out_str("primes: N=");
	out_u64(n);
	out_str(" cores=");
	out_u64(k);
	out_str(" count=");
	out_i64(count);
	out_time_speedup(ns, ns1);
	out_str("\n");
}

/* Counts on k cores REPEATS times; the fastest time goes in *ns. Returns
 * want, or the first count that differs from it (-1: a task faulted). */
static int64_t timed_runs(uint32_t n, unsigned k, int64_t want, uint64_t *ns)
{
	int64_t got = want;

	*ns = UINT64_MAX;
	for (int r = 0; r < REPEATS; r++) {
		uint64_t t0 = b_time_ns();
		int64_t count = count_primes(n, k);
		uint64_t t = b_time_ns() - t0;

		if (count != want && got == want)
			got = count;
		if (t < *ns)
			*ns = t;
	}
	return got;
}

int app_main(int argc, char **argv)
{
	unsigned cores = b_smp_numcores();
	uint32_t n = N_DEFAULT;
	uint64_t ns, ns1 = 0;
	int64_t want;
	bool agree = true;

	if (argc > 2 || (argc == 2 && !(n = parse_n(argv[1])))) {
		out_str("usage: primes [N]   (N in 1..100000000, default 2000000)\n");
		return 2;
	}
	if (cores > MAX_WORKERS)
		cores = MAX_WORKERS;
	find_base_primes();
	make_chunks(n);
	want = count_primes(n, 1);	/* the warm-up run sets the count to match */
	for (unsigned k = 1; k <= cores; k = par_next_k(k, cores)) {
		int64_t count = timed_runs(n, k, want, &ns);

		if (k == 1)
			ns1 = ns;
		agree &= count == want && want >= 0;
		report(n, k, count, ns, ns1);
	}
	out_str(agree ? "primes: all runs agree\n" : "primes: runs DISAGREE\n");
	return agree ? 0 : 1;
}
