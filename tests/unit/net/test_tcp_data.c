/*
 * TCP data transfer both ways: in-order receive with delayed ACKs, send
 * bursts limited by the initial window, Nagle (Minshall's form), the
 * TCP_WRITE_MORE hold, NODELAY, peek/consume, and a long byte-exact
 * transfer each way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

static void test_receive_delayed_ack(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint8_t seg[1460], buf[4000];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	memset(seg, 'a', sizeof(seg));
	tcpt_send(&t, SIM_ACK, seg, sizeof(seg));
	assert_int_equal(t.readable, 1);
	tcpt_expect_none(&t);		/* one full segment: the ACK waits */
	tcpt_send(&t, SIM_ACK, seg, sizeof(seg));
	tcpt_expect(&t, &p, SIM_ACK);	/* every second full segment: at once */
	assert_int_equal(p.ack, t.pseq);
	tcpt_send(&t, SIM_ACK | SIM_PSH, "xyz", 3);
	tcpt_expect_none(&t);
	sim_advance(&t.s, 39);
	tcpt_expect_none(&t);
	sim_advance(&t.s, 1);		/* 40 ms */
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), 2923);
	assert_memory_equal(buf + 2920, "xyz", 3);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), B_EAGAIN);
	tcpt_free(&t);
}

static void test_response_piggybacks_ack(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	char buf[64];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_send(&t, SIM_ACK | SIM_PSH, "GET /", 5);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), 5);
	assert_int_equal(tcp_write(t.c, "200 OK", 6, 0), 6);
	tcpt_expect(&t, &p, SIM_ACK | SIM_PSH);	/* the data carries the ACK */
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(p.data_len, 6);
	assert_int_equal(p.seq, t.iss + 1);
	sim_advance(&t.s, 100);
	tcpt_expect_none(&t);			/* no separate delayed ACK */
	tcpt_free(&t);
}

static void test_send_initial_window(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t data[16384];
	size_t total = 0;
	unsigned segs = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1000, -1);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i);
	assert_int_equal(t.c->cwnd, 10000);	/* RFC 6928: min(10*MSS, max(2*MSS, 14600)) */
	assert_int_equal(tcp_write(t.c, data, sizeof(data), 0), 16384);
	assert_int_equal(tcp_writable(t.c), 0);
	assert_int_equal(tcp_write(t.c, data, 1, 0), 0);
	while (total < 10000) {
		size_t k = tcpt_expect_data(&t, &p);

		assert_int_equal(k, 1000);
		assert_int_equal(p.seq, t.iss + 1 + total);
		assert_memory_equal(p.data, data + total, k);
		total += k;
		segs++;
	}
	tcpt_expect_none(&t);
	assert_int_equal(segs, 10);
	/* an ACK of two segments frees space, calls writable, grows cwnd
	 * (slow start) and sends more */
	t.pack = t.iss + 1 + 2000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.writable, 1);
	assert_int_equal(tcp_writable(t.c), 2000);
	assert_int_equal(t.c->cwnd, 11000);
	while (sim_next(&t.s, &p))
		if (p.data_len)
			total += p.data_len;
	assert_int_equal(total, 13000);	/* una + cwnd */
	tcpt_free(&t);
}

static void test_nagle(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint8_t big[3000];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	memset(big, 'b', sizeof(big));
	/* full segments and the tail go together (Minshall) */
	assert_int_equal(tcp_write(t.c, big, 3000, 0), 3000);
	assert_int_equal(tcpt_expect_data(&t, &p), 1460);
	assert_int_equal(tcpt_expect_data(&t, &p), 1460);
	assert_int_equal(tcpt_expect_data(&t, &p), 80);
	/* a small one waits while the partial 80 is unacknowledged */
	assert_int_equal(tcp_write(t.c, "s", 1, 0), 1);
	tcpt_expect_none(&t);
	assert_int_equal(tcp_write(t.c, "t", 1, 0), 1);
	tcpt_expect_none(&t);
	t.pack = t.iss + 1 + 3000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(tcpt_expect_data(&t, &p), 2);	/* coalesced */
	assert_memory_equal(p.data, "st", 2);
	/* NODELAY: small ones go at once */
	assert_int_equal(tcp_setopt(t.c, TCP_OPT_NODELAY, 1), 0);
	assert_int_equal(tcp_write(t.c, "u", 1, 0), 1);
	assert_int_equal(tcpt_expect_data(&t, &p), 1);
	assert_int_equal(tcp_write(t.c, "v", 1, 0), 1);
	assert_int_equal(tcpt_expect_data(&t, &p), 1);
	tcpt_free(&t);
}

static void test_write_more(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint8_t big[2000];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	memset(big, 'm', sizeof(big));
	assert_int_equal(tcp_write(t.c, "HTTP/1.1 200 OK\r\n", 17, TCP_WRITE_MORE), 17);
	tcpt_expect_none(&t);		/* held, though nothing is in flight */
	sim_advance(&t.s, 5000);
	tcpt_expect_none(&t);
	assert_int_equal(tcp_write(t.c, big, sizeof(big), TCP_WRITE_MORE), 2000);
	assert_int_equal(tcpt_expect_data(&t, &p), 1460);	/* full ones go */
	tcpt_expect_none(&t);
	assert_int_equal(tcp_write(t.c, "end", 3, 0), 3);
	assert_int_equal(tcpt_expect_data(&t, &p), 17 + 2000 + 3 - 1460);
	assert_true(p.flags & SIM_PSH);
	tcpt_free(&t);
}

static void test_peek_consume(void **state)
{
	struct tcpt t;
	const void *ptr;
	char buf[16];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_send(&t, SIM_ACK, "hello world", 11);
	assert_int_equal(tcp_readable(t.c), 11);
	assert_int_equal(tcp_peek(t.c, &ptr), 11);
	assert_memory_equal(ptr, "hello world", 11);
	tcp_consume(t.c, 6);
	assert_int_equal(tcp_readable(t.c), 5);
	tcp_consume(t.c, 100);		/* capped */
	assert_int_equal(tcp_readable(t.c), 0);
	assert_int_equal(tcp_peek(t.c, &ptr), 0);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), B_EAGAIN);
	tcpt_free(&t);
}

/* 200 KB from the stack to a peer that ACKs each burst. */
static void test_long_send(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t data[200000], got[200000];
	size_t sent = 0, rcvd = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i);
	for (unsigned round = 0; round < 10000 && rcvd < sizeof(data); round++) {
		long k = tcp_write(t.c, data + sent, sizeof(data) - sent, 0);

		assert_true(k >= 0);
		sent += (size_t)k;
		while (sim_next(&t.s, &p)) {
			if (p.proto != IP_PROTO_TCP || !p.data_len)
				continue;
			assert_int_equal(p.seq, t.iss + 1 + rcvd);	/* no loss: in order */
			memcpy(got + rcvd, p.data, p.data_len);
			rcvd += p.data_len;
		}
		t.pack = t.iss + 1 + (uint32_t)rcvd;
		tcpt_send(&t, SIM_ACK, NULL, 0);
	}
	assert_int_equal(rcvd, sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	assert_int_equal(t.c->bytes_sent, sizeof(data));
	assert_int_equal(t.s.n->st.tcp_retrans, 0);
	tcpt_free(&t);
}

/* 100 KB from the peer, read as it comes; the window never overflows. */
static void test_long_receive(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t data[100000];
	size_t off = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.read_all = true;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i);
	while (off < sizeof(data)) {
		size_t k = sizeof(data) - off < 1460 ? sizeof(data) - off : 1460;

		tcpt_send(&t, SIM_ACK, data + off, k);
		off += k;
		while (sim_next(&t.s, &p))
			assert_true(p.win > 0);
	}
	assert_int_equal(t.rx_len, sizeof(data));
	assert_memory_equal(t.rx, data, sizeof(data));
	assert_int_equal(t.c->bytes_received, sizeof(data));
	tcpt_free(&t);
}

/* Unread data fills the ring: the window closes, excess is dropped and
 * the window reopens once the program reads. */
static void test_receive_window_fills(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t seg[1460], buf[20000];
	unsigned acks = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	memset(seg, 'w', sizeof(seg));
	for (int i = 0; i < 12; i++)		/* 17520 > 16384 */
		tcpt_send(&t, SIM_ACK, seg, sizeof(seg));
	assert_int_equal(tcp_readable(t.c), 16384);
	p.win = 1;
	while (sim_next(&t.s, &p))
		acks++;
	assert_true(acks > 0);
	assert_int_equal(p.win, 0);
	assert_int_equal(p.ack, t.iss ? TCPT_PEER_ISS + 1 + 16384 : 0);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), 16384);
	tcpt_expect(&t, &p, SIM_ACK);		/* the window update */
	assert_int_equal(p.win, 16384);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receive_delayed_ack),
		cmocka_unit_test(test_response_piggybacks_ack),
		cmocka_unit_test(test_send_initial_window),
		cmocka_unit_test(test_nagle),
		cmocka_unit_test(test_write_more),
		cmocka_unit_test(test_peek_consume),
		cmocka_unit_test(test_long_send),
		cmocka_unit_test(test_long_receive),
		cmocka_unit_test(test_receive_window_fills),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
