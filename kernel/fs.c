/*
 * The file calls (include/pith/file.h): lib/bmfs over a drive. Each call
 * mounts afresh (two sectors: the tag, then the directory), so the kernel never works
 * from a copy that a program's own b_nvs_write has made stale. One struct
 * bmfs per drive, taken at boot from device memory, under that drive's
 * lock; calls on different drives run in parallel.
 */
#include <pith/file.h>
#include <pith/nvs.h>
#include "../lib/bmfs/bmfs.h"
#include "fs.h"
#include "mem.h"
#include "param.h"
#include "spinlock.h"
#include "string.h"
#include "drivers/virtio_blk.h"

struct volume {
	struct spinlock lock;
	struct bmfs *fs;
};

static struct volume volumes[MAX_DRIVES];

static long dev_read(void *mem, uint64_t start, uint64_t count, void *ctx)
{
	return vblk_rw((unsigned)(uintptr_t)ctx, B_NVS_READ, mem, start, count);
}

static long dev_write(const void *mem, uint64_t start, uint64_t count, void *ctx)
{
	return vblk_rw((unsigned)(uintptr_t)ctx, B_NVS_WRITE, (void *)mem, start, count);
}

void fs_init(void)
{
	for (unsigned i = 0; i < vblk_count(); i++)
		volumes[i].fs = mem_alloc_dma(sizeof(struct bmfs));
}

/* Takes drive's lock and mounts it: 0, or the error (lock not held). */
static int enter(unsigned drive, bool write, uint64_t *flags)
{
	struct volume *v = &volumes[drive];
	struct b_nvs_info in;
	struct bmfs_dev dev = { dev_read, dev_write, (void *)(uintptr_t)drive, 0 };
	int r;

	if (drive >= vblk_count() || !v->fs)
		return B_ENODEV;
	vblk_info(drive, &in);
	if (write && in.read_only)
		return B_EROFS;
	dev.sectors = in.sectors;
	*flags = spin_lock_irqsave(&v->lock);
	r = bmfs_mount(v->fs, &dev);
	if (r < 0)
		spin_unlock_irqrestore(&v->lock, *flags);
	return r == B_EINVAL ? B_ECORRUPT : r;	/* no BMFS tag: not a BMFS disk */
}

static void leave(unsigned drive, uint64_t flags)
{
	spin_unlock_irqrestore(&volumes[drive].lock, flags);
}

/* A name the program gave: NUL-terminated within the format's limit. */
static int check_name(const char *name)
{
	if (!name || !mem_program_readable(name, 1))
		return B_EFAULT;
	for (unsigned i = 0; i <= B_FILE_NAME_MAX; i++) {
		if (!mem_program_readable(name + i, 1))
			return B_EFAULT;
		if (!name[i])
			return i ? 0 : B_EINVAL;
	}
	return B_ENAMETOOLONG;
}

static void to_info(const struct bmfs_file *f, struct b_file_info *out)
{
	memcpy(out->name, f->name, sizeof(out->name));
	out->size = f->size;
	out->reserved = f->reserved * BMFS_BLOCK_SIZE;
}

int b_file_list(unsigned *cursor, struct b_file_info *out, unsigned drive)
{
	struct bmfs_file f;
	uint64_t flags;
	int r;

	if (!cursor || !out || !mem_program_range(cursor, sizeof(*cursor)) ||
	    !mem_program_range(out, sizeof(*out)))
		return B_EFAULT;
	if ((r = enter(drive, false, &flags)) < 0)
		return r;
	r = bmfs_next(volumes[drive].fs, cursor, &f);
	leave(drive, flags);
	if (r)
		to_info(&f, out);
	return r;
}

int b_file_stat(const char *name, struct b_file_info *out, unsigned drive)
{
	struct bmfs_file f;
	uint64_t flags;
	int r = check_name(name);

	if (!r && (!out || !mem_program_range(out, sizeof(*out))))
		r = B_EFAULT;
	if (r || (r = enter(drive, false, &flags)) < 0)
		return r;
	r = bmfs_find(volumes[drive].fs, name, &f);
	leave(drive, flags);
	if (!r)
		to_info(&f, out);
	return r;
}

long b_file_read(const char *name, void *mem, uint64_t len, uint64_t off, unsigned drive)
{
	uint64_t flags;
	long r = check_name(name);

	if (!r && len && (!mem || !mem_program_range(mem, len)))
		r = B_EFAULT;
	if (r || (r = enter(drive, false, &flags)) < 0)
		return r;
	r = bmfs_read(volumes[drive].fs, name, mem, len, off);
	leave(drive, flags);
	return r;
}

long b_file_write(const char *name, const void *mem, uint64_t len, uint64_t off,
		  unsigned drive)
{
	uint64_t flags;
	long r = check_name(name);

	if (!r && len && (!mem || !mem_program_readable(mem, len)))
		r = B_EFAULT;
	if (r || (r = enter(drive, true, &flags)) < 0)
		return r;
	r = bmfs_write(volumes[drive].fs, name, mem, len, off);
	leave(drive, flags);
	return r < 0 ? r : (long)len;
}

int b_file_create(const char *name, uint64_t bytes, unsigned drive)
{
	uint64_t flags, blocks = bytes / BMFS_BLOCK_SIZE + (bytes % BMFS_BLOCK_SIZE != 0);
	int r = check_name(name);

	if (r || (r = enter(drive, true, &flags)) < 0)
		return r;
	r = bmfs_create(volumes[drive].fs, name, blocks ? blocks : 1);
	leave(drive, flags);
	return r;
}

int b_file_delete(const char *name, unsigned drive)
{
	uint64_t flags;
	int r = check_name(name);

	if (r || (r = enter(drive, true, &flags)) < 0)
		return r;
	r = bmfs_delete(volumes[drive].fs, name);
	leave(drive, flags);
	return r;
}

int b_file_truncate(const char *name, uint64_t size, unsigned drive)
{
	uint64_t flags;
	int r = check_name(name);

	if (r || (r = enter(drive, true, &flags)) < 0)
		return r;
	r = bmfs_truncate(volumes[drive].fs, name, size);
	leave(drive, flags);
	return r;
}
