/*
 * A test-and-test-and-set spin lock with `pause` in the wait loop (SDM vol. 2
 * PAUSE: it saves power and avoids a memory-order flush on exit). Holders
 * must not sleep; interrupt handlers must not take a lock their core holds.
 */
#ifndef PITH_SPINLOCK_H
#define PITH_SPINLOCK_H

#include <stdbool.h>
#include "arch/x86_64/cpu.h"

struct spinlock {
	volatile int locked;
};

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
