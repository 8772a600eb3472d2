/*
 * TCP closing (RFC 9293 §3.6): active and passive close, simultaneous
 * close through CLOSING, FIN with ACK, TIME_WAIT's 2*MSL and its reuse
 * and recycling, an orphan's FIN_WAIT_2 limit, abort, reset by the peer,
 * and re-entrant callbacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static unsigned count(struct tcpt *t, unsigned st)
{
	unsigned c[TCP_TIME_WAIT + 1];

	tcp_count_states(t->s.n, c);
	return c[st];
}

static void test_active_close(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	assert_int_equal(tcp_shutdown(t.c), 0);
	assert_int_equal(t.c->state, TCP_FIN_WAIT_1);
	assert_int_equal(tcp_write(t.c, "x", 1, 0), B_EPIPE);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	assert_int_equal(p.seq, t.iss + 1);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.c->state, TCP_FIN_WAIT_2);
	tcpt_expect_none(&t);
	/* half-closed: the peer still sends */
	t.read_all = true;
	tcpt_send(&t, SIM_ACK | SIM_PSH, "late", 4);
	assert_int_equal(t.rx_len, 4);
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, 0);
	assert_null(t.c);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	sim_advance(&t.s, 59999);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	sim_advance(&t.s, 1);			/* 2 * MSL = 60 s */
	assert_int_equal(count(&t, TCP_TIME_WAIT), 0);
	assert_int_equal(count(&t, TCP_LISTEN), 1);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_fin_ack_together(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);	/* acks ours, sends its own */
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(t.closed, 1);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	tcpt_free(&t);
}

static void test_passive_close(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	char buf[8];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_send(&t, SIM_ACK | SIM_FIN, "bye", 3);
	assert_int_equal(t.c->state, TCP_CLOSE_WAIT);
	assert_true(tcp_peer_closed(t.c));
	tcpt_expect(&t, &p, SIM_ACK);		/* a FIN is ACKed at once */
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), 3);
	assert_int_equal(tcp_read(t.c, buf, sizeof(buf)), 0);
	/* the program still writes, then shuts down */
	assert_int_equal(tcp_write(t.c, "ok", 2, 0), 2);
	assert_int_equal(tcpt_expect_data(&t, &p), 2);
	assert_int_equal(tcp_shutdown(t.c), 0);
	assert_int_equal(t.c->state, TCP_LAST_ACK);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	assert_int_equal(p.seq, t.iss + 3);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, 0);
	assert_int_equal(count(&t, TCP_LAST_ACK) + count(&t, TCP_TIME_WAIT), 0);
	tcpt_free(&t);
}

static void test_passive_close_orphan(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.close_on_fin = true;			/* tcp_close inside readable */
	tcpt_send(&t, SIM_ACK | SIM_FIN, NULL, 0);
	assert_null(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);	/* ACK and FIN in one */
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(count(&t, TCP_LAST_ACK), 1);
	/* the FIN is lost: retransmitted by the orphan itself */
	sim_advance(&t.s, 1000);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(count(&t, TCP_LAST_ACK), 0);
	assert_int_equal(t.closed, 0);		/* no callbacks after tcp_close */
	tcpt_free(&t);
}

static void test_simultaneous_close(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint32_t fin;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	fin = p.seq;
	/* the peer's FIN crosses ours: it does not ack ours yet */
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	assert_int_equal(t.c->state, TCP_CLOSING);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(t.closed, 0);
	t.pack = fin + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_time_wait_fin_again(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	sim_advance(&t.s, 30000);
	/* our ACK was lost: the FIN again is ACKed and the 2*MSL restarts */
	t.pseq--;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	sim_advance(&t.s, 59000);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	sim_advance(&t.s, 1000);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 0);
	/* RFC 1337: a RST in TIME_WAIT changes nothing (checked above as
	 * well by the slot surviving) */
	tcpt_free(&t);
}

static void test_time_wait_ignores_rst(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	tcpt_send(&t, SIM_RST, NULL, 0);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	tcpt_free(&t);
}

static void test_time_wait_reuse(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	/* a SYN below RCV.NXT: not a new incarnation, a challenge ACK */
	tcpt_seg(&t, SIM_SYN, t.pseq - 10, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	/* a SYN above: TIME_WAIT ends, a new connection starts */
	t.accepted = 0;
	tcpt_seg(&t, SIM_SYN, t.pseq + 100000, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.ack, t.pseq + 100001);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 0);
	assert_int_equal(count(&t, TCP_SYN_RECEIVED), 1);
	tcpt_free(&t);
}

static void test_time_wait_recycled(void **state)
{
	struct tcpt t;
	struct net_config cfg;
	struct sim_pkt p;

	(void)state;
	sim_default_config(&cfg);
	cfg.tcp_conns = 2;			/* the listener and one more */
	tcpt_init(&t, &cfg);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_FIN | SIM_ACK, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 1);
	/* no slot is free: the TIME_WAIT slot is recycled for a new peer */
	t.pport = 40001;
	t.pseq = 5;
	tcpt_seg(&t, SIM_SYN, t.pseq, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(count(&t, TCP_TIME_WAIT), 0);
	/* and tcp_connect takes the next freed slot the same way */
	tcpt_free(&t);
}

static void test_orphan_fin_wait_2_timeout(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	assert_int_equal(tcp_write(t.c, "last words", 10, 0), 10);
	assert_int_equal(tcp_close(t.c), 0);
	t.c = NULL;
	assert_int_equal(tcpt_expect_data(&t, &p), 10);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	assert_int_equal(p.seq, t.iss + 11);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(count(&t, TCP_FIN_WAIT_2), 1);
	/* the peer never closes: the orphan goes after 60 s */
	sim_advance(&t.s, 59999);
	assert_int_equal(count(&t, TCP_FIN_WAIT_2), 1);
	sim_advance(&t.s, 1);
	assert_int_equal(count(&t, TCP_FIN_WAIT_2), 0);
	assert_int_equal(t.closed, 0);
	/* its port pair is free: a segment now gets a RST */
	tcpt_send(&t, SIM_ACK, "?", 1);
	tcpt_expect(&t, &p, SIM_RST);
	tcpt_free(&t);
}

static void test_held_fin_wait_2_stays(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_shutdown(t.c);			/* half close, still held */
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	sim_advance(&t.s, 600000);
	assert_non_null(t.c);
	assert_int_equal(t.c->state, TCP_FIN_WAIT_2);
	tcpt_free(&t);
}

static void test_abort(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_abort(t.c);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	assert_int_equal(p.seq, t.iss + 1);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(t.closed, 0);
	assert_int_equal(count(&t, TCP_ESTABLISHED), 0);
	tcpt_free(&t);
}

static void test_peer_reset(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_send(&t, SIM_RST, NULL, 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ECONNRESET);
	assert_int_equal(count(&t, TCP_ESTABLISHED) + count(&t, TCP_CLOSED), 0);
	tcpt_free(&t);
}

static void test_reset_without_callback(void **state)
{
	struct tcpt t;
	struct tcp_conn *c;
	char buf[4];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	c = t.c;
	tcp_set_events(c, NULL, NULL);
	tcpt_send(&t, SIM_RST, NULL, 0);
	/* the program still holds c: CLOSED, reads say why */
	assert_int_equal(c->state, TCP_CLOSED);
	assert_int_equal(tcp_read(c, buf, sizeof(buf)), B_ECONNRESET);
	assert_int_equal(tcp_write(c, "x", 1, 0), B_ENOTCONN);
	assert_int_equal(count(&t, TCP_CLOSED), 1);
	assert_int_equal(tcp_close(c), 0);
	assert_int_equal(count(&t, TCP_CLOSED), 0);
	tcpt_free(&t);
}

static void test_abort_in_readable(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.abort_on_readable = true;
	tcpt_send(&t, SIM_ACK | SIM_FIN, "data", 4);
	assert_null(t.c);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	tcpt_expect_none(&t);
	assert_int_equal(count(&t, TCP_CLOSE_WAIT), 0);
	tcpt_free(&t);
}

static void test_shutdown_during_connect(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	t.port = 0;
	t.c = tcp_connect(t.s.n, SIM_PEER_IP, 8080, &tcpt_events, &t);
	t.pport = 8080;
	tcpt_expect(&t, &p, SIM_SYN);
	t.port = p.sport;
	assert_int_equal(tcp_shutdown(t.c), 0);
	tcpt_seg(&t, SIM_SYN | SIM_ACK, 50, p.seq + 1, 1000, NULL, 0, NULL, 0);
	assert_int_equal(t.c->state, TCP_FIN_WAIT_1);
	tcpt_expect(&t, &p, SIM_FIN | SIM_ACK);
	assert_int_equal(p.ack, 51);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_close),
		cmocka_unit_test(test_fin_ack_together),
		cmocka_unit_test(test_passive_close),
		cmocka_unit_test(test_passive_close_orphan),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_time_wait_fin_again),
		cmocka_unit_test(test_time_wait_ignores_rst),
		cmocka_unit_test(test_time_wait_reuse),
		cmocka_unit_test(test_time_wait_recycled),
		cmocka_unit_test(test_orphan_fin_wait_2_timeout),
		cmocka_unit_test(test_held_fin_wait_2_stays),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_peer_reset),
		cmocka_unit_test(test_reset_without_callback),
		cmocka_unit_test(test_abort_in_readable),
		cmocka_unit_test(test_shutdown_during_connect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
