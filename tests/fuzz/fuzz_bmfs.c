/*
 * libFuzzer target for lib/bmfs: the input is the start of a disk image.
 *
 * The disk is 6 to 14 MiB (chosen from the input's length, so the disk
 * end moves too), sparse: sectors the input does not cover read as zeros
 * until written. On it: mount (or, when that fails, format), list, read
 * part of each file, check, then create/write/read/truncate/delete a file
 * of our own and write into the first sound file on the disk.
 *
 * Oracles besides the sanitizers: every request stays inside the disk,
 * aligned and at most BMFS_IO_MAX sectors; a write goes only to the
 * directory sector or to the blocks of the file being written (sector 0
 * too while formatting); what was written reads back; a record the
 * library creates is sound and leaves the number of problems unchanged.
 * Any breach calls __builtin_trap(), which libFuzzer reports as a crash.
 *
 * Parameters (sizes, offsets) come from bytes 512..575 of the image, the
 * space [BMFS1] leaves free after the MBR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pith/error.h>
#include "bmfs/bmfs.h"

#define MAX_BLOCKS	7
#define MAX_SECTORS	(MAX_BLOCKS * BMFS_SECTORS_PER_BLOCK)
#define INPUT_MAX	(16 * BMFS_SECTOR_SIZE)	/* image bytes taken from the input */
#define PARAM_AT	512
#define NPARAMS		8
#define IO_CAP		(64 * 1024)		/* bytes read or written at once */

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

struct disk {
	uint64_t sectors;
	uint8_t *page[MAX_SECTORS];	/* NULL reads as zeros */
	bool sector0_ok, dir_ok;	/* writes allowed there */
	uint64_t lo, hi;		/* and to sectors [lo, hi) */
};

static struct disk disk;
static struct bmfs fs;
static uint8_t wbuf[IO_CAP], rbuf[IO_CAP + 16] __attribute__((aligned(16)));

static void check_request(const void *mem, uint64_t start, uint64_t count)
{
	require((uintptr_t)mem % BMFS_IO_ALIGN == 0);
	require(count >= 1 && count <= BMFS_IO_MAX);
	require(start < disk.sectors && count <= disk.sectors - start);
}

static long fz_read(void *mem, uint64_t start, uint64_t count, void *ctx)
{
	(void)ctx;
	check_request(mem, start, count);
	for (uint64_t i = 0; i < count; i++) {
		uint8_t *dst = (uint8_t *)mem + i * BMFS_SECTOR_SIZE;
		if (disk.page[start + i])
			memcpy(dst, disk.page[start + i], BMFS_SECTOR_SIZE);
		else
			memset(dst, 0, BMFS_SECTOR_SIZE);
	}
	return (long)count;
}

static bool write_allowed(uint64_t sector)
{
	if (sector == 0)
		return disk.sector0_ok;
	if (sector == BMFS_DIR_SECTOR)
		return disk.dir_ok;
	return sector >= disk.lo && sector < disk.hi;
}

static long fz_write(const void *mem, uint64_t start, uint64_t count, void *ctx)
{
	(void)ctx;
	check_request(mem, start, count);
	for (uint64_t i = 0; i < count; i++) {
		uint8_t **p = &disk.page[start + i];
		require(write_allowed(start + i));
		if (!*p)
			*p = malloc(BMFS_SECTOR_SIZE);
		require(*p != NULL);
		memcpy(*p, (const uint8_t *)mem + i * BMFS_SECTOR_SIZE, BMFS_SECTOR_SIZE);
	}
	return (long)count;
}

static void disk_load(const uint8_t *data, size_t size)
{
	size_t n = size < INPUT_MAX ? size : INPUT_MAX;

	disk.sectors = BMFS_MIN_BLOCKS * BMFS_SECTORS_PER_BLOCK +
		       (size * 37) % ((MAX_BLOCKS - BMFS_MIN_BLOCKS) * BMFS_SECTORS_PER_BLOCK);
	for (size_t off = 0; off < n; off += BMFS_SECTOR_SIZE) {
		size_t len = n - off < BMFS_SECTOR_SIZE ? n - off : BMFS_SECTOR_SIZE;
		uint8_t *p = calloc(1, BMFS_SECTOR_SIZE);
		require(p != NULL);
		memcpy(p, data + off, len);
		disk.page[off / BMFS_SECTOR_SIZE] = p;
	}
}

static void disk_free(void)
{
	for (unsigned i = 0; i < MAX_SECTORS; i++) {
		free(disk.page[i]);
		disk.page[i] = NULL;
	}
	disk.sector0_ok = disk.dir_ok = false;
	disk.lo = disk.hi = 0;
}

/* Writes may now go to the directory and to f's blocks only. */
static void allow_file(const struct bmfs_file *f)
{
	disk.dir_ok = true;
	disk.lo = f->start * BMFS_SECTORS_PER_BLOCK;
	disk.hi = (f->start + f->reserved) * BMFS_SECTORS_PER_BLOCK;
}

static void allow_nothing(void)
{
	disk.sector0_ok = disk.dir_ok = false;
	disk.lo = disk.hi = 0;
}

static unsigned popcount(unsigned v)
{
	return (unsigned)__builtin_popcount(v);
}

/* Lists the disk, reads part of each file; returns the problems seen. */
static unsigned list_and_read(uint64_t p)
{
	struct bmfs_file f;
	unsigned cursor = 0, problems = 0, files = 0;

	while (bmfs_next(&fs, &cursor, &f)) {
		uint64_t off = f.size == UINT64_MAX ? p : p % (f.size + 1);
		long n = bmfs_read(&fs, f.name, rbuf + (p & 1), IO_CAP, off);
		struct bmfs_file g;
		require(++files <= BMFS_MAX_FILES);
		problems += popcount(f.problems);
		/* a record cut at 31 characters is not found by its cut name */
		if (bmfs_find(&fs, f.name, &g) != 0 || g.slot != f.slot)
			continue;
		if (f.problems)
			require(n == B_ECORRUPT);
		else
			require(n >= 0 && (uint64_t)n == (off >= f.size ? 0 :
				(f.size - off < IO_CAP ? f.size - off : IO_CAP)));
	}
	return problems;
}

static void count_report(void *ctx, const struct bmfs_file *f, unsigned problem,
			 const struct bmfs_file *other)
{
	unsigned *n = ctx;

	(void)other;
	require(f->problems & problem);
	require(popcount(problem) == 1);
	(*n)++;
}

static int checked_problems(void)
{
	unsigned reported = 0;
	int n = bmfs_check(&fs, count_report, &reported);

	require(n >= 0 && (unsigned)n == reported);
	require(bmfs_free_blocks(&fs) <= fs.blocks - 2);
	return n;
}

/* An offset in a file of cap bytes: mostly near the start; one time in 16
 * at the end of the reserved space, give or take a byte. Growing a file
 * writes zeros up to the offset, so far offsets are slow and kept rare. */
static uint64_t pick_offset(uint64_t p, uint64_t cap)
{
	if (p % 16 == 0)
		return cap - (p >> 4) % (cap < IO_CAP ? cap : IO_CAP) + (p >> 40) % 2;
	return (p >> 4) % (4 * IO_CAP);
}

/* Writes len bytes at off into a sound file and reads them back. */
static void write_and_verify(const struct bmfs_file *f, uint64_t len, uint64_t off)
{
	int rc;

	for (uint64_t i = 0; i < len; i++)
		wbuf[i] = (uint8_t)(i * 7 + off);
	allow_file(f);
	rc = bmfs_write(&fs, f->name, wbuf, len, off);
	allow_nothing();
	if (rc == 0 && len > 0) {
		require(bmfs_read(&fs, f->name, rbuf + 1, len, off) == (long)len);
		require(memcmp(wbuf, rbuf + 1, len) == 0);
	} else {
		require(rc == 0 || rc == B_ENOSPC);
	}
}

/* create, write, read, truncate, delete a file of our own. */
static void own_file(const uint64_t *p, int problems)
{
	struct bmfs_file f;
	int rc;

	disk.dir_ok = true;
	rc = bmfs_create(&fs, "fuzz.tmp", 1 + p[0] % 3);
	allow_nothing();
	if (rc != 0) {
		require(rc == B_ENOSPC || rc == B_EEXIST);
		return;
	}
	require(bmfs_find(&fs, "fuzz.tmp", &f) == 0);
	require(f.problems == 0 && f.size == 0);
	require(checked_problems() == problems);
	write_and_verify(&f, p[1] % IO_CAP, pick_offset(p[2], f.reserved * BMFS_BLOCK_SIZE));
	allow_file(&f);
	rc = bmfs_truncate(&fs, "fuzz.tmp", pick_offset(p[3], f.reserved * BMFS_BLOCK_SIZE));
	require(rc == 0 || rc == B_ENOSPC);
	rc = bmfs_delete(&fs, "fuzz.tmp");
	allow_nothing();
	require(rc == 0);
	require(bmfs_find(&fs, "fuzz.tmp", NULL) == B_ENOENT);
	require(checked_problems() == problems);
}

/* Writes into the first sound file already on the disk. */
static void existing_file(const uint64_t *p)
{
	struct bmfs_file f;
	unsigned cursor = 0;

	while (bmfs_next(&fs, &cursor, &f)) {
		if (f.problems || bmfs_find(&fs, f.name, NULL) != 0)
			continue;
		write_and_verify(&f, p[4] % IO_CAP, pick_offset(p[5], f.reserved * BMFS_BLOCK_SIZE));
		return;
	}
}

static void params(uint64_t *p, const uint8_t *data, size_t size)
{
	for (unsigned i = 0; i < NPARAMS; i++) {
		p[i] = 0;
		for (unsigned b = 0; b < 8; b++) {
			size_t at = PARAM_AT + 8 * i + b;
			p[i] |= (uint64_t)(at < size ? data[at] : 0) << (8 * b);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmfs_dev dev = { fz_read, fz_write, NULL, 0 };
	uint64_t p[NPARAMS];
	int problems;

	disk_load(data, size);
	params(p, data, size);
	dev.sectors = disk.sectors;
	if (bmfs_mount(&fs, &dev) != 0) {
		disk.sector0_ok = disk.dir_ok = true;
		require(bmfs_format(&fs, &dev) == 0);
		allow_nothing();
	}
	problems = (int)list_and_read(p[6]);
	require(checked_problems() == problems);
	own_file(p, problems);
	existing_file(p);
	disk_free();
	return 0;
}
