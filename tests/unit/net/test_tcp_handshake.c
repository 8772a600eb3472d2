/*
 * TCP opening (RFC 9293 §3.5, §3.10.7.2-3): passive and active opens,
 * simultaneous open, the SYN options, resets for closed ports, SYN and
 * SYN-ACK retransmission.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

/* The options of a parsed segment: MSS (0 if absent), WS (-1 if absent). */
static void syn_options(const struct sim_pkt *p, unsigned *mss, int *ws)
{
	*mss = 0;
	*ws = -1;
	for (size_t i = 0; i < p->optlen;) {
		uint8_t k = p->opt[i];

		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		assert_true(i + 1 < p->optlen);
		if (k == 2)
			*mss = (unsigned)(p->opt[i + 2] << 8 | p->opt[i + 3]);
		if (k == 3)
			*ws = p->opt[i + 2];
		i += p->opt[i + 1];
	}
}

static void test_passive_open(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint8_t o[8];
	unsigned mss;
	int ws;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, 5000, 0, 8192, o, tcpt_syn_opts(o, 1200, 2), NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.ack, 5001);
	syn_options(&p, &mss, &ws);
	assert_int_equal(mss, 1460);	/* mtu 1500 - 40 */
	assert_int_equal(ws, 0);	/* 16 KiB fits unscaled, but offered */
	assert_int_equal(t.s.n->st.tcp_passive_opens, 1);
	assert_int_equal(t.accepted, 0);
	/* the handshake's ACK */
	tcpt_seg(&t, SIM_ACK, 5001, p.seq + 1, 100, NULL, 0, NULL, 0);
	assert_int_equal(t.accepted, 1);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	assert_int_equal(t.c->mss, 1200);	/* the peer's is smaller */
	assert_int_equal(t.c->snd_wnd, 100 << 2);	/* scaled after the SYN */
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_passive_no_ws_no_mss(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	unsigned mss;
	int ws;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, 5000, 0, 8192, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	syn_options(&p, &mss, &ws);
	assert_int_equal(mss, 1460);
	assert_int_equal(ws, -1);	/* RFC 7323 §1.3: only in reply to one */
	tcpt_seg(&t, SIM_ACK, 5001, p.seq + 1, 100, NULL, 0, NULL, 0);
	assert_non_null(t.c);
	assert_int_equal(t.c->mss, 536);	/* RFC 9293 §3.7.1 default */
	assert_int_equal(t.c->snd_wnd, 100);
	tcpt_free(&t);
}

static void test_accept_queue(void **state)
{
	struct tcpt t;
	struct tcp_events ev = { 0 };
	struct sim_pkt p;
	struct tcp_conn *c;

	(void)state;
	tcpt_init(&t, NULL);
	t.l = tcp_listen(t.s.n, 80, 2, &ev, &t);
	assert_non_null(t.l);
	assert_null(tcp_accept(t.l));
	tcpt_seg(&t, SIM_SYN, 7000, 0, 8192, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	tcpt_seg(&t, SIM_ACK, 7001, p.seq + 1, 8192, NULL, 0, "abc", 3);
	tcpt_expect_none(&t);		/* a delayed ACK (RFC 9293 §3.8.6.3) */
	sim_advance(&t.s, 40);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, 7004);
	c = tcp_accept(t.l);
	assert_non_null(c);
	assert_null(tcp_accept(t.l));
	assert_int_equal(tcp_readable(c), 3);
	assert_ptr_equal(tcp_arg(c), &t);
	tcp_abort(c);
	tcpt_free(&t);
}

static void test_active_open(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	unsigned mss;
	int ws;

	(void)state;
	tcpt_init(&t, NULL);
	t.port = 0;
	t.c = tcp_connect(t.s.n, SIM_PEER_IP, 8080, &tcpt_events, &t);
	assert_non_null(t.c);
	t.pport = 8080;
	assert_int_equal(t.c->state, TCP_SYN_SENT);
	tcpt_expect(&t, &p, SIM_SYN);
	assert_true(p.sport >= 49152);
	syn_options(&p, &mss, &ws);
	assert_int_equal(mss, 1460);
	assert_int_equal(ws, 0);
	assert_int_equal(t.s.n->st.tcp_active_opens, 1);
	assert_int_equal(tcp_write(t.c, "x", 1, 0), B_ENOTCONN);
	t.port = p.sport;
	tcpt_seg(&t, SIM_SYN | SIM_ACK, 9000, p.seq + 1, 4000, NULL, 0, NULL, 0);
	assert_int_equal(t.connected, 1);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, 9001);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	assert_int_equal(t.c->snd_wnd, 4000);
	tcpt_free(&t);
}

static void test_simultaneous_open(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint32_t iss;

	(void)state;
	tcpt_init(&t, NULL);
	t.port = 0;
	t.c = tcp_connect(t.s.n, SIM_PEER_IP, 8080, &tcpt_events, &t);
	t.pport = 8080;
	tcpt_expect(&t, &p, SIM_SYN);
	t.port = p.sport;
	iss = p.seq;
	/* the peer's SYN crosses ours */
	tcpt_seg(&t, SIM_SYN, 3000, 0, 4000, NULL, 0, NULL, 0);
	assert_int_equal(t.c->state, TCP_SYN_RECEIVED);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.seq, iss);
	assert_int_equal(p.ack, 3001);
	/* its SYN-ACK to our SYN completes it (RFC 9293 figure 8) */
	tcpt_seg(&t, SIM_SYN | SIM_ACK, 3000, iss + 1, 4000, NULL, 0, NULL, 0);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	assert_int_equal(t.connected, 1);
	tcpt_expect_none(&t);	/* our SYN-ACK already acked its SYN */
	/* data flows */
	t.pseq = 3001;
	t.pack = iss + 1;
	t.read_all = true;
	tcpt_send(&t, SIM_ACK | SIM_PSH, "hello", 5);
	assert_int_equal(t.rx_len, 5);
	tcpt_free(&t);
}

static void test_rst_closed_port(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	/* RFC 9293 §3.10.7.1: no ACK -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> */
	tcpt_seg(&t, SIM_SYN, 100, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	assert_int_equal(p.seq, 0);
	assert_int_equal(p.ack, 101);
	tcpt_seg(&t, SIM_PSH, 100, 0, 1000, NULL, 0, "abcd", 4);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	assert_int_equal(p.ack, 104);
	/* ACK -> <SEQ=SEG.ACK><RST> */
	tcpt_seg(&t, SIM_ACK, 100, 777, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST);
	assert_int_equal(p.seq, 777);
	/* never a RST for a RST */
	tcpt_seg(&t, SIM_RST, 100, 0, 0, NULL, 0, NULL, 0);
	tcpt_seg(&t, SIM_RST | SIM_ACK, 100, 5, 0, NULL, 0, NULL, 0);
	tcpt_expect_none(&t);
	assert_int_equal(t.s.n->st.tcp_rst_tx, 3);
	assert_int_equal(t.s.n->st.tcp_rst_rx, 2);
	tcpt_free(&t);
}

static void test_listener_rst_rules(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	/* an ACK to a listener: RST <SEQ=SEG.ACK> */
	tcpt_seg(&t, SIM_ACK, 100, 555, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST);
	assert_int_equal(p.seq, 555);
	/* a RST: nothing; a bare segment: nothing */
	tcpt_seg(&t, SIM_RST, 100, 0, 1000, NULL, 0, NULL, 0);
	tcpt_seg(&t, 0, 100, 0, 1000, NULL, 0, "x", 1);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_connect_refused(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	t.port = 0;
	t.c = tcp_connect(t.s.n, SIM_PEER_IP, 9, &tcpt_events, &t);
	t.pport = 9;
	tcpt_expect(&t, &p, SIM_SYN);
	t.port = p.sport;
	/* a RST whose ACK is unacceptable is ignored, with a RST <SEQ=SEG.ACK> */
	tcpt_seg(&t, SIM_ACK, 0, p.seq + 5, 0, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST);
	assert_int_equal(t.closed, 0);
	tcpt_seg(&t, SIM_RST | SIM_ACK, 0, p.seq + 7, 0, NULL, 0, NULL, 0);
	assert_int_equal(t.closed, 0);
	tcpt_expect_none(&t);
	tcpt_seg(&t, SIM_RST | SIM_ACK, 0, t.c->iss + 1, 0, NULL, 0, NULL, 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ECONNREFUSED);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_syn_retransmit_gives_up(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint64_t t0;
	unsigned n = 0;

	(void)state;
	tcpt_init(&t, NULL);
	t.port = 0;
	t.c = tcp_connect(t.s.n, SIM_PEER_IP, 8080, &tcpt_events, &t);
	t.pport = 8080;
	tcpt_expect(&t, &p, SIM_SYN);
	t0 = t.s.now;
	/* 1, 2, 4, 8, 16, 32 s (RFC 6298 §5.5 backoff from a 1 s RTO) */
	for (uint64_t d = 1000; n < 6; d *= 2, n++) {
		sim_advance(&t.s, d - 1);
		tcpt_expect_none(&t);
		sim_advance(&t.s, 1);
		tcpt_expect(&t, &p, SIM_SYN);
	}
	assert_int_equal(t.closed, 0);
	sim_advance(&t.s, 64000);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ETIMEDOUT);
	assert_true(t.s.now - t0 >= 127000);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_synack_retransmit(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	unsigned counts[TCP_TIME_WAIT + 1];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, 5000, 0, 8192, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	/* the peer's SYN again: our SYN-ACK again, same ISS */
	tcpt_seg(&t, SIM_SYN, 5000, 0, 8192, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	sim_advance(&t.s, 1000);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.ack, 5001);
	tcp_count_states(t.s.n, counts);
	assert_int_equal(counts[TCP_SYN_RECEIVED], 1);
	/* 5 retries with backoff, then the child is freed silently */
	sim_advance(&t.s, 200000);
	assert_int_equal(tcpt_drain(&t), 0);
	tcp_count_states(t.s.n, counts);
	assert_int_equal(counts[TCP_SYN_RECEIVED], 0);
	assert_int_equal(counts[TCP_LISTEN], 1);
	assert_int_equal(t.accepted, 0);
	assert_int_equal(t.closed, 0);
	tcpt_free(&t);
}

static void test_no_syn_to_broadcast(void **state)
{
	struct tcpt t;
	uint8_t b[SIM_BUF];
	size_t len;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	len = sim_build_tcp(b, SIM_PEER_IP, 1234, NET_IP4(10, 0, 2, 255), 80, 1, 0, SIM_SYN,
			    1000, NULL, 0, NULL, 0);
	sim_input(&t.s, b, len);
	len = sim_build_tcp(b, NET_IP4(224, 0, 0, 1), 1234, SIM_IP, 80, 1, 0, SIM_SYN, 1000,
			    NULL, 0, NULL, 0);
	sim_input(&t.s, b, len);
	tcpt_expect_none(&t);
	assert_null(tcp_connect(t.s.n, NET_IP4(255, 255, 255, 255), 80, NULL, NULL));
	assert_null(tcp_connect(t.s.n, NET_IP4(10, 0, 2, 255), 80, NULL, NULL));
	assert_null(tcp_connect(t.s.n, NET_IP4(239, 1, 1, 1), 80, NULL, NULL));
	tcpt_free(&t);
}

static void test_listen_port_in_use(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	assert_null(tcp_listen(t.s.n, 80, 4, NULL, NULL));
	assert_null(tcp_listen(t.s.n, 0, 4, NULL, NULL));
	assert_int_equal(tcp_close(t.l), 0);
	assert_non_null(tcp_listen(t.s.n, 80, 4, NULL, NULL));
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passive_open),
		cmocka_unit_test(test_passive_no_ws_no_mss),
		cmocka_unit_test(test_accept_queue),
		cmocka_unit_test(test_active_open),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_rst_closed_port),
		cmocka_unit_test(test_listener_rst_rules),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_syn_retransmit_gives_up),
		cmocka_unit_test(test_synack_retransmit),
		cmocka_unit_test(test_no_syn_to_broadcast),
		cmocka_unit_test(test_listen_port_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
