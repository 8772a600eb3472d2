/*
 * blktest's pieces (apps/blktest/blktest.c says what the program checks and
 * how): the expected disk contents, the guarded buffer every read lands in,
 * and the check lines. Internal to apps/blktest.
 */
#ifndef APPS_BLKTEST_H
#define APPS_BLKTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <pith/nvs.h>

#define SECTOR		B_NVS_SECTOR
#define WORDS		(SECTOR / 8)
#define BUF_SECTORS	1024		/* the largest single read */
#define CHUNK		1000		/* whole-disk reads: not a power of two */
#define POISON		0xdeadbeefdeadbeefull	/* where data must land */
#define GUARD		0x6b6b6b6b6b6b6b6bull	/* where nothing may land */
#define MAX_EXTENTS	12
#define DEPTH		32		/* async requests kept in flight (QD32) */
#define FULL_REQS	256		/* requests tried when filling the queue */
#define USER_TAG	0xb10c0000u	/* b_nvs_req.user of slot i: USER_TAG + i */

struct extent {
	uint64_t start, count;
};

/* What a drive should hold: seed's pattern, new_seed's in the extents. */
struct layout {
	uint64_t seed, new_seed;
	struct extent ext[MAX_EXTENTS];
	unsigned n;
};

/* multi: an image the test gave a drive, found by its seed. */
struct image {
	uint64_t seed, sectors;
	bool found;
};

extern struct layout layouts[B_NVS_MAX];
extern uint8_t buf[];			/* guard, BUF_SECTORS, guard (+64) */
extern struct b_nvs_req reqs[FULL_REQS];
extern int failures;
extern uint64_t io_ns;			/* time spent inside b_nvs_read by read_ok */
extern uint64_t read_calls, read_sectors;	/* read_ok's reads, for the stats */
extern uint64_t rng_state;

static inline void *tag(unsigned slot)
{
	return (void *)(uintptr_t)(USER_TAG + slot);
}

/* check.c: "blktest: NAME ok" / "blktest: NAME FAIL: note" lines. A failing
 * path adds to the note with why_*() or expect(); check() prints and
 * clears it. */
void why_str(const char *s);
void why_u64(uint64_t v);
void why_hex(uint64_t v);
void why_result(long r);
void check(const char *name, bool ok);
bool expect(const char *call, long r, long want);
bool expect2(const char *call, long r, long want, long or_want);
const char *named(const char *prefix, uint64_t a, const char *sep, uint64_t b);

/* pattern.c: the pattern, the guarded buffer, read_ok, random numbers. */
void fill_pattern(void *mem, uint64_t seed, uint64_t start, uint64_t count);
void fill64(void *mem, uint64_t v, uint64_t bytes);
int64_t first_mismatch(const struct layout *l, const void *mem,
		uint64_t start, uint64_t count);
bool pattern_ok(const struct layout *l, const void *mem, uint64_t start,
		uint64_t count);
bool all64(const void *mem, uint64_t v, uint64_t bytes, const char *what);
uint8_t *target(uint64_t off);
void arm(uint64_t count, uint64_t off);
bool guards_ok(uint64_t count, uint64_t off);
void why_call(const char *call, uint64_t start, uint64_t count, unsigned drive);
bool read_ok(unsigned drive, uint64_t start, uint64_t count, uint64_t off);
bool whole_disk_ok(unsigned drive, uint64_t sectors, uint64_t *ns);
uint64_t mix(uint64_t x);
uint64_t rnd(uint64_t below);

/* drive.c: b_nvs_info and b_nvs_stats, checked and printed. */
bool info_of(unsigned drive, struct b_nvs_info *info);
void print_info(unsigned drive, const struct b_nvs_info *info);
uint64_t open_drive(unsigned drive, bool read_only);
bool stats_of(unsigned drive, struct b_nvs_stats *st);
bool snapshot(unsigned drive, struct b_nvs_stats *st);
void check_stats(const char *name, const struct b_nvs_stats *a,
		const struct b_nvs_stats *b, uint64_t want_read,
		uint64_t want_written, uint64_t min_reads);

/* The modes (reads.c, write.c, multi.c, async.c, badargs.c). */
void test_whole_disk(unsigned drive, uint64_t sectors, const char *name);
uint64_t test_parallel(const char *name, unsigned drives, const uint64_t *sizes);
void run_verify(uint64_t seed);
bool extents_fit(const struct layout *l, uint64_t sectors);
void run_write(void);
void run_readback(void);
void run_ro(uint64_t seed);
void run_multi(struct image *img, unsigned n);
void run_async(void);
void run_badargs(void);
void run_ioerr(uint64_t rbad, uint64_t wbad);

#endif
