/*
 * kernel/wq_ring.c on the host: the bounded MPMC task ring, first on one
 * thread (FIFO order, capacity, empty, wrap-around), then with pthreads
 * standing in for cores, under ThreadSanitizer.
 *
 * The concurrent tests move ITEMS distinct (fn, arg) pairs: fn names the
 * producer, arg points at the item's record. A producer fills its record
 * with plain stores before pushing and a consumer reads and overwrites it
 * with plain accesses after popping, so a ring that hands a slot over
 * without release/acquire, or hands one item to two consumers, is a data
 * race TSan reports (and halts on: see __tsan_default_options). Threads
 * never call cmocka's asserts (they longjmp); they count what they saw and
 * the main thread checks the counts once all have joined.
 *
 * Every wait is bounded: producers retry on full and consumers on empty
 * until DEADLINE_S (and BUDGET_S from the start for all such tests), then
 * give up, so a lost item fails the test instead of hanging it. A push or
 * pop that never returns is ended by an alarm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <sys/time.h>		/* not <time.h>: -Ikernel finds kernel/time.h */
#include <cmocka.h>
#include "wq_ring.h"

#define ITEMS		200000		/* per concurrent test; divisible by every producer count */
#define MAX_THREADS	8		/* producers or consumers */
#define DEADLINE_S	30		/* per concurrent test: fail, never hang */
#define BUDGET_S	75		/* for all of them together */
#define ALARM_S		(BUDGET_S + 25)	/* the binary ends even if a loop never gives up */
#define YIELD_EVERY	16		/* failed tries between sched_yield()s */
#define UNSTAMPED	0		/* not pushed yet, or popped: stamps are odd */

const char *__tsan_default_options(void);

/* A race report ends the binary at once (exit 66) instead of at exit. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1";
}

/* Distinct tasks, never called: the ring only carries them. */
static volatile int sink;

/* Eight functions only so that each has its own address. */
#define DISTINCT_TASK(n)                   \
	static void task##n(void *a)       \
	{                                  \
		(void)a;                   \
		sink = n;                  \
	}
DISTINCT_TASK(0)
DISTINCT_TASK(1)
DISTINCT_TASK(2)
DISTINCT_TASK(3)
DISTINCT_TASK(4)
DISTINCT_TASK(5)
DISTINCT_TASK(6)
DISTINCT_TASK(7)
#undef DISTINCT_TASK

static void (*const tasks[MAX_THREADS])(void *) = {
	task0, task1, task2, task3, task4, task5, task6, task7,
};

/* ---- one thread ---------------------------------------------------------- */

#define SMALL		8

static struct wq_slot small_slots[1024];
static struct wq_ring small;

static void push_ok(struct wq_ring *r, uintptr_t i)
{
	assert_true(wq_ring_push(r, tasks[i % MAX_THREADS], (void *)i));
}

static void pop_expect(struct wq_ring *r, uintptr_t i)
{
	void (*fn)(void *) = NULL;
	void *arg = NULL;

	assert_true(wq_ring_pop(r, &fn, &arg));
	assert_ptr_equal(fn, tasks[i % MAX_THREADS]);
	assert_int_equal((uintptr_t)arg, i);
}

static void pop_none(struct wq_ring *r)
{
	void (*fn)(void *);
	void *arg;

	assert_false(wq_ring_pop(r, &fn, &arg));
}

static void test_fifo_one_thread(void **state)
{
	(void)state;
	wq_ring_init(&small, small_slots, SMALL);
	for (uintptr_t i = 0; i < 5; i++)
		push_ok(&small, i);
	for (uintptr_t i = 0; i < 5; i++)
		pop_expect(&small, i);
	pop_none(&small);
}

static void test_null_arg_and_repeated_pairs_are_carried(void **state)
{
	void (*fn)(void *);
	void *arg = &fn;

	(void)state;
	wq_ring_init(&small, small_slots, SMALL);
	assert_true(wq_ring_push(&small, task3, NULL));
	assert_true(wq_ring_push(&small, task3, NULL));
	for (int i = 0; i < 2; i++) {
		assert_true(wq_ring_pop(&small, &fn, &arg));
		assert_ptr_equal(fn, task3);
		assert_null(arg);
	}
	pop_none(&small);
}

/* A ring of size n takes exactly n; the refused push changes nothing. */
static void check_capacity(uint64_t n)
{
	static struct wq_slot before[1024];
	uint64_t head, tail;

	wq_ring_init(&small, small_slots, n);
	for (uintptr_t i = 0; i < n; i++)
		push_ok(&small, i);
	memcpy(before, small_slots, n * sizeof(*before));
	head = small.head;
	tail = small.tail;
	assert_false(wq_ring_push(&small, task7, (void *)0x1234));
	assert_false(wq_ring_push(&small, task7, (void *)0x1234));
	assert_int_equal(small.head, head);
	assert_int_equal(small.tail, tail);
	assert_memory_equal(before, small_slots, n * sizeof(*before));
	/* One out makes room for exactly one more. */
	pop_expect(&small, 0);
	push_ok(&small, n);
	assert_false(wq_ring_push(&small, task7, (void *)0x1234));
	for (uintptr_t i = 1; i <= n; i++)
		pop_expect(&small, i);
	pop_none(&small);
}

static void test_capacity_is_exactly_size(void **state)
{
	(void)state;
	for (uint64_t n = 2; n <= 1024; n *= 2)
		check_capacity(n);
}

static void test_pop_on_empty_ring(void **state)
{
	(void)state;
	wq_ring_init(&small, small_slots, SMALL);
	pop_none(&small);
	pop_none(&small);
	assert_int_equal(small.head, 0);
	assert_int_equal(small.tail, 0);
	push_ok(&small, 42);
	pop_expect(&small, 42);
	pop_none(&small);
	assert_int_equal(small.head, small.tail);
}

/* Positions run far past the size: each lap reuses every slot. */
static void test_wrap_around_many_laps(void **state)
{
	uintptr_t in = 0, out = 0;

	(void)state;
	wq_ring_init(&small, small_slots, 4);
	for (int lap = 0; lap < 10000; lap++) {
		int k = lap % 4 + 1;	/* 1..4 at a time: every offset in the ring */
		for (int i = 0; i < k; i++)
			push_ok(&small, in++);
		for (int i = 0; i < k; i++)
			pop_expect(&small, out++);
		pop_none(&small);
	}
	for (int lap = 0; lap < 1000; lap++) {	/* full to empty, offset by one */
		push_ok(&small, in++);
		for (int i = 0; i < 3; i++)
			push_ok(&small, in++);
		assert_false(wq_ring_push(&small, task0, NULL));
		for (int i = 0; i < 4; i++)
			pop_expect(&small, out++);
	}
	assert_int_equal(small.head, in);
	assert_int_equal(small.tail, out);
}

static void test_empty_snapshot(void **state)
{
	(void)state;
	wq_ring_init(&small, small_slots, 2);
	assert_true(wq_ring_empty(&small));
	push_ok(&small, 1);
	assert_false(wq_ring_empty(&small));
	push_ok(&small, 2);
	assert_false(wq_ring_empty(&small));	/* full */
	pop_expect(&small, 1);
	assert_false(wq_ring_empty(&small));
	pop_expect(&small, 2);
	assert_true(wq_ring_empty(&small));
	for (uintptr_t i = 3; i < 100; i++) {	/* across laps */
		push_ok(&small, i);
		assert_false(wq_ring_empty(&small));
		pop_expect(&small, i);
		assert_true(wq_ring_empty(&small));
	}
}

/* ---- many threads -------------------------------------------------------- */

struct item {
	uint32_t producer, seq;	/* written by the producer before the push */
	uint32_t stamp;		/* stamp_of(index) once pushed; UNSTAMPED once popped */
};

struct mpmc {
	struct wq_ring ring;
	unsigned producers, consumers;
	uint32_t per_producer;
	struct timeval deadline;
	pthread_barrier_t start;
	/* Atomics, shared by the threads: */
	int timed_out;
	uint64_t consumed;	/* pops so far, good or bad */
	uint64_t bad_arg;	/* an arg that is no item's */
	uint64_t bad_stamp;	/* an item not (or no longer) pushed */
	uint64_t bad_fn;	/* fn not its producer's */
	uint64_t out_of_order;	/* a producer's items out of its push order */
};

struct worker {
	struct mpmc *m;
	unsigned index;
};

static struct timeval budget_end;	/* set by main */
static struct item items[ITEMS];
static uint32_t popped[ITEMS];	/* how often each item came out */
static struct wq_slot mpmc_slots[1024];

static uint32_t stamp_of(uint32_t index)
{
	return (index * 2654435761u) | 1;	/* odd: never UNSTAMPED */
}

static bool past(const struct timeval *t)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return timercmp(&now, t, >=);
}

/* After a failed push or pop: now and then yield and look at the clock.
 * True when the test is out of time. */
static bool give_up(struct mpmc *m, unsigned *tries)
{
	if (++*tries % YIELD_EVERY)
		return false;
	sched_yield();
	if (__atomic_load_n(&m->timed_out, __ATOMIC_RELAXED))
		return true;
	if (!past(&m->deadline))
		return false;
	__atomic_store_n(&m->timed_out, 1, __ATOMIC_RELAXED);
	return true;
}

static void *producer(void *arg)
{
	struct worker *w = arg;
	struct mpmc *m = w->m;
	unsigned tries = 0;

	pthread_barrier_wait(&m->start);
	for (uint32_t seq = 0; seq < m->per_producer; seq++) {
		uint32_t index = w->index * m->per_producer + seq;
		struct item *it = &items[index];

		it->producer = w->index;
		it->seq = seq;
		it->stamp = stamp_of(index);
		while (!wq_ring_push(&m->ring, tasks[w->index], it))
			if (give_up(m, &tries))
				return NULL;
	}
	return NULL;
}

static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Checks one popped pair; last[p] is the seq of producer p's item this
 * consumer saw last, or -1. */
static void consume(struct mpmc *m, void (*fn)(void *), void *arg, int64_t last[])
{
	struct item *it = arg;
	uint32_t index;
	uintptr_t a = (uintptr_t)arg, lo = (uintptr_t)items;

	if (a < lo || a >= lo + sizeof(items) || (a - lo) % sizeof(struct item)) {
		count(&m->bad_arg);
		return;
	}
	index = (uint32_t)(it - items);
	if (it->stamp != stamp_of(index) || it->producer >= m->producers) {
		count(&m->bad_stamp);
		return;
	}
	it->stamp = UNSTAMPED;	/* a second pop of it races with this store */
	__atomic_fetch_add(&popped[index], 1, __ATOMIC_RELAXED);
	if (fn != tasks[it->producer])
		count(&m->bad_fn);
	/* Each consumer takes positions in increasing order, so it sees each
	 * producer's items in push order; a lone consumer sees all of them. */
	if ((int64_t)it->seq <= last[it->producer] ||
	    (m->consumers == 1 && (int64_t)it->seq != last[it->producer] + 1))
		count(&m->out_of_order);
	last[it->producer] = it->seq;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct mpmc *m = w->m;
	uint64_t total = (uint64_t)m->per_producer * m->producers;
	int64_t last[MAX_THREADS];
	unsigned tries = 0;

	for (int p = 0; p < MAX_THREADS; p++)
		last[p] = -1;
	pthread_barrier_wait(&m->start);
	while (__atomic_load_n(&m->consumed, __ATOMIC_RELAXED) < total) {
		void (*fn)(void *);
		void *got;

		if (!wq_ring_pop(&m->ring, &fn, &got)) {
			if (give_up(m, &tries))
				return NULL;
			continue;
		}
		__atomic_fetch_add(&m->consumed, 1, __ATOMIC_RELAXED);
		consume(m, fn, got, last);
	}
	return NULL;
}

static void start_threads(struct mpmc *m, pthread_t *threads, struct worker *workers)
{
	unsigned n = m->producers + m->consumers;

	for (unsigned i = 0; i < n; i++) {
		bool prod = i < m->producers;
		workers[i].m = m;
		workers[i].index = prod ? i : i - m->producers;
		assert_int_equal(pthread_create(&threads[i], NULL, prod ? producer : consumer,
						&workers[i]), 0);
	}
}

/* Items that came out other than exactly once; the first such index. */
static uint32_t not_once(uint32_t total, uint32_t *first)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < total; i++)
		if (popped[i] != 1 && bad++ == 0)
			*first = i;
	return bad;
}

static void run_mpmc(unsigned producers, unsigned consumers, uint64_t size)
{
	static struct mpmc m;
	pthread_t threads[2 * MAX_THREADS];
	struct worker workers[2 * MAX_THREADS];
	uint32_t total = ITEMS, first = 0, wrong;
	void (*fn)(void *);
	void *arg;

	memset(&m, 0, sizeof(m));
	memset(items, 0, sizeof(items));
	memset(popped, 0, sizeof(popped));
	m.producers = producers;
	m.consumers = consumers;
	m.per_producer = ITEMS / producers;
	gettimeofday(&m.deadline, NULL);
	m.deadline.tv_sec += DEADLINE_S;
	if (timercmp(&budget_end, &m.deadline, <))
		m.deadline = budget_end;
	wq_ring_init(&m.ring, mpmc_slots, size);
	assert_int_equal(pthread_barrier_init(&m.start, NULL, producers + consumers), 0);
	start_threads(&m, threads, workers);
	for (unsigned i = 0; i < producers + consumers; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	pthread_barrier_destroy(&m.start);

	wrong = not_once(total, &first);
	if (m.timed_out)
		fail_msg("%ux%u ring %lu: gave up at the deadline (%d s; %d s for all) with %lu of %u "
			 "items popped (%u not exactly once, first #%u popped %u times)",
			 producers, consumers, (unsigned long)size, DEADLINE_S, BUDGET_S,
			 (unsigned long)m.consumed, total, wrong, first, popped[first]);
	assert_int_equal(m.bad_arg, 0);
	assert_int_equal(m.bad_stamp, 0);
	assert_int_equal(m.bad_fn, 0);
	assert_int_equal(m.out_of_order, 0);
	assert_int_equal(m.consumed, total);
	if (wrong)
		fail_msg("%u items not popped exactly once; first #%u popped %u times",
			 wrong, first, popped[first]);
	assert_true(wq_ring_empty(&m.ring));
	assert_false(wq_ring_pop(&m.ring, &fn, &arg));
	assert_int_equal(m.ring.head, total);
	assert_int_equal(m.ring.tail, total);
}

static void test_mpmc_1x1_ring2(void **state)
{
	(void)state;
	run_mpmc(1, 1, 2);
}

static void test_mpmc_2x2_ring2(void **state)
{
	(void)state;
	run_mpmc(2, 2, 2);
}

static void test_mpmc_4x4_ring4(void **state)
{
	(void)state;
	run_mpmc(4, 4, 4);
}

static void test_mpmc_1x8_ring4(void **state)
{
	(void)state;
	run_mpmc(1, 8, 4);
}

static void test_mpmc_8x1_ring4(void **state)
{
	(void)state;
	run_mpmc(8, 1, 4);
}

static void test_mpmc_4x4_ring1024(void **state)
{
	(void)state;
	run_mpmc(4, 4, 1024);
}

static void hung(int sig)
{
	static const char msg[] = "test_wq_ring: still running when the alarm rang "
				  "(a push or pop never returned?)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_one_thread),
		cmocka_unit_test(test_null_arg_and_repeated_pairs_are_carried),
		cmocka_unit_test(test_capacity_is_exactly_size),
		cmocka_unit_test(test_pop_on_empty_ring),
		cmocka_unit_test(test_wrap_around_many_laps),
		cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_mpmc_1x1_ring2),
		cmocka_unit_test(test_mpmc_2x2_ring2),
		cmocka_unit_test(test_mpmc_4x4_ring4),
		cmocka_unit_test(test_mpmc_1x8_ring4),
		cmocka_unit_test(test_mpmc_8x1_ring4),
		cmocka_unit_test(test_mpmc_4x4_ring1024),
	};

	gettimeofday(&budget_end, NULL);
	budget_end.tv_sec += BUDGET_S;
	signal(SIGALRM, hung);
	alarm(ALARM_S);
	return cmocka_run_group_tests_name("wq_ring", tests, NULL, NULL);
}
