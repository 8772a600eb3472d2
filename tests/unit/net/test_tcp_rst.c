/*
 * RFC 9293 §3.10.7.4 checks and RFC 5961's defences: RSTs in and out of
 * the window, SYNs in synchronized states, unacceptable ACKs, the
 * challenge ACK rate limit, out-of-window data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static void test_rst_exact(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_seg(&t, SIM_RST, t.pseq, 0, 0, NULL, 0, NULL, 0);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ECONNRESET);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_rst_in_window_challenged(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_seg(&t, SIM_RST, t.pseq + 1000, 0, 0, NULL, 0, NULL, 0);
	assert_int_equal(t.closed, 0);
	tcpt_expect(&t, &p, SIM_ACK);		/* RFC 5961 §3.2 */
	assert_int_equal(p.seq, t.iss + 1);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(t.s.n->st.tcp_challenge_acks, 1);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	tcpt_free(&t);
}

static void test_rst_out_of_window_dropped(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_seg(&t, SIM_RST, t.pseq + 100000, 0, 0, NULL, 0, NULL, 0);
	tcpt_seg(&t, SIM_RST, t.pseq - 1, 0, 0, NULL, 0, NULL, 0);
	tcpt_expect_none(&t);
	assert_int_equal(t.closed, 0);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	tcpt_free(&t);
}

static void test_syn_in_established(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	/* in window or not: a challenge ACK, the connection stays */
	tcpt_seg(&t, SIM_SYN, t.pseq, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	tcpt_seg(&t, SIM_SYN, t.pseq + 123456789, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(t.s.n->st.tcp_challenge_acks, 2);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	assert_int_equal(t.closed, 0);
	tcpt_free(&t);
}

static void test_bad_ack_challenged(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	/* an ACK of data never sent: challenge, data not taken */
	tcpt_seg(&t, SIM_ACK, t.pseq, t.iss + 500, 1000, NULL, 0, "evil", 4);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	assert_int_equal(tcp_readable(t.c), 0);
	/* an ACK far below SND.UNA - MAX.SND.WND: the same */
	tcpt_seg(&t, SIM_ACK, t.pseq, t.iss - 200000, 1000, NULL, 0, "evil", 4);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(tcp_readable(t.c), 0);
	assert_int_equal(t.s.n->st.tcp_challenge_acks, 2);
	/* an old but acceptable ACK: the data is taken */
	tcpt_seg(&t, SIM_ACK, t.pseq, t.iss, 1000, NULL, 0, "good", 4);
	assert_int_equal(tcp_readable(t.c), 4);
	tcpt_free(&t);
}

static void test_challenge_rate_limit(void **state)
{
	struct tcpt t;
	unsigned n = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	for (int i = 0; i < 50; i++)
		tcpt_seg(&t, SIM_RST, t.pseq + 10 + (uint32_t)i, 0, 0, NULL, 0, NULL, 0);
	n = t.s.n->st.tcp_challenge_acks;
	assert_int_equal(n, TCP_CHALLENGE_MAX);
	assert_int_equal(sim_pending(&t.s), TCP_CHALLENGE_MAX);
	sim_clear(&t.s);
	sim_advance(&t.s, 1000);		/* a new second, a new allowance */
	tcpt_seg(&t, SIM_RST, t.pseq + 10, 0, 0, NULL, 0, NULL, 0);
	assert_int_equal(t.s.n->st.tcp_challenge_acks, TCP_CHALLENGE_MAX + 1);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	tcpt_free(&t);
}

static void test_out_of_window_data_acked(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	/* far beyond the window */
	tcpt_seg(&t, SIM_ACK, t.pseq + 100000, t.pack, 1000, NULL, 0, "far", 3);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.ack, t.pseq);
	/* entirely old */
	tcpt_seg(&t, SIM_ACK, t.pseq - 10, t.pack, 1000, NULL, 0, "old", 3);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(tcp_readable(t.c), 0);
	/* a keepalive (SEG.SEQ = RCV.NXT - 1) is answered the same way */
	tcpt_seg(&t, SIM_ACK, t.pseq - 1, t.pack, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_ACK);
	/* partly old: the new part is kept */
	tcpt_seg(&t, SIM_ACK, t.pseq - 2, t.pack, 1000, NULL, 0, "xxnew", 5);
	assert_int_equal(tcp_readable(t.c), 3);
	tcpt_free(&t);
}

static void test_no_ack_bit_dropped(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_seg(&t, SIM_PSH, t.pseq, 0, 1000, NULL, 0, "noack", 5);
	assert_int_equal(tcp_readable(t.c), 0);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_rst_in_syn_received(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	unsigned c[TCP_TIME_WAIT + 1];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, 100, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	/* an unacceptable ACK in SYN_RECEIVED: RST <SEQ=SEG.ACK> */
	tcpt_seg(&t, SIM_ACK, 101, p.seq + 9, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST);
	tcpt_seg(&t, SIM_RST, 101, 0, 0, NULL, 0, NULL, 0);
	tcp_count_states(t.s.n, c);
	assert_int_equal(c[TCP_SYN_RECEIVED], 0);
	assert_int_equal(t.closed, 0);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_exact),
		cmocka_unit_test(test_rst_in_window_challenged),
		cmocka_unit_test(test_rst_out_of_window_dropped),
		cmocka_unit_test(test_syn_in_established),
		cmocka_unit_test(test_bad_ack_challenged),
		cmocka_unit_test(test_challenge_rate_limit),
		cmocka_unit_test(test_out_of_window_data_acked),
		cmocka_unit_test(test_no_ack_bit_dropped),
		cmocka_unit_test(test_rst_in_syn_received),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
