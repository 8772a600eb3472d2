/*
 * async: b_nvs_submit and b_nvs_complete on drive 0. The queue takes
 * max_inflight requests and then says B_EAGAIN; 3000 random reads are kept
 * DEPTH deep, each checked when it comes back (its own fields untouched,
 * its result, every word); a synchronous read runs meanwhile; then
 * asynchronous writes cover an extent and a flush request makes them
 * durable.
 */
#include <pith/time.h>
#include "../common/out.h"
#include "blktest.h"

#define ASYNC_READS	3000
#define TIMEOUT_NS	10000000000ull	/* an async request must finish by then */

static uint8_t abuf[DEPTH][B_NVS_REQ_MAX * SECTOR] __attribute__((aligned(4096)));
struct b_nvs_req reqs[FULL_REQS];

/* The index in reqs[] of a request b_nvs_complete handed back, if it is
 * one of the first limit. */
static bool owned(const struct b_nvs_req *q, unsigned limit, unsigned *slot)
{
	uintptr_t off = (uintptr_t)q - (uintptr_t)reqs;

	if ((uintptr_t)q < (uintptr_t)reqs || off % sizeof(reqs[0]) ||
	    off / sizeof(reqs[0]) >= limit) {
		why_str("b_nvs_complete returned ");
		why_hex((uintptr_t)q);
		why_str(", not a request that was submitted; ");
		return false;
	}
	*slot = (unsigned)(off / sizeof(reqs[0]));
	return true;
}

/* What was submitted in each slot, to compare with what comes back. */
static struct {
	uint64_t start;
	uint32_t count;
	bool busy;
} sent[DEPTH];

/* A request back from the driver is the one submitted, with count sectors
 * done: its own fields untouched, its result set. */
static bool came_back(const struct b_nvs_req *q, unsigned slot, uint8_t op)
{
	bool ok = q->op == op && q->mem == abuf[slot] && q->user == tag(slot) &&
		  q->start == sent[slot].start && q->count == sent[slot].count;

	if (!ok) {
		why_str("a completed request's op, mem, start, count or user changed; ");
		return false;
	}
	if (q->result == (long)q->count)
		return true;
	why_call(op == B_NVS_READ ? "async read" : "async write", q->start, q->count, 0);
	return expect("result", q->result, (long)q->count);
}

/* One queue-keeping loop for reads and writes: prep fills a request for
 * the next job (false when there is none), finish checks a completed one,
 * probe (if any) runs once while DEPTH requests are in flight. */
struct pump {
	bool (*prep)(struct b_nvs_req *q, unsigned slot);
	bool (*finish)(const struct b_nvs_req *q, unsigned slot);
	void (*probe)(void);
	unsigned max_inflight;	/* B_EAGAIN below this is early */
	unsigned peak, early_eagain;
	uint64_t sectors;	/* in requests completed */
};

static bool submit_one(struct pump *p, unsigned slot, unsigned inflight, int *r)
{
	struct b_nvs_req *q = &reqs[slot];

	*r = b_nvs_submit(q, 0);
	if (*r == B_EAGAIN) {
		p->early_eagain += inflight < p->max_inflight;
		return true;
	}
	if (*r == 0) {
		sent[slot].start = q->start;
		sent[slot].count = q->count;
		sent[slot].busy = true;
		return true;
	}
	why_call("b_nvs_submit", q->start, q->count, 0);
	return expect("", *r, 0);
}

/* Takes what has finished; fails when nothing has for TIMEOUT_NS. */
static bool collect(struct pump *p, unsigned *free_slots, unsigned *nfree,
		    unsigned *inflight, uint64_t *last)
{
	struct b_nvs_req *done[DEPTH];
	int n = b_nvs_complete(done, DEPTH, 0);
	uint64_t now = b_time_ns();
	unsigned slot;

	if (n < 0 || (unsigned)n > *inflight) {
		why_str("b_nvs_complete returned ");
		why_result(n);
		why_str(" with ");
		why_u64(*inflight);
		why_str(" in flight; ");
		return false;
	}
	for (int k = 0; k < n; k++) {
		if (!owned(done[k], DEPTH, &slot))
			return false;
		if (!sent[slot].busy) {
			why_str("b_nvs_complete returned a request twice; ");
			return false;
		}
		sent[slot].busy = false;
		if (!p->finish(done[k], slot))
			return false;
		free_slots[(*nfree)++] = slot;
		(*inflight)--;
		p->sectors += done[k]->count;
	}
	if (n > 0) {
		*last = now;
	} else if (now - *last > TIMEOUT_NS) {
		why_str("no request finished in 10 s with ");
		why_u64(*inflight);
		why_str(" in flight; ");
		return false;
	}
	return true;
}

static bool pump_run(struct pump *p)
{
	unsigned free_slots[DEPTH], nfree = DEPTH, inflight = 0;
	int pending = -1;		/* a prepared request B_EAGAIN turned back */
	bool more = true, probed = !p->probe;
	uint64_t last = b_time_ns();

	for (unsigned i = 0; i < DEPTH; i++)
		free_slots[i] = DEPTH - 1 - i;
	while (more || inflight) {
		while (more && (pending >= 0 || nfree > 0)) {
			unsigned slot = pending >= 0 ? (unsigned)pending : free_slots[--nfree];
			int r;

			if (pending < 0 && !p->prep(&reqs[slot], slot)) {
				free_slots[nfree++] = slot;
				more = false;
				break;
			}
			pending = -1;
			if (!submit_one(p, slot, inflight, &r))
				return false;
			if (r == B_EAGAIN) {
				pending = (int)slot;
				break;
			}
			inflight++;
		}
		if (inflight > p->peak)
			p->peak = inflight;
		if (!probed && inflight == DEPTH) {
			probed = true;
			p->probe();
		}
		if (!collect(p, free_slots, &nfree, &inflight, &last))
			return false;
	}
	return true;
}

static uint64_t async_sectors, async_left;

static bool read_prep(struct b_nvs_req *q, unsigned slot)
{
	uint64_t count = rnd(8) == 0 ? B_NVS_REQ_MAX : 1 + rnd(8);

	if (async_left == 0)
		return false;
	async_left--;
	if (count > async_sectors)
		count = async_sectors;
	*q = (struct b_nvs_req){
		.op = B_NVS_READ, .mem = abuf[slot], .count = (uint32_t)count,
		.start = rnd(async_sectors - count + 1), .result = 0x7777,
		.user = tag(slot),
	};
	fill64(abuf[slot], POISON, count * SECTOR);
	return true;
}

static bool read_finish(const struct b_nvs_req *q, unsigned slot)
{
	if (!came_back(q, slot, B_NVS_READ))
		return false;
	if (pattern_ok(&layouts[0], abuf[slot], q->start, q->count))
		return true;
	why_call("after async read", q->start, q->count, 0);
	return false;
}

/* A synchronous read while DEPTH asynchronous ones are in flight. */
static void sync_probe(void)
{
	uint64_t count = async_sectors < 5 ? async_sectors : 5;

	check("async-sync-read-meanwhile",
	      read_ok(0, rnd(async_sectors - count + 1), count, 0));
}

static uint64_t wpos, wend;

static bool write_prep(struct b_nvs_req *q, unsigned slot)
{
	uint64_t count = 1 + rnd(B_NVS_REQ_MAX);

	if (wpos >= wend)
		return false;
	if (count > wend - wpos)
		count = wend - wpos;
	fill_pattern(abuf[slot], layouts[0].new_seed, wpos, count);
	*q = (struct b_nvs_req){
		.op = B_NVS_WRITE, .mem = abuf[slot], .start = wpos,
		.count = (uint32_t)count, .result = 0x7777, .user = tag(slot),
	};
	wpos += count;
	return true;
}

static bool write_finish(const struct b_nvs_req *q, unsigned slot)
{
	struct layout fresh = { .seed = layouts[0].new_seed };

	if (!came_back(q, slot, B_NVS_WRITE))
		return false;
	if (pattern_ok(&fresh, abuf[slot], q->start, q->count))
		return true;
	why_str("the source of an async write changed; ");
	return false;
}

/* A flush request, waited for. */
static bool async_flush(void)
{
	struct b_nvs_req req = { .op = B_NVS_FLUSH, .result = 0x7777 };
	struct b_nvs_req *done[2];
	uint64_t t0 = b_time_ns();
	int n;

	if (!expect("b_nvs_submit(flush)", b_nvs_submit(&req, 0), 0))
		return false;
	while ((n = b_nvs_complete(done, 2, 0)) == 0 && b_time_ns() - t0 < TIMEOUT_NS)
		;
	if (!expect("b_nvs_complete for the flush", n, 1))
		return false;
	if (done[0] != &req) {
		why_str("b_nvs_complete returned another request than the flush");
		return false;
	}
	return expect("the flush's result", req.result, 0);
}

/* Submits 1-sector reads until the driver says B_EAGAIN: it must take
 * max_inflight of them (or FULL_REQS), then give every one back. */
static unsigned fill_queue(uint64_t sectors, int *r)
{
	unsigned n = 0;

	arm(FULL_REQS, 0);
	for (*r = 0; n < FULL_REQS; n++) {
		reqs[n] = (struct b_nvs_req){
			.op = B_NVS_READ, .mem = target(0) + n * SECTOR,
			.start = n * 7 % sectors, .count = 1, .user = tag(n),
		};
		*r = b_nvs_submit(&reqs[n], 0);
		if (*r != 0)
			break;
	}
	return n;
}

static bool drain_queue(unsigned n, uint64_t sectors)
{
	static bool seen[FULL_REQS];
	struct b_nvs_req *done[16];
	uint64_t last = b_time_ns();
	unsigned got = 0, slot;

	for (unsigned i = 0; i < n; i++)
		seen[i] = false;
	while (got < n) {
		int k = b_nvs_complete(done, 16, 0);

		if (k < 0 || (unsigned)k > n - got)
			return expect("b_nvs_complete", k, (long)(n - got));
		for (int i = 0; i < k; i++, got++) {
			if (!owned(done[i], n, &slot) ||
			    !expect("result", done[i]->result, 1) ||
			    !pattern_ok(&layouts[0], target(0) + slot * SECTOR, slot * 7 % sectors, 1))
				return false;
			if (seen[slot]) {
				why_str("a request came back twice; ");
				return false;
			}
			seen[slot] = true;
		}
		if (k > 0)
			last = b_time_ns();
		else if (b_time_ns() - last > TIMEOUT_NS)
			return expect("requests back within 10 s", got, n);
	}
	return expect("b_nvs_complete once all are back", b_nvs_complete(done, 16, 0), 0) &&
	       guards_ok(FULL_REQS, 0);
}

static unsigned test_fill(uint64_t sectors, unsigned max_inflight)
{
	unsigned want = max_inflight < FULL_REQS ? max_inflight : FULL_REQS;
	int r;
	unsigned n = fill_queue(sectors, &r);
	bool ok = n >= want && n > 0 && (n == FULL_REQS || r == B_EAGAIN);

	if (!ok) {
		why_str("took ");
		why_u64(n);
		why_str(" requests, then returned ");
		why_result(r);
		why_str("; max_inflight ");
		why_u64(max_inflight);
	}
	check("async-fill", ok);
	out_str("blktest: async-fill: ");
	out_u64(n);
	out_str(n == FULL_REQS ? " requests taken, no B_EAGAIN\n" : " requests taken, then B_EAGAIN\n");
	check("async-fill-drain", drain_queue(n, sectors));
	return n;
}

static void test_async_reads(uint64_t sectors, unsigned max_inflight)
{
	struct pump p = {
		.prep = read_prep, .finish = read_finish, .probe = sync_probe,
		.max_inflight = max_inflight,
	};
	uint64_t t0 = b_time_ns(), ns;
	bool ok;

	async_sectors = sectors;
	async_left = ASYNC_READS;
	ok = pump_run(&p);
	ns = b_time_ns() - t0;
	if (ok && (p.early_eagain || p.peak != DEPTH)) {
		why_u64(p.early_eagain);
		why_str(" B_EAGAIN below max_inflight; at most ");
		why_u64(p.peak);
		why_str(" in flight");
		ok = false;
	}
	check("async-reads", ok);
	out_str("blktest: async reads: ");
	out_u64(ASYNC_READS);
	out_str(" requests at depth ");
	out_u64(p.peak);
	out_str(", ");
	out_u64(p.sectors);
	out_str(" sectors in ");
	out_fixed(ns, 1000000, 1);
	out_str(" ms: ");
	out_u64(ns ? ASYNC_READS * 1000000000ull / ns : 0);
	out_str(" requests/s\n");
	read_sectors += p.sectors;
	read_calls += ASYNC_READS;
}

/* New data over the extent through asynchronous writes, a flush request,
 * then read back. Returns the sectors written. */
static uint64_t test_async_writes(unsigned max_inflight)
{
	struct layout *l = &layouts[0];
	struct pump p = {
		.prep = write_prep, .finish = write_finish,
		.max_inflight = max_inflight,
	};

	wpos = l->ext[0].start;
	wend = wpos + l->ext[0].count;
	check("async-writes", pump_run(&p));
	check("async-flush", async_flush());
	l->n = 1;			/* extents_fit: it fits the buffer */
	check("async-write-read-back", read_ok(0, l->ext[0].start, l->ext[0].count, 0));
	return p.sectors;
}

void run_async(void)
{
	struct layout *l = &layouts[0];
	struct b_nvs_info info;
	struct b_nvs_stats a, b;
	uint64_t sectors = open_drive(0, false), written;
	unsigned filled;

	if (!sectors || !info_of(0, &info) || !snapshot(0, &a))
		return;
	if (l->n != 1)
		why_str("async takes one extent");
	if (l->n != 1 || !extents_fit(l, sectors)) {
		check("extents", false);
		return;
	}
	l->n = 0;			/* reads first: the old pattern everywhere */
	rng_state = l->seed;
	if (info.max_inflight < DEPTH) {
		why_str("max_inflight ");
		why_u64(info.max_inflight);
		why_str(", want at least 32 (QD32)");
	}
	check("async-depth", info.max_inflight >= DEPTH);
	filled = test_fill(sectors, info.max_inflight);
	read_sectors += filled;
	read_calls += filled;
	test_async_reads(sectors, info.max_inflight);
	written = test_async_writes(info.max_inflight);
	if (stats_of(0, &b))
		check_stats("async-stats", &a, &b, read_sectors, written, read_calls);
	else
		check("async-stats", false);
}
