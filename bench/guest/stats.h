/*
 * stats.h - summary statistics of tick samples, shared by both sides.
 *
 * The Linux guest's benchmarks (bench/guest/) and Pith's twins compile this
 * same file, so a number printed by one means what it means in the other.
 * Integer arithmetic only: no libc, no libm, no floating point (Pith's
 * kernel code is built without SSE). Results are whole ticks, rounded down;
 * shares are in millionths ("ppm") and printed as fractions by the caller.
 *
 * Limits, all far beyond a benchmark's: n < 2^32 samples; a sample's
 * distance from the mean is clamped to 2^32-1 ticks (~1 s) for the
 * variance, so one pathological sample cannot overflow it.
 */
#ifndef PITH_BENCH_STATS_H
#define PITH_BENCH_STATS_H

#include <stdint.h>

struct stats {
	uint64_t n;
	uint64_t min;
	uint64_t max;
	uint64_t mean;
	uint64_t sd;		/* population standard deviation */
	uint32_t over1pct_ppm;	/* share of samples > 1% above min, x 10^6 */
};

/* A 128-bit accumulator as two words, for sums that may pass 2^64. */
struct stats_acc {
	uint64_t hi;
	uint64_t lo;
};

static inline void stats_acc_add(struct stats_acc *a, uint64_t v)
{
	a->lo += v;
	if (a->lo < v)
		a->hi++;
}

/* Returns a / d for d < 2^32, by long division in 32-bit digits. */
static inline uint64_t stats_acc_div(const struct stats_acc *a, uint32_t d)
{
	uint32_t digit[4] = { a->hi >> 32, (uint32_t)a->hi, a->lo >> 32,
			      (uint32_t)a->lo };
	uint64_t rem = 0, q = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t cur = (rem << 32) | digit[i];

		q = (q << 32) | (cur / d);	/* top digits of q are 0 */
		rem = cur % d;
	}
	return q;
}

/* Returns floor(sqrt(v)) by Newton's iteration on integers. */
static inline uint64_t stats_isqrt(uint64_t v)
{
	uint64_t x, y;

	if (v < 2)
		return v;
	x = v / 2 + 1 < 0xFFFFFFFFull ? v / 2 + 1 : 0xFFFFFFFFull;
	for (int i = 0; i < 128; i++) {	/* converges in ~40 steps at most */
		y = (x + v / x) / 2;
		if (y >= x)
			break;
		x = y;
	}
	return x;
}

/*
 * Fills *s from n samples (n >= 1, n < 2^32). Two passes: min, max and
 * mean first, then the spread around the mean.
 */
static inline void stats_compute(const uint64_t *x, uint64_t n,
				 struct stats *s)
{
	struct stats_acc sum = { 0, 0 }, sq = { 0, 0 };
	uint64_t over = 0;

	s->n = n;
	s->min = x[0];
	s->max = x[0];
	for (uint64_t i = 0; i < n; i++) {
		s->min = x[i] < s->min ? x[i] : s->min;
		s->max = x[i] > s->max ? x[i] : s->max;
		stats_acc_add(&sum, x[i]);
	}
	s->mean = stats_acc_div(&sum, (uint32_t)n);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t d = x[i] > s->mean ? x[i] - s->mean : s->mean - x[i];

		d = d < 0xFFFFFFFFull ? d : 0xFFFFFFFFull;
		stats_acc_add(&sq, d * d);
		if (x[i] * 100 > s->min * 101)
			over++;
	}
	s->sd = stats_isqrt(stats_acc_div(&sq, (uint32_t)n));
	s->over1pct_ppm = (uint32_t)(over * 1000000 / n);
}

/* Moves x[i] down the max-heap x[0..n) until both children are smaller. */
static inline void stats_sift(uint64_t *x, uint64_t i, uint64_t n)
{
	for (;;) {
		uint64_t big = i, l = 2 * i + 1, r = 2 * i + 2, t;

		if (l < n && x[l] > x[big])
			big = l;
		if (r < n && x[r] > x[big])
			big = r;
		if (big == i)
			return;
		t = x[i];
		x[i] = x[big];
		x[big] = t;
		i = big;
	}
}

/* Sorts x[0..n) ascending in place (heapsort: no recursion, no memory). */
static inline void stats_sort(uint64_t *x, uint64_t n)
{
	for (uint64_t i = n / 2; i-- > 0;)
		stats_sift(x, i, n);
	for (uint64_t end = n; end-- > 1;) {
		uint64_t t = x[0];

		x[0] = x[end];
		x[end] = t;
		stats_sift(x, 0, end);
	}
}

/* The pct-th percentile (nearest rank, 1..100) of sorted x[0..n), n >= 1. */
static inline uint64_t stats_percentile(const uint64_t *sorted, uint64_t n,
					uint32_t pct)
{
	uint64_t rank = (n * pct + 99) / 100;	/* ceil(n * pct / 100) */

	return sorted[rank ? rank - 1 : 0];
}

#endif
