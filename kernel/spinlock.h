/*
 * A test-and-test-and-set spin lock with `pause` in the wait loop (SDM vol. 2
 * PAUSE: it saves power and avoids a memory-order flush on exit). Holders
 * must not sleep; interrupt handlers must not take a lock their core holds.
 */
#ifndef PITH_SPINLOCK_H
#define PITH_SPINLOCK_H

#include <stdbool.h>
#include "arch/x86_64/cpu.h"

#include <stdint.h>

/* The lock itself is one 64-bit word, so b_smp_lock (BareMetal's SMP_LOCK on
 * a program's own word) and the kernel's locks share one implementation. */
static inline void spin_lock_word(volatile uint64_t *w)
{
	while (__atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock_word(volatile uint64_t *w)
{
	__atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

struct spinlock {
	volatile uint64_t locked;
};

static inline void spin_lock(struct spinlock *l) { spin_lock_word(&l->locked); }
static inline void spin_unlock(struct spinlock *l) { spin_unlock_word(&l->locked); }

/* For locks an interrupt handler's callees may take too (a program's
 * network callback calls b_net_rx): interrupts stay off while it is held,
 * so the handler never spins on a lock its own core holds. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(flags) : : "memory");
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	if (flags & (1u << 9))	/* RFLAGS.IF */
		irq_enable();
}

#endif
