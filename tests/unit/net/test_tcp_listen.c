/*
 * A listener's queues: the accept queue (backlog) dropping the
 * completing ACK when full, the SYN queue's flood policy (evict the
 * oldest half-open child), slot exhaustion, closing a listener.
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

/* A SYN from peer port pp; returns our ISS from the SYN-ACK (0: none). */
static uint32_t syn_from(struct tcpt *t, uint16_t pp)
{
	struct sim_pkt p;

	t->pport = pp;
	tcpt_seg(t, SIM_SYN, 100, 0, 1000, NULL, 0, NULL, 0);
	if (!sim_pending(&t->s))
		return 0;
	tcpt_expect(t, &p, SIM_SYN | SIM_ACK);
	return p.seq;
}

static void ack_from(struct tcpt *t, uint16_t pp, uint32_t iss)
{
	t->pport = pp;
	tcpt_seg(t, SIM_ACK, 101, iss + 1, 1000, NULL, 0, NULL, 0);
}

static void test_accept_queue_full(void **state)
{
	struct tcpt t;
	struct tcp_events ev = { 0 };
	uint32_t iss[3];
	struct tcp_conn *c;

	(void)state;
	tcpt_init(&t, NULL);
	t.l = tcp_listen(t.s.n, 80, 2, &ev, NULL);
	for (int i = 0; i < 3; i++) {
		iss[i] = syn_from(&t, (uint16_t)(2000 + i));
		ack_from(&t, (uint16_t)(2000 + i), iss[i]);
	}
	assert_int_equal(count(&t, TCP_ESTABLISHED), 2);
	assert_int_equal(count(&t, TCP_SYN_RECEIVED), 1);	/* its ACK dropped */
	assert_int_equal(t.s.n->st.tcp_accept_drops, 1);
	tcpt_expect_none(&t);
	c = tcp_accept(t.l);
	assert_non_null(c);
	assert_int_equal(c->rport, 2000);
	/* room again: the peer's ACK again completes the third */
	ack_from(&t, 2002, iss[2]);
	assert_int_equal(count(&t, TCP_SYN_RECEIVED), 0);
	assert_non_null(tcp_accept(t.l));
	assert_non_null(tcp_accept(t.l));
	assert_null(tcp_accept(t.l));
	tcpt_free(&t);
}

static void test_syn_flood_evicts_oldest(void **state)
{
	struct tcpt t;
	uint32_t iss[5];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 3);
	for (int i = 0; i < 5; i++) {
		iss[i] = syn_from(&t, (uint16_t)(3000 + i));
		assert_int_not_equal(iss[i], 0);	/* every new SYN is answered */
	}
	assert_int_equal(count(&t, TCP_SYN_RECEIVED), 3);
	assert_int_equal(t.s.n->st.tcp_syn_drops, 2);
	tcpt_expect_none(&t);				/* the evicted hear nothing */
	/* the oldest is gone: its ACK finds only the listener (a RST) */
	ack_from(&t, 3000, iss[0]);
	assert_int_equal(t.accepted, 0);
	tcpt_drain(&t);
	/* the newest completes */
	ack_from(&t, 3004, iss[4]);
	assert_int_equal(t.accepted, 1);
	tcpt_free(&t);
}

static void test_slots_exhausted(void **state)
{
	struct tcpt t;
	struct net_config cfg;
	uint32_t iss;

	(void)state;
	sim_default_config(&cfg);
	cfg.tcp_conns = 4;
	tcpt_init(&t, &cfg);
	tcpt_listen(&t, 10);
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(syn_from(&t, (uint16_t)(4000 + i)), 0);
	/* no slot: the oldest half-open child makes room */
	iss = syn_from(&t, 4003);
	assert_int_not_equal(iss, 0);
	assert_int_equal(t.s.n->st.tcp_syn_drops, 1);
	ack_from(&t, 4003, iss);
	assert_int_equal(t.accepted, 1);
	for (int i = 1; i < 3; i++) {
		iss = tcp_lookup(t.s.n, SIM_IP, SIM_PEER_IP, 80, (uint16_t)(4000 + i))->iss;
		ack_from(&t, (uint16_t)(4000 + i), iss);
	}
	assert_int_equal(count(&t, TCP_ESTABLISHED), 3);
	/* all established, none half-open: a new SYN is dropped */
	assert_int_equal(syn_from(&t, 4100), 0);
	assert_int_equal(t.s.n->st.tcp_syn_drops, 2);
	assert_null(tcp_connect(t.s.n, SIM_PEER_IP, 9, NULL, NULL));
	tcpt_free(&t);
}

static void test_backlog_capped(void **state)
{
	struct tcpt t;
	struct net_config cfg;

	(void)state;
	sim_default_config(&cfg);
	cfg.tcp_backlog_max = 2;
	tcpt_init(&t, &cfg);
	tcpt_listen(&t, 1000);
	assert_int_equal(t.l->backlog, 2);
	for (int i = 0; i < 4; i++)
		syn_from(&t, (uint16_t)(5000 + i));
	assert_int_equal(count(&t, TCP_SYN_RECEIVED), 2);
	tcpt_free(&t);
}

static void test_close_listener_resets_queue(void **state)
{
	struct tcpt t;
	struct tcp_events ev = { 0 };
	struct sim_pkt p;
	uint32_t iss;

	(void)state;
	tcpt_init(&t, NULL);
	t.l = tcp_listen(t.s.n, 80, 4, &ev, NULL);
	iss = syn_from(&t, 6000);
	ack_from(&t, 6000, iss);		/* established, in the queue */
	syn_from(&t, 6001);			/* half-open */
	assert_int_equal(tcp_close(t.l), 0);
	t.pport = 6001;				/* the SYN queue's first */
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	t.pport = 6000;
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	assert_int_equal(count(&t, TCP_ESTABLISHED) + count(&t, TCP_SYN_RECEIVED) +
			 count(&t, TCP_LISTEN), 0);
	/* the port is closed now */
	t.pport = 6002;
	tcpt_seg(&t, SIM_SYN, 100, 0, 1000, NULL, 0, NULL, 0);
	tcpt_expect(&t, &p, SIM_RST | SIM_ACK);
	tcpt_free(&t);
}

static void test_options_inherited(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcp_setopt(t.l, TCP_OPT_NODELAY, 1);
	tcp_setopt(t.l, TCP_OPT_IDLE_TIMEOUT, 5000);
	tcpt_open_passive(&t, 1460, -1);
	assert_true(t.c->flags & TCF_NODELAY);
	assert_int_equal(t.c->idle_ms, 5000);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_queue_full),
		cmocka_unit_test(test_syn_flood_evicts_oldest),
		cmocka_unit_test(test_slots_exhausted),
		cmocka_unit_test(test_backlog_capped),
		cmocka_unit_test(test_close_listener_resets_queue),
		cmocka_unit_test(test_options_inherited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
