/*
 * Cores and the work queue. Every core polls one shared queue; a task put
 * on it runs to completion on whichever core takes it first. There is no
 * scheduler and no preemption: a task that loops forever keeps its core.
 * Core numbers run 0 .. b_smp_numcores()-1; 0 is the boot core, which runs
 * the program and takes tasks only inside b_smp_run() and b_smp_wait().
 */
#ifndef PITH_SMP_API_H
#define PITH_SMP_API_H

#include <stdint.h>
#include <pith/error.h>

/* Queues fn(arg). 0, or B_EAGAIN when the queue is full (nothing queued:
 * run a task with b_smp_run() and try again), B_EINVAL for a NULL fn.
 * Callable from tasks. */
int b_smp_enqueue(void (*fn)(void *), void *arg);
/* Runs one queued task on the calling core: 1 if it ran one, 0 if none. */
int b_smp_run(void);
/* Runs queued tasks until every task queued so far has finished, on every
 * core. Returns how many of them faulted (each was reported on the console)
 * since the last b_smp_wait, or B_EDEADLK when called from inside a task. */
int b_smp_wait(void);
/* 1 while any task is queued or running, else 0. */
int b_smp_busy(void);
unsigned b_smp_numcores(void);
/* The calling core's number. */
unsigned b_smp_id(void);
/* Gives core its own next task, ahead of the shared queue (BareMetal's
 * SMP_SET). 0; B_ENODEV for the calling core or one not online; B_EAGAIN
 * while that core's previous one has not started; B_EINVAL for NULL fn. */
int b_smp_set(unsigned core, void (*fn)(void *), void *arg);
/* The task waiting for the calling core from b_smp_set, or NULL. */
void (*b_smp_get(void))(void *);

/* Spin lock on a zeroed 64-bit word; waits with `pause`. Not fair. */
void b_smp_lock(volatile uint64_t *lock);
void b_smp_unlock(volatile uint64_t *lock);

/* A fair lock: cores get it in the order they asked (a ticket lock). */
struct b_ticket_lock {
	volatile uint32_t next, serving;
};

static inline void b_ticket_acquire(struct b_ticket_lock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != me)
		__asm__ volatile("pause" ::: "memory");
}

static inline void b_ticket_release(struct b_ticket_lock *l)
{
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

/* Per-core counters since boot. */
struct b_core_stats {
	uint32_t apic_id;
	uint64_t tasks_run, tasks_failed;
	uint64_t busy_ns, idle_ns;	/* in tasks; polling or asleep (not the boot core) */
};
/* 0, or B_ENODEV for a core that is not online. */
int b_smp_stats(unsigned core, struct b_core_stats *out);

#endif
