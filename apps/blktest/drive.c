/*
 * A drive's facts (b_nvs_info) and counters (b_nvs_stats): printed as
 * "blktest: drive D sectors N ro R flush F transport T queue Q inflight M"
 * for the host to compare with its images, and checked against what the
 * test did.
 */
#include "../common/out.h"
#include "blktest.h"

bool info_of(unsigned drive, struct b_nvs_info *info)
{
	int r = b_nvs_info(drive, info);

	if (r == 0)
		return true;
	why_str("b_nvs_info");
	expect("", r, 0);
	return false;
}

/* "blktest: drive D sectors N ro R flush F transport T queue Q inflight M" */
void print_info(unsigned drive, const struct b_nvs_info *info)
{
	char transport[sizeof(info->transport) + 1];

	for (unsigned i = 0; i < sizeof(info->transport); i++)
		transport[i] = info->transport[i];
	transport[sizeof(info->transport)] = 0;
	out_str("blktest: drive ");
	out_u64(drive);
	out_str(" sectors ");
	out_u64(info->sectors);
	out_str(" ro ");
	out_u64(info->read_only);
	out_str(" flush ");
	out_u64(info->flush);
	out_str(" transport ");
	out_str(transport);
	out_str(" queue ");
	out_u64(info->queue_size);
	out_str(" inflight ");
	out_u64(info->max_inflight);
	out_str("\n");
}

/* Checks drive's info, prints it, and returns its size (0 if unusable). */
uint64_t open_drive(unsigned drive, bool read_only)
{
	struct b_nvs_info info;
	bool ok;

	if (!info_of(drive, &info)) {
		check("info", false);
		return 0;
	}
	print_info(drive, &info);
	ok = info.sectors > 0 && info.read_only == read_only;
	if (!ok) {
		why_str(info.sectors ? "read_only is " : "no sectors; read_only is ");
		why_u64(info.read_only);
	}
	check(read_only ? "info-read-only" : "info-read-write", ok);
	return ok ? info.sectors : 0;
}

bool stats_of(unsigned drive, struct b_nvs_stats *st)
{
	int r = b_nvs_stats(drive, st);

	if (r == 0)
		return true;
	why_str("b_nvs_stats");
	expect("", r, 0);
	return false;
}

/* Takes drive's stats and restarts read_ok's counts from there. */
bool snapshot(unsigned drive, struct b_nvs_stats *st)
{
	read_calls = read_sectors = 0;
	if (stats_of(drive, st))
		return true;
	check("stats", false);
	return false;
}

/* Checks a stats delta against what the test did: want_read and
 * want_written sectors exactly, at least min_reads read requests, no
 * device error. */
void check_stats(const char *name, const struct b_nvs_stats *a,
			const struct b_nvs_stats *b, uint64_t want_read,
			uint64_t want_written, uint64_t min_reads)
{
	bool ok = expect("sectors_read delta", (long)(b->sectors_read - a->sectors_read),
			 (long)want_read);

	ok &= expect("sectors_written delta",
		     (long)(b->sectors_written - a->sectors_written), (long)want_written);
	ok &= expect("errors delta", (long)(b->errors - a->errors), 0);
	if (b->reads - a->reads < min_reads) {
		why_str("reads delta ");
		why_u64(b->reads - a->reads);
		why_str(" below the calls made");
		ok = false;
	}
	check(name, ok);
}
