/*
 * A bounded multi-producer multi-consumer ring of tasks, lock-free: each
 * slot carries a sequence number saying whose turn it is (the scheme of
 * D. Vyukov's bounded MPMC queue). A producer claims a position with one
 * compare-and-swap on head, a consumer with one on tail; neither waits for
 * the other except on the slot it claimed. Pure C with compiler atomics:
 * the same file is tested on the host with threads under ThreadSanitizer.
 */
#ifndef PITH_WQ_RING_H
#define PITH_WQ_RING_H

#include <stdbool.h>
#include <stdint.h>

struct wq_slot {
	uint64_t seq;		/* == position: free for that push; == position+1: full */
	void (*fn)(void *);
	void *arg;
};

struct wq_ring {
	uint64_t head __attribute__((aligned(64)));	/* next push position */
	uint64_t tail __attribute__((aligned(64)));	/* next pop position */
	uint64_t mask __attribute__((aligned(64)));
	struct wq_slot *slots;
};

/* size must be a power of two and at least 2 (with 1, "full" and "free for
 * the next lap" are the same sequence number); slots holds size entries. */
void wq_ring_init(struct wq_ring *r, struct wq_slot *slots, uint64_t size);
/* False when the ring is full: nothing was added. */
bool wq_ring_push(struct wq_ring *r, void (*fn)(void *), void *arg);
/* False when the ring is empty. */
bool wq_ring_pop(struct wq_ring *r, void (**fn)(void *), void **arg);
/* A snapshot: may be stale by the time the caller looks. */
bool wq_ring_empty(struct wq_ring *r);

#endif
