/*
 * ioerr: drive 0 fails every read that touches sector RBAD and every write
 * that touches WBAD (QEMU's blkdebug, request merging off, set up by
 * tests/system/test_blk.py). A call reports what really happened: B_EIO
 * when its first request failed, else the sectors before the failure, all
 * exact (BareMetal's count ignored errors). The device's failures are
 * counted, and the drive works on afterwards.
 */
#include <pith/time.h>
#include "../common/out.h"
#include "blktest.h"

#define BEFORE	100	/* a long call starts this far before the bad sector */
#define LENGTH	150	/* and covers this many sectors */

/* The partial call: fewer sectors than asked, at least one (its first
 * request ends before the bad sector), none past the bad one. */
static bool partial_ok(const char *call, long r)
{
	if (r > 0 && r <= BEFORE)
		return true;
	why_str(call);
	why_str(" returned ");
	why_result(r);
	why_str(", want 1 .. 100 sectors (those before the failing request)");
	return false;
}

static void test_read_errors(uint64_t bad)
{
	long r;
	bool ok;

	ok = expect("b_nvs_read(the bad sector)", b_nvs_read(target(0), bad, 1, 0), B_EIO);
	ok &= expect("b_nvs_read(10 sectors around it)", b_nvs_read(target(0), bad - 5, 10, 0),
		     B_EIO);
	check("ioerr-read-fails", ok);
	arm(LENGTH, 0);
	r = b_nvs_read(target(0), bad - BEFORE, LENGTH, 0);
	ok = partial_ok("b_nvs_read(150 sectors over it)", r) && guards_ok(LENGTH, 0) &&
	     pattern_ok(&layouts[0], target(0), bad - BEFORE, (uint64_t)r);
	check("ioerr-read-partial", ok);
	out_str("blktest: ioerr-read-partial: ");
	out_u64(r > 0 ? (uint64_t)r : 0);
	out_str(" of 150 sectors read\n");
	ok = read_ok(0, bad + 1, 20, 0) && read_ok(0, bad - 64, 64, 0);
	check("ioerr-read-around", ok);
}

/* A failing and a good asynchronous read side by side. */
static void test_async_error(uint64_t bad)
{
	struct b_nvs_req *done[2];
	uint64_t t0 = b_time_ns();
	bool ok;
	int n = 0;

	reqs[0] = (struct b_nvs_req){ .op = B_NVS_READ, .mem = target(0), .start = bad,
				      .count = 4, .user = tag(0) };
	reqs[1] = (struct b_nvs_req){ .op = B_NVS_READ, .mem = target(0) + 8 * SECTOR,
				      .start = bad + 8, .count = 4, .user = tag(1) };
	ok = expect("b_nvs_submit(over the bad sector)", b_nvs_submit(&reqs[0], 0), 0) &&
	     expect("b_nvs_submit(past it)", b_nvs_submit(&reqs[1], 0), 0);
	while (ok && n < 2 && b_time_ns() - t0 < 10000000000ull) {
		int k = b_nvs_complete(done + n, 2 - (unsigned)n, 0);

		ok = k >= 0;
		n += k;
	}
	ok = ok && expect("requests back", n, 2) &&
	     expect("the failed request's result", reqs[0].result, B_EIO) &&
	     expect("the good request's result", reqs[1].result, 4) &&
	     pattern_ok(&layouts[0], target(0) + 8 * SECTOR, bad + 8, 4);
	check("ioerr-async", ok);
}

/* Returns the sectors the partial write reports. */
static long test_write_errors(uint64_t bad)
{
	struct layout fresh = { .seed = layouts[0].new_seed };
	long r;
	bool ok;

	arm(LENGTH, 0);
	fill_pattern(target(0), fresh.seed, bad - BEFORE, LENGTH);
	ok = expect("b_nvs_write(the bad sector)",
		    b_nvs_write(target(0) + BEFORE * SECTOR, bad, 1, 0), B_EIO);
	check("ioerr-write-fails", ok);
	r = b_nvs_write(target(0), bad - BEFORE, LENGTH, 0);
	check("ioerr-write-partial", partial_ok("b_nvs_write(150 sectors over it)", r));
	out_str("blktest: ioerr-write-partial: ");
	out_u64(r > 0 ? (uint64_t)r : 0);
	out_str(" of 150 sectors written\n");
	check("ioerr-flush", expect("b_nvs_flush(0)", b_nvs_flush(0), 0));
	if (r > 0) {
		layouts[0].ext[0] = (struct extent){ bad - BEFORE, (uint64_t)r };
		layouts[0].n = 1;
		check("ioerr-write-read-back", read_ok(0, bad - BEFORE, (uint64_t)r, 0));
	}
	return r;
}

void run_ioerr(uint64_t rbad, uint64_t wbad)
{
	struct b_nvs_stats a, b;
	uint64_t sectors = open_drive(0, false);
	bool ok;

	layouts[0].n = 0;
	if (!sectors || !snapshot(0, &a))
		return;
	if (rbad < BEFORE || wbad < BEFORE || rbad + LENGTH > sectors ||
	    wbad + LENGTH > sectors) {
		why_str("the bad sectors must lie 100 .. sectors - 150");
		check("ioerr-sectors", false);
		return;
	}
	test_read_errors(rbad);
	test_async_error(rbad);
	test_write_errors(wbad);
	if (!stats_of(0, &b)) {
		check("ioerr-stats", false);
		return;
	}
	/* 3 failing reads, 1 async, 2 failing writes: one request each at least */
	ok = b.errors - a.errors >= 6;
	if (!ok) {
		why_str("errors delta ");
		why_u64(b.errors - a.errors);
		why_str(", want at least 6");
	}
	check("ioerr-stats", ok);
}
