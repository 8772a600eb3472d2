/*
 * A virtio split virtqueue, the driver's side (virtio 1.1 §2.6): the
 * descriptor table, the available ring the driver fills and the used ring
 * the device fills. Shared by the virtio-net and virtio-blk drivers over
 * PCI and MMIO. Pure C over memory: unit-tested on the host against a
 * simulated device. Addresses given to the device are the buffers' own
 * addresses (Pith maps all RAM 1:1).
 */
#ifndef PITH_VIRTQ_H
#define PITH_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT	1	/* §2.6.5 */
#define VIRTQ_DESC_F_WRITE	2	/* the device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1	/* §2.6.7, without EVENT_IDX */
#define VIRTQ_USED_F_NO_NOTIFY	1	/* §2.6.8, without EVENT_IDX */
#define VIRTQ_SIZE_MAX		32768	/* §2.6: queue sizes are powers of 2 up to 2^15 */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct virtq_avail {
	uint16_t flags, idx;
	uint16_t ring[];	/* then uint16_t used_event (EVENT_IDX) */
};

struct virtq_used_elem {
	uint32_t id, len;
};

struct virtq_used {
	uint16_t flags, idx;
	struct virtq_used_elem ring[];	/* then uint16_t avail_event (EVENT_IDX) */
};

/* One buffer of a chain: the device reads it, or writes it. */
struct virtq_buf {
	const void *addr;
	uint32_t len;
	bool device_writes;
};

/* Book-keeping per descriptor: which request a chain belongs to. */
struct virtq_slot {
	void *cookie;		/* non-NULL on a chain's head while the device owns it */
	uint16_t count;		/* descriptors in the chain */
	uint32_t writable;	/* bytes the device may write into it */
};

struct virtq {
	uint16_t size;
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated (feature bit 29) */
	bool quiet;		/* no interrupts wanted: virtq_want_interrupts(false) */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_slot *slots;	/* size entries, from the caller */
	uint16_t free_head, num_free;
	uint16_t avail_idx;	/* our copy of avail->idx, published by virtq_publish */
	uint16_t published;	/* avail_idx at the last publish */
	uint16_t last_used;	/* next used entry to read */
	uint64_t bad_used;	/* used entries the device got wrong (skipped) */
};

/* Bytes of ring memory for size entries: descriptors, then the available
 * ring, then the used ring (4-byte aligned). Give virtq_init that much,
 * 16-byte aligned and zeroed. */
size_t virtq_bytes(uint16_t size);
/* 0, or B_EINVAL if size is not a power of two in 1..VIRTQ_SIZE_MAX or
 * mem is not 16-byte aligned. slots holds size entries. */
int virtq_init(struct virtq *q, void *mem, uint16_t size, struct virtq_slot *slots,
	       bool event_idx);
/* Queues one chain of n buffers; cookie (non-NULL) comes back from
 * virtq_get_used. 0; B_EAGAIN when fewer than n descriptors are free
 * (nothing queued); B_EINVAL for n == 0, a NULL cookie or a NULL buffer.
 * Not yet visible to the device: see virtq_publish. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie);
/* Makes every chain added since the last call visible to the device, in
 * one index update (a burst costs one notification). True if the device
 * asked to be notified of them. */
bool virtq_publish(struct virtq *q);
/* The cookie of the next chain the device finished, with the bytes it
 * wrote in *len; NULL when there is none. Entries naming a chain the
 * device does not hold are counted in bad_used and skipped; one claiming
 * more bytes than its chain could take is counted and finished with the
 * chain's size, so its owner is not left waiting. */
void *virtq_get_used(struct virtq *q, uint32_t *len);
/* After an interrupt whose handler left entries unread: asks for the next
 * interrupt at the next new entry, not at the first unread one (which the
 * device has already passed, so it would never come). */
void virtq_rearm(struct virtq *q);
/* Whether the device should interrupt when it finishes a chain. */
void virtq_want_interrupts(struct virtq *q, bool on);

#endif
