/* The task ring; see wq_ring.h for the scheme. */
#include "wq_ring.h"

void wq_ring_init(struct wq_ring *r, struct wq_slot *slots, uint64_t size)
{
	r->slots = slots;
	r->mask = size - 1;
	r->head = r->tail = 0;
	for (uint64_t i = 0; i < size; i++)
		__atomic_store_n(&slots[i].seq, i, __ATOMIC_RELAXED);
}

bool wq_ring_push(struct wq_ring *r, void (*fn)(void *), void *arg)
{
	uint64_t pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	for (;;) {
		struct wq_slot *s = &r->slots[pos & r->mask];
		int64_t diff = (int64_t)(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) - pos);

		if (diff == 0) {
			if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
				s->fn = fn;
				s->arg = arg;
				__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
				return true;
			}
		} else if (diff < 0) {
			return false;	/* the slot still holds a task a lap behind: full */
		} else {
			pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
		}
	}
}

bool wq_ring_pop(struct wq_ring *r, void (**fn)(void *), void **arg)
{
	uint64_t pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);

	for (;;) {
		struct wq_slot *s = &r->slots[pos & r->mask];
		int64_t diff = (int64_t)(__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) - (pos + 1));

		if (diff == 0) {
			if (__atomic_compare_exchange_n(&r->tail, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
				*fn = s->fn;
				*arg = s->arg;
				/* Free the slot for the push one lap ahead. */
				__atomic_store_n(&s->seq, pos + r->mask + 1, __ATOMIC_RELEASE);
				return true;
			}
		} else if (diff < 0) {
			return false;	/* not yet filled: empty */
		} else {
			pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		}
	}
}

bool wq_ring_empty(struct wq_ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
}
