/*
 * newlib's locks (its "retargetable locking": newlib.h _RETARGETABLE_LOCKING).
 * malloc, stdio's stream list, each FILE, atexit and the environment take
 * them, and tasks call those from every core. A lock is a spin lock that
 * the core holding it may take again (newlib nests them: a FILE's lock,
 * then malloc's). There is no preemption, so a holder always runs on to
 * its release; waiting is spinning with `pause`, as b_smp_lock does
 * (inline here: malloc and every stdio call take a lock).
 *
 * newlib wants every one of these functions and static locks from the
 * platform or none (misc/lock.c: otherwise its dummies clash at link).
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <pith/smp.h>

#define NO_OWNER	(~0u)

struct __lock {
	volatile uint64_t word;		/* 0 free, 1 taken */
	volatile unsigned owner;	/* core holding it, or NO_OWNER */
	unsigned depth;			/* times the owner took it */
};

#define STATIC_LOCK(name)	struct __lock name = { 0, NO_OWNER, 0 }

STATIC_LOCK(__lock___sinit_recursive_mutex);
STATIC_LOCK(__lock___sfp_recursive_mutex);
STATIC_LOCK(__lock___atexit_recursive_mutex);
STATIC_LOCK(__lock___at_quick_exit_mutex);
STATIC_LOCK(__lock___malloc_recursive_mutex);
STATIC_LOCK(__lock___env_recursive_mutex);
STATIC_LOCK(__lock___tz_mutex);
STATIC_LOCK(__lock___dd_hash_mutex);
STATIC_LOCK(__lock___arc4random_mutex);

/* Where FILE locks come from when malloc has nothing left: one lock for
 * all of those streams, which is correct, only coarser. */
static STATIC_LOCK(shared_lock);

static void spin_lock(volatile uint64_t *w)
{
	while (__atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			__asm__ volatile("pause" ::: "memory");
}

void __retarget_lock_init(_LOCK_T *lock)
{
	struct __lock *l = malloc(sizeof(*l));

	if (l) {
		l->word = 0;
		l->owner = NO_OWNER;
		l->depth = 0;
	}
	*lock = l ? l : &shared_lock;
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	if (lock != &shared_lock)
		free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	unsigned me = b_smp_id();

	if (lock->owner != me) {
		spin_lock(&lock->word);
		lock->owner = me;
	}
	lock->depth++;
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

/* 0 when taken (as POSIX's ftrylockfile), else 1. */
int __retarget_lock_try_acquire(_LOCK_T lock)
{
	unsigned me = b_smp_id();

	if (lock->owner != me) {
		if (__atomic_exchange_n(&lock->word, 1, __ATOMIC_ACQUIRE))
			return 1;
		lock->owner = me;
	}
	lock->depth++;
	return 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (--lock->depth)
		return;
	lock->owner = NO_OWNER;
	__atomic_store_n(&lock->word, 0, __ATOMIC_RELEASE);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
}
