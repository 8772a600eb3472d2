/*
 * verify: reads of every kind from drive 0 (single sectors, runs of 2 to
 * 1024 sectors, 16-aligned buffers, one sector at a time, the whole disk),
 * and reads from every core at once over one drive or several.
 */
#include <pith/smp.h>
#include <pith/time.h>
#include "../common/out.h"
#include "../common/par.h"
#include "blktest.h"

#define MAX_CORES	8
#define PAR_READS	3000		/* reads shared by the cores: enough to catch a race */
#define PAR_MAX		16		/* sectors in one of them */

static uint8_t pbuf[MAX_CORES][PAR_MAX * SECTOR] __attribute__((aligned(4096)));

static void test_single(unsigned drive, uint64_t sectors)
{
	uint64_t fixed[] = { 0, 1, 2, sectors / 2, sectors - 2, sectors - 1 };
	bool ok = true;

	for (unsigned i = 0; ok && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		ok = fixed[i] >= sectors || read_ok(drive, fixed[i], 1, 0);
	for (unsigned i = 0; ok && i < 64; i++)
		ok = read_ok(drive, rnd(sectors), 1, 0);
	check("read-single", ok);
}

/* Each count from the start, from a random place and up to the last
 * sector: the calls BareMetal got wrong. */
static void test_multi_sector(unsigned drive, uint64_t sectors)
{
	static const uint64_t counts[] = {
		2, 3, 7, 8, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 256, 257, 1000, 1024
	};

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint64_t c = counts[i];
		bool ok;

		if (c > sectors)
			continue;
		ok = read_ok(drive, 0, c, 0) &&
		     read_ok(drive, rnd(sectors - c + 1), c, 0) &&
		     read_ok(drive, sectors - c, c, 0);
		check(named("read-multi-", c, 0, 0), ok);
	}
}

/* B_NVS_ALIGN is 16: a buffer that is not page-aligned must work. */
static void test_unaligned_buffer(unsigned drive, uint64_t sectors)
{
	bool ok = read_ok(drive, 1, 1, 16) &&
		  read_ok(drive, 5 % sectors, sectors > 8 ? 3 : 1, 48) &&
		  read_ok(drive, 0, sectors > 65 ? 65 : sectors, 2048 + 16);

	check("read-16-aligned-buffer", ok);
}

/* One sector a call over the first sectors: the latency of a read. */
static void test_one_by_one(unsigned drive, uint64_t sectors)
{
	uint64_t n = sectors < 1024 ? sectors : 1024;
	bool ok = true;

	io_ns = 0;
	for (uint64_t s = 0; ok && s < n; s++)
		ok = read_ok(drive, s, 1, 0);
	check("read-one-by-one", ok);
	out_str("blktest: 1-sector reads: ");
	out_u64(n);
	out_str(" in ");
	out_fixed(io_ns, 1000000, 1);
	out_str(" ms, ");
	out_fixed(io_ns / n, 1000, 1);
	out_str(" us each\n");
}

static void print_rate(const char *what, uint64_t sectors, uint64_t ns)
{
	out_str("blktest: ");
	out_str(what);
	out_str(": ");
	out_u64(sectors);
	out_str(" sectors (");
	out_fixed(sectors * SECTOR, 1 << 20, 1);
	out_str(" MiB) in ");
	out_fixed(ns, 1000000, 1);
	out_str(" ms, ");
	out_fixed(ns ? sectors * SECTOR * 1000000000 / ns : 0, 1 << 20, 1);
	out_str(" MiB/s\n");
}

void test_whole_disk(unsigned drive, uint64_t sectors, const char *name)
{
	uint64_t ns = 0;
	bool ok = whole_disk_ok(drive, sectors, &ns);

	check(name, ok);
	if (ok)
		print_rate(name, sectors, ns);
}

/* ---- reads from several cores at once, over one drive or several ---- */

static unsigned par_drives;
static uint64_t par_size[B_NVS_MAX];
static uint64_t par_next, par_done, par_bad, par_bad_job;
static long par_bad_result;

static void par_job(uint64_t j, unsigned *drive, uint64_t *start, uint64_t *count)
{
	uint64_t r = mix(j ^ 0x5eed0000);

	*drive = (unsigned)(j % par_drives);
	*count = 1 + r % PAR_MAX;
	if (*count > par_size[*drive])
		*count = par_size[*drive];
	*start = (r >> 16) % (par_size[*drive] - *count + 1);
}

/* Claims jobs until none is left; each reads into the core's own buffer. */
static void par_worker(void *arg)
{
	unsigned me = b_smp_id();
	uint64_t j, start, count;
	unsigned drive;

	(void)arg;
	if (me >= MAX_CORES)
		return;
	while ((j = __atomic_fetch_add(&par_next, 1, __ATOMIC_RELAXED)) < PAR_READS) {
		long r;

		par_job(j, &drive, &start, &count);
		fill64(pbuf[me], POISON, count * SECTOR);
		r = b_nvs_read(pbuf[me], start, count, drive);
		if (r != (long)count ||
		    first_mismatch(&layouts[drive], pbuf[me], start, count) >= 0) {
			if (__atomic_fetch_add(&par_bad, 1, __ATOMIC_RELAXED) == 0) {
				par_bad_job = j;
				par_bad_result = r;
			}
		}
		__atomic_fetch_add(&par_done, count, __ATOMIC_RELAXED);
	}
}

/* Returns the sectors read. */
uint64_t test_parallel(const char *name, unsigned drives, const uint64_t *sizes)
{
	unsigned k = b_smp_numcores() < MAX_CORES ? b_smp_numcores() : MAX_CORES;
	uint64_t t0 = b_time_ns(), start, count;
	unsigned drive;
	int faults;
	bool ok;

	par_drives = drives;
	for (unsigned d = 0; d < drives; d++)
		par_size[d] = sizes[d];
	par_next = par_done = par_bad = 0;
	faults = par_run(par_worker, k);
	ok = expect("tasks faulted:", faults, 0) && par_bad == 0;
	if (par_bad) {
		par_job(par_bad_job, &drive, &start, &count);
		why_u64(par_bad);
		why_str(" reads wrong, the first ");
		why_call("b_nvs_read", start, count, drive);
		why_str("returned ");
		why_result(par_bad_result);
		if (par_bad_result == (long)count)
			why_str(" but the data is wrong");
	}
	check(name, ok);
	out_str("blktest: ");
	out_str(name);
	out_str(": ");
	out_u64(PAR_READS);
	out_str(" reads from ");
	out_u64(k);
	out_str(" cores in ");
	out_fixed(b_time_ns() - t0, 1000000, 1);
	out_str(" ms\n");
	return par_done;
}

/* Reads of every kind from drive 0, which holds seed's pattern. */
void run_verify(uint64_t seed)
{
	struct b_nvs_stats a, b;
	uint64_t sectors, par_sectors;

	layouts[0].seed = seed;
	check("drive-count", expect("b_nvs_count()", b_nvs_count(), 1));
	sectors = open_drive(0, false);
	if (!sectors || !snapshot(0, &a))
		return;
	rng_state = seed;
	test_single(0, sectors);
	test_multi_sector(0, sectors);
	test_unaligned_buffer(0, sectors);
	test_one_by_one(0, sectors);
	test_whole_disk(0, sectors, "whole-disk");
	par_sectors = test_parallel("parallel", 1, &sectors);
	if (!stats_of(0, &b)) {
		check("stats", false);
		return;
	}
	check_stats("stats", &a, &b, read_sectors + par_sectors, 0, read_calls);
}
