/*
 * Keepalive, the idle timeout, ISNs (RFC 6528), and the timer's
 * bookkeeping (tcp_next_timer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static void test_keepalive_answered(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	assert_int_equal(tcp_setopt(t.c, TCP_OPT_KEEPALIVE, 100), 0);
	tcpt_advance(&t, 99999);
	tcpt_expect_none(&t);
	tcpt_advance(&t, 1);
	tcpt_expect(&t, &p, SIM_ACK);		/* SND.UNA - 1, no data */
	assert_int_equal(p.seq, t.iss);
	assert_int_equal(p.data_len, 0);
	tcpt_send(&t, SIM_ACK, NULL, 0);	/* the peer answers */
	/* the next probe: 100 s after that answer, not one interval */
	tcpt_advance(&t, 99999);
	tcpt_expect_none(&t);
	tcpt_advance(&t, 1);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(t.closed, 0);
	/* traffic keeps it quiet */
	for (int i = 0; i < 5; i++) {
		tcpt_send(&t, SIM_ACK, NULL, 0);
		tcpt_advance(&t, 50000);
	}
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_keepalive_drops(void **state)
{
	struct tcpt t;
	unsigned probes;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_setopt(t.c, TCP_OPT_KEEPALIVE, 10);
	tcpt_advance(&t, 10000 + 8 * TCP_KEEP_INTVL_MS);
	probes = 0;
	for (struct sim_pkt p; sim_next(&t.s, &p);)
		if (p.proto == IP_PROTO_TCP) {
			assert_int_equal(p.flags, SIM_ACK);
			assert_int_equal(p.seq, t.iss);
			probes++;
		}
	assert_int_equal(probes, TCP_KEEP_PROBES);
	assert_int_equal(t.closed, 0);
	tcpt_advance(&t, TCP_KEEP_INTVL_MS);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ETIMEDOUT);
	tcpt_free(&t);
}

static void test_idle_timeout(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_setopt(t.c, TCP_OPT_IDLE_TIMEOUT, 5000);
	sim_advance(&t.s, 3000);
	tcpt_send(&t, SIM_ACK, "x", 1);		/* progress: the clock restarts */
	sim_advance(&t.s, 4999);
	assert_int_equal(t.closed, 0);
	tcpt_drain(&t);
	/* pure ACKs (e.g. a keepalive's) are no progress */
	tcpt_send(&t, SIM_ACK, NULL, 0);
	sim_advance(&t.s, 1);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ETIMEDOUT);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	tcpt_free(&t);
}

/* Timers set on a connection already CLOSED (held: no closed callback)
 * do nothing: no RST to the old peer, no timer firing on and on. */
static void test_setopt_after_close(void **state)
{
	struct tcpt t;
	struct tcp_events ev = tcpt_events;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	ev.closed = NULL;
	tcp_set_events(t.c, &ev, &t);
	tcpt_send(&t, SIM_RST | SIM_ACK, NULL, 0);
	assert_int_equal(t.c->state, TCP_CLOSED);
	tcpt_expect_none(&t);
	assert_int_equal(tcp_setopt(t.c, TCP_OPT_IDLE_TIMEOUT, 1000), 0);
	assert_int_equal(tcp_setopt(t.c, TCP_OPT_KEEPALIVE, 1), 0);
	tcpt_advance(&t, 10000);
	tcpt_expect_none(&t);
	assert_int_equal(tcp_next_timer(t.s.n), UINT64_MAX);
	tcp_close(t.c);
	tcpt_free(&t);
}

static void test_isn_rfc6528(void **state)
{
	struct tcpt t, u;
	uint32_t a, b, c, d;

	(void)state;
	tcpt_init(&t, NULL);
	a = tcp_isn(t.s.n, SIM_IP, 80, SIM_PEER_IP, 1234);
	b = tcp_isn(t.s.n, SIM_IP, 80, SIM_PEER_IP, 1235);
	c = tcp_isn(t.s.n, SIM_IP, 80, NET_IP4(10, 0, 2, 101), 1234);
	assert_int_not_equal(a, b);
	assert_int_not_equal(a, c);
	sim_advance(&t.s, 1000);
	/* M ticks every 4 us: 250 per ms, the same F for the same tuple */
	d = tcp_isn(t.s.n, SIM_IP, 80, SIM_PEER_IP, 1234);
	assert_int_equal(d - a, 250000);
	/* another secret, another F */
	tcpt_init_seed(&u, NULL, 12345);
	assert_int_not_equal(tcp_isn(u.s.n, SIM_IP, 80, SIM_PEER_IP, 1234) -
			     (uint32_t)(u.s.now * 250),
			     a - (uint32_t)(SIM_T0 + SIM_QUIET_MS) * 250);
	tcpt_free(&u);
	tcpt_free(&t);
}

static void test_isn_used(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	assert_int_equal(t.iss, tcp_isn(t.s.n, SIM_IP, 80, SIM_PEER_IP, TCPT_PEER_PORT));
	tcpt_free(&t);
}

static void test_next_timer(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	assert_int_equal(tcp_next_timer(t.s.n), UINT64_MAX);
	tcpt_open_passive(&t, 1460, -1);
	tcpt_send(&t, SIM_ACK, "x", 1);
	assert_int_equal(tcp_next_timer(t.s.n), t.s.now + TCP_DELACK_MS);
	sim_advance(&t.s, TCP_DELACK_MS);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(tcp_next_timer(t.s.n), UINT64_MAX);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive_answered),
		cmocka_unit_test(test_keepalive_drops),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_setopt_after_close),
		cmocka_unit_test(test_isn_rfc6528),
		cmocka_unit_test(test_isn_used),
		cmocka_unit_test(test_next_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
