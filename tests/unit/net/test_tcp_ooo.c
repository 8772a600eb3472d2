/*
 * Out-of-order arrival: segments stored at their place in the receive
 * ring, immediate duplicate ACKs (RFC 5681 §4.2), the gap filling,
 * overlaps, more runs than remembered, and an out-of-order FIN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static uint8_t data[20000];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 5);
}

/* The peer sends data[off, off+len) at its place. */
static void piece(struct tcpt *t, uint32_t base, size_t off, size_t len, uint8_t extra)
{
	tcpt_seg(t, SIM_ACK | extra, base + (uint32_t)off, t->pack, TCPT_WIN, NULL, 0,
		 data + off, len);
}

static void test_reorder(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint32_t base;

	(void)state;
	fill();
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.read_all = true;
	base = t.pseq;
	piece(&t, base, 1000, 1000, 0);		/* 2nd */
	tcpt_expect(&t, &p, SIM_ACK);		/* a duplicate ACK, at once */
	assert_int_equal(p.ack, base);
	piece(&t, base, 2000, 1000, 0);		/* 3rd */
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, base);
	assert_int_equal(t.rx_len, 0);
	assert_int_equal(t.s.n->st.tcp_ooo_segs, 2);
	piece(&t, base, 0, 1000, 0);		/* the gap fills */
	tcpt_expect(&t, &p, SIM_ACK);		/* at once too */
	assert_int_equal(p.ack, base + 3000);
	assert_int_equal(t.rx_len, 3000);
	assert_memory_equal(t.rx, data, 3000);
	tcpt_free(&t);
}

static void test_overlaps(void **state)
{
	struct tcpt t;
	uint32_t base;

	(void)state;
	fill();
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.read_all = true;
	base = t.pseq;
	piece(&t, base, 500, 1000, 0);
	piece(&t, base, 1200, 800, 0);		/* overlaps the first */
	piece(&t, base, 3000, 100, 0);
	piece(&t, base, 2500, 600, 0);		/* covers the third */
	piece(&t, base, 100, 500, 0);
	assert_int_equal(t.c->nooo, 2);		/* [100,2000) and [2500,3100) */
	piece(&t, base, 0, 200, 0);
	assert_int_equal(t.rx_len, 2000);
	piece(&t, base, 1900, 700, 0);
	assert_int_equal(t.rx_len, 3100);
	assert_memory_equal(t.rx, data, 3100);
	assert_int_equal(t.c->nooo, 0);
	tcpt_free(&t);
}

static void test_many_holes(void **state)
{
	struct tcpt t;
	uint32_t base;

	(void)state;
	fill();
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.read_all = true;
	base = t.pseq;
	/* 12 runs with holes between: only TCP_OOO_RANGES remembered */
	for (size_t i = 1; i <= 12; i++)
		piece(&t, base, i * 1000, 500, 0);
	assert_int_equal(t.c->nooo, TCP_OOO_RANGES);
	/* the peer resends everything in order: all arrives exactly */
	for (size_t off = 0; off < 13000; off += 1000)
		piece(&t, base, off, 1000, 0);
	assert_int_equal(t.rx_len, 13000);
	assert_memory_equal(t.rx, data, 13000);
	tcpt_free(&t);
}

static void test_beyond_window_dropped(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint32_t base;

	(void)state;
	fill();
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	base = t.pseq;
	/* the ring is 16384: a piece straddling its end keeps only what fits */
	piece(&t, base, 16000, 1000, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(t.c->nooo, 1);
	assert_int_equal(t.c->ooo[0].hi - base, 16384);
	tcpt_free(&t);
}

static void test_fin_out_of_order(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint32_t base;

	(void)state;
	fill();
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.read_all = true;
	base = t.pseq;
	piece(&t, base, 1000, 500, SIM_FIN);	/* data and FIN, early */
	tcpt_expect(&t, &p, SIM_ACK);
	assert_false(tcp_peer_closed(t.c));
	piece(&t, base, 0, 1000, 0);
	assert_int_equal(t.rx_len, 1500);
	assert_false(tcp_peer_closed(t.c));	/* that FIN was not kept */
	tcpt_drain(&t);
	tcpt_seg(&t, SIM_ACK | SIM_FIN, base + 1500, t.pack, TCPT_WIN, NULL, 0, NULL, 0);
	assert_true(tcp_peer_closed(t.c));
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, base + 1501);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_many_holes),
		cmocka_unit_test(test_beyond_window_dropped),
		cmocka_unit_test(test_fin_out_of_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
