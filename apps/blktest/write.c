/*
 * write, readback and ro: new data over chosen extents of drive 0, flushed,
 * read back now and after a reboot (the host compares the image between
 * the two boots); and a read-only drive that refuses every write.
 */
#include "blktest.h"

bool extents_fit(const struct layout *l, uint64_t sectors)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct extent *e = &l->ext[i];

		if (e->count == 0 || e->count > BUF_SECTORS || e->start >= sectors ||
		    e->count > sectors - e->start) {
			why_str("extent ");
			why_u64(e->start);
			why_str(":");
			why_u64(e->count);
			why_str(" does not fit the drive or the buffer");
			return false;
		}
	}
	return true;
}

/* ---- write: new data over the extents, flushed ---- */

/* Writes extent i of drive 0 from the guarded buffer (the first one from a
 * buffer that is only 16-aligned) and checks the source is left as it was. */
static void write_extent(const struct layout *l, unsigned i)
{
	const struct extent *e = &l->ext[i];
	struct layout fresh = { .seed = l->new_seed };
	uint64_t off = i == 0 ? 16 : 0;
	long r;
	bool ok;

	arm(e->count, off);
	fill_pattern(target(off), l->new_seed, e->start, e->count);
	r = b_nvs_write(target(off), e->start, e->count, 0);
	why_call("b_nvs_write", e->start, e->count, 0);
	ok = expect("", r, (long)e->count);
	ok = ok && guards_ok(e->count, off) &&
	     pattern_ok(&fresh, target(off), e->start, e->count);
	check(named("write-", e->start, ":", e->count), ok);
}

/* Each extent and the sectors either side of it, read back now. */
static bool extents_read_ok(const struct layout *l, uint64_t sectors)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct extent *e = &l->ext[i];

		if (!read_ok(0, e->start, e->count, 0) ||
		    (e->start > 0 && !read_ok(0, e->start - 1, 1, 0)) ||
		    (e->start + e->count < sectors && !read_ok(0, e->start + e->count, 1, 0)))
			return false;
	}
	return true;
}

void run_write(void)
{
	struct layout *l = &layouts[0];
	struct b_nvs_stats a, b;
	uint64_t sectors = open_drive(0, false), written = 0;
	unsigned n = l->n;
	bool ok = true;

	if (!sectors || !snapshot(0, &a))
		return;
	check("extents", extents_fit(l, sectors));
	l->n = 0;			/* before: the old pattern everywhere */
	for (unsigned i = 0; ok && i < n; i++)
		ok = read_ok(0, l->ext[i].start, l->ext[i].count, 0);
	check("write-before", ok);
	l->n = n;
	for (unsigned i = 0; i < n; i++) {
		write_extent(l, i);
		written += l->ext[i].count;
	}
	check("flush", expect("b_nvs_flush(0)", b_nvs_flush(0), 0));
	check("write-read-back", extents_read_ok(l, sectors));
	if (!stats_of(0, &b)) {
		check("stats", false);
		return;
	}
	check_stats("write-stats", &a, &b, read_sectors, written, read_calls);
	ok = b.writes - a.writes >= n && b.flushes - a.flushes >= 1;
	if (!ok)
		why_str("the writes or the flush are not counted");
	check("write-stats-counts", ok);
}

/* After a reboot: the extents hold the new pattern, the rest the old. */
void run_readback(void)
{
	struct layout *l = &layouts[0];
	uint64_t sectors = open_drive(0, false);
	bool ok = true;

	if (!sectors)
		return;
	check("extents", extents_fit(l, sectors));
	for (unsigned i = 0; ok && i < l->n; i++)
		ok = read_ok(0, l->ext[i].start, l->ext[i].count, 0);
	check("readback-extents", ok);
	test_whole_disk(0, sectors, "readback-whole-disk");
}

/* ---- ro: a read-only drive refuses writes and reads as usual ---- */

static void test_ro_refused(uint64_t seed)
{
	struct layout other = { .seed = seed + 1 };
	struct b_nvs_req req = { .op = B_NVS_WRITE, .start = 0, .count = 1 };
	struct b_nvs_req *done[1];
	bool ok;

	arm(8, 0);
	fill_pattern(target(0), other.seed, 0, 8);
	req.mem = target(0);
	ok = expect("b_nvs_write(1 sector)", b_nvs_write(target(0), 0, 1, 0), B_EROFS);
	ok &= expect("b_nvs_write(8 sectors)", b_nvs_write(target(0), 1, 8, 0), B_EROFS);
	ok &= expect("b_nvs_submit(write)", b_nvs_submit(&req, 0), B_EROFS);
	ok &= expect("b_nvs_complete after a refused submit", b_nvs_complete(done, 1, 0), 0);
	ok = ok && guards_ok(8, 0) && pattern_ok(&other, target(0), 0, 8);
	check("ro-write-refused", ok);
}

void run_ro(uint64_t seed)
{
	struct b_nvs_stats a, b;
	uint64_t sectors;
	bool ok;

	layouts[0].seed = seed;
	sectors = open_drive(0, true);
	if (!sectors || !snapshot(0, &a))
		return;
	test_ro_refused(seed);
	check("ro-flush", expect("b_nvs_flush(0)", b_nvs_flush(0), 0));
	ok = read_ok(0, 0, 1, 0) && read_ok(0, sectors - 1, 1, 0) &&
	     read_ok(0, 0, sectors < 65 ? sectors : 65, 0);
	check("ro-read", ok);
	test_whole_disk(0, sectors, "ro-whole-disk");
	if (stats_of(0, &b))
		check_stats("ro-stats", &a, &b, read_sectors, 0, read_calls);
	else
		check("ro-stats", false);
}
