/*
 * Retransmission (RFC 6298): the timer, backoff, RTT estimation, Karn,
 * giving up; congestion control (RFC 5681, RFC 6582): slow start,
 * cwnd after a timeout, fast retransmit and NewReno recovery.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static void test_rto_backoff(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint64_t d = 1000;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	/* the handshake's SYN-ACK was timed: its RTT is 0 here, so the RTO
	 * sits at its 200 ms floor; start from a clean 1 s to see doubling */
	t.c->srtt8 = 0;
	t.c->rto = 1000;
	assert_int_equal(tcp_write(t.c, "data", 4, 0), 4);
	assert_int_equal(tcpt_expect_data(&t, &p), 4);
	for (int i = 0; i < 5; i++, d *= 2) {
		sim_advance(&t.s, d - 1);
		tcpt_expect_none(&t);
		sim_advance(&t.s, 1);
		assert_int_equal(tcpt_expect_data(&t, &p), 4);
		assert_int_equal(p.seq, t.iss + 1);
	}
	assert_int_equal(t.s.n->st.tcp_timeouts, 5);
	assert_int_equal(t.s.n->st.tcp_retrans, 5);
	/* the ACK ends it; RTO comes back from the backoff */
	t.pack = t.iss + 5;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.c->rto, 1000);	/* no sample (Karn): the initial */
	sim_advance(&t.s, 100000);
	tcpt_expect_none(&t);
	tcpt_free(&t);
}

static void test_rtt_estimate(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	struct tcp_info info;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.c->srtt8 = 0;
	assert_int_equal(tcp_write(t.c, "a", 1, 0), 1);
	tcpt_expect_data(&t, &p);
	sim_advance(&t.s, 100);
	t.pack = t.iss + 2;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	/* RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	tcp_get_info(t.c, &info);
	assert_int_equal(info.srtt_ms, 100);
	assert_int_equal(info.rto_ms, 300);
	/* §2.3: a second sample of 200 ms */
	assert_int_equal(tcp_write(t.c, "b", 1, 0), 1);
	tcpt_expect_data(&t, &p);
	sim_advance(&t.s, 200);
	t.pack++;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	tcp_get_info(t.c, &info);
	assert_int_equal(info.srtt_ms, 112);	/* 7/8 100 + 1/8 200 */
	assert_int_equal(info.rto_ms, 362);	/* 112.5 + 4 * (3/4 50 + 1/4 100) */
	tcpt_free(&t);
}

static void test_rto_floor(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	assert_int_equal(t.c->rto, TCP_RTO_MIN);	/* 0 ms handshake */
	assert_int_equal(tcp_write(t.c, "a", 1, 0), 1);
	tcpt_expect_data(&t, &p);
	sim_advance(&t.s, 199);
	tcpt_expect_none(&t);
	sim_advance(&t.s, 1);
	assert_int_equal(tcpt_expect_data(&t, &p), 1);
	tcpt_free(&t);
}

static void test_karn(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.c->srtt8 = 0;
	t.c->rto = 1000;
	tcp_write(t.c, "a", 1, 0);
	tcpt_expect_data(&t, &p);
	sim_advance(&t.s, 1000);
	tcpt_expect_data(&t, &p);		/* retransmitted */
	sim_advance(&t.s, 50);
	t.pack = t.iss + 2;
	tcpt_send(&t, SIM_ACK, NULL, 0);	/* ambiguous: no sample */
	assert_int_equal(t.c->srtt8, 0);
	tcpt_free(&t);
}

static void test_give_up(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint64_t t0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	tcp_write(t.c, "a", 1, 0);
	tcpt_expect_data(&t, &p);
	t0 = t.s.now;
	sim_advance(&t.s, 119000);
	assert_int_equal(t.closed, 0);
	assert_true(tcpt_drain(&t) >= 8);
	sim_advance(&t.s, 200000);
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ETIMEDOUT);
	assert_true(t.s.now - t0 >= 120000);
	assert_int_equal(t.s.n->st.tcp_conn_drops, 1);
	tcpt_free(&t);
}

static void test_slow_start_and_timeout_cwnd(void **state)
{
	struct tcpt t;
	static uint8_t data[16384];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1000, -1);
	memset(data, 'd', sizeof(data));
	tcp_write(t.c, data, sizeof(data), 0);
	assert_int_equal(tcpt_drain(&t), 10);	/* IW 10 MSS */
	/* the RTO: one segment only (cwnd = 1 MSS, RFC 5681 §3.1) and
	 * ssthresh = max(FlightSize / 2, 2 MSS) */
	sim_advance(&t.s, t.c->rto);
	assert_int_equal(tcpt_drain(&t), 1);
	assert_int_equal(t.c->cwnd, 1000);
	assert_int_equal(t.c->ssthresh, 5000);
	/* its ACK: slow start, cwnd 2 MSS, two more (from the go-back) */
	t.pack = t.iss + 1 + 1000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.c->cwnd, 2000);
	assert_int_equal(tcpt_drain(&t), 2);
	tcpt_free(&t);
}

/* Three duplicate ACKs: the lost segment again at once, NewReno's
 * partial ACK resends the next hole, the full ACK ends recovery. */
static void test_fast_retransmit_newreno(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t data[10000];
	uint32_t base;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1000, -1);
	memset(data, 'f', sizeof(data));
	tcp_write(t.c, data, sizeof(data), 0);
	assert_int_equal(tcpt_drain(&t), 10);
	base = t.iss + 1;
	/* segments 1 and 3 were lost: ACK 1000 (seg 0), then dups */
	t.pack = base + 1000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	tcpt_drain(&t);				/* slow start sends new data */
	for (int i = 0; i < 2; i++) {
		tcpt_send(&t, SIM_ACK, NULL, 0);
		tcpt_expect_none(&t);
	}
	tcpt_send(&t, SIM_ACK, NULL, 0);		/* the third */
	assert_int_equal(tcpt_expect_data(&t, &p), 1000);
	assert_int_equal(p.seq, base + 1000);
	assert_int_equal(t.s.n->st.tcp_fast_retrans, 1);
	assert_true(t.c->flags & TCF_RECOVERY);
	uint32_t ssthresh = t.c->ssthresh;

	assert_int_equal(t.c->cwnd, ssthresh + 3000);
	/* a partial ACK (up to the second hole): that hole goes at once */
	t.pack = base + 3000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(tcpt_expect_data(&t, &p), 1000);
	assert_int_equal(p.seq, base + 3000);
	assert_true(t.c->flags & TCF_RECOVERY);
	tcpt_drain(&t);
	/* the full ACK: recovery ends, cwnd deflates to ssthresh */
	t.pack = t.c->recover;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_false(t.c->flags & TCF_RECOVERY);
	assert_true(t.c->cwnd <= ssthresh);
	tcpt_free(&t);
}

/* An ACK that only updates the window is no duplicate. */
static void test_window_update_not_dup(void **state)
{
	struct tcpt t;
	static uint8_t data[5000];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1000, -1);
	tcp_write(t.c, data, sizeof(data), 0);
	tcpt_drain(&t);
	for (int i = 0; i < 5; i++) {
		t.pwin = (uint16_t)(60000 + i);
		tcpt_send(&t, SIM_ACK, NULL, 0);
	}
	assert_int_equal(t.c->dupacks, 0);
	assert_int_equal(t.s.n->st.tcp_fast_retrans, 0);
	tcpt_free(&t);
}

/* No transmit buffer when data is written on an idle connection (all of
 * them parked behind an ARP request that is never answered): a timer
 * must retry, as nothing is in flight to bring an ACK. */
static void test_no_tx_buffer_retry(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	struct net_config cfg;
	struct tcp_conn *x[4];
	size_t got = 0;

	(void)state;
	sim_default_config(&cfg);
	cfg.tx_frames = 4;
	tcpt_init(&t, &cfg);
	tcpt_open_passive(&t, 1460, -1);
	for (int i = 0; i < 4; i++) {	/* four SYNs wait for ARP: the pool is empty */
		x[i] = tcp_connect(t.s.n, NET_IP4(10, 0, 2, 77), 9, NULL, NULL);
		assert_non_null(x[i]);
	}
	assert_int_equal(tcp_write(t.c, "data", 4, 0), 4);
	assert_int_equal(t.c->snd_max, t.iss + 1);	/* it did not go */
	for (int i = 0; i < 4; i++)
		tcp_abort(x[i]);
	/* ARP gives up and frees the parked frames; the data must go */
	for (int i = 0; i < 20 && !got; i++) {
		tcpt_advance(&t, 1000);
		while (sim_next(&t.s, &p))
			if (p.proto == IP_PROTO_TCP && p.dst == SIM_PEER_IP && p.data_len)
				got = p.data_len;
	}
	assert_int_equal(got, 4);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rto_backoff),
		cmocka_unit_test(test_rtt_estimate),
		cmocka_unit_test(test_rto_floor),
		cmocka_unit_test(test_karn),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_slow_start_and_timeout_cwnd),
		cmocka_unit_test(test_fast_retransmit_newreno),
		cmocka_unit_test(test_window_update_not_dup),
		cmocka_unit_test(test_no_tx_buffer_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
