/*
 * BMFS over a sector callback: format, mount, list, create, read, write,
 * delete and check (the format is in bmfs.h).
 *
 * The directory sector is cached in struct bmfs and written through on
 * each change; a change the device refuses is undone in the cache. After
 * each change scan() checks every live record on its own and against the
 * others and keeps the result in fs->problems, so every call that touches
 * file data first asks whether the record is sound. Data moves only
 * between a sound record's own blocks and the caller's buffer, in
 * sectors, through fs->buf where a sector is partial or the caller's
 * buffer is not aligned for the device.
 *
 * Freestanding: only <stdint.h>, <stddef.h>, <stdbool.h>, pith/error.h and
 * the memcpy/memset a compiler may call anyway.
 */
#include "bmfs.h"
#include <pith/error.h>

#define copy_mem(d, s, n)	__builtin_memcpy((d), (s), (n))
#define set_mem(d, c, n)	__builtin_memset((d), (c), (n))

/* Anything worse than Linux's largest errno is not a B_E* code. */
#define ERRNO_MAX		4095

#define RANGE_BAD	(BMFS_BAD_RANGE | BMFS_PAST_END)

/* ---- little helpers ------------------------------------------------------ */

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint8_t *record(struct bmfs *fs, unsigned slot)
{
	return fs->dir + slot * BMFS_RECORD_SIZE;
}

static const uint8_t *record_c(const struct bmfs *fs, unsigned slot)
{
	return fs->dir + slot * BMFS_RECORD_SIZE;
}

/* The first block past the ones a record claims, saturating: a hostile
 * start + reserved must not wrap around to a small number. */
static uint64_t range_end(uint64_t start, uint64_t reserved)
{
	return reserved > UINT64_MAX - start ? UINT64_MAX : start + reserved;
}

/* One past the last block a file may use: the last block is reserved. */
static uint64_t data_limit(const struct bmfs *fs)
{
	return fs->blocks - BMFS_TAIL_BLOCKS;
}

static bool name_char_ok(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;	/* [BMFS1]: an ASCII string */
}

/* Length of a name the caller gives, up to BMFS_NAME_SIZE (= too long). */
static unsigned arg_name_len(const char *name)
{
	unsigned n = 0;

	while (n < BMFS_NAME_SIZE && name[n])
		n++;
	return n;
}

/* A name to look up: 1 .. BMFS_NAME_MAX bytes, anything but NUL. */
static int lookup_name_ok(const char *name)
{
	unsigned n;

	if (!name)
		return B_EFAULT;
	n = arg_name_len(name);
	if (n == 0)
		return B_EINVAL;
	return n > BMFS_NAME_MAX ? B_ENAMETOOLONG : 0;
}

/* A name to create: also printable ASCII throughout. */
static int new_name_ok(const char *name)
{
	int rc = lookup_name_ok(name);

	for (unsigned i = 0; rc == 0 && name[i]; i++)
		if (!name_char_ok((uint8_t)name[i]))
			rc = B_EINVAL;
	return rc;
}

/* ---- the device ------------------------------------------------------------ */

/* A count other than the one asked for is an I/O error; so is a code that
 * is not one of ours. */
static int io_result(long rc, uint64_t count)
{
	if (rc < 0)
		return rc < -ERRNO_MAX ? B_EIO : (int)rc;
	return (uint64_t)rc == count ? 0 : B_EIO;
}

static int dev_read(struct bmfs *fs, void *mem, uint64_t start, uint64_t count)
{
	if (start >= fs->dev.sectors || count > fs->dev.sectors - start)
		return B_ERANGE;
	return io_result(fs->dev.read(mem, start, count, fs->dev.ctx), count);
}

static int dev_write(struct bmfs *fs, const void *mem, uint64_t start, uint64_t count)
{
	if (start >= fs->dev.sectors || count > fs->dev.sectors - start)
		return B_ERANGE;
	return io_result(fs->dev.write(mem, start, count, fs->dev.ctx), count);
}

static bool io_aligned(const void *p)
{
	return ((uintptr_t)p % BMFS_IO_ALIGN) == 0;
}

/* Reads len bytes at byte pos of the disk into mem. */
static int get_bytes(struct bmfs *fs, uint64_t pos, uint8_t *mem, uint64_t len)
{
	while (len > 0) {
		uint64_t sector = pos / BMFS_SECTOR_SIZE, n;
		unsigned skip = pos % BMFS_SECTOR_SIZE;
		int rc;

		if (skip == 0 && len >= BMFS_SECTOR_SIZE && io_aligned(mem)) {
			uint64_t count = min_u64(len / BMFS_SECTOR_SIZE, BMFS_IO_MAX);
			n = count * BMFS_SECTOR_SIZE;
			rc = dev_read(fs, mem, sector, count);
		} else {
			n = min_u64(BMFS_SECTOR_SIZE - skip, len);
			rc = dev_read(fs, fs->buf, sector, 1);
			if (rc == 0)
				copy_mem(mem, fs->buf + skip, n);
		}
		if (rc)
			return rc;
		pos += n;
		mem += n;
		len -= n;
	}
	return 0;
}

/* One sector's worth (or part) of a write through fs->buf; mem NULL
 * writes zeros. A partial sector is read first to keep its other bytes. */
static int put_partial(struct bmfs *fs, uint64_t sector, unsigned skip, const uint8_t *mem,
		       uint64_t n)
{
	if (n < BMFS_SECTOR_SIZE) {
		int rc = dev_read(fs, fs->buf, sector, 1);
		if (rc)
			return rc;
	}
	if (mem)
		copy_mem(fs->buf + skip, mem, n);
	else
		set_mem(fs->buf + skip, 0, n);
	return dev_write(fs, fs->buf, sector, 1);
}

/* Writes len bytes from mem (zeros when mem is NULL) at byte pos, which
 * must lie in the data blocks: the last guard against a write outside. */
static int put_bytes(struct bmfs *fs, uint64_t pos, const uint8_t *mem, uint64_t len)
{
	uint64_t lo = (uint64_t)BMFS_FIRST_DATA_BLOCK * BMFS_BLOCK_SIZE;
	uint64_t hi = data_limit(fs) * BMFS_BLOCK_SIZE;

	if (pos < lo || pos > hi || len > hi - pos)
		return B_ECORRUPT;
	while (len > 0) {
		uint64_t sector = pos / BMFS_SECTOR_SIZE, n;
		unsigned skip = pos % BMFS_SECTOR_SIZE;
		int rc;

		if (mem && skip == 0 && len >= BMFS_SECTOR_SIZE && io_aligned(mem)) {
			uint64_t count = min_u64(len / BMFS_SECTOR_SIZE, BMFS_IO_MAX);
			n = count * BMFS_SECTOR_SIZE;
			rc = dev_write(fs, mem, sector, count);
		} else {
			n = min_u64(BMFS_SECTOR_SIZE - skip, len);
			rc = put_partial(fs, sector, skip, mem, n);
		}
		if (rc)
			return rc;
		pos += n;
		if (mem)
			mem += n;
		len -= n;
	}
	return 0;
}

/* ---- the directory ---------------------------------------------------------- */

/* The record holding the end mark, or BMFS_MAX_FILES when none does. */
static unsigned dir_end(const struct bmfs *fs)
{
	unsigned i = 0;

	while (i < BMFS_MAX_FILES && record_c(fs, i)[BMFS_REC_NAME] != BMFS_MARK_END)
		i++;
	return i;
}

/* For a record before the end mark: does it hold a file? */
static bool slot_live(const struct bmfs *fs, unsigned slot)
{
	return record_c(fs, slot)[BMFS_REC_NAME] != BMFS_MARK_DELETED;
}

static void decode(const struct bmfs *fs, unsigned slot, struct bmfs_file *out)
{
	const uint8_t *r = record_c(fs, slot);

	copy_mem(out->name, r + BMFS_REC_NAME, BMFS_NAME_SIZE);
	out->name[BMFS_NAME_MAX] = '\0';
	out->start = get_le64(r + BMFS_REC_START);
	out->reserved = get_le64(r + BMFS_REC_RESERVED);
	out->size = get_le64(r + BMFS_REC_SIZE);
	out->slot = slot;
	out->problems = fs->problems[slot];
}

static bool record_name_ok(const uint8_t *r)
{
	for (unsigned i = 0; i < BMFS_NAME_SIZE; i++) {
		if (r[BMFS_REC_NAME + i] == '\0')
			return i > 0;
		if (!name_char_ok(r[BMFS_REC_NAME + i]))
			return false;
	}
	return false;	/* no NUL in 32 bytes */
}

/* What is wrong with one record on its own. */
static unsigned own_problems(const struct bmfs *fs, unsigned slot)
{
	struct bmfs_file f;
	uint64_t limit = data_limit(fs);
	unsigned p = 0;

	decode(fs, slot, &f);
	if (!record_name_ok(record_c(fs, slot)))
		p |= BMFS_BAD_NAME;
	if (f.start < BMFS_FIRST_DATA_BLOCK || f.reserved == 0)
		p |= BMFS_BAD_RANGE;
	if (f.start >= limit || f.reserved > limit - f.start)
		p |= BMFS_PAST_END;
	/* size > reserved * block, without the multiplication overflowing */
	if (f.size / BMFS_BLOCK_SIZE + (f.size % BMFS_BLOCK_SIZE != 0) > f.reserved)
		p |= BMFS_SIZE_OVER;
	return p;
}

static bool names_equal(const uint8_t *a, const uint8_t *b)
{
	for (unsigned i = 0; i < BMFS_NAME_SIZE; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

/* What is wrong between two live records, given their own problems (in
 * fs->problems already): only sane ranges are compared for overlap and only
 * sound names for equality, so one broken record does not smear over every
 * other. */
static unsigned pair_problems(const struct bmfs *fs, unsigned a, unsigned b)
{
	const uint8_t *ra = record_c(fs, a), *rb = record_c(fs, b);
	unsigned own = fs->problems[a] | fs->problems[b];
	unsigned p = 0;

	if (!(own & RANGE_BAD)) {
		uint64_t sa = get_le64(ra + BMFS_REC_START), sb = get_le64(rb + BMFS_REC_START);
		uint64_t ea = sa + get_le64(ra + BMFS_REC_RESERVED);
		uint64_t eb = sb + get_le64(rb + BMFS_REC_RESERVED);
		if (sa < eb && sb < ea)
			p |= BMFS_OVERLAP;
	}
	if (!(own & BMFS_BAD_NAME) && names_equal(ra, rb))
		p |= BMFS_DUPLICATE;
	return p;
}

/* Recomputes fs->problems: each record on its own first, then each pair
 * (64 x 64 at most). */
static void scan(struct bmfs *fs)
{
	unsigned end = dir_end(fs);
	uint8_t pairs[BMFS_MAX_FILES] = { 0 };

	set_mem(fs->problems, 0, sizeof(fs->problems));
	for (unsigned i = 0; i < end; i++)
		if (slot_live(fs, i))
			fs->problems[i] = (uint8_t)own_problems(fs, i);
	for (unsigned i = 0; i < end; i++) {
		for (unsigned j = i + 1; j < end && slot_live(fs, i); j++) {
			unsigned p = slot_live(fs, j) ? pair_problems(fs, i, j) : 0;
			pairs[i] |= (uint8_t)p;
			pairs[j] |= (uint8_t)p;
		}
	}
	for (unsigned i = 0; i < end; i++)
		fs->problems[i] |= pairs[i];
}

/* Writes the cached directory back; on failure restores the saved record
 * (and the one after it, which create may have made the end mark). */
static int dir_store(struct bmfs *fs, unsigned slot, const uint8_t *saved, unsigned nsaved)
{
	int rc = dev_write(fs, fs->dir, BMFS_DIR_SECTOR, BMFS_DIR_SIZE / BMFS_SECTOR_SIZE);

	if (rc)
		copy_mem(record(fs, slot), saved, nsaved * BMFS_RECORD_SIZE);
	scan(fs);
	return rc;
}

static int find_slot(const struct bmfs *fs, const char *name)
{
	unsigned end = dir_end(fs);

	for (unsigned i = 0; i < end; i++)
		if (slot_live(fs, i) && names_equal(record_c(fs, i), (const uint8_t *)name))
			return (int)i;
	return B_ENOENT;
}

/* ---- mounting ------------------------------------------------------------ */

static int attach(struct bmfs *fs, const struct bmfs_dev *dev)
{
	if (!fs || !dev || !dev->read || !dev->write)
		return B_EFAULT;
	fs->mounted = false;
	if (dev->sectors > BMFS_MAX_SECTORS)
		return B_ERANGE;
	if (dev->sectors / BMFS_SECTORS_PER_BLOCK < BMFS_MIN_BLOCKS)
		return B_ENOSPC;
	fs->dev = *dev;
	fs->blocks = dev->sectors / BMFS_SECTORS_PER_BLOCK;
	return 0;
}

static char ascii_upper(uint8_t c)
{
	return (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
}

/* [UTIL] compares the tag area with "BMFS" as a C string, ignoring case. */
static bool tag_ok(const uint8_t *sector0)
{
	const uint8_t *t = sector0 + BMFS_TAG_OFFSET;

	for (unsigned i = 0; i < BMFS_TAG_LEN; i++)
		if (ascii_upper(t[i]) != BMFS_TAG[i])
			return false;
	return t[BMFS_TAG_LEN] == '\0';
}

int bmfs_mount(struct bmfs *fs, const struct bmfs_dev *dev)
{
	int rc = attach(fs, dev);

	if (rc)
		return rc;
	rc = dev_read(fs, fs->buf, 0, 1);
	if (rc)
		return rc;
	if (!tag_ok(fs->buf))
		return B_EINVAL;
	rc = dev_read(fs, fs->dir, BMFS_DIR_SECTOR, BMFS_DIR_SIZE / BMFS_SECTOR_SIZE);
	if (rc)
		return rc;
	scan(fs);
	fs->mounted = true;
	return 0;
}

/* The empty directory goes first, so a format cut short never leaves the
 * tag over a directory it did not write (on a disk that had none, whatever
 * bytes sat at 4096 would read as records). */
int bmfs_format(struct bmfs *fs, const struct bmfs_dev *dev)
{
	int rc = attach(fs, dev);

	if (rc)
		return rc;
	set_mem(fs->dir, 0, sizeof(fs->dir));
	rc = dev_write(fs, fs->dir, BMFS_DIR_SECTOR, BMFS_DIR_SIZE / BMFS_SECTOR_SIZE);
	if (rc == 0)
		rc = dev_read(fs, fs->buf, 0, 1);
	if (rc)
		return rc;
	set_mem(fs->buf + BMFS_TAG_OFFSET, 0, BMFS_TAG_AREA);
	copy_mem(fs->buf + BMFS_TAG_OFFSET, BMFS_TAG, BMFS_TAG_LEN);
	rc = dev_write(fs, fs->buf, 0, 1);
	if (rc)
		return rc;
	scan(fs);
	fs->mounted = true;
	return 0;
}

/* ---- listing and looking up ------------------------------------------------ */

static int ready(const struct bmfs *fs)
{
	if (!fs)
		return B_EFAULT;
	return fs->mounted ? 0 : B_EINVAL;
}

bool bmfs_next(const struct bmfs *fs, unsigned *cursor, struct bmfs_file *out)
{
	unsigned end;

	if (ready(fs) || !cursor)
		return false;
	end = dir_end(fs);
	while (*cursor < end) {
		unsigned i = (*cursor)++;
		if (slot_live(fs, i)) {
			if (out)
				decode(fs, i, out);
			return true;
		}
	}
	return false;
}

/* The live record named name on a mounted fs: its slot, or the error of
 * the mount state, the name, or B_ENOENT. */
static int named_slot(const struct bmfs *fs, const char *name)
{
	int rc = ready(fs);

	if (rc == 0)
		rc = lookup_name_ok(name);
	return rc ? rc : find_slot(fs, name);
}

int bmfs_find(const struct bmfs *fs, const char *name, struct bmfs_file *out)
{
	int slot = named_slot(fs, name);

	if (slot < 0)
		return slot;
	if (out)
		decode(fs, (unsigned)slot, out);
	return 0;
}

/* The blocks the live record at slot claims, clipped to the data blocks. */
static void claimed(const struct bmfs *fs, unsigned slot, uint64_t *lo, uint64_t *hi)
{
	const uint8_t *r = record_c(fs, slot);
	uint64_t start = get_le64(r + BMFS_REC_START);
	uint64_t end = range_end(start, get_le64(r + BMFS_REC_RESERVED));

	*lo = start < BMFS_FIRST_DATA_BLOCK ? BMFS_FIRST_DATA_BLOCK : start;
	*hi = min_u64(end, data_limit(fs));
	if (*lo > *hi)
		*lo = *hi;
}

/* Where the run of free blocks at or after pos ends, and where the next
 * claimed one after that ends (*next): one step of a sweep. */
static uint64_t free_run(const struct bmfs *fs, uint64_t pos, uint64_t *next)
{
	uint64_t run_end = data_limit(fs), skip_to = pos;
	unsigned end = dir_end(fs);

	for (unsigned i = 0; i < end; i++) {
		uint64_t lo, hi;
		if (!slot_live(fs, i))
			continue;
		claimed(fs, i, &lo, &hi);
		if (lo <= pos && pos < hi && hi > skip_to)
			skip_to = hi;		/* pos is inside this file */
		else if (lo > pos && lo < run_end)
			run_end = lo;
	}
	*next = skip_to;
	return skip_to > pos ? pos : run_end;
}

uint64_t bmfs_free_blocks(const struct bmfs *fs)
{
	uint64_t pos = BMFS_FIRST_DATA_BLOCK, free = 0;

	if (ready(fs))
		return 0;
	/* Each step moves pos forward over a file or a free run: at most two
	 * steps a record, plus the last one. */
	for (unsigned step = 0; step <= 2 * BMFS_MAX_FILES && pos < data_limit(fs); step++) {
		uint64_t next, run_end = free_run(fs, pos, &next);
		if (next > pos) {
			pos = next;
		} else {
			free += run_end - pos;
			pos = run_end;
		}
	}
	return free;
}

/* ---- creating and deleting --------------------------------------------------- */

/* The first block of a run of n free blocks, or 0 when none is long
 * enough. Each pass moves the candidate past a record that overlaps it,
 * never back, so one pass a record ends it. */
static uint64_t first_fit(const struct bmfs *fs, uint64_t n)
{
	uint64_t limit = data_limit(fs), cand = BMFS_FIRST_DATA_BLOCK;
	unsigned end = dir_end(fs);

	for (unsigned pass = 0; pass <= BMFS_MAX_FILES; pass++) {
		bool moved = false;
		if (cand > limit || n > limit - cand)
			return 0;
		for (unsigned i = 0; i < end; i++) {
			const uint8_t *r = record_c(fs, i);
			uint64_t s = get_le64(r + BMFS_REC_START);
			uint64_t e = range_end(s, get_le64(r + BMFS_REC_RESERVED));
			if (slot_live(fs, i) && s < e && s < cand + n && cand < e) {
				cand = e;
				moved = true;
			}
		}
		if (!moved)
			return cand;
	}
	return 0;
}

/* A deleted record before the end mark, else the end mark's own record. */
static unsigned free_slot(const struct bmfs *fs)
{
	unsigned end = dir_end(fs);

	for (unsigned i = 0; i < end; i++)
		if (!slot_live(fs, i))
			return i;
	return end;
}

static void fill_record(uint8_t *r, const char *name, uint64_t start, uint64_t blocks)
{
	set_mem(r, 0, BMFS_RECORD_SIZE);
	copy_mem(r + BMFS_REC_NAME, name, arg_name_len(name));
	put_le64(r + BMFS_REC_START, start);
	put_le64(r + BMFS_REC_RESERVED, blocks);
	put_le64(r + BMFS_REC_SIZE, 0);
}

int bmfs_create(struct bmfs *fs, const char *name, uint64_t blocks)
{
	uint8_t saved[2 * BMFS_RECORD_SIZE];
	unsigned slot, nsaved;
	uint64_t start;
	int rc = ready(fs);

	if (rc == 0)
		rc = new_name_ok(name);
	if (rc)
		return rc;
	if (blocks == 0)
		return B_EINVAL;
	if (find_slot(fs, name) >= 0)
		return B_EEXIST;
	slot = free_slot(fs);
	start = first_fit(fs, blocks);
	if (slot >= BMFS_MAX_FILES || start == 0)
		return B_ENOSPC;
	nsaved = slot + 1 < BMFS_MAX_FILES ? 2 : 1;
	copy_mem(saved, record(fs, slot), nsaved * BMFS_RECORD_SIZE);
	/* [UTIL]: taking the end mark's record moves the mark to the next. */
	if (slot == dir_end(fs) && nsaved == 2)
		record(fs, slot + 1)[BMFS_REC_NAME] = BMFS_MARK_END;
	fill_record(record(fs, slot), name, start, blocks);
	return dir_store(fs, slot, saved, nsaved);
}

/* [UTIL] deletes by marking the first byte of the name. */
int bmfs_delete(struct bmfs *fs, const char *name)
{
	uint8_t saved[BMFS_RECORD_SIZE];
	int slot = named_slot(fs, name);

	if (slot < 0)
		return slot;
	copy_mem(saved, record(fs, (unsigned)slot), BMFS_RECORD_SIZE);
	record(fs, (unsigned)slot)[BMFS_REC_NAME] = BMFS_MARK_DELETED;
	return dir_store(fs, (unsigned)slot, saved, 1);
}

/* ---- file data ------------------------------------------------------------- */

/* The named file, if its record passes every check: the only way to data. */
static int open_sound(struct bmfs *fs, const char *name, struct bmfs_file *f)
{
	int rc = bmfs_find(fs, name, f);

	if (rc)
		return rc;
	return f->problems ? B_ECORRUPT : 0;
}

/* Bytes the file may hold; a sound record's blocks fit the disk, so this
 * cannot overflow. */
static uint64_t capacity(const struct bmfs_file *f)
{
	return f->reserved * BMFS_BLOCK_SIZE;
}

static uint64_t data_pos(const struct bmfs_file *f, uint64_t off)
{
	return f->start * BMFS_BLOCK_SIZE + off;
}

static int set_size(struct bmfs *fs, unsigned slot, uint64_t size)
{
	uint8_t saved[BMFS_RECORD_SIZE];

	copy_mem(saved, record(fs, slot), BMFS_RECORD_SIZE);
	put_le64(record(fs, slot) + BMFS_REC_SIZE, size);
	return dir_store(fs, slot, saved, 1);
}

int bmfs_write(struct bmfs *fs, const char *name, const void *mem, uint64_t len, uint64_t off)
{
	struct bmfs_file f;
	int rc = open_sound(fs, name, &f);

	if (rc)
		return rc;
	if (len == 0)
		return 0;
	if (!mem)
		return B_EFAULT;
	if (off > capacity(&f) || len > capacity(&f) - off)
		return B_ENOSPC;
	if (off > f.size)
		rc = put_bytes(fs, data_pos(&f, f.size), NULL, off - f.size);
	if (rc == 0)
		rc = put_bytes(fs, data_pos(&f, off), mem, len);
	if (rc == 0 && off + len > f.size)
		rc = set_size(fs, f.slot, off + len);
	return rc;
}

long bmfs_read(struct bmfs *fs, const char *name, void *mem, uint64_t len, uint64_t off)
{
	struct bmfs_file f;
	int rc = open_sound(fs, name, &f);
	uint64_t n;

	if (rc)
		return rc;
	if (off >= f.size || len == 0)
		return 0;
	if (!mem)
		return B_EFAULT;
	n = min_u64(len, f.size - off);
	rc = get_bytes(fs, data_pos(&f, off), mem, n);
	return rc ? rc : (long)n;
}

int bmfs_truncate(struct bmfs *fs, const char *name, uint64_t size)
{
	struct bmfs_file f;
	int rc = open_sound(fs, name, &f);

	if (rc)
		return rc;
	if (size > capacity(&f))
		return B_ENOSPC;
	if (size == f.size)
		return 0;
	if (size > f.size)
		rc = put_bytes(fs, data_pos(&f, f.size), NULL, size - f.size);
	return rc ? rc : set_size(fs, f.slot, size);
}

/* ---- checking --------------------------------------------------------------- */

static const char *const problem_names[BMFS_PROBLEM_KINDS] = {
	"bad name (not NUL-terminated or not printable ASCII)",
	"bad range (starts in reserved block 0 or reserves no block)",
	"reaches past the last data block",
	"size larger than its reserved blocks",
	"overlaps another file",
	"same name as another file",
};

const char *bmfs_problem_str(unsigned problem)
{
	for (unsigned i = 0; i < BMFS_PROBLEM_KINDS; i++)
		if (problem == 1u << i)
			return problem_names[i];
	return "unknown problem";
}

/* The first other live record that shares the pair problem with slot. */
static bool find_other(const struct bmfs *fs, unsigned slot, unsigned problem,
		       struct bmfs_file *other)
{
	unsigned end = dir_end(fs);

	for (unsigned j = 0; j < end; j++) {
		if (j != slot && slot_live(fs, j) && (pair_problems(fs, slot, j) & problem)) {
			decode(fs, j, other);
			return true;
		}
	}
	return false;
}

int bmfs_check(const struct bmfs *fs,
	       void (*report)(void *ctx, const struct bmfs_file *file, unsigned problem,
			      const struct bmfs_file *other),
	       void *ctx)
{
	unsigned cursor = 0;
	struct bmfs_file f, other;
	int count = ready(fs);

	if (count)
		return count;
	while (bmfs_next(fs, &cursor, &f)) {
		for (unsigned bit = 1; bit < 1u << BMFS_PROBLEM_KINDS; bit <<= 1) {
			bool pair = bit == BMFS_OVERLAP || bit == BMFS_DUPLICATE;
			if (!(f.problems & bit))
				continue;
			count++;
			if (report)
				report(ctx, &f, bit,
				       pair && find_other(fs, f.slot, bit, &other) ? &other : NULL);
		}
	}
	return count;
}
