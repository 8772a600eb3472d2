/*
 * The storage calls (include/pith/nvs.h): every argument is checked here,
 * then the driver (drivers/virtio_blk.c) does the work. Order of checks:
 * drive, buffer, count, range, read-only, so each bad argument has one
 * answer whatever else is wrong.
 */
#include <stdbool.h>
#include <pith/nvs.h>
#include "mem.h"
#include "drivers/virtio_blk.h"

static int check_io(const void *mem, uint64_t start, uint64_t count, unsigned drive,
		    bool write)
{
	struct b_nvs_info in;

	if (drive >= vblk_count())
		return B_ENODEV;
	vblk_info(drive, &in);
	if (!mem || ((uint64_t)mem & (B_NVS_ALIGN - 1)))
		return B_EFAULT;
	if (!count)
		return B_EINVAL;
	if (start >= in.sectors || count > in.sectors - start)
		return B_ERANGE;
	/* count is bounded now; a write's data may be constants, a read's may not */
	if (write ? !mem_program_readable(mem, count * B_NVS_SECTOR) :
		    !mem_program_range(mem, count * B_NVS_SECTOR))
		return B_EFAULT;
	if (write && in.read_only)
		return B_EROFS;
	return 0;
}

long b_nvs_read(void *mem, uint64_t start, uint64_t count, unsigned drive)
{
	int r = check_io(mem, start, count, drive, false);

	return r ? r : vblk_rw(drive, B_NVS_READ, mem, start, count);
}

long b_nvs_write(const void *mem, uint64_t start, uint64_t count, unsigned drive)
{
	int r = check_io(mem, start, count, drive, true);

	return r ? r : vblk_rw(drive, B_NVS_WRITE, (void *)mem, start, count);
}

int b_nvs_flush(unsigned drive)
{
	return drive < vblk_count() ? vblk_flush(drive) : B_ENODEV;
}

unsigned b_nvs_count(void) { return vblk_count(); }

int b_nvs_info(unsigned drive, struct b_nvs_info *out)
{
	if (drive >= vblk_count())
		return B_ENODEV;
	if (!out || !mem_program_range(out, sizeof(*out)))
		return B_EFAULT;
	vblk_info(drive, out);
	return 0;
}

int b_nvs_stats(unsigned drive, struct b_nvs_stats *out)
{
	if (drive >= vblk_count())
		return B_ENODEV;
	if (!out || !mem_program_range(out, sizeof(*out)))
		return B_EFAULT;
	vblk_stats(drive, out);
	return 0;
}

int b_nvs_submit(struct b_nvs_req *req, unsigned drive)
{
	int r;

	if (drive >= vblk_count())
		return B_ENODEV;
	if (!req || !mem_program_range(req, sizeof(*req)))
		return B_EFAULT;
	if (req->op == B_NVS_FLUSH)
		r = req->count ? B_EINVAL : 0;
	else if (req->op > B_NVS_FLUSH || req->count > vblk_req_max(drive))
		r = B_EINVAL;
	else
		r = check_io(req->mem, req->start, req->count, drive, req->op == B_NVS_WRITE);
	return r ? r : vblk_submit(drive, req);
}

int b_nvs_complete(struct b_nvs_req **done, unsigned max, unsigned drive)
{
	if (drive >= vblk_count())
		return B_ENODEV;
	if (!done || !mem_program_range(done, (uint64_t)max * sizeof(*done)))
		return max ? B_EFAULT : 0;
	return vblk_complete(drive, done, max);
}
