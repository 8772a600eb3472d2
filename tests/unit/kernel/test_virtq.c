/*
 * The split virtqueue (kernel/drivers/virtq.c) against a simulated device
 * that reads the available ring and fills the used ring as virtio 1.1
 * §2.6 says a device does, and against a device that lies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pith/error.h>
#include "drivers/virtq.h"

#define QSIZE	8

struct fixture {
	struct virtq q;
	struct virtq_slot slots[VIRTQ_SIZE_MAX];
	uint8_t *mem;
	uint16_t dev_avail;	/* the device's next available entry */
};

static struct fixture *make(uint16_t size, int event_idx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(16, (virtq_bytes(size) + 15) & ~(size_t)15);
	memset(f->mem, 0, virtq_bytes(size));
	assert_int_equal(virtq_init(&f->q, f->mem, size, f->slots, event_idx), 0);
	return f;
}

static void destroy(struct fixture *f)
{
	free(f->mem);
	free(f);
}

/* The device takes one available chain: fills each writable buffer with
 * `fill`, and returns the chain with the bytes written. Returns the head,
 * or -1 if nothing is available. */
static int device_complete(struct fixture *f, uint8_t fill)
{
	struct virtq *q = &f->q;
	uint16_t head, i;
	uint32_t written = 0;

	if (f->dev_avail == q->avail->idx)
		return -1;
	head = q->avail->ring[f->dev_avail++ % q->size];
	for (i = head;; i = q->desc[i].next) {
		struct virtq_desc *d = &q->desc[i];
		if (d->flags & VIRTQ_DESC_F_WRITE) {
			memset((void *)(uintptr_t)d->addr, fill, d->len);
			written += d->len;
		}
		if (!(d->flags & VIRTQ_DESC_F_NEXT))
			break;
	}
	q->used->ring[q->used->idx % q->size] = (struct virtq_used_elem){ head, written };
	q->used->idx++;
	return head;
}

/* The device puts an arbitrary entry on the used ring. */
static void device_lie(struct fixture *f, uint32_t id, uint32_t len)
{
	struct virtq *q = &f->q;

	q->used->ring[q->used->idx % q->size] = (struct virtq_used_elem){ id, len };
	q->used->idx++;
}

static void test_init_checks_size_and_alignment(void **state)
{
	struct virtq q;
	static struct virtq_slot slots[16];
	static uint8_t mem[4096] __attribute__((aligned(16)));

	(void)state;
	assert_int_equal(virtq_init(&q, mem, 0, slots, 0), B_EINVAL);
	assert_int_equal(virtq_init(&q, mem, 3, slots, 0), B_EINVAL);
	assert_int_equal(virtq_init(&q, mem, 12, slots, 0), B_EINVAL);
	assert_int_equal(virtq_init(&q, mem + 8, 16, slots, 0), B_EINVAL);
	assert_int_equal(virtq_init(&q, mem, 16, slots, 0), 0);
	assert_int_equal(q.num_free, 16);
}

static void test_layout_matches_the_spec(void **state)
{
	struct fixture *f = make(QSIZE, 1);
	uintptr_t base = (uintptr_t)f->mem;

	(void)state;
	/* §2.6: descriptors 16 bytes each, then the available ring (flags, idx,
	 * ring[size], used_event), then the used ring aligned to 4. */
	assert_int_equal((uintptr_t)f->q.avail - base, 16 * QSIZE);
	assert_int_equal((uintptr_t)f->q.used % 4, 0);
	assert_true((uintptr_t)f->q.used >= (uintptr_t)f->q.avail + 4 + 2 * QSIZE + 2);
	assert_int_equal(virtq_bytes(QSIZE), (uintptr_t)f->q.used - base + 4 + 8 * QSIZE + 2);
	destroy(f);
}

static void test_one_buffer_round_trip(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	char out[] = "frame";
	struct virtq_buf b = { out, sizeof(out), false };
	uint32_t len = 99;
	int cookie;

	(void)state;
	assert_int_equal(virtq_add(&f->q, &b, 1, &cookie), 0);
	assert_int_equal(device_complete(f, 0), -1);	/* not published yet */
	assert_true(virtq_publish(&f->q));		/* no NO_NOTIFY flag: notify */
	assert_int_equal(f->q.desc[f->q.avail->ring[0]].addr, (uintptr_t)out);
	assert_int_equal(f->q.desc[f->q.avail->ring[0]].flags, 0);
	assert_int_not_equal(device_complete(f, 0), -1);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &cookie);
	assert_int_equal(len, 0);			/* nothing writable */
	assert_null(virtq_get_used(&f->q, &len));
	assert_int_equal(f->q.num_free, QSIZE);
	destroy(f);
}

static void test_chain_flags_and_written_length(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	uint8_t hdr[10] = { 0 }, data[100] = { 0 }, status[1] = { 0 };
	struct virtq_buf bufs[] = {
		{ hdr, sizeof(hdr), false }, { data, sizeof(data), true },
		{ status, sizeof(status), true } };
	uint32_t len;
	int cookie;
	uint16_t head, i;

	(void)state;
	assert_int_equal(virtq_add(&f->q, bufs, 3, &cookie), 0);
	assert_int_equal(f->q.num_free, QSIZE - 3);
	virtq_publish(&f->q);
	head = f->q.avail->ring[0];
	i = head;
	assert_int_equal(f->q.desc[i].flags, VIRTQ_DESC_F_NEXT);
	i = f->q.desc[i].next;
	assert_int_equal(f->q.desc[i].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	i = f->q.desc[i].next;
	assert_int_equal(f->q.desc[i].flags, VIRTQ_DESC_F_WRITE);
	device_complete(f, 0xab);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &cookie);
	assert_int_equal(len, 101);
	assert_int_equal(data[99], 0xab);
	assert_int_equal(hdr[0], 0);		/* device-readable: untouched */
	assert_int_equal(f->q.num_free, QSIZE);
	destroy(f);
}

static void test_full_queue_refuses_and_changes_nothing(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	uint8_t buf[4];
	struct virtq_buf b[QSIZE + 1];
	int cookies[QSIZE];
	uint32_t len;

	(void)state;
	for (int i = 0; i <= QSIZE; i++)
		b[i] = (struct virtq_buf){ buf, sizeof(buf), true };
	assert_int_equal(virtq_add(&f->q, b, QSIZE + 1, &cookies[0]), B_EAGAIN);
	for (int i = 0; i < QSIZE / 2; i++)
		assert_int_equal(virtq_add(&f->q, b, 2, &cookies[i]), 0);
	assert_int_equal(f->q.num_free, 0);
	assert_int_equal(virtq_add(&f->q, b, 1, &cookies[0]), B_EAGAIN);
	assert_int_equal(f->q.avail_idx, QSIZE / 2);
	virtq_publish(&f->q);
	assert_int_not_equal(device_complete(f, 1), -1);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &cookies[0]);
	assert_int_equal(f->q.num_free, 2);
	assert_int_equal(virtq_add(&f->q, b, 2, &cookies[0]), 0);	/* room again */
	destroy(f);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	uint8_t buf[4];
	struct virtq_buf ok = { buf, 4, false }, null = { NULL, 4, false };
	int cookie;

	(void)state;
	assert_int_equal(virtq_add(&f->q, &ok, 0, &cookie), B_EINVAL);
	assert_int_equal(virtq_add(&f->q, &ok, 1, NULL), B_EINVAL);
	assert_int_equal(virtq_add(&f->q, &null, 1, &cookie), B_EINVAL);
	assert_int_equal(f->q.num_free, QSIZE);
	assert_false(virtq_publish(&f->q));	/* nothing new: no notification */
	destroy(f);
}

/* A burst is one index update; EVENT_IDX decides the notification. */
static void test_event_idx_notification(void **state)
{
	struct fixture *f = make(QSIZE, 1);
	uint8_t buf[4];
	struct virtq_buf b = { buf, 4, true };
	uint16_t *avail_event = (uint16_t *)&f->q.used->ring[QSIZE];
	int c[8];
	uint32_t len;

	(void)state;
	for (int i = 0; i < 3; i++)
		virtq_add(&f->q, &b, 1, &c[i]);
	*avail_event = 0;			/* device: kick me when idx passes 0 */
	assert_true(virtq_publish(&f->q));	/* idx 0 -> 3 covers event 0 */
	assert_int_equal(f->q.avail->idx, 3);
	virtq_add(&f->q, &b, 1, &c[3]);
	*avail_event = 10;			/* device: not before 10 */
	assert_false(virtq_publish(&f->q));	/* 3 -> 4 does not reach 10 */
	virtq_add(&f->q, &b, 1, &c[4]);
	*avail_event = 4;
	assert_true(virtq_publish(&f->q));	/* 4 -> 5 covers 4 */
	virtq_add(&f->q, &b, 1, &c[5]);
	*avail_event = 4;			/* already passed before this burst */
	assert_false(virtq_publish(&f->q));	/* 5 -> 6 does not cover 4 */
	/* Reading used entries moves used_event, so the device interrupts again. */
	device_complete(f, 0);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &c[0]);
	assert_int_equal(f->q.avail->ring[QSIZE], 1);
	destroy(f);
}

/* A queue that wants no interrupts keeps its used_event just behind
 * last_used as it reads: the device never reaches it, even 65,536 entries
 * later. */
static void test_quiet_queue_does_not_move_used_event(void **state)
{
	struct fixture *f = make(QSIZE, 1);
	uint8_t buf[4];
	struct virtq_buf b = { buf, 4, true };
	int c[2];
	uint32_t len;
	uint16_t parked;

	(void)state;
	virtq_want_interrupts(&f->q, false);
	parked = f->q.avail->ring[QSIZE];	/* last_used - 1 */
	assert_int_equal(parked, (uint16_t)(f->q.last_used - 1));
	virtq_add(&f->q, &b, 1, &c[0]);
	virtq_add(&f->q, &b, 1, &c[1]);
	virtq_publish(&f->q);
	device_complete(f, 0);
	device_complete(f, 1);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &c[0]);
	assert_ptr_equal(virtq_get_used(&f->q, &len), &c[1]);
	assert_int_equal(f->q.avail->ring[QSIZE], (uint16_t)(f->q.last_used - 1));
	assert_int_not_equal(f->q.avail->ring[QSIZE], parked);	/* it followed us */
	virtq_want_interrupts(&f->q, true);	/* on again: from the next entry */
	assert_int_equal(f->q.avail->ring[QSIZE], f->q.last_used);
	destroy(f);
}

static void test_no_notify_flag_without_event_idx(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	uint8_t buf[4];
	struct virtq_buf b = { buf, 4, true };
	int c;

	(void)state;
	virtq_add(&f->q, &b, 1, &c);
	f->q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_false(virtq_publish(&f->q));
	virtq_want_interrupts(&f->q, false);
	assert_int_equal(f->q.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_want_interrupts(&f->q, true);
	assert_int_equal(f->q.avail->flags, 0);
	destroy(f);
}

/* A device that names chains it does not hold, or claims to have written
 * more than it could: those entries are skipped and counted, and the
 * honest entries after them still come back. */
static void test_lying_device_is_not_trusted(void **state)
{
	struct fixture *f = make(QSIZE, 0);
	uint8_t buf[16];
	struct virtq_buf b = { buf, sizeof(buf), true };
	int c;
	uint32_t len;
	uint16_t head;

	(void)state;
	virtq_add(&f->q, &b, 1, &c);
	virtq_publish(&f->q);
	head = f->q.avail->ring[0];
	device_lie(f, QSIZE + 5, 1);		/* no such descriptor */
	device_lie(f, (head + 1) % QSIZE, 1);	/* a free descriptor */
	device_lie(f, head, sizeof(buf) + 1);	/* longer than the buffer */
	device_lie(f, 0xffffffff, 0);
	assert_int_equal(device_complete(f, 7), head);
	/* The overlong entry finishes the chain, cut to what it could hold,
	 * so its owner is not left waiting; the later entry for it is stale. */
	assert_ptr_equal(virtq_get_used(&f->q, &len), &c);
	assert_int_equal(len, sizeof(buf));
	assert_int_equal(f->q.bad_used, 3);
	assert_null(virtq_get_used(&f->q, &len));
	assert_int_equal(f->q.bad_used, 5);
	assert_int_equal(f->q.num_free, QSIZE);	/* no descriptor lost */
	destroy(f);
}

/* Many laps of the 16-bit indexes with chains of every length: each
 * cookie comes back exactly once and no descriptor is lost. */
static void test_many_laps(void **state)
{
	struct fixture *f = make(QSIZE, 1);
	static uint8_t bufs[QSIZE][8];
	static int seen[200000];
	unsigned next = 0, done = 0, inflight = 0;
	uint32_t len;
	int *cookie;

	(void)state;
	srand(7);
	while (done < 200000) {
		unsigned n = 1 + (unsigned)rand() % 3;
		struct virtq_buf b[3];
		for (unsigned k = 0; k < n; k++)
			b[k] = (struct virtq_buf){ bufs[k], 8, k == n - 1 };
		if (next < 200000 && virtq_add(&f->q, b, n, &seen[next]) == 0) {
			next++;
			inflight++;
			virtq_publish(&f->q);
			continue;
		}
		assert_int_not_equal(device_complete(f, 0), -1);
		cookie = virtq_get_used(&f->q, &len);
		assert_non_null(cookie);
		assert_int_equal(len, 8);
		(*cookie)++;
		done++;
		inflight--;
	}
	for (unsigned i = 0; i < 200000; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(f->q.num_free, QSIZE);
	assert_int_equal(f->q.bad_used, 0);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks_size_and_alignment),
		cmocka_unit_test(test_layout_matches_the_spec),
		cmocka_unit_test(test_one_buffer_round_trip),
		cmocka_unit_test(test_chain_flags_and_written_length),
		cmocka_unit_test(test_full_queue_refuses_and_changes_nothing),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_event_idx_notification),
		cmocka_unit_test(test_no_notify_flag_without_event_idx),
		cmocka_unit_test(test_quiet_queue_does_not_move_used_event),
		cmocka_unit_test(test_lying_device_is_not_trusted),
		cmocka_unit_test(test_many_laps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
