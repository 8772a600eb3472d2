/*
 * icmp.c: echo replies (data, checksum, size, fragments), requests that
 * get none, destination unreachable and its rate limit, and the
 * datagrams an error must never answer (RFC 1122 §3.2.2).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sim.h"

static struct sim S;
static const struct net_stats *st;
static uint8_t *F;

static int setup(void **state)
{
	(void)state;
	S.seed = 0;
	sim_init(&S, NULL);
	sim_quiet(&S);
	sim_learn_arp(&S, SIM_PEER_IP, sim_peer_mac);
	st = net_get_stats(S.n);
	F = malloc(SIM_BUF);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(F);
	sim_free(&S);
	return 0;
}

static void test_echo_reply(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_icmp_echo(&S, SIM_PEER_IP, 0x1234, 7, "ping data!", 10);
	sim_expect_icmp(&S, &p, 0, 0, SIM_PEER_IP);
	assert_int_equal(p.src, SIM_IP);
	assert_int_equal(p.l4_len, 18);
	assert_int_equal(p.l4[4] << 8 | p.l4[5], 0x1234);
	assert_int_equal(p.l4[6] << 8 | p.l4[7], 7);
	assert_memory_equal(p.l4 + 8, "ping data!", 10);
	assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
	/* no data at all */
	sim_icmp_echo(&S, SIM_PEER_IP, 1, 1, NULL, 0);
	sim_expect_icmp(&S, &p, 0, 0, SIM_PEER_IP);
	assert_int_equal(p.l4_len, 8);
	assert_int_equal(st->icmp_rx, 2);
	assert_int_equal(st->icmp_tx, 2);
}

/* The reply echoes what the IP datagram holds, not what the frame holds. */
static void test_echo_padding_not_echoed(void **state)
{
	struct sim_pkt p;
	size_t len = sim_build_icmp_echo(F, SIM_PEER_IP, SIM_IP, 1, 1, "ab", 2);

	(void)state;
	memset(F + len, 0x99, 20);
	sim_input(&S, F, len + 20);
	sim_expect_icmp(&S, &p, 0, 0, SIM_PEER_IP);
	assert_int_equal(p.l4_len, 10);
}

static void test_bad_requests(void **state)
{
	size_t len = sim_build_icmp_echo(F, SIM_PEER_IP, SIM_IP, 1, 1, "abcd", 4);

	(void)state;
	F[len - 1] ^= 1;			/* checksum */
	sim_input(&S, F, len);
	sim_ip4(&S, SIM_PEER_IP, SIM_IP, 1, "\x08\x00\xf7", 3);	/* runt */
	assert_int_equal(st->icmp_bad, 2);
	/* to a broadcast address, or from a non-unicast source: ignored */
	len = sim_build_icmp_echo(F, SIM_PEER_IP, 0xffffffffu, 1, 1, "x", 1);
	sim_input(&S, F, len);
	len = sim_build_icmp_echo(F, SIM_PEER_IP, NET_IP4(10, 0, 2, 255), 1, 1, "x", 1);
	sim_input(&S, F, len);
	len = sim_build_icmp_echo(F, 0, SIM_IP, 1, 1, "x", 1);
	sim_input(&S, F, len);
	/* replies and other types: counted, no answer */
	len = sim_build_icmp_echo(F, SIM_PEER_IP, SIM_IP, 1, 1, "x", 1);
	F[34] = 0;
	F[36] = 0; F[37] = 0;
	uint16_t c = cksum_fold(cksum_add(0, F + 34, 9));
	F[36] = (uint8_t)(c >> 8); F[37] = (uint8_t)c;
	sim_input(&S, F, len);
	sim_expect_none(&S);
	assert_int_equal(st->icmp_tx, 0);
}

/* A request larger than the MTU arrives in fragments; so does the reply. */
static void test_large_echo(void **state)
{
	static uint8_t data[3000], seg[3100];
	size_t n, len;
	struct sim_pkt p;
	uint8_t out[3100];
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	/* the ICMP message built in F, copied out as IP payload */
	n = sim_build_icmp_echo(F, SIM_PEER_IP, SIM_IP, 9, 9, data, sizeof(data)) - 34;
	memcpy(seg, F + 34, n);
	len = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 1, 55, 0, true, seg, 1480);
	sim_input(&S, F, len);
	len = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 1, 55, 1480, true, seg + 1480, 1480);
	sim_input(&S, F, len);
	len = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 1, 55, 2960, false, seg + 2960, n - 2960);
	sim_input(&S, F, len);
	while (sim_next(&S, &p)) {
		size_t off = (size_t)(p.frag & 0x1fff) * 8;

		assert_int_equal(p.proto, 1);
		assert_true(p.ip_cksum_ok);
		memcpy(out + off, p.l4, p.l4_len);
		if (!(p.frag & 0x2000))
			total = off + p.l4_len;
	}
	assert_int_equal(total, n);
	assert_int_equal(out[0], 0);
	assert_int_equal(cksum_fold(cksum_add(0, out, n)), 0);
	assert_memory_equal(out + 8, data, sizeof(data));
}

static void test_rate_limit(void **state)
{
	unsigned sent = 0;
	struct sim_pkt p;

	(void)state;
	for (int i = 0; i < 30; i++) {
		sim_udp(&S, SIM_PEER_IP, 1, SIM_IP, (uint16_t)(2000 + i), "x", 1);
		}
	while (sim_next(&S, &p))
		sent++;
	assert_int_equal(sent, 20);		/* the burst */
	assert_int_equal(st->icmp_limited, 10);
	sim_advance(&S, 500);			/* 5 tokens back */
	for (int i = 0; i < 10; i++)
		sim_udp(&S, SIM_PEER_IP, 1, SIM_IP, 3000, "x", 1);
	sent = 0;
	while (sim_next(&S, &p))
		sent++;
	assert_int_equal(sent, 5);
	sim_advance(&S, 100000);		/* never more than the burst */
	sim_learn_arp(&S, SIM_PEER_IP, sim_peer_mac);	/* expired meanwhile */
	for (int i = 0; i < 30; i++)
		sim_udp(&S, SIM_PEER_IP, 1, SIM_IP, 3000, "x", 1);
	sent = 0;
	while (sim_next(&S, &p))
		sent++;
	assert_int_equal(sent, 20);
}

/* RFC 1122 §3.2.2: no error about an ICMP error or a non-first fragment. */
static void test_never_answer(void **state)
{
	uint8_t d[40];
	struct ip4_rx rx = { 0 };

	(void)state;
	memset(d, 0, sizeof(d));
	d[0] = 0x45;
	d[9] = 1;
	d[12] = 10; d[13] = 0; d[14] = 2; d[15] = 100;
	rx.src = SIM_PEER_IP;
	rx.dst = SIM_IP;
	rx.proto = 1;
	rx.hdr = d;
	rx.hdr_len = 20;
	rx.total_len = 28;
	d[20] = 3;				/* an ICMP error */
	icmp_send_unreachable(S.n, &rx, 2);
	d[20] = 11;
	icmp_send_unreachable(S.n, &rx, 2);
	rx.total_len = 20;			/* no ICMP type to look at */
	icmp_send_unreachable(S.n, &rx, 2);
	sim_expect_none(&S);
	rx.total_len = 28;
	d[20] = 8;				/* an echo request may be answered */
	icmp_send_unreachable(S.n, &rx, 2);
	sim_expect_icmp(&S, NULL, 3, 2, SIM_PEER_IP);
	d[6] = 0x00; d[7] = 0x10;		/* a non-first fragment */
	icmp_send_unreachable(S.n, &rx, 2);
	d[7] = 0;
	rx.src = NET_IP4(10, 0, 2, 255);	/* a broadcast source */
	icmp_send_unreachable(S.n, &rx, 2);
	rx.src = NET_IP4(224, 0, 0, 5);
	icmp_send_unreachable(S.n, &rx, 2);
	rx.src = 0;
	icmp_send_unreachable(S.n, &rx, 2);
	rx.src = SIM_PEER_IP;
	rx.to_broadcast = true;
	icmp_send_unreachable(S.n, &rx, 2);
	sim_expect_none(&S);
}

/* An unreachable about a reassembled datagram quotes its first header. */
static void test_unreachable_after_reassembly(void **state)
{
	static uint8_t data[2000], seg[2100];
	size_t n = sim_build_udp_seg(seg, SIM_PEER_IP, 4321, SIM_IP, 9999, data, sizeof(data));
	size_t len;
	struct sim_pkt p;

	(void)state;
	len = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 17, 8, 1480, false, seg + 1480, n - 1480);
	sim_input(&S, F, len);
	sim_expect_none(&S);	/* never about a non-first fragment */
	len = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 17, 8, 0, true, seg, 1480);
	sim_input(&S, F, len);
	sim_expect_icmp(&S, &p, 3, 3, SIM_PEER_IP);
	assert_int_equal(p.l4_len, 36);
	assert_int_equal(p.l4[8 + 20] << 8 | p.l4[8 + 21], 4321);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_padding_not_echoed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_after_reassembly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
