/*
 * virtio-blk 4 KiB random reads on Pith: the twin of fio in the Linux
 * guest (bench/run.py: --rw=randread --bs=4k --direct=1, io_uring, QD 1
 * and 32, one job), over the same disk image with the same QEMU options.
 *
 *   blkbench RAMP_MS RUN_MS          (the words after "--")
 *
 * Drive 0, driven from core 0 by polling. For each queue depth: RAMP_MS of
 * untimed reads (fio's --ramp_time), then RUN_MS of timed ones; IOPS is the
 * reads completed in the timed window over its length, as fio counts.
 * - QD1: b_nvs_read of one sector, back to back.
 * - QD32: 32 b_nvs_submit'ed reads kept in flight: each one b_nvs_complete
 *   hands back is checked and submitted again at a new sector.
 * Sectors are uniform random over the whole drive (xorshift64*).
 *
 * run.py writes each sector's number into its first 8 bytes (little
 * endian), so every read is checked: "bad" counts reads whose data is not
 * the sector asked for, "errors" reads the driver failed.
 *
 * Output:
 *   blk qd=D iops=N reads=N bad=N errors=N ticks=T
 *   blk sectors=N queue_size=Q max_inflight=M tsc_hz=HZ
 */
#include <stdint.h>
#include <pith/app.h>
#include <pith/nvs.h>
#include <pith/time.h>
#include "../../guest/quantum.h"
#include "../../../apps/common/out.h"

#define QD_MAX 32

struct run {
	uint64_t sectors;	/* of the drive */
	uint64_t rng;		/* xorshift64* state */
	uint64_t reads, bad, errors;
};

static uint8_t buf[QD_MAX][B_NVS_SECTOR] __attribute__((aligned(4096)));
static struct b_nvs_req req[QD_MAX];

static uint64_t next_sector(struct run *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (r->rng * 0x2545F4914F6CDD1Dull) % r->sectors;
}

/* Counts one finished read of sector into r. */
static void check(struct run *r, const uint8_t *data, uint64_t sector, long result)
{
	uint64_t tag = 0;

	if (result != 1) {
		r->errors++;
		return;
	}
	for (int i = 7; i >= 0; i--)
		tag = tag << 8 | data[i];
	r->reads++;
	r->bad += tag != sector;
}

/* Back-to-back b_nvs_read until the TSC passes end; returns the TSC at
 * the last completion. */
static uint64_t qd1(struct run *r, uint64_t end)
{
	uint64_t t;

	do {
		uint64_t s = next_sector(r);

		check(r, buf[0], s, b_nvs_read(buf[0], s, 1, 0));
		t = quantum_tsc();
	} while (t < end);
	return t;
}

static int submit(struct run *r, struct b_nvs_req *q)
{
	int e;

	q->op = B_NVS_READ;
	q->start = next_sector(r);
	q->count = 1;
	while ((e = b_nvs_submit(q, 0)) == B_EAGAIN)
		;
	return e;
}

/* depth reads in flight until the TSC passes end, then drains them
 * (uncounted). *last = the TSC at the last counted completion. Returns 0,
 * or the submit error that stopped it. */
static int qdn(struct run *r, unsigned depth, uint64_t end, uint64_t *last)
{
	struct b_nvs_req *done[QD_MAX];
	unsigned inflight = 0;
	int e = 0;

	for (unsigned i = 0; i < depth && !e; i++) {
		req[i].mem = buf[i];
		e = submit(r, &req[i]);
		inflight += !e;
	}
	while (inflight) {
		int n = b_nvs_complete(done, QD_MAX, 0);
		uint64_t t = quantum_tsc();
		int late = t >= end;

		for (int i = 0; i < n; i++) {
			struct b_nvs_req *q = done[i];

			inflight--;
			if (late)
				continue;
			check(r, q->mem, q->start, q->result);
			*last = t;
			if (!e) {
				e = submit(r, q);
				inflight += !e;
			}
		}
	}
	return e;
}

/* One pass at this depth until end: QD1 with b_nvs_read, deeper with
 * b_nvs_submit. Returns 0 or a submit error; *last as qdn. */
static int pass(struct run *r, unsigned depth, uint64_t end, uint64_t *last)
{
	if (depth == 1) {
		*last = qd1(r, end);
		return 0;
	}
	return qdn(r, depth, end, last);
}

/* One queue depth: ramp, then the timed window; prints its line. */
static int measure(struct run *r, unsigned depth, uint64_t ramp_ms, uint64_t run_ms)
{
	uint64_t ms = b_tsc_hz() / 1000, t0, t1;
	int e;

	e = pass(r, depth, quantum_tsc() + ramp_ms * ms, &t1);
	r->reads = r->bad = r->errors = 0;
	t0 = t1 = quantum_tsc();
	if (!e)
		e = pass(r, depth, t0 + run_ms * ms, &t1);
	out_field("blk qd=", depth);
	out_field(" iops=", t1 > t0 ? r->reads * b_tsc_hz() / (t1 - t0) : 0);
	out_field(" reads=", r->reads);
	out_field(" bad=", r->bad);
	out_field(" errors=", r->errors);
	out_field(" ticks=", t1 - t0);
	if (e) {
		out_str(" submit_error=");
		out_i64(e);
	}
	out_str("\n");
	return e;
}

int app_main(int argc, char **argv)
{
	uint64_t ramp_ms = arg_u64(argc, argv, 1, 1000);
	uint64_t run_ms = arg_u64(argc, argv, 2, 5000);
	struct b_nvs_info info;
	struct run r = { .rng = 0x9E3779B97F4A7C15ull };
	unsigned depth;

	if (b_nvs_count() == 0 || b_nvs_info(0, &info) != 0 || info.sectors == 0) {
		out_str("blk error=no-drive\n");
		return 1;
	}
	r.sectors = info.sectors;
	depth = info.max_inflight < QD_MAX ? info.max_inflight : QD_MAX;
	measure(&r, 1, ramp_ms, run_ms);
	if (depth)
		measure(&r, depth, ramp_ms, run_ms);
	out_field("blk sectors=", info.sectors);
	out_field(" queue_size=", info.queue_size);
	out_field(" max_inflight=", info.max_inflight);
	out_field(" tsc_hz=", b_tsc_hz());
	out_str("\n");
	return 0;
}
