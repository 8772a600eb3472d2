/*
 * lib/bmfs over an in-memory disk, and the host tool (tools/bmfs) through
 * its main path on image files.
 *
 * The disk checks every request the library makes: aligned buffer, at most
 * BMFS_IO_MAX sectors, inside the disk, and (when a test arms the guard)
 * writes only to the directory sector and to the blocks of the file being
 * written. Corrupt images are built byte by byte with raw_record(), with
 * the offsets spelled out from the format rather than taken from bmfs.h's
 * constants, so a wrong constant fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pith/error.h>
#include "bmfs/bmfs.h"
#include "tool.h"		/* tools/bmfs */

#define MIB		(1024u * 1024)
#define BLOCK		(2 * MIB)
#define SECTOR		4096u
#define TAG_AT		1024u	/* [BMFS1 "Disk layout"] */
#define DIR_AT		4096u	/* [BMFS1 "Directory"]: sector 8 of 512 bytes */
#define REC		64u	/* [BMFS1 "Directory Record structure"] */

struct memdisk {
	uint8_t *data;
	uint64_t sectors;
	long reads, writes;
	long fail_write_at;	/* fail the write call with this number (1-based); 0 never */
	long fail_read_at;
	long result;		/* when non-zero, every call returns this */
	bool guard;		/* writes only to the directory or [lo, hi) */
	uint64_t lo, hi;
	unsigned violations;
};

/* ---- the disk -------------------------------------------------------------- */

static void check_request(struct memdisk *d, const void *mem, uint64_t start, uint64_t count)
{
	assert_true((uintptr_t)mem % BMFS_IO_ALIGN == 0);
	assert_true(count >= 1 && count <= BMFS_IO_MAX);
	assert_true(start < d->sectors && count <= d->sectors - start);
}

static long mem_read(void *mem, uint64_t start, uint64_t count, void *ctx)
{
	struct memdisk *d = ctx;

	check_request(d, mem, start, count);
	if (++d->reads == d->fail_read_at)
		return B_EIO;
	if (d->result)
		return d->result;
	memcpy(mem, d->data + start * SECTOR, count * SECTOR);
	return (long)count;
}

static long mem_write(const void *mem, uint64_t start, uint64_t count, void *ctx)
{
	struct memdisk *d = ctx;
	bool dir = start == DIR_AT / SECTOR && count == 1;

	check_request(d, mem, start, count);
	if (d->guard && !dir && (start < d->lo || start + count > d->hi))
		d->violations++;
	if (++d->writes == d->fail_write_at)
		return B_EIO;
	if (d->result)
		return d->result;
	memcpy(d->data + start * SECTOR, mem, count * SECTOR);
	return (long)count;
}

static struct memdisk *disk_new(uint64_t bytes)
{
	struct memdisk *d = calloc(1, sizeof(*d));

	d->sectors = bytes / SECTOR;
	d->data = calloc(1, bytes);
	assert_non_null(d->data);
	return d;
}

static void disk_free(struct memdisk *d)
{
	free(d->data);
	free(d);
}

static struct bmfs_dev dev_of(struct memdisk *d)
{
	return (struct bmfs_dev){ mem_read, mem_write, d, d->sectors };
}

/* Arms the write guard to the blocks of f. */
static void guard_file(struct memdisk *d, const struct bmfs_file *f)
{
	d->guard = true;
	d->lo = f->start * (BLOCK / SECTOR);
	d->hi = (f->start + f->reserved) * (BLOCK / SECTOR);
}

static struct bmfs *fs_new(void)
{
	struct bmfs *fs = calloc(1, sizeof(*fs));

	assert_non_null(fs);
	return fs;
}

/* A formatted disk of bytes, mounted. */
static struct bmfs *formatted(struct memdisk *d)
{
	struct bmfs *fs = fs_new();
	struct bmfs_dev dev = dev_of(d);

	assert_int_equal(bmfs_format(fs, &dev), 0);
	return fs;
}

static struct bmfs *remount(struct memdisk *d)
{
	struct bmfs *fs = fs_new();
	struct bmfs_dev dev = dev_of(d);

	assert_int_equal(bmfs_mount(fs, &dev), 0);
	return fs;
}

/* Writes a record straight into the image: name is copied for 32 bytes
 * (so a 32-character name has no NUL), then the three numbers. */
static void raw_record(struct memdisk *d, unsigned slot, const char *name, uint64_t start,
		       uint64_t reserved, uint64_t size)
{
	uint8_t *r = d->data + DIR_AT + slot * REC;
	uint64_t v[3] = { start, reserved, size };

	memset(r, 0, REC);
	memcpy(r, name, strnlen(name, 32));
	for (int f = 0; f < 3; f++)
		for (int b = 0; b < 8; b++)
			r[32 + 8 * f + b] = (uint8_t)(v[f] >> (8 * b));
}

static void raw_tag(struct memdisk *d)
{
	memcpy(d->data + TAG_AT, "BMFS", 4);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 12));
}

static unsigned count_files(const struct bmfs *fs)
{
	struct bmfs_file f;
	unsigned cursor = 0, n = 0;

	while (bmfs_next(fs, &cursor, &f))
		n++;
	return n;
}

/* ---- format and mount -------------------------------------------------------- */

static void test_format_writes_tag_and_empty_directory(void **state)
{
	struct memdisk *d = disk_new(64 * MIB);
	struct bmfs *fs;

	(void)state;
	memset(d->data, 0x5a, 512);			/* an MBR */
	memset(d->data + DIR_AT, 0xee, SECTOR);		/* an old directory */
	fs = formatted(d);
	assert_memory_equal(d->data + TAG_AT, "BMFS\0", 5);
	for (unsigned i = 0; i < SECTOR; i++)
		assert_int_equal(d->data[DIR_AT + i], 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(d->data[i], 0x5a);
	assert_int_equal(count_files(fs), 0);
	/* 32 blocks: the first and the last are the file system's */
	assert_int_equal(fs->blocks, 32);
	assert_int_equal(bmfs_free_blocks(fs), 30);
	free(fs);
	fs = remount(d);
	assert_int_equal(count_files(fs), 0);
	free(fs);
	disk_free(d);
}

static void test_mount_needs_the_tag(void **state)
{
	struct memdisk *d = disk_new(8 * MIB);
	struct bmfs *fs = fs_new();
	struct bmfs_dev dev = dev_of(d);

	(void)state;
	assert_int_equal(bmfs_mount(fs, &dev), B_EINVAL);
	memcpy(d->data + TAG_AT, "bmfs", 4);		/* BareMetal ignores case */
	assert_int_equal(bmfs_mount(fs, &dev), 0);
	memcpy(d->data + TAG_AT, "BMFSX", 5);		/* the tag is a C string */
	assert_int_equal(bmfs_mount(fs, &dev), B_EINVAL);
	memcpy(d->data + TAG_AT, "BMF\0", 4);
	assert_int_equal(bmfs_mount(fs, &dev), B_EINVAL);
	/* a failed mount leaves nothing usable */
	assert_int_equal(bmfs_find(fs, "x", NULL), B_EINVAL);
	free(fs);
	disk_free(d);
}

static void test_disk_size_limits(void **state)
{
	struct memdisk *d = disk_new(6 * MIB + 3 * SECTOR);
	struct bmfs *fs = fs_new();
	struct bmfs_dev dev = dev_of(d);

	(void)state;
	/* three whole blocks (a partial fourth ignored): one for files */
	assert_int_equal(bmfs_format(fs, &dev), 0);
	assert_int_equal(fs->blocks, 3);
	assert_int_equal(bmfs_free_blocks(fs), 1);
	assert_int_equal(bmfs_create(fs, "one", 1), 0);
	assert_int_equal(bmfs_create(fs, "two", 1), B_ENOSPC);
	dev.sectors = 6 * MIB / SECTOR - 1;
	assert_int_equal(bmfs_format(fs, &dev), B_ENOSPC);
	assert_int_equal(bmfs_mount(fs, &dev), B_ENOSPC);
	dev.sectors = BMFS_MAX_SECTORS + 1;
	assert_int_equal(bmfs_mount(fs, &dev), B_ERANGE);
	dev.sectors = d->sectors;
	dev.read = NULL;
	assert_int_equal(bmfs_mount(fs, &dev), B_EFAULT);
	assert_int_equal(bmfs_mount(NULL, &dev), B_EFAULT);
	free(fs);
	disk_free(d);
}

static void test_not_mounted(void **state)
{
	struct bmfs *fs = fs_new();
	unsigned cursor = 0;
	char buf[16];

	(void)state;
	assert_int_equal(bmfs_find(fs, "a", NULL), B_EINVAL);
	assert_int_equal(bmfs_create(fs, "a", 1), B_EINVAL);
	assert_int_equal(bmfs_read(fs, "a", buf, sizeof(buf), 0), B_EINVAL);
	assert_int_equal(bmfs_write(fs, "a", buf, sizeof(buf), 0), B_EINVAL);
	assert_int_equal(bmfs_delete(fs, "a"), B_EINVAL);
	assert_int_equal(bmfs_check(fs, NULL, NULL), B_EINVAL);
	assert_false(bmfs_next(fs, &cursor, NULL));
	assert_int_equal(bmfs_find(NULL, "a", NULL), B_EFAULT);
	free(fs);
}

/* ---- create, list, find ----------------------------------------------------------- */

static void test_create_list_find(void **state)
{
	struct memdisk *d = disk_new(64 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;
	unsigned cursor = 0;

	(void)state;
	assert_int_equal(bmfs_create(fs, "a", 1), 0);
	assert_int_equal(bmfs_create(fs, "b.app", 3), 0);
	assert_int_equal(bmfs_find(fs, "b.app", &f), 0);
	assert_int_equal(f.start, 2);
	assert_int_equal(f.reserved, 3);
	assert_int_equal(f.size, 0);
	assert_int_equal(f.slot, 1);
	assert_int_equal(f.problems, 0);
	assert_true(bmfs_next(fs, &cursor, &f));
	assert_string_equal(f.name, "a");
	assert_true(bmfs_next(fs, &cursor, &f));
	assert_string_equal(f.name, "b.app");
	assert_false(bmfs_next(fs, &cursor, &f));
	assert_int_equal(bmfs_find(fs, "c", NULL), B_ENOENT);
	assert_int_equal(bmfs_free_blocks(fs), 26);
	/* on the disk: the record's bytes at their spec offsets, end mark after */
	assert_string_equal((char *)d->data + DIR_AT + REC, "b.app");
	assert_int_equal(d->data[DIR_AT + REC + 32], 2);
	assert_int_equal(d->data[DIR_AT + REC + 40], 3);
	assert_int_equal(d->data[DIR_AT + 2 * REC], 0);
	free(fs);
	fs = remount(d);
	assert_int_equal(bmfs_find(fs, "a", &f), 0);
	assert_int_equal(f.start, 1);
	assert_int_equal(count_files(fs), 2);
	free(fs);
	disk_free(d);
}

static void test_name_limits(void **state)
{
	struct memdisk *d = disk_new(64 * MIB);
	struct bmfs *fs = formatted(d);
	char n31[32], n32[33];

	(void)state;
	memset(n31, 'x', 31);
	n31[31] = '\0';
	memset(n32, 'y', 32);
	n32[32] = '\0';
	assert_int_equal(bmfs_create(fs, n31, 1), 0);
	assert_int_equal(bmfs_find(fs, n31, NULL), 0);
	assert_int_equal(d->data[DIR_AT + 31], 0);	/* NUL in the 32nd byte */
	assert_int_equal(bmfs_create(fs, n32, 1), B_ENAMETOOLONG);
	assert_int_equal(bmfs_find(fs, n32, NULL), B_ENAMETOOLONG);
	assert_int_equal(bmfs_create(fs, "", 1), B_EINVAL);
	assert_int_equal(bmfs_create(fs, n31, 1), B_EEXIST);
	assert_int_equal(bmfs_create(fs, "tab\there", 1), B_EINVAL);
	assert_int_equal(bmfs_create(fs, "\x01gone", 1), B_EINVAL);
	assert_int_equal(bmfs_create(fs, "caf\xc3\xa9", 1), B_EINVAL);
	assert_int_equal(bmfs_create(fs, NULL, 1), B_EFAULT);
	assert_int_equal(bmfs_create(fs, "zero", 0), B_EINVAL);
	assert_int_equal(bmfs_create(fs, "with space", 1), 0);
	assert_int_equal(count_files(fs), 2);
	free(fs);
	disk_free(d);
}

static void test_full_directory(void **state)
{
	/* 66 blocks: 64 for files, one each */
	struct memdisk *d = disk_new(66 * (uint64_t)BLOCK);
	struct bmfs *fs = formatted(d);
	char name[16];
	struct bmfs_file f;

	(void)state;
	for (unsigned i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		assert_int_equal(bmfs_create(fs, name, 1), 0);
	}
	assert_int_equal(count_files(fs), 64);
	assert_int_equal(bmfs_free_blocks(fs), 0);
	assert_int_equal(bmfs_find(fs, "f63", &f), 0);
	assert_int_equal(f.slot, 63);
	assert_int_equal(f.start, 64);
	assert_int_equal(bmfs_create(fs, "more", 1), B_ENOSPC);
	/* a freed record and its block are used again */
	assert_int_equal(bmfs_delete(fs, "f10"), 0);
	assert_int_equal(bmfs_create(fs, "more", 1), 0);
	assert_int_equal(bmfs_find(fs, "more", &f), 0);
	assert_int_equal(f.slot, 10);
	assert_int_equal(f.start, 11);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 0);
	free(fs);
	fs = remount(d);
	assert_int_equal(count_files(fs), 64);
	free(fs);
	disk_free(d);
}

static void test_full_disk(void **state)
{
	struct memdisk *d = disk_new(8 * (uint64_t)BLOCK);	/* 6 for files */
	struct bmfs *fs = formatted(d);

	(void)state;
	assert_int_equal(bmfs_create(fs, "huge", 7), B_ENOSPC);
	assert_int_equal(bmfs_create(fs, "huge", UINT64_MAX), B_ENOSPC);
	assert_int_equal(bmfs_create(fs, "all", 6), 0);
	assert_int_equal(bmfs_free_blocks(fs), 0);
	assert_int_equal(bmfs_create(fs, "one", 1), B_ENOSPC);
	assert_int_equal(count_files(fs), 1);
	free(fs);
	disk_free(d);
}

static void test_first_fit_uses_holes(void **state)
{
	struct memdisk *d = disk_new(32 * (uint64_t)BLOCK);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;

	(void)state;
	assert_int_equal(bmfs_create(fs, "a", 1), 0);	/* 1 */
	assert_int_equal(bmfs_create(fs, "b", 2), 0);	/* 2-3 */
	assert_int_equal(bmfs_create(fs, "c", 1), 0);	/* 4 */
	assert_int_equal(bmfs_delete(fs, "b"), 0);
	assert_int_equal(bmfs_create(fs, "d", 3), 0);	/* hole too small: 5-7 */
	assert_int_equal(bmfs_find(fs, "d", &f), 0);
	assert_int_equal(f.start, 5);
	assert_int_equal(f.slot, 1);			/* b's record */
	assert_int_equal(bmfs_create(fs, "e", 2), 0);	/* the hole: 2-3 */
	assert_int_equal(bmfs_find(fs, "e", &f), 0);
	assert_int_equal(f.start, 2);
	assert_int_equal(f.slot, 3);
	assert_int_equal(bmfs_free_blocks(fs), 30 - 7);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 0);
	free(fs);
	disk_free(d);
}

/* ---- write and read ------------------------------------------------------------- */

static void test_write_read_round_trip(void **state)
{
	struct memdisk *d = disk_new(32 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;
	uint8_t *in = malloc(BLOCK + 10000), *out = malloc(BLOCK + 10001);

	(void)state;
	fill_pattern(in, BLOCK + 10000, 7);
	assert_int_equal(bmfs_create(fs, "before", 1), 0);
	assert_int_equal(bmfs_create(fs, "f", 2), 0);
	assert_int_equal(bmfs_create(fs, "after", 1), 0);
	assert_int_equal(bmfs_find(fs, "f", &f), 0);
	guard_file(d, &f);
	assert_int_equal(bmfs_write(fs, "f", in, 5000, 0), 0);
	assert_int_equal(bmfs_find(fs, "f", &f), 0);
	assert_int_equal(f.size, 5000);
	/* across sector and block boundaries, from an odd offset */
	assert_int_equal(bmfs_write(fs, "f", in + 5000, BLOCK, 5000), 0);
	assert_int_equal(bmfs_read(fs, "f", out, BLOCK + 5000, 0), BLOCK + 5000);
	assert_memory_equal(in, out, BLOCK + 5000);
	/* an unaligned buffer and an unaligned offset */
	assert_int_equal(bmfs_read(fs, "f", out + 1, 9000, 4097), 9000);
	assert_memory_equal(in + 4097, out + 1, 9000);
	assert_int_equal(bmfs_read(fs, "f", out + 1, 8192, 0), 8192);
	assert_memory_equal(in, out + 1, 8192);
	assert_int_equal(bmfs_write(fs, "f", in + 3, 8192, 12288), 0);
	assert_int_equal(bmfs_read(fs, "f", out, 8192, 12288), 8192);
	assert_memory_equal(in + 3, out, 8192);
	assert_int_equal(d->violations, 0);
	/* the data sits at start * 2 MiB */
	assert_memory_equal(d->data + f.start * BLOCK, in, 4096);
	free(fs);
	fs = remount(d);
	assert_int_equal(bmfs_find(fs, "f", &f), 0);
	assert_int_equal(f.size, BLOCK + 5000);
	free(in);
	free(out);
	free(fs);
	disk_free(d);
}

static void test_write_past_reserved_refused(void **state)
{
	struct memdisk *d = disk_new(32 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;
	uint8_t *buf = calloc(1, BLOCK + 1);
	long writes;

	(void)state;
	assert_int_equal(bmfs_create(fs, "f", 1), 0);
	assert_int_equal(bmfs_create(fs, "next", 1), 0);
	assert_int_equal(bmfs_find(fs, "f", &f), 0);
	writes = d->writes;
	assert_int_equal(bmfs_write(fs, "f", buf, BLOCK + 1, 0), B_ENOSPC);
	assert_int_equal(bmfs_write(fs, "f", buf, 1, BLOCK), B_ENOSPC);
	assert_int_equal(bmfs_write(fs, "f", buf, 2, BLOCK - 1), B_ENOSPC);
	assert_int_equal(bmfs_write(fs, "f", buf, 16, UINT64_MAX - 8), B_ENOSPC);
	assert_int_equal(bmfs_write(fs, "f", buf, UINT64_MAX, 1), B_ENOSPC);
	assert_int_equal(d->writes, writes);		/* refused before any I/O */
	memset(buf, 0xab, BLOCK);
	guard_file(d, &f);
	assert_int_equal(bmfs_write(fs, "f", buf, BLOCK, 0), 0);	/* exactly full */
	assert_int_equal(d->violations, 0);
	assert_int_equal(d->data[2 * BLOCK], 0);			/* next's block untouched */
	assert_int_equal(bmfs_write(fs, "nope", buf, 1, 0), B_ENOENT);
	assert_int_equal(bmfs_write(fs, "f", NULL, 1, 0), B_EFAULT);
	assert_int_equal(bmfs_write(fs, "f", NULL, 0, 0), 0);
	free(buf);
	free(fs);
	disk_free(d);
}

static void test_write_past_size_fills_zeros(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	uint8_t out[12000];

	(void)state;
	memset(d->data + BLOCK, 0xcc, BLOCK);		/* a deleted file's bytes */
	assert_int_equal(bmfs_create(fs, "f", 1), 0);
	assert_int_equal(bmfs_write(fs, "f", "hi", 2, 0), 0);
	assert_int_equal(bmfs_write(fs, "f", "x", 1, 10000), 0);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 0), 10001);
	assert_memory_equal(out, "hi", 2);
	for (unsigned i = 2; i < 10000; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[10000], 'x');
	free(fs);
	disk_free(d);
}

/* A write inside a sector keeps the sector's other bytes, whatever the
 * library's sector buffer held before. */
static void test_partial_write_keeps_neighbours(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	uint8_t out[8];

	(void)state;
	assert_int_equal(bmfs_create(fs, "f", 1), 0);
	assert_int_equal(bmfs_create(fs, "g", 1), 0);
	assert_int_equal(bmfs_write(fs, "f", "AAAAAAAA", 8, 0), 0);
	assert_int_equal(bmfs_write(fs, "g", "zzzzzzzz", 8, 0), 0);
	assert_int_equal(bmfs_read(fs, "g", out, 8, 0), 8);
	assert_int_equal(bmfs_write(fs, "f", "B", 1, 1), 0);
	assert_int_equal(bmfs_read(fs, "f", out, 8, 0), 8);
	assert_memory_equal(out, "ABAAAAAA", 8);
	free(fs);
	disk_free(d);
}

static void test_read_past_eof(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	uint8_t out[100];

	(void)state;
	assert_int_equal(bmfs_create(fs, "f", 1), 0);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 0), 0);	/* empty */
	assert_int_equal(bmfs_write(fs, "f", "0123456789", 10, 0), 0);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 0), 10);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 7), 3);
	assert_memory_equal(out, "789", 3);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 10), 0);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), UINT64_MAX), 0);
	assert_int_equal(bmfs_read(fs, "f", out, 0, 0), 0);
	assert_int_equal(bmfs_read(fs, "f", NULL, 5, 0), B_EFAULT);
	assert_int_equal(bmfs_read(fs, "nope", out, 5, 0), B_ENOENT);
	free(fs);
	disk_free(d);
}

static void test_truncate(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;
	uint8_t out[64];

	(void)state;
	memset(d->data + BLOCK, 0xcc, BLOCK);
	assert_int_equal(bmfs_create(fs, "f", 1), 0);
	assert_int_equal(bmfs_write(fs, "f", "abcdef", 6, 0), 0);
	assert_int_equal(bmfs_truncate(fs, "f", 3), 0);
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 0), 3);
	assert_int_equal(bmfs_truncate(fs, "f", 8), 0);		/* grows with zeros */
	assert_int_equal(bmfs_read(fs, "f", out, sizeof(out), 0), 8);
	assert_memory_equal(out, "abc\0\0\0\0\0", 8);
	assert_int_equal(bmfs_truncate(fs, "f", BLOCK + 1), B_ENOSPC);
	assert_int_equal(bmfs_truncate(fs, "f", BLOCK), 0);
	assert_int_equal(bmfs_find(fs, "f", &f), 0);
	assert_int_equal(f.size, BLOCK);
	free(fs);
	disk_free(d);
}

static void test_delete_then_reuse(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_file f;
	uint8_t out[8];

	(void)state;
	assert_int_equal(bmfs_create(fs, "a", 2), 0);
	assert_int_equal(bmfs_write(fs, "a", "data", 4, 0), 0);
	assert_int_equal(bmfs_create(fs, "b", 1), 0);
	assert_int_equal(bmfs_delete(fs, "a"), 0);
	assert_int_equal(d->data[DIR_AT], 0x01);		/* [BMFS1]: 0x01 = unused */
	assert_int_equal(bmfs_find(fs, "a", NULL), B_ENOENT);
	assert_int_equal(bmfs_read(fs, "a", out, sizeof(out), 0), B_ENOENT);
	assert_int_equal(bmfs_delete(fs, "a"), B_ENOENT);
	assert_int_equal(count_files(fs), 1);
	assert_int_equal(bmfs_free_blocks(fs), 5);
	assert_int_equal(bmfs_create(fs, "a", 1), 0);
	assert_int_equal(bmfs_find(fs, "a", &f), 0);
	assert_int_equal(f.slot, 0);
	assert_int_equal(f.start, 1);
	assert_int_equal(f.size, 0);			/* a new, empty file */
	assert_int_equal(bmfs_read(fs, "a", out, sizeof(out), 0), 0);
	free(fs);
	fs = remount(d);
	assert_int_equal(count_files(fs), 2);
	free(fs);
	disk_free(d);
}

/* ---- corrupt directories -------------------------------------------------------- */

/* A 16-block disk (blocks 1..14 for files) with the given records. */
static struct memdisk *corrupt_disk(void)
{
	struct memdisk *d = disk_new(16 * (uint64_t)BLOCK);

	raw_tag(d);
	return d;
}

/* Mounts, checks that name has exactly the problem bits want, and that
 * its data can be neither read nor written. */
static void expect_problem(struct memdisk *d, const char *name, unsigned want)
{
	struct bmfs *fs = remount(d);
	struct bmfs_file f;
	uint8_t buf[16] = { 0 };
	long writes = d->writes;

	assert_int_equal(bmfs_find(fs, name, &f), 0);
	assert_int_equal(f.problems, want);
	assert_int_equal(bmfs_read(fs, name, buf, sizeof(buf), 0), B_ECORRUPT);
	assert_int_equal(bmfs_write(fs, name, buf, sizeof(buf), 0), B_ECORRUPT);
	assert_int_equal(bmfs_truncate(fs, name, 0), B_ECORRUPT);
	assert_int_equal(d->writes, writes);
	assert_true(bmfs_check(fs, NULL, NULL) >= 1);
	/* deleting repairs */
	assert_int_equal(bmfs_delete(fs, name), 0);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 0);
	free(fs);
}

static void test_corrupt_start_past_end(void **state)
{
	struct memdisk *d = corrupt_disk();

	(void)state;
	raw_record(d, 0, "far", 20, 1, 0);
	expect_problem(d, "far", BMFS_PAST_END);
	raw_record(d, 0, "last", 15, 1, 0);		/* the reserved last block */
	expect_problem(d, "last", BMFS_PAST_END);
	raw_record(d, 0, "over", 14, 2, 0);		/* runs into it */
	expect_problem(d, "over", BMFS_PAST_END);
	disk_free(d);
}

static void test_corrupt_range(void **state)
{
	struct memdisk *d = corrupt_disk();

	(void)state;
	raw_record(d, 0, "zero", 1, 0, 0);
	expect_problem(d, "zero", BMFS_BAD_RANGE);
	raw_record(d, 0, "boot", 0, 2, 0);		/* block 0 is the file system's */
	expect_problem(d, "boot", BMFS_BAD_RANGE);
	disk_free(d);
}

static void test_corrupt_size(void **state)
{
	struct memdisk *d = corrupt_disk();

	(void)state;
	raw_record(d, 0, "big", 1, 1, BLOCK + 1);
	expect_problem(d, "big", BMFS_SIZE_OVER);
	raw_record(d, 0, "max", 1, 2, UINT64_MAX);
	expect_problem(d, "max", BMFS_SIZE_OVER);
	disk_free(d);
}

/* Values chosen so that start + reserved or reserved * 2 MiB wrap. */
static void test_corrupt_huge_values(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct bmfs_file f;

	(void)state;
	raw_record(d, 0, "wrap", UINT64_MAX - 1, 3, 0);	/* ends at "2" */
	expect_problem(d, "wrap", BMFS_PAST_END);
	raw_record(d, 0, "mul", 1, UINT64_C(1) << 43, 0);	/* * 2 MiB = 2^64 = 0 */
	expect_problem(d, "mul", BMFS_PAST_END);
	/* 2^43 blocks hold 2^64 bytes: size 2^64-1 fits, so only past end */
	raw_record(d, 0, "fits", 1, UINT64_C(1) << 43, UINT64_MAX);
	expect_problem(d, "fits", BMFS_PAST_END);
	raw_record(d, 0, "all", UINT64_MAX, UINT64_MAX, UINT64_MAX);
	expect_problem(d, "all", BMFS_PAST_END);
	/* creating beside such a record still works, in sane blocks */
	raw_record(d, 0, "all", UINT64_MAX, UINT64_MAX, UINT64_MAX);
	fs = remount(d);
	assert_int_equal(bmfs_create(fs, "new", 2), 0);
	assert_int_equal(bmfs_find(fs, "new", &f), 0);
	assert_int_equal(f.start, 1);
	assert_int_equal(f.problems, 0);
	free(fs);
	/* a record from block 4 to "infinity" (start + reserved wraps to 3)
	 * keeps its claim: only blocks 1-3 are free */
	raw_record(d, 0, "rest", 4, UINT64_MAX, 0);
	raw_record(d, 1, "", 0, 0, 0);
	fs = remount(d);
	assert_int_equal(bmfs_free_blocks(fs), 3);
	assert_int_equal(bmfs_create(fs, "x", 4), B_ENOSPC);
	assert_int_equal(bmfs_create(fs, "x", 3), 0);
	assert_int_equal(bmfs_create(fs, "y", 1), B_ENOSPC);
	free(fs);
	disk_free(d);
}

static void test_corrupt_names(void **state)
{
	struct memdisk *d = corrupt_disk();
	char n32[33], n31[32];
	struct bmfs *fs;
	struct bmfs_file f;
	unsigned cursor = 0;

	(void)state;
	memset(n32, 'A', 32);
	n32[32] = '\0';
	memset(n31, 'A', 31);
	n31[31] = '\0';
	raw_record(d, 0, n32, 1, 1, 0);			/* no NUL in 32 bytes */
	fs = remount(d);
	assert_true(bmfs_next(fs, &cursor, &f));
	assert_int_equal(f.problems, BMFS_BAD_NAME);
	assert_int_equal(strlen(f.name), 31);		/* cut, terminated */
	assert_int_equal(bmfs_find(fs, n31, NULL), B_ENOENT);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 1);
	free(fs);
	raw_record(d, 0, "bell\a", 1, 1, 0);
	expect_problem(d, "bell\a", BMFS_BAD_NAME);
	disk_free(d);
}

static void test_corrupt_overlap(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct bmfs_file f;

	(void)state;
	raw_record(d, 0, "a", 1, 4, 0);		/* 1-4 */
	raw_record(d, 1, "b", 4, 2, 0);		/* 4-5: shares block 4 */
	raw_record(d, 2, "c", 6, 1, 0);		/* sound */
	fs = remount(d);
	assert_int_equal(bmfs_find(fs, "c", &f), 0);
	assert_int_equal(f.problems, 0);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 2);
	/* free space counts shared blocks once: 14 - 6 */
	assert_int_equal(bmfs_free_blocks(fs), 8);
	/* a new file goes around both */
	assert_int_equal(bmfs_create(fs, "d", 1), 0);
	assert_int_equal(bmfs_find(fs, "d", &f), 0);
	assert_int_equal(f.start, 7);
	free(fs);
	expect_problem(d, "b", BMFS_OVERLAP);
	disk_free(d);
}

static void test_corrupt_duplicate(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct bmfs_file f;

	(void)state;
	raw_record(d, 0, "twin", 1, 1, 0);
	raw_record(d, 1, "twin", 2, 1, 0);
	fs = remount(d);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 2);
	assert_int_equal(bmfs_create(fs, "twin", 1), B_EEXIST);
	free(fs);
	expect_problem(d, "twin", BMFS_DUPLICATE);	/* deletes the first */
	fs = remount(d);
	assert_int_equal(bmfs_find(fs, "twin", &f), 0);
	assert_int_equal(f.slot, 1);
	assert_int_equal(f.problems, 0);
	free(fs);
	disk_free(d);
}

static void test_records_after_end_mark_ignored(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct bmfs_file f;

	(void)state;
	raw_record(d, 0, "a", 1, 1, 0);
	/* record 1 is the end mark; 2 holds an old, overlapping record */
	raw_record(d, 2, "ghost", 1, 5, 0);
	fs = remount(d);
	assert_int_equal(count_files(fs), 1);
	assert_int_equal(bmfs_find(fs, "ghost", NULL), B_ENOENT);
	assert_int_equal(bmfs_check(fs, NULL, NULL), 0);
	/* creating takes the end mark's record and moves the mark on */
	assert_int_equal(bmfs_create(fs, "b", 1), 0);
	assert_int_equal(bmfs_find(fs, "b", &f), 0);
	assert_int_equal(f.slot, 1);
	assert_int_equal(d->data[DIR_AT + 2 * REC], 0);
	assert_int_equal(count_files(fs), 2);
	free(fs);
	disk_free(d);
}

/* The start of a bad-range record claims block 0 and the blocks after. */
static void test_create_avoids_claimed_blocks(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct bmfs_file f;

	(void)state;
	raw_record(d, 0, "boot", 0, 3, 0);		/* claims 0-2 */
	raw_record(d, 1, "a", 1, 1, 0);
	fs = remount(d);
	/* only the broken record is reported: "a" stays usable */
	assert_int_equal(bmfs_check(fs, NULL, NULL), 1);
	assert_int_equal(bmfs_find(fs, "a", &f), 0);
	assert_int_equal(f.problems, 0);
	assert_int_equal(bmfs_write(fs, "a", "ok", 2, 0), 0);
	assert_int_equal(bmfs_create(fs, "n", 1), 0);
	assert_int_equal(bmfs_find(fs, "n", &f), 0);
	assert_int_equal(f.start, 3);
	free(fs);
	disk_free(d);
}

struct reports {
	int calls;
	unsigned bits;
	unsigned other_slot;
};

static void collect(void *ctx, const struct bmfs_file *f, unsigned problem,
		    const struct bmfs_file *other)
{
	struct reports *r = ctx;

	(void)f;
	r->calls++;
	r->bits |= problem;
	if (other)
		r->other_slot = other->slot;
	assert_string_not_equal(bmfs_problem_str(problem), "unknown problem");
}

static void test_check_reports_each_problem(void **state)
{
	struct memdisk *d = corrupt_disk();
	struct bmfs *fs;
	struct reports r = { 0 };

	(void)state;
	raw_record(d, 0, "a", 1, 2, 3 * BLOCK);	/* size over */
	raw_record(d, 1, "b", 2, 1, 0);		/* overlaps a */
	raw_record(d, 2, "c", 30, 1, 0);	/* past the end */
	fs = remount(d);
	assert_int_equal(bmfs_check(fs, collect, &r), 4);
	assert_int_equal(r.calls, 4);
	assert_int_equal(r.bits, BMFS_SIZE_OVER | BMFS_OVERLAP | BMFS_PAST_END);
	assert_int_equal(r.other_slot, 0);	/* b's overlap names a */
	assert_string_equal(bmfs_problem_str(3), "unknown problem");
	free(fs);
	disk_free(d);
}

/* ---- device errors --------------------------------------------------------------- */

static void test_device_errors(void **state)
{
	struct memdisk *d = disk_new(16 * MIB);
	struct bmfs *fs = formatted(d);
	struct bmfs_dev dev = dev_of(d);
	uint8_t buf[8];

	(void)state;
	d->fail_write_at = d->writes + 1;
	assert_int_equal(bmfs_create(fs, "a", 1), B_EIO);
	assert_int_equal(bmfs_find(fs, "a", NULL), B_ENOENT);	/* undone in the cache */
	assert_int_equal(d->data[DIR_AT], 0);
	assert_int_equal(bmfs_create(fs, "a", 1), 0);
	d->fail_write_at = d->writes + 1;
	assert_int_equal(bmfs_delete(fs, "a"), B_EIO);
	assert_int_equal(bmfs_find(fs, "a", NULL), 0);
	d->fail_write_at = d->writes + 2;			/* the data goes, the size not */
	assert_int_equal(bmfs_write(fs, "a", "xy", 2, 0), B_EIO);
	assert_int_equal(bmfs_read(fs, "a", buf, sizeof(buf), 0), 0);
	d->fail_read_at = d->reads + 1;
	assert_int_equal(bmfs_mount(fs, &dev), B_EIO);
	d->result = 1234;				/* neither the count nor an error */
	assert_int_equal(bmfs_mount(fs, &dev), B_EIO);
	d->result = -100000;
	assert_int_equal(bmfs_mount(fs, &dev), B_EIO);
	d->result = B_ERANGE;
	assert_int_equal(bmfs_mount(fs, &dev), B_ERANGE);
	free(fs);
	disk_free(d);
}

/* ---- the host tool ----------------------------------------------------------------- */

struct run {
	int status;
	char out[8192], err[4096];
};

static void slurp(FILE *f, char *buf, size_t n)
{
	size_t got;

	rewind(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
}

/* Runs bmfs IMAGE ARGS... (NULL-terminated) and keeps what it printed. */
static void tool(struct run *r, const char *image, ...)
{
	char *argv[8] = { "bmfs", (char *)image };
	int argc = 2;
	va_list ap;
	FILE *out = tmpfile(), *err = tmpfile();

	va_start(ap, image);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	r->status = bmfs_tool(argc, argv, out, err);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

static void temp_path(char *path, const char *what)
{
	int fd;

	snprintf(path, 64, "/tmp/test_bmfs_%s_XXXXXX", what);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static size_t read_file(const char *path, void *data, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	assert_non_null(f);
	got = fread(data, 1, n, f);
	fclose(f);
	return got;
}

static void test_tool_commands(void **state)
{
	char img[64], host[64], back[64];
	static uint8_t in[3 * MIB], out[3 * MIB + 1];
	struct run *r = calloc(1, sizeof(*r));

	(void)state;
	temp_path(img, "img");
	temp_path(host, "host");
	temp_path(back, "back");
	fill_pattern(in, sizeof(in), 3);
	write_file(host, in, sizeof(in));

	tool(r, img, "format", "16M", NULL);
	assert_int_equal(r->status, TOOL_OK);
	assert_non_null(strstr(r->out, "6 blocks"));
	tool(r, img, "write", "prog.app", host, NULL);
	assert_int_equal(r->status, TOOL_OK);
	tool(r, img, "create", "space", "5M", NULL);		/* 3 blocks */
	assert_int_equal(r->status, TOOL_OK);
	tool(r, img, "list", NULL);
	assert_int_equal(r->status, TOOL_OK);
	assert_non_null(strstr(r->out, "prog.app"));
	assert_non_null(strstr(r->out, "3145728"));
	assert_non_null(strstr(r->out, "1 free"));
	tool(r, img, "read", "prog.app", back, NULL);
	assert_int_equal(r->status, TOOL_OK);
	assert_int_equal(read_file(back, out, sizeof(out)), sizeof(in));
	assert_memory_equal(in, out, sizeof(in));
	tool(r, img, "check", NULL);
	assert_int_equal(r->status, TOOL_OK);
	assert_non_null(strstr(r->out, "clean"));
	/* rewriting with a shorter file shrinks it */
	write_file(host, "short", 5);
	tool(r, img, "write", "prog.app", host, NULL);
	assert_int_equal(r->status, TOOL_OK);
	tool(r, img, "read", "prog.app", back, NULL);
	assert_int_equal(read_file(back, out, sizeof(out)), 5);
	tool(r, img, "delete", "prog.app", NULL);
	assert_int_equal(r->status, TOOL_OK);
	tool(r, img, "read", "prog.app", back, NULL);
	assert_int_equal(r->status, TOOL_FAILED);
	assert_non_null(strstr(r->err, "no such file"));
	unlink(img);
	unlink(host);
	unlink(back);
	free(r);
}

static void test_tool_errors(void **state)
{
	char img[64], big[64];
	struct run *r = calloc(1, sizeof(*r));
	static uint8_t in[5 * MIB];

	(void)state;
	temp_path(img, "img");
	temp_path(big, "big");
	write_file(big, in, sizeof(in));
	tool(r, img, "list", NULL);				/* an empty file */
	assert_int_equal(r->status, TOOL_FAILED);
	assert_non_null(strstr(r->err, "not a BMFS disk"));
	tool(r, img, "format", "4M", NULL);
	assert_int_equal(r->status, TOOL_FAILED);
	assert_non_null(strstr(r->err, "too small"));
	tool(r, img, "format", "12Q", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	tool(r, img, "format", "8M", NULL);			/* 2 blocks for files */
	assert_int_equal(r->status, TOOL_OK);
	tool(r, img, "write", "big", big, NULL);
	assert_int_equal(r->status, TOOL_FAILED);
	tool(r, img, "create", "x", "M", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	tool(r, img, "create", "0123456789012345678901234567890123", "1", NULL);
	assert_int_equal(r->status, TOOL_FAILED);
	assert_non_null(strstr(r->err, "longer than 31"));
	tool(r, img, "write", "x", "/nonexistent/file", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	tool(r, img, "frobnicate", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	tool(r, img, "list", "extra", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	tool(r, "/nonexistent/image", "list", NULL);
	assert_int_equal(r->status, TOOL_USAGE);
	unlink(img);
	unlink(big);
	free(r);
}

static void test_tool_check_finds_problems(void **state)
{
	char img[64];
	struct run *r = calloc(1, sizeof(*r));
	struct memdisk *d = corrupt_disk();

	(void)state;
	temp_path(img, "img");
	raw_record(d, 0, "a", 1, 3, 0);
	raw_record(d, 1, "b", 2, 1, 0);
	write_file(img, d->data, d->sectors * SECTOR);
	tool(r, img, "check", NULL);
	assert_int_equal(r->status, TOOL_FAILED);
	assert_non_null(strstr(r->out, "record 1 'b' (start 2, 1 blocks, 0 bytes): overlaps another file: record 0 'a'"));
	assert_non_null(strstr(r->out, "2 problems"));
	tool(r, img, "list", NULL);
	assert_int_equal(r->status, TOOL_OK);
	assert_non_null(strstr(r->out, "(inconsistent)"));
	tool(r, img, "delete", "b", NULL);
	tool(r, img, "check", NULL);
	assert_int_equal(r->status, TOOL_OK);
	unlink(img);
	disk_free(d);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_writes_tag_and_empty_directory),
		cmocka_unit_test(test_mount_needs_the_tag),
		cmocka_unit_test(test_disk_size_limits),
		cmocka_unit_test(test_not_mounted),
		cmocka_unit_test(test_create_list_find),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_full_directory),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_first_fit_uses_holes),
		cmocka_unit_test(test_write_read_round_trip),
		cmocka_unit_test(test_write_past_reserved_refused),
		cmocka_unit_test(test_write_past_size_fills_zeros),
		cmocka_unit_test(test_partial_write_keeps_neighbours),
		cmocka_unit_test(test_read_past_eof),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_delete_then_reuse),
		cmocka_unit_test(test_corrupt_start_past_end),
		cmocka_unit_test(test_corrupt_range),
		cmocka_unit_test(test_corrupt_size),
		cmocka_unit_test(test_corrupt_huge_values),
		cmocka_unit_test(test_corrupt_names),
		cmocka_unit_test(test_corrupt_overlap),
		cmocka_unit_test(test_corrupt_duplicate),
		cmocka_unit_test(test_records_after_end_mark_ignored),
		cmocka_unit_test(test_create_avoids_claimed_blocks),
		cmocka_unit_test(test_check_reports_each_problem),
		cmocka_unit_test(test_device_errors),
		cmocka_unit_test(test_tool_commands),
		cmocka_unit_test(test_tool_errors),
		cmocka_unit_test(test_tool_check_finds_problems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
