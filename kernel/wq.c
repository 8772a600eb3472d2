/*
 * The work queue's kernel side: counting tasks, running them with fault
 * recovery, and idling. The ring itself is wq_ring.c.
 *
 * Idle cores spin on the ring for WQ_SPIN_US after their last task (a new
 * task then starts within one poll), then mark themselves in `sleeping` and
 * halt. wq_enqueue wakes one sleeping core with an IPI, and only if one
 * sleeps: a busy system sends no IPIs at all. The sleeping bit is set with
 * interrupts off and the ring re-checked before `sti; hlt` (which takes any
 * pending interrupt only after hlt begins), so no wake-up is lost.
 */
#include <stddef.h>
#include <pith/error.h>
#include "wq.h"
#include "wq_ring.h"
#include "smp.h"
#include "param.h"
#include "time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"

int task_call(void (*fn)(void *), void *arg, struct task_jmp *j);	/* task.S */

_Static_assert(WQ_CAPACITY >= 2 && (WQ_CAPACITY & (WQ_CAPACITY - 1)) == 0,
	       "wq_ring needs a power of two, at least 2");
static struct wq_slot slots[WQ_CAPACITY];
static struct wq_ring ring;
static uint64_t outstanding;	/* queued or running; in slots or mailboxes */
static uint64_t failures;	/* tasks that faulted since the last wq_wait */
static uint64_t sleeping;	/* bit i: core i is halted and wants an IPI */
static uint64_t spin_ticks;

void wq_init(void)
{
	wq_ring_init(&ring, slots, WQ_CAPACITY);
	spin_ticks = tsc_hz() / 1000000 * WQ_SPIN_US;
}

static void wake_one(void)
{
	uint64_t m = __atomic_load_n(&sleeping, __ATOMIC_ACQUIRE);

	while (m) {
		unsigned i = __builtin_ctzll(m);
		uint64_t bit = 1ull << i;
		struct cpu *c = smp_cpu(i);
		if ((__atomic_fetch_and(&sleeping, ~bit, __ATOMIC_ACQ_REL) & bit) && c) {
			lapic_send_ipi(c->apic_id, ICR_FIXED | VEC_WAKE);
			return;
		}
		m = __atomic_load_n(&sleeping, __ATOMIC_ACQUIRE);
	}
}

int wq_enqueue(void (*fn)(void *), void *arg)
{
	if (!fn)
		return B_EINVAL;
	__atomic_fetch_add(&outstanding, 1, __ATOMIC_ACQ_REL);
	if (!wq_ring_push(&ring, fn, arg)) {
		__atomic_fetch_sub(&outstanding, 1, __ATOMIC_ACQ_REL);
		return B_EAGAIN;
	}
	wake_one();
	return 0;
}

/* Runs fn(arg) on this core; a fault in it is reported and counted, and
 * this core carries on (kernel/arch/x86_64/fault.c resumes at task_call). */
static void run_task(struct cpu *c, void (*fn)(void *), void *arg)
{
	struct task_jmp j, *outer = c->task_jmp;	/* tasks may run tasks */
	void (*outer_fn)(void *) = c->task_fn;
	uint64_t t0 = rdtsc();

	c->task_fn = fn;
	c->task_jmp = &j;
	c->task_depth++;
	if (task_call(fn, arg, &j)) {
		c->tasks_failed++;
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	}
	c->task_depth--;
	c->task_jmp = outer;
	c->task_fn = outer_fn;
	c->tasks_run++;
	c->busy_tsc += rdtsc() - t0;
	__atomic_fetch_sub(&outstanding, 1, __ATOMIC_RELEASE);
}

bool wq_run_one(void)
{
	void (*fn)(void *);
	void *arg;

	if (!wq_ring_pop(&ring, &fn, &arg))
		return false;
	run_task(this_cpu(), fn, arg);
	return true;
}

bool wq_busy(void)
{
	return __atomic_load_n(&outstanding, __ATOMIC_ACQUIRE) != 0;
}

int wq_wait(void)
{
	if (this_cpu()->task_depth)
		return B_EDEADLK;	/* its own task would never finish */
	while (wq_busy())
		if (!wq_run_one())
			cpu_relax();
	return (int)__atomic_exchange_n(&failures, 0, __ATOMIC_ACQ_REL);
}

int wq_reset(void)
{
	void (*fn)(void *);
	void *arg;
	int dropped = 0;

	if (this_cpu()->task_depth)
		return B_EDEADLK;
	while (wq_ring_pop(&ring, &fn, &arg)) {
		__atomic_fetch_sub(&outstanding, 1, __ATOMIC_RELEASE);
		dropped++;
	}
	while (wq_busy())	/* the running ones, and mailbox tasks */
		cpu_relax();
	return dropped;
}

/* A mailbox being filled: claimed, its argument not yet written. */
#define MAIL_CLAIMED	((void (*)(void *))1)

int wq_set(unsigned core, void (*fn)(void *), void *arg)
{
	struct cpu *c = smp_cpu(core);
	void (*expected)(void *) = 0;

	if (!fn)
		return B_EINVAL;
	if (!c || c == this_cpu())
		return B_ENODEV;	/* the calling core would never get to it */
	if (!__atomic_compare_exchange_n(&c->mail_fn, &expected, MAIL_CLAIMED, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return B_EAGAIN;
	__atomic_fetch_add(&outstanding, 1, __ATOMIC_ACQ_REL);
	c->mail_arg = arg;
	__atomic_store_n(&c->mail_fn, fn, __ATOMIC_RELEASE);	/* publishes arg */
	if (__atomic_fetch_and(&sleeping, ~(1ull << core), __ATOMIC_ACQ_REL) & (1ull << core))
		lapic_send_ipi(c->apic_id, ICR_FIXED | VEC_WAKE);
	return 0;
}

void (*wq_get(void))(void *)
{
	void (*fn)(void *) = __atomic_load_n(&this_cpu()->mail_fn, __ATOMIC_ACQUIRE);
	return fn == MAIL_CLAIMED ? NULL : fn;
}

static bool run_mail(struct cpu *c)
{
	void (*fn)(void *) = __atomic_load_n(&c->mail_fn, __ATOMIC_ACQUIRE);
	void *arg;

	if (!fn || fn == MAIL_CLAIMED)
		return false;
	arg = c->mail_arg;
	__atomic_store_n(&c->mail_fn, 0, __ATOMIC_RELEASE);
	run_task(c, fn, arg);
	return true;
}

/* Halts until an IPI, unless work arrived while we were deciding to. */
static void sleep_until_woken(struct cpu *c)
{
	uint64_t bit = 1ull << c->index;

	irq_disable();
	__atomic_fetch_or(&sleeping, bit, __ATOMIC_SEQ_CST);
	if (wq_ring_empty(&ring) && !c->mail_fn)
		__asm__ volatile("sti; hlt" ::: "memory");
	else
		irq_enable();
	__atomic_fetch_and(&sleeping, ~bit, __ATOMIC_RELEASE);
}

void wq_core_loop(void)
{
	struct cpu *c = this_cpu();
	uint64_t last_work = rdtsc();

	irq_enable();
	for (;;) {
		if (run_mail(c) || wq_run_one()) {
			last_work = rdtsc();
			continue;
		}
		uint64_t now = rdtsc();
		if (now - last_work < spin_ticks) {
			cpu_relax();
		} else {
			sleep_until_woken(c);
			last_work = rdtsc();
		}
		c->idle_tsc += rdtsc() - now;
	}
}

void wq_wake_interrupt(void)
{
	lapic_eoi();
}
