/*
 * The work queue's self-test, run inside Pith as a unikernel program
 * (tests/system/test_smp.py boots it with 1 to 8 cores). Each check prints
 * "wqtest: NAME ok" or "wqtest: NAME FAIL: why"; the exit code is the number
 * of failed checks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <pith/app.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../common/out.h"
#include "../common/par.h"

#define MILLION		1000000
#define TREE_DEPTH	14		/* 2^15 - 1 tasks */
#define LOCK_TASKS	16	/* x LOCK_ROUNDS: exclusion, not speed; fair locks crawl on overcommitted hosts */
#define LOCK_ROUNDS	200
#define WAIT_ROUNDS	500
#define WAIT_TASKS	37
#define FAULTY_TASKS	3

static uint8_t ran[MILLION];
static uint64_t counter;
static volatile uint64_t spin_word;
static struct b_ticket_lock ticket;
static uint64_t plain_total;
static volatile int release_blocked;
static uint64_t blocked;
static volatile uint32_t core_seen[64];
static int failures;

static uint64_t last_check_ns;

/* Prints the result and how long the check took (from the previous one). */
static void check(const char *name, bool ok, const char *why)
{
	uint64_t now = b_time_ns();

	out_str("wqtest: ");
	out_str(name);
	out_str(" (");
	out_u64((now - last_check_ns) / 1000000);
	out_str(" ms)");
	last_check_ns = now;
	if (ok) {
		out_str(" ok\n");
		return;
	}
	out_str(" FAIL: ");
	out_str(why);
	out_str("\n");
	failures++;
}

static void mark(void *arg)
{
	ran[(uintptr_t)arg]++;
}

static uint64_t tasks_run_total(void)
{
	uint64_t total = 0;
	struct b_core_stats st;

	for (unsigned i = 0; i < b_smp_numcores(); i++)
		if (b_smp_stats(i, &st) == 0)
			total += st.tasks_run;
	return total;
}

static void test_million(void)
{
	uint64_t before = tasks_run_total();
	bool once = true;

	for (uintptr_t i = 0; i < MILLION; i++)
		par_enqueue(mark, (void *)i);
	check("million-wait", b_smp_wait() == 0, "a task faulted");
	for (uintptr_t i = 0; i < MILLION; i++)
		once &= ran[i] == 1;
	check("million-exactly-once", once, "a task ran twice or never");
	check("million-counted", tasks_run_total() - before == MILLION,
	      "per-core counters do not add up to 1000000");
}

/* A task's children: queued, or run right here when the queue is full.
 * (Helping with b_smp_run from inside a task would nest without bound.) */
static void tree(void *arg)
{
	uintptr_t depth = (uintptr_t)arg;

	__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	if (depth == 0)
		return;
	for (int i = 0; i < 2; i++)
		if (b_smp_enqueue(tree, (void *)(depth - 1)) == B_EAGAIN)
			tree((void *)(depth - 1));
}

static void test_nested(void)
{
	counter = 0;
	par_enqueue(tree, (void *)TREE_DEPTH);
	b_smp_wait();
	check("nested-enqueue", counter == (1u << (TREE_DEPTH + 1)) - 1,
	      "tasks queued by tasks were lost or repeated");
}

static void count_one(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
}

static void block(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&blocked, 1, __ATOMIC_RELAXED);
	while (!release_blocked)
		__asm__ volatile("pause");
}

/* With every other core held, fill the queue: the first refusal must come
 * at its capacity, and every accepted task must run once released. */
static void test_full(void)
{
	unsigned others = b_smp_numcores() - 1;
	uint64_t accepted = 0;

	release_blocked = 0;
	blocked = 0;
	counter = 0;
	for (unsigned c = 1; c <= others; c++)
		while (b_smp_set(c, block, 0) == B_EAGAIN)
			;
	while (__atomic_load_n(&blocked, __ATOMIC_RELAXED) < others)
		;
	while (b_smp_enqueue(count_one, 0) == 0)
		accepted++;
	check("full-capacity", accepted >= 1024 && (accepted & (accepted - 1)) == 0,
	      "the queue refused before reaching a power-of-two capacity");
	check("full-refusal", b_smp_enqueue(count_one, 0) == B_EAGAIN, "no B_EAGAIN when full");
	release_blocked = 1;
	b_smp_wait();
	check("full-nothing-lost", counter == accepted, "an accepted task did not run");
}

static void test_wait_races(void)
{
	bool ok = true;

	for (int r = 0; r < WAIT_ROUNDS && ok; r++) {
		counter = 0;
		for (int i = 0; i < WAIT_TASKS; i++)
			par_enqueue(count_one, 0);
		b_smp_wait();
		ok = __atomic_load_n(&counter, __ATOMIC_RELAXED) == WAIT_TASKS && !b_smp_busy();
	}
	check("wait-returns-after-all", ok, "b_smp_wait returned before every task finished");
}

static void add_locked(void *arg)
{
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		if (arg) {
			b_ticket_acquire(&ticket);
			plain_total++;
			b_ticket_release(&ticket);
		} else {
			b_smp_lock(&spin_word);
			plain_total++;
			b_smp_unlock(&spin_word);
		}
	}
}

static void test_locks(void)
{
	for (uintptr_t fair = 0; fair < 2; fair++) {
		plain_total = 0;
		for (int i = 0; i < LOCK_TASKS; i++)
			par_enqueue(add_locked, (void *)fair);
		b_smp_wait();
		check(fair ? "ticket-lock-exact" : "spin-lock-exact",
		      plain_total == (uint64_t)LOCK_TASKS * LOCK_ROUNDS, "a locked count was lost");
	}
}

static void faulty(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)8 = 1;	/* page 0 is unmapped */
}

static void note_core(void *arg)
{
	(void)arg;
	core_seen[b_smp_id()] = 1;
}

static void wait_inside(void *arg)
{
	*(int *)arg = b_smp_wait();
}

static void test_faults(void)
{
	unsigned cores = b_smp_numcores();
	bool all = true;
	int inner = 0;

	counter = 0;
	for (int i = 0; i < FAULTY_TASKS; i++)
		par_enqueue(faulty, 0);
	for (int i = 0; i < 100; i++)
		par_enqueue(count_one, 0);
	check("fault-count", b_smp_wait() == FAULTY_TASKS, "b_smp_wait miscounted faults");
	check("fault-others-ran", counter == 100, "tasks next to a faulting one were lost");
	for (unsigned c = 1; c < cores; c++)
		while (b_smp_set(c, note_core, 0) == B_EAGAIN)
			;
	b_smp_wait();
	for (unsigned c = 1; c < cores; c++)
		all &= core_seen[c] == 1;
	check("fault-cores-recover", all, "a core stopped taking tasks after a fault");
	par_enqueue(wait_inside, &inner);
	b_smp_wait();
	check("wait-inside-task", inner == B_EDEADLK, "b_smp_wait inside a task did not refuse");
}

static void test_arguments(void)
{
	check("enqueue-null", b_smp_enqueue(0, 0) == B_EINVAL, "NULL task accepted");
	check("set-self", b_smp_set(b_smp_id(), count_one, 0) == B_ENODEV, "SMP_SET on itself");
	check("set-missing", b_smp_set(b_smp_numcores() + 5, count_one, 0) == B_ENODEV,
	      "SMP_SET on a missing core");
}

int app_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	out_str("wqtest: ");
	out_u64(b_smp_numcores());
	out_str(" cores\n");
	last_check_ns = b_time_ns();
	test_arguments();
	test_million();
	test_nested();
	test_full();
	test_wait_races();
	test_locks();
	test_faults();
	out_str("wqtest: done, ");
	out_u64((uint64_t)failures);
	out_str(" failed\n");
	return failures;
}
