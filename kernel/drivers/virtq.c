/*
 * The split virtqueue (virtio 1.1 §2.6); see virtq.h. Free descriptors are
 * a list threaded through their `next` fields. Ordering: the driver writes
 * descriptors and ring entries, then (release) the available index; the
 * device's used index is read with acquire before its entries. Deciding
 * whether to notify needs a full fence: our index store must be visible
 * before we read the device's event index (§2.6.10.1).
 */
#include <pith/error.h>
#include "virtq.h"

static uint16_t *used_event(struct virtq *q) { return &q->avail->ring[q->size]; }
static uint16_t *avail_event(struct virtq *q) { return (uint16_t *)&q->used->ring[q->size]; }

size_t virtq_bytes(uint16_t size)
{
	size_t avail_end = 16u * size + 4 + 2u * size + 2;

	return ((avail_end + 3) & ~(size_t)3) + 4 + 8u * size + 2;
}

int virtq_init(struct virtq *q, void *mem, uint16_t size, struct virtq_slot *slots,
	       bool event_idx)
{
	uint8_t *m = mem;

	if (!size || size > VIRTQ_SIZE_MAX || (size & (size - 1)) || ((uintptr_t)mem & 15))
		return B_EINVAL;
	*q = (struct virtq){ .size = size, .event_idx = event_idx, .slots = slots };
	q->desc = (struct virtq_desc *)m;
	q->avail = (struct virtq_avail *)(m + 16u * size);
	q->used = (struct virtq_used *)(m + ((16u * size + 4 + 2u * size + 2 + 3) & ~3u));
	for (uint16_t i = 0; i < size; i++) {
		q->desc[i].next = (uint16_t)(i + 1);
		slots[i] = (struct virtq_slot){ 0 };
	}
	q->num_free = size;
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
	uint16_t head = q->free_head, i = head, last = head;
	uint32_t writable = 0;

	if (!n || !cookie)
		return B_EINVAL;
	for (unsigned k = 0; k < n; k++)
		if (!bufs[k].addr)
			return B_EINVAL;
	if (n > q->num_free)
		return B_EAGAIN;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];
		d->addr = (uint64_t)(uintptr_t)bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				      (bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0));
		writable += bufs[k].device_writes ? bufs[k].len : 0;
		last = i;
		i = d->next;
	}
	q->free_head = q->desc[last].next;	/* the chain's end links to the rest */
	q->num_free = (uint16_t)(q->num_free - n);
	q->slots[head] = (struct virtq_slot){ cookie, (uint16_t)n, writable };
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	q->avail_idx++;
	return 0;
}

void virtq_rearm(struct virtq *q)
{
	if (q->event_idx && !q->quiet)
		__atomic_store_n(used_event(q), __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_publish(struct virtq *q)
{
	uint16_t old = q->published, now = q->avail_idx;

	__atomic_store_n(&q->avail->idx, now, __ATOMIC_RELEASE);
	q->published = now;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (old == now)
		return false;
	if (!q->event_idx)
		return !(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VIRTQ_USED_F_NO_NOTIFY);
	/* §2.6.10.2: notify if avail_event lies in [old, now). */
	uint16_t event = __atomic_load_n(avail_event(q), __ATOMIC_ACQUIRE);
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

/* Returns a finished chain's descriptors to the free list. */
static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t i = head, n = q->slots[head].count;

	for (uint16_t k = 1; k < n; k++)
		i = q->desc[i].next;
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
	q->slots[head] = (struct virtq_slot){ 0 };
}

void *virtq_get_used(struct virtq *q, uint32_t *len)
{
	while (q->last_used != __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE)) {
		struct virtq_used_elem e = q->used->ring[q->last_used & (q->size - 1)];
		void *cookie;

		q->last_used++;
		/* Interrupt us again after the next one; a quiet queue keeps its
		 * event index just behind us, where the device never reaches it. */
		if (q->event_idx)
			__atomic_store_n(used_event(q), (uint16_t)(q->last_used - q->quiet),
					 __ATOMIC_RELEASE);
		if (e.id >= q->size || !q->slots[e.id].cookie) {
			q->bad_used++;	/* not a chain it holds: never trust it */
			continue;
		}
		if (e.len > q->slots[e.id].writable) {
			q->bad_used++;	/* a chain it holds, but a length it cannot have */
			e.len = q->slots[e.id].writable;	/* finish it, or its owner waits forever */
		}
		cookie = q->slots[e.id].cookie;
		free_chain(q, (uint16_t)e.id);
		*len = e.len;
		return cookie;
	}
	return NULL;
}

void virtq_want_interrupts(struct virtq *q, bool on)
{
	q->quiet = !on;
	if (q->event_idx) {	/* off: an event index the device never reaches soon */
		__atomic_store_n(used_event(q), on ? q->last_used : (uint16_t)(q->last_used - 1),
				 __ATOMIC_RELEASE);
		return;
	}
	q->avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
}
