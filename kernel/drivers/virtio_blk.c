/*
 * virtio-blk (virtio 1.1 §5.2): one request queue. A request is a chain:
 * a 16-byte header the device reads (type, sector in 512-byte units), the
 * data (one descriptor per seg_bytes), and a status byte the device
 * writes. Each request in flight owns a slot holding its header and
 * status; slots live in device memory, so a program buffer never holds
 * them. Synchronous and asynchronous requests share the queue: whoever
 * polls it finishes every request it finds, and asynchronous ones wait in
 * a list for b_nvs_complete.
 */
#include "virtio_blk.h"
#include "virtio.h"
#include "../mem.h"
#include "../printf.h"
#include "../spinlock.h"
#include "../string.h"
#include "../arch/x86_64/cpu.h"

#define BLK_F_SIZE_MAX		(1ull << 1)	/* §5.2.3 */
#define BLK_F_SEG_MAX		(1ull << 2)
#define BLK_F_RO		(1ull << 5)
#define BLK_F_FLUSH		(1ull << 9)
#define BLK_CFG_CAPACITY	0		/* §5.2.4: in 512-byte sectors */
#define BLK_CFG_SIZE_MAX	8
#define BLK_CFG_SEG_MAX		12
#define BLK_T_IN		0		/* §5.2.6 */
#define BLK_T_OUT		1
#define BLK_T_FLUSH		4
#define BLK_S_OK		0
#define SECTOR_SHIFT		3		/* 4096 / 512 */
#define STATUS_PENDING		0xff
#define REQ_SYNC		0x80000000u	/* in slot_: a waiter polls for it */
#define RESULT_PENDING		(-4095L)
#define RENOTIFY_SPINS		(1u << 16)	/* polls without progress before notifying again */

struct blk_slot {
	uint32_t type, reserved;
	uint64_t sector;
	uint8_t status;
} __attribute__((aligned(32)));

struct drive {
	struct virtio_dev *dev;
	struct virtq q;
	volatile uint16_t *notify;
	struct spinlock lock;
	struct blk_slot *slots;		/* BLK_INFLIGHT, in device memory */
	uint32_t free_slots;		/* bit i: slot i is free */
	struct b_nvs_req *inflight[BLK_INFLIGHT];	/* the request in each busy slot */
	uint32_t max_inflight;
	uint32_t req_max, seg_bytes;	/* sectors per request; bytes per data descriptor */
	uint64_t sectors;
	struct b_nvs_req *done_head, *done_tail;
	struct b_nvs_stats stats;
};

_Static_assert(BLK_INFLIGHT <= 32, "free_slots is one 32-bit word");

static struct drive drives[MAX_DRIVES];
static unsigned ndrives;

/* Picks how requests are cut up: data descriptors of seg_bytes, at most
 * seg_max of them, and enough descriptors for every slot's chain. */
static void plan_requests(struct drive *v)
{
	struct virtio_dev *d = v->dev;
	uint32_t seg_max = d->features & BLK_F_SEG_MAX ? virtio_cfg32(d, BLK_CFG_SEG_MAX) : 0;
	uint32_t size_max = d->features & BLK_F_SIZE_MAX ? virtio_cfg32(d, BLK_CFG_SIZE_MAX) : 0;
	uint32_t segs;

	v->seg_bytes = B_NVS_REQ_MAX * B_NVS_SECTOR;
	if (size_max && size_max < v->seg_bytes)
		v->seg_bytes = size_max >= B_NVS_SECTOR ? size_max & ~(B_NVS_SECTOR - 1) : B_NVS_SECTOR;
	segs = B_NVS_REQ_MAX * B_NVS_SECTOR / v->seg_bytes;
	if (seg_max && segs > seg_max)
		segs = seg_max;
	v->req_max = segs * v->seg_bytes / B_NVS_SECTOR;
	v->max_inflight = v->q.size / (segs + 2);
	if (v->max_inflight > BLK_INFLIGHT)
		v->max_inflight = BLK_INFLIGHT;
	v->free_slots = v->max_inflight == 32 ? UINT32_MAX : (1u << v->max_inflight) - 1;
}

void virtio_blk_attach(struct virtio_dev *d)
{
	struct drive *v = &drives[ndrives];

	if (ndrives == MAX_DRIVES) {
		kprintf("nvs: more than %u drives; the rest are not used\n", MAX_DRIVES);
		return;
	}
	*v = (struct drive){ .dev = d };
	if (!virtio_start(d, 0, BLK_F_SIZE_MAX | BLK_F_SEG_MAX | BLK_F_RO | BLK_F_FLUSH |
				VIRTIO_F_EVENT_IDX, "nvs"))
		return;
	v->slots = mem_alloc_dma(sizeof(struct blk_slot) * BLK_INFLIGHT);
	if (!v->slots || virtio_queue(d, 0, BLK_QUEUE_SIZE, &v->q, false, &v->notify) < 0) {
		kprintf("nvs: %s device: queue could not be set up\n", d->transport);
		d->ops->set_status(d, VIRTIO_FAILED);
		return;
	}
	v->sectors = virtio_cfg64(d, BLK_CFG_CAPACITY) >> SECTOR_SHIFT;
	plan_requests(v);
	if (!v->max_inflight) {
		kprintf("nvs: %s device: queue of %u too small\n", d->transport, v->q.size);
		d->ops->set_status(d, VIRTIO_FAILED);
		return;
	}
	virtio_ready(d);
	ndrives++;
}

unsigned vblk_count(void) { return ndrives; }
uint32_t vblk_req_max(unsigned drive) { return drives[drive].req_max; }

/* Queues req in a free slot. Lock held. */
static int submit_locked(struct drive *v, struct b_nvs_req *req, uint32_t sync)
{
	struct virtq_buf bufs[B_NVS_REQ_MAX + 2];
	uint32_t bytes = req->count * B_NVS_SECTOR, n = 1;
	unsigned s;
	struct blk_slot *slot;

	if (!v->free_slots)
		return B_EAGAIN;
	s = (unsigned)__builtin_ctz(v->free_slots);
	slot = &v->slots[s];
	slot->type = req->op == B_NVS_READ ? BLK_T_IN : req->op == B_NVS_WRITE ? BLK_T_OUT :
									 BLK_T_FLUSH;
	slot->reserved = 0;
	slot->sector = req->op == B_NVS_FLUSH ? 0 : req->start << SECTOR_SHIFT;
	slot->status = STATUS_PENDING;
	bufs[0] = (struct virtq_buf){ slot, 16, false };
	for (uint32_t off = 0; off < bytes; off += v->seg_bytes, n++)
		bufs[n] = (struct virtq_buf){ (void *)(mem_dma_addr(req->mem) + off),
					      bytes - off < v->seg_bytes ? bytes - off : v->seg_bytes,
					      req->op == B_NVS_READ };
	bufs[n++] = (struct virtq_buf){ &slot->status, 1, true };
	if (virtq_add(&v->q, bufs, n, req) < 0)
		return B_EAGAIN;
	v->free_slots &= ~(1u << s);
	v->inflight[s] = req;
	req->slot_ = s | sync;
	req->result = RESULT_PENDING;
	req->next_ = NULL;
	return 0;
}

static void kick(struct drive *v)
{
	if (virtq_publish(&v->q))
		virtio_notify(v->dev, v->notify, 0);
}

/* Appends an asynchronous request to the list b_nvs_complete reads. */
static void add_done(struct drive *v, struct b_nvs_req *req)
{
	req->next_ = NULL;
	if (v->done_tail)
		v->done_tail->next_ = req;
	else
		v->done_head = req;
	v->done_tail = req;
}

/* Finishes one request the device returned. Lock held. */
static void finish(struct drive *v, struct b_nvs_req *req)
{
	struct blk_slot *slot = &v->slots[req->slot_ & ~REQ_SYNC];
	bool ok = slot->status == BLK_S_OK;

	v->free_slots |= 1u << (req->slot_ & ~REQ_SYNC);
	v->inflight[req->slot_ & ~REQ_SYNC] = NULL;
	if (!ok)
		v->stats.errors++;
	else if (req->op == B_NVS_READ)
		v->stats.reads++, v->stats.sectors_read += req->count;
	else if (req->op == B_NVS_WRITE)
		v->stats.writes++, v->stats.sectors_written += req->count;
	else
		v->stats.flushes++;
	if (!(req->slot_ & REQ_SYNC))
		add_done(v, req);
	__atomic_store_n(&req->result, ok ? (long)req->count : B_EIO, __ATOMIC_RELEASE);
}

/* Whether req is in flight or finished but not yet collected: its links
 * are the driver's until b_nvs_complete returns it. Lock held. */
static bool owned(struct drive *v, const struct b_nvs_req *req)
{
	for (unsigned i = 0; i < BLK_INFLIGHT; i++)
		if (v->inflight[i] == req)
			return true;
	for (struct b_nvs_req *r = v->done_head; r; r = r->next_)
		if (r == req)
			return true;
	return false;
}

static void poll_locked(struct drive *v)
{
	struct b_nvs_req *req;
	uint32_t len;

	while ((req = virtq_get_used(&v->q, &len)))
		finish(v, req);
}

int vblk_submit(unsigned drive, struct b_nvs_req *req)
{
	struct drive *v = &drives[drive];
	uint64_t flags = spin_lock_irqsave(&v->lock);
	int r;

	poll_locked(v);
	if (owned(v, req)) {
		r = B_EINVAL;
	} else if (req->op == B_NVS_FLUSH && !(v->dev->features & BLK_F_FLUSH)) {
		req->result = 0;	/* no write cache: nothing to wait for */
		add_done(v, req);
		r = 0;
	} else if (!(r = submit_locked(v, req, 0))) {
		kick(v);
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return r;
}

int vblk_complete(unsigned drive, struct b_nvs_req **done, unsigned max)
{
	struct drive *v = &drives[drive];
	uint64_t flags = spin_lock_irqsave(&v->lock);
	unsigned n = 0;

	poll_locked(v);
	for (; n < max && v->done_head; n++) {
		done[n] = v->done_head;
		v->done_head = v->done_head->next_;
	}
	if (!v->done_head)
		v->done_tail = NULL;
	spin_unlock_irqrestore(&v->lock, flags);
	return (int)n;
}

/* Waits until every request in reqs[0..n) has finished. */
/* Waits until every request in reqs[0..n) has finished. A device that
 * has finished nothing for a long while is notified again: a spare
 * notification is harmless, and QEMU 7.2 can miss the one EVENT_IDX asked
 * for (see virtio_net.c, tx_publish). */
static void wait_all(struct drive *v, struct b_nvs_req *reqs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned spins = 1;
		     __atomic_load_n(&reqs[i].result, __ATOMIC_ACQUIRE) == RESULT_PENDING; spins++) {
			uint64_t flags = spin_lock_irqsave(&v->lock);
			poll_locked(v);
			if (spins % RENOTIFY_SPINS == 0)
				virtio_notify(v->dev, v->notify, 0);
			spin_unlock_irqrestore(&v->lock, flags);
			cpu_relax();
		}
}

/* Starts up to BLK_INFLIGHT requests covering [start, start+count); how
 * many it started (at least one, waiting for a free slot if need be). */
static unsigned start_batch(struct drive *v, struct b_nvs_req *reqs, enum b_nvs_op op,
			    uint8_t *mem, uint64_t start, uint64_t count)
{
	unsigned n = 0;

	while (!n) {
		uint64_t flags = spin_lock_irqsave(&v->lock);
		poll_locked(v);
		for (uint64_t done = 0; done < count && n < BLK_INFLIGHT; n++) {
			uint32_t c = count - done < v->req_max ? (uint32_t)(count - done) : v->req_max;
			reqs[n] = (struct b_nvs_req){ .op = (uint8_t)op, .mem = mem + done * B_NVS_SECTOR,
						      .start = start + done, .count = c };
			if (submit_locked(v, &reqs[n], REQ_SYNC) < 0)
				break;
			done += c;
		}
		if (n)
			kick(v);
		spin_unlock_irqrestore(&v->lock, flags);
		if (!n)
			cpu_relax();	/* every slot busy with other callers' requests */
	}
	return n;
}

long vblk_rw(unsigned drive, enum b_nvs_op op, void *mem, uint64_t start, uint64_t count)
{
	struct drive *v = &drives[drive];
	struct b_nvs_req reqs[BLK_INFLIGHT];
	uint64_t done = 0;

	while (done < count) {
		unsigned n = start_batch(v, reqs, op, (uint8_t *)mem + done * B_NVS_SECTOR,
					 start + done, count - done);
		wait_all(v, reqs, n);
		for (unsigned i = 0; i < n; i++) {
			if (reqs[i].result < 0)
				return done ? (long)done : B_EIO;
			done += reqs[i].count;
		}
	}
	return (long)done;
}

int vblk_flush(unsigned drive)
{
	struct drive *v = &drives[drive];
	struct b_nvs_req req = { .op = B_NVS_FLUSH };
	int r = B_EAGAIN;

	if (!(v->dev->features & BLK_F_FLUSH))
		return 0;	/* no write cache: every completed write is durable */
	while (r == B_EAGAIN) {
		uint64_t flags = spin_lock_irqsave(&v->lock);
		poll_locked(v);
		r = submit_locked(v, &req, REQ_SYNC);
		if (!r)
			kick(v);
		spin_unlock_irqrestore(&v->lock, flags);
	}
	wait_all(v, &req, 1);
	return req.result < 0 ? B_EIO : 0;
}

void vblk_forget_async(void)
{
	for (unsigned d = 0; d < ndrives; d++) {
		struct drive *v = &drives[d];
		bool busy = true;

		for (unsigned spins = 1; busy; spins++) {
			uint64_t flags = spin_lock_irqsave(&v->lock);
			poll_locked(v);
			busy = false;
			for (unsigned i = 0; i < BLK_INFLIGHT; i++)
				busy |= v->inflight[i] && !(v->inflight[i]->slot_ & REQ_SYNC);
			if (busy && spins % RENOTIFY_SPINS == 0)
				virtio_notify(v->dev, v->notify, 0);
			if (!busy)
				v->done_head = v->done_tail = NULL;
			spin_unlock_irqrestore(&v->lock, flags);
			cpu_relax();
		}
	}
}

void vblk_info(unsigned drive, struct b_nvs_info *out)
{
	struct drive *v = &drives[drive];

	*out = (struct b_nvs_info){ .sectors = v->sectors,
				    .read_only = !!(v->dev->features & BLK_F_RO),
				    .flush = !!(v->dev->features & BLK_F_FLUSH),
				    .queue_size = v->q.size,
				    .max_inflight = (uint16_t)v->max_inflight,
				    .max_request = (uint16_t)v->req_max };
	memcpy(out->transport, v->dev->transport, strlen(v->dev->transport) + 1);
}

void vblk_stats(unsigned drive, struct b_nvs_stats *out) { *out = drives[drive].stats; }

void vblk_print(void)
{
	for (unsigned i = 0; i < ndrives; i++) {
		struct b_nvs_info in;
		vblk_info(i, &in);
		kprintf("nvs    %u %s %lu sectors %s%s; %u in flight\n", i, in.transport,
			(unsigned long)in.sectors, in.read_only ? "ro" : "rw",
			in.flush ? " flush" : "", in.max_inflight);
	}
}
