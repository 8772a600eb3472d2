/*
 * The storage driver's self-test, run inside Pith as a unikernel program.
 * tests/system/test_blk.py writes the disk images, boots it on q35
 * (virtio-blk-pci) and on microvm (virtio-blk-device), and checks the
 * images on the host afterwards.
 *
 * Every image holds a pattern that names its place: word i of sector s of
 * an image made with seed k is k << 48 | s << 9 | i. A sector read from the
 * wrong place (BareMetal's multi-sector reads returned "AAA" for "ABC"),
 * a stale buffer or a short transfer shows as a wrong word, and the word
 * found says where it came from. Reads go into a poisoned buffer between
 * two guard sectors, so a transfer that is skipped, short or too long is
 * caught as well.
 *
 * Modes (argv[1]); each check prints "blktest: CHECK ok" or
 * "blktest: CHECK FAIL: why", then "blktest: done, F failed"; exit code F:
 *   verify SEED               drive 0: single, multi-sector, whole-disk and
 *                             parallel reads
 *   write SEED NEW S:C...     writes NEW's pattern over the extents, flushes
 *   readback SEED NEW S:C...  the disk holds NEW's pattern in the extents,
 *                             SEED's elsewhere
 *   ro SEED                   drive 0 is read-only: writes get B_EROFS
 *   multi SEED:SECTORS...     one drive per pair, found in any order
 *   async SEED NEW S:C        32 reads in flight on drive 0, then NEW's
 *                             pattern over the extent by async writes + flush
 *   badargs SEED ROSEED       drive 0 read-write, drive 1 read-only: every
 *                             bad argument gets its documented error
 *   ioerr SEED NEW RBAD WBAD  drive 0 fails reads of RBAD, writes of WBAD:
 *                             B_EIO or the exact sectors before the failure
 *
 * Files: check.c (the lines), pattern.c (contents, the guarded buffer),
 * drive.c (info, stats), and one per mode: reads.c (verify; parallel reads
 * for multi too), write.c (write, readback, ro), multi.c, async.c,
 * badargs.c, ioerr.c.
 */
#include <pith/app.h>
#include "../common/out.h"
#include "blktest.h"

static bool parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

/* "A:B" into two numbers. */
static bool parse_pair(const char *s, uint64_t *a, uint64_t *b)
{
	char first[24];
	unsigned i = 0;

	while (s[i] && s[i] != ':' && i < sizeof(first) - 1) {
		first[i] = s[i];
		i++;
	}
	first[i] = 0;
	return s[i] == ':' && parse_u64(first, a) && parse_u64(s + i + 1, b);
}

static bool parse_extents(struct layout *l, int argc, char **argv, int from)
{
	l->n = 0;
	for (int i = from; i < argc; i++) {
		struct extent *e = &l->ext[l->n];

		if (l->n == MAX_EXTENTS || !parse_pair(argv[i], &e->start, &e->count))
			return false;
		l->n++;
	}
	return l->n > 0;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Parses the mode's arguments and runs it; false for bad arguments. */
static bool run(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct layout *l = &layouts[0];
	struct image img[B_NVS_MAX];
	uint64_t a, b;

	if (streq(mode, "verify") && argc == 3 && parse_u64(argv[2], &a))
		run_verify(a);
	else if (streq(mode, "write") && argc >= 5 && parse_u64(argv[2], &l->seed) &&
		 parse_u64(argv[3], &l->new_seed) && parse_extents(l, argc, argv, 4))
		run_write();
	else if (streq(mode, "readback") && argc >= 5 && parse_u64(argv[2], &l->seed) &&
		 parse_u64(argv[3], &l->new_seed) && parse_extents(l, argc, argv, 4))
		run_readback();
	else if (streq(mode, "ro") && argc == 3 && parse_u64(argv[2], &a))
		run_ro(a);
	else if (streq(mode, "async") && argc == 5 && parse_u64(argv[2], &l->seed) &&
		 parse_u64(argv[3], &l->new_seed) && parse_extents(l, argc, argv, 4))
		run_async();
	else if (streq(mode, "badargs") && argc == 4 && parse_u64(argv[2], &l->seed) &&
		 parse_u64(argv[3], &layouts[1].seed))
		run_badargs();
	else if (streq(mode, "ioerr") && argc == 6 && parse_u64(argv[2], &l->seed) &&
		 parse_u64(argv[3], &l->new_seed) && parse_u64(argv[4], &a) &&
		 parse_u64(argv[5], &b))
		run_ioerr(a, b);
	else if (streq(mode, "multi") && argc >= 3 && argc - 2 <= B_NVS_MAX) {
		for (int i = 2; i < argc; i++) {
			img[i - 2].found = false;
			if (!parse_pair(argv[i], &img[i - 2].seed, &img[i - 2].sectors))
				return false;
		}
		run_multi(img, (unsigned)(argc - 2));
	} else {
		return false;
	}
	return true;
}

int app_main(int argc, char **argv)
{
	if (!run(argc, argv)) {
		out_str("blktest: usage: blktest verify SEED | write SEED NEW S:C... | "
			"readback SEED NEW S:C... | ro SEED | multi SEED:SECTORS... | "
			"async SEED NEW S:C | badargs SEED ROSEED | ioerr SEED NEW RBAD WBAD\n");
		return 63;
	}
	out_str("blktest: done, ");
	out_u64((uint64_t)failures);
	out_str(" failed\n");
	return failures < 63 ? failures : 62;
}
