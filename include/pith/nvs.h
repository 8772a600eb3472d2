/*
 * Storage: 4096-byte sectors on the machine's drives (virtio-blk over PCI
 * or MMIO). Drives are numbered 0 .. b_nvs_count()-1 in the order they
 * were found. Buffers are in RAM, B_NVS_ALIGN-aligned. Calls may be made
 * from any core; requests on one drive are serialised by the driver.
 */
#ifndef PITH_NVS_API_H
#define PITH_NVS_API_H

#include <stdint.h>
#include <pith/error.h>

#define B_NVS_MAX		4	/* drives the kernel drives */
#define B_NVS_SECTOR		4096
#define B_NVS_ALIGN		16	/* what malloc and the stack give */
#define B_NVS_REQ_MAX		64	/* sectors in one asynchronous request, at most:
					 * b_nvs_info's max_request for the drive */

/* Reads count sectors from sector start into mem, waiting for them.
 * Returns the sectors read (count, or fewer when the device failed part
 * way: those before the failure are exact); B_ENODEV unknown drive,
 * B_EFAULT NULL, misaligned or impossible buffer, B_EINVAL count 0,
 * B_ERANGE start + count past the end, B_EIO nothing could be read. */
long b_nvs_read(void *mem, uint64_t start, uint64_t count, unsigned drive);
/* Writes likewise; B_EROFS on a read-only drive. Data may sit in the
 * device's cache until b_nvs_flush. */
long b_nvs_write(const void *mem, uint64_t start, uint64_t count, unsigned drive);
/* Makes every completed write durable. 0; B_EIO; B_ENODEV. A drive without
 * a cache to flush returns 0. */
int b_nvs_flush(unsigned drive);

unsigned b_nvs_count(void);

struct b_nvs_info {
	uint64_t sectors;	/* 4096-byte sectors (a last partial one is not counted) */
	uint8_t read_only;
	uint8_t flush;		/* 1 if the device has a write cache to flush */
	char transport[6];	/* "pci" or "mmio" */
	uint16_t queue_size;	/* descriptors in its request ring */
	uint16_t max_inflight;	/* asynchronous requests in flight at once */
	uint16_t max_request;	/* sectors one asynchronous request may have (<= B_NVS_REQ_MAX) */
};
int b_nvs_info(unsigned drive, struct b_nvs_info *out);

struct b_nvs_stats {
	uint64_t reads, writes, flushes;	/* requests completed */
	uint64_t sectors_read, sectors_written;
	uint64_t errors;			/* requests the device failed */
};
int b_nvs_stats(unsigned drive, struct b_nvs_stats *out);

/* Asynchronous requests: submit many, then collect them as they finish.
 * The request and its buffer belong to the driver from b_nvs_submit until
 * b_nvs_complete hands the request back. */
enum b_nvs_op { B_NVS_READ, B_NVS_WRITE, B_NVS_FLUSH };

struct b_nvs_req {
	uint8_t op;		/* enum b_nvs_op */
	void *mem;		/* B_NVS_ALIGN-aligned; unused for a flush */
	uint64_t start;
	uint32_t count;		/* 1 .. max_request sectors; 0 for a flush */
	long result;		/* set on completion: count, or a B_E* code */
	void *user;		/* the program's own */
	void *next_;		/* the driver's */
	uint32_t slot_;		/* the driver's */
};
/* Starts req. 0; B_EAGAIN when max_inflight requests are in flight
 * (nothing started); B_EINVAL for a bad op, a count above max_request (or
 * not 0 for a flush), or a request still in flight or not yet collected;
 * the argument errors of b_nvs_read/b_nvs_write. */
int b_nvs_submit(struct b_nvs_req *req, unsigned drive);
/* Up to max finished requests into done[], oldest first, without waiting;
 * returns how many (0 when none has finished yet). */
int b_nvs_complete(struct b_nvs_req **done, unsigned max, unsigned drive);

#endif
