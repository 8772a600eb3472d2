/*
 * Windows and options: zero window and persist probes with backoff,
 * sender SWS avoidance, window scaling both ways, MSS, malformed
 * options and headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static void test_zero_window_persist(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	uint64_t gap[4];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.pwin = 0;
	tcpt_send(&t, SIM_ACK, NULL, 0);	/* the window closes */
	assert_int_equal(tcp_write(t.c, "blocked", 7, 0), 7);
	tcpt_expect_none(&t);
	/* probes: SND.UNA - 1, no data, further apart each time */
	for (int i = 0; i < 4; i++) {
		uint64_t t0 = t.s.now;

		while (sim_pending(&t.s) == 0 && t.s.now - t0 < 120000)
			sim_advance(&t.s, 10);
		tcpt_expect(&t, &p, SIM_ACK);
		assert_int_equal(p.seq, t.iss);
		assert_int_equal(p.data_len, 0);
		gap[i] = t.s.now - t0;
		tcpt_send(&t, SIM_ACK, NULL, 0);	/* still zero */
	}
	assert_true(gap[1] > gap[0] && gap[2] > gap[1] && gap[3] > gap[2]);
	assert_int_equal(t.c->state, TCP_ESTABLISHED);
	/* the window opens: the data goes */
	t.pwin = 1000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(tcpt_expect_data(&t, &p), 7);
	assert_memory_equal(p.data, "blocked", 7);
	tcpt_free(&t);
}

/* A zero window whose peer stops answering the probes: a held connection
 * probes as long as the peer answers, then gives up (B_ETIMEDOUT). */
static void test_zero_window_peer_gone(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	unsigned probes = 0;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	t.pwin = 0;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(tcp_write(t.c, "blocked", 7, 0), 7);
	/* answered probes: ten minutes, still there */
	for (int i = 0; i < 600; i++) {
		tcpt_advance(&t, 1000);
		while (sim_next(&t.s, &p))
			if (p.proto == IP_PROTO_TCP)
				tcpt_send(&t, SIM_ACK, NULL, 0);
	}
	assert_int_equal(t.closed, 0);
	/* the peer is gone */
	for (int i = 0; i < 3600 && !t.closed; i++) {
		tcpt_advance(&t, 1000);
		while (sim_next(&t.s, &p))
			if (p.proto == IP_PROTO_TCP && !(p.flags & SIM_RST))
				probes++;
	}
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.err, B_ETIMEDOUT);
	assert_true(probes >= 5);
	tcpt_free(&t);
}

static void test_sender_sws(void **state)
{
	struct tcpt t;
	struct sim_pkt p;
	static uint8_t data[4000];

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, -1);
	/* a 100-byte window against a largest-ever 65535: no tiny segment */
	t.pwin = 100;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(tcp_write(t.c, data, sizeof(data), 0), 4000);
	tcpt_expect_none(&t);
	/* the persist timer's override sends what fits */
	sim_advance(&t.s, 1000);
	assert_int_equal(tcpt_expect_data(&t, &p), 100);
	tcpt_free(&t);
}

static void test_window_scale_peer(void **state)
{
	struct tcpt t;
	struct sim_pkt p;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, 7);
	/* the SYN's window was unscaled; from now on x 128 */
	t.pwin = 1000;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_int_equal(t.c->snd_wnd, 128000);
	/* our window field stays unscaled (we offered shift 0) */
	tcpt_send(&t, SIM_ACK | SIM_PSH, "x", 1);
	sim_advance(&t.s, 40);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.win, 16383);
	tcpt_free(&t);
}

static void test_window_scale_ours(void **state)
{
	struct tcpt t;
	struct net_config cfg;
	struct sim_pkt p;
	uint8_t o[8];

	(void)state;
	sim_default_config(&cfg);
	cfg.tcp_rcvbuf = 262144;
	tcpt_init(&t, &cfg);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, t.pseq, 0, 1000, o, tcpt_syn_opts(o, 1460, 0), NULL, 0);
	t.pseq++;
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.win, 65535);		/* RFC 7323 §2.2: a SYN's is unscaled */
	assert_int_equal(p.optlen, 8);
	assert_int_equal(p.opt[5], 3);
	assert_int_equal(p.opt[7], 3);		/* 262144 >> 3 fits 16 bits */
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, "hi", 2);
	sim_advance(&t.s, 40);
	tcpt_expect(&t, &p, SIM_ACK);
	assert_int_equal(p.win, (262144 - 2) >> 3);
	tcpt_free(&t);
}

static void test_ws_shift_capped(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1460, 30);	/* RFC 7323 §2.3: taken as 14 */
	assert_int_equal(t.c->snd_shift, 14);
	tcpt_free(&t);
}

static void test_mss_floor(void **state)
{
	struct tcpt t;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_open_passive(&t, 1, -1);
	assert_int_equal(t.c->mss, TCP_MSS_MIN);
	tcpt_free(&t);
}

/* A SYN with options opt: the SYN-ACK comes (parsing survived) and the
 * MSS taken is mss. */
static void syn_with_options(const uint8_t *opt, size_t len, unsigned mss)
{
	struct tcpt t;
	struct sim_pkt p;

	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	tcpt_seg(&t, SIM_SYN, 10, 0, 1000, opt, len, NULL, 0);
	tcpt_expect(&t, &p, SIM_SYN | SIM_ACK);
	t.pseq = 11;
	t.pack = p.seq + 1;
	tcpt_send(&t, SIM_ACK, NULL, 0);
	assert_non_null(t.c);
	assert_int_equal(t.c->mss, mss);
	tcpt_free(&t);
}

static void test_malformed_options(void **state)
{
	static const uint8_t zero_len[] = { 2, 0, 5, 0xb4 };
	static const uint8_t one_len[] = { 1, 1, 3, 1 };
	static const uint8_t past_end[] = { 1, 1, 2, 40 };
	static const uint8_t bad_mss_len[] = { 2, 3, 5, 1, 0, 0, 0, 0 };
	static const uint8_t unknown_then_mss[] = { 30, 4, 9, 9, 2, 4, 2, 0 };
	static const uint8_t eol_first[] = { 0, 0, 2, 4, 1, 0, 0, 0 };
	static const uint8_t nops[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 3, 0 };
	static const uint8_t lone_kind[] = { 1, 1, 1, 2 };

	(void)state;
	syn_with_options(zero_len, sizeof(zero_len), 536);
	syn_with_options(one_len, sizeof(one_len), 536);
	syn_with_options(past_end, sizeof(past_end), 536);
	syn_with_options(bad_mss_len, sizeof(bad_mss_len), 536);
	syn_with_options(unknown_then_mss, sizeof(unknown_then_mss), 512);
	syn_with_options(eol_first, sizeof(eol_first), 536);
	syn_with_options(nops, sizeof(nops), 768);
	syn_with_options(lone_kind, sizeof(lone_kind), 536);
}

static void test_malformed_headers(void **state)
{
	struct tcpt t;
	uint8_t b[SIM_BUF];
	size_t len;

	(void)state;
	tcpt_init(&t, NULL);
	tcpt_listen(&t, 4);
	/* data offset 4 (< 5), then 15 (past the segment) */
	len = sim_build_tcp(b, SIM_PEER_IP, 1, SIM_IP, 80, 1, 0, SIM_SYN, 100, NULL, 0, NULL, 0);
	b[34 + 12] = 4 << 4;
	sim_input(&t.s, b, len);
	b[34 + 12] = 15 << 4;
	sim_input(&t.s, b, len);
	/* a bad checksum */
	len = sim_build_tcp(b, SIM_PEER_IP, 1, SIM_IP, 80, 1, 0, SIM_SYN, 100, NULL, 0, NULL, 0);
	b[34 + 16] ^= 0x55;
	sim_input(&t.s, b, len);
	/* shorter than a header */
	sim_ip4(&t.s, SIM_PEER_IP, SIM_IP, IP_PROTO_TCP, "short", 5);
	tcpt_expect_none(&t);
	assert_int_equal(t.s.n->st.tcp_bad, 4);
	tcpt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_window_persist),
		cmocka_unit_test(test_zero_window_peer_gone),
		cmocka_unit_test(test_sender_sws),
		cmocka_unit_test(test_window_scale_peer),
		cmocka_unit_test(test_window_scale_ours),
		cmocka_unit_test(test_ws_shift_capped),
		cmocka_unit_test(test_mss_floor),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_malformed_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
