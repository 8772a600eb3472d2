/*
 * eth.c and ip4.c/ip4_reasm.c: frames ours or not, every IPv4 header
 * field lying, options, addresses, unknown protocols, reassembly
 * (orders, overlaps, duplicates, oversize, timeouts, slots), output.
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
static uint8_t *F;	/* a frame being built */

struct got {
	int calls;
	size_t len;
	uint8_t data[20000];
};
static struct got G;

static void on_dgram(struct udp_sock *s, net_ip4 src, uint16_t sport, const void *data,
		     size_t len, void *arg)
{
	(void)s; (void)src; (void)sport; (void)arg;
	G.calls++;
	G.len = len;
	memcpy(G.data, data, len < sizeof(G.data) ? len : sizeof(G.data));
}

static int setup(void **state)
{
	(void)state;
	S.seed = 0;
	sim_init(&S, NULL);
	sim_quiet(&S);
	sim_learn_arp(&S, SIM_PEER_IP, sim_peer_mac);
	st = net_get_stats(S.n);
	memset(&G, 0, sizeof(G));
	assert_non_null(udp_open(S.n, 7, on_dgram, NULL));
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

/* Recomputes the IP header checksum of the frame in F. */
static void fix_ip_cksum(void)
{
	uint8_t *h = F + 14;
	size_t hl = (size_t)(h[0] & 15) * 4;

	h[10] = h[11] = 0;
	uint16_t c = cksum_fold(cksum_add(0, h, hl));
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

static size_t udp_frame(void)
{
	return sim_build_udp(F, SIM_PEER_IP, 1000, SIM_IP, 7, "data", 4);
}

/* ---- Ethernet ---- */

static void test_eth_filtering(void **state)
{
	size_t len = udp_frame();

	(void)state;
	sim_input(&S, F, 13);			/* runt */
	assert_int_equal(st->eth_bad, 1);
	F[0] = 0x01; F[1] = 0x00; F[2] = 0x5e;	/* IPv4 multicast MAC: not joined */
	sim_input(&S, F, len);
	memcpy(F, "\x52\x54\x00\x12\x34\x57", 6);	/* another host */
	sim_input(&S, F, len);
	assert_int_equal(G.calls, 0);
	memcpy(F, "\xff\xff\xff\xff\xff\xff", 6);	/* broadcast MAC, our IP */
	sim_input(&S, F, len);
	assert_int_equal(G.calls, 1);
	len = udp_frame();
	F[12] = 0x81; F[13] = 0x00;		/* 802.1Q */
	sim_input(&S, F, len);
	F[12] = 0x86; F[13] = 0xdd;		/* IPv6 */
	sim_input(&S, F, len);
	F[12] = 0x00; F[13] = 0x40;		/* an 802.3 length */
	sim_input(&S, F, len);
	assert_int_equal(st->eth_other, 3);
	assert_int_equal(G.calls, 1);
	sim_expect_none(&S);
}

/* ---- header checks ---- */

static void test_good_and_padded(void **state)
{
	size_t len = udp_frame();

	(void)state;
	sim_input(&S, F, len);
	assert_int_equal(G.calls, 1);
	/* Ethernet padding after Total Length is not data */
	memset(F + len, 0xee, 30);
	sim_input(&S, F, len + 30);
	assert_int_equal(G.calls, 2);
	assert_int_equal(G.len, 4);
	/* TTL 1 and 0 still reach us (RFC 1122 §3.2.1.7) */
	F[14 + 8] = 1;
	fix_ip_cksum();
	sim_input(&S, F, len);
	assert_int_equal(G.calls, 3);
}

static void test_lying_fields(void **state)
{
	size_t len;

	(void)state;
	len = udp_frame(); F[14] = 0x65; fix_ip_cksum();	/* version 6 */
	sim_input(&S, F, len);
	len = udp_frame(); F[14] = 0x44; fix_ip_cksum();	/* IHL 4 */
	sim_input(&S, F, len);
	len = udp_frame(); F[14] = 0x4f; fix_ip_cksum();	/* IHL 15 > bytes */
	sim_input(&S, F, 14 + 40);
	len = udp_frame(); F[16] = 0; F[17] = 19; fix_ip_cksum();	/* total < IHL */
	sim_input(&S, F, len);
	len = udp_frame(); F[16] = 0; F[17] = 200; fix_ip_cksum();	/* total > bytes */
	sim_input(&S, F, len);
	len = udp_frame(); F[14 + 10] ^= 1;			/* checksum */
	sim_input(&S, F, len);
	len = udp_frame();
	sim_input(&S, F, 14 + 19);				/* header cut */
	sim_input(&S, F, 14);					/* nothing at all */
	assert_int_equal(st->ip_bad, 8);
	assert_int_equal(G.calls, 0);
	sim_expect_none(&S);
}

static void test_options_skipped(void **state)
{
	uint8_t *h = F + 14;
	size_t len = udp_frame();

	(void)state;
	/* insert 8 bytes of options: NOP NOP NOP EOL ... */
	memmove(h + 28, h + 20, len - 34);
	memcpy(h + 20, "\x01\x01\x01\x00\x00\x00\x00\x00", 8);
	h[0] = 0x47;
	h[3] = (uint8_t)(h[3] + 8);
	fix_ip_cksum();
	sim_input(&S, F, len + 8);
	assert_int_equal(G.calls, 1);
	assert_memory_equal(G.data, "data", 4);
}

static void test_addresses(void **state)
{
	size_t len;

	(void)state;
	len = sim_build_udp(F, SIM_PEER_IP, 1, NET_IP4(10, 0, 2, 16), 7, "x", 1);
	sim_input(&S, F, len);			/* not ours: we do not forward */
	len = sim_build_udp(F, SIM_PEER_IP, 1, NET_IP4(224, 0, 0, 1), 7, "x", 1);
	sim_input(&S, F, len);			/* a group we did not join */
	assert_int_equal(st->ip_not_ours, 2);
	len = sim_build_udp(F, 0xffffffffu, 1, SIM_IP, 7, "x", 1);
	sim_input(&S, F, len);			/* broadcast source */
	len = sim_build_udp(F, NET_IP4(10, 0, 2, 255), 1, SIM_IP, 7, "x", 1);
	sim_input(&S, F, len);			/* directed broadcast source */
	len = sim_build_udp(F, NET_IP4(239, 1, 1, 1), 1, SIM_IP, 7, "x", 1);
	sim_input(&S, F, len);			/* multicast source */
	assert_int_equal(st->ip_bad, 3);
	assert_int_equal(G.calls, 0);
	len = sim_build_udp(F, SIM_PEER_IP, 1, 0xffffffffu, 7, "x", 1);
	sim_input(&S, F, len);
	len = sim_build_udp(F, SIM_PEER_IP, 1, NET_IP4(10, 0, 2, 255), 7, "x", 1);
	sim_input(&S, F, len);
	assert_int_equal(G.calls, 2);
	sim_expect_none(&S);
}

static void test_unknown_protocol(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_ip4(&S, SIM_PEER_IP, SIM_IP, 99, "abcdefgh", 8);
	sim_expect_icmp(&S, &p, 3, 2, SIM_PEER_IP);
	assert_int_equal(p.l4_len, 8 + 20 + 8);
	assert_int_equal(p.l4[8 + 9], 99);	/* the quoted header */
	sim_ip4(&S, SIM_PEER_IP, 0xffffffffu, 99, "abcdefgh", 8);
	sim_expect_none(&S);
}

/* ---- reassembly ---- */

static uint8_t SEG[20000];

/* A UDP datagram of n data bytes to port 7, as IP payload in SEG. */
static size_t make_seg(size_t n)
{
	static uint8_t data[20000];

	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 13 + 5);
	return sim_build_udp_seg(SEG, SIM_PEER_IP, 1000, SIM_IP, 7, data, n);
}

static void frag(uint16_t id, size_t off, size_t len, bool more)
{
	size_t k = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 17, id, off, more, SEG + off, len);

	sim_input(&S, F, k);
}

static void test_reasm_orders(void **state)
{
	size_t n = make_seg(3992);	/* 4000 bytes: 5 pieces of 800 */
	static const int orders[3][5] = {
		{ 0, 1, 2, 3, 4 }, { 4, 3, 2, 1, 0 }, { 2, 0, 4, 1, 3 },
	};

	(void)state;
	assert_int_equal(n, 4000);
	for (int o = 0; o < 3; o++) {
		for (int i = 0; i < 5; i++) {
			int k = orders[o][i];

			assert_int_equal(G.calls, o);
			frag((uint16_t)(100 + o), (size_t)k * 800, 800, k != 4);
		}
		assert_int_equal(G.calls, o + 1);
		assert_int_equal(G.len, 3992);
		assert_memory_equal(G.data, SEG + 8, 3992);
	}
	assert_int_equal(st->ip_reasm_ok, 3);
	assert_int_equal(st->ip_frags, 15);
	assert_int_equal(net_next_timer(S.n) > S.now + 30000, true);
}

static void test_reasm_duplicate_and_overlap(void **state)
{
	(void)state;
	make_seg(2392);	/* 2400 bytes */
	frag(1, 0, 800, true);
	frag(1, 0, 800, true);		/* an exact duplicate: harmless */
	frag(1, 800, 800, true);
	frag(1, 1600, 800, false);
	assert_int_equal(G.calls, 1);
	/* a partial overlap drops the whole datagram (RFC 5722) */
	frag(2, 0, 800, true);
	frag(2, 400, 800, true);
	assert_int_equal(st->ip_reasm_fail, 1);
	/* so does a full overlap with other bytes */
	frag(3, 0, 800, true);
	frag(3, 800, 800, true);
	SEG[900] ^= 0xff;
	frag(3, 400, 800, true);
	SEG[900] ^= 0xff;
	assert_int_equal(st->ip_reasm_fail, 2);
	frag(3, 1600, 800, false);
	assert_int_equal(G.calls, 1);
	/* the rest of a dropped datagram starts over and times out */
	sim_advance(&S, 30000);
	assert_int_equal(st->ip_reasm_fail, 3);
	assert_int_equal(G.calls, 1);
}

static void test_reasm_contradictions(void **state)
{
	(void)state;
	make_seg(2392);
	/* two different ends */
	frag(3, 1600, 800, false);
	frag(3, 800, 400, false);
	assert_int_equal(st->ip_reasm_fail, 1);
	/* a middle fragment past the known end */
	frag(4, 800, 800, false);
	frag(4, 1600, 800, true);
	assert_int_equal(st->ip_reasm_fail, 2);
	/* a non-last fragment not a multiple of 8; an empty one */
	frag(5, 0, 801, true);
	frag(5, 0, 0, true);
	assert_int_equal(st->ip_bad, 2);
	assert_int_equal(G.calls, 0);
}

static void test_reasm_oversize(void **state)
{
	(void)state;
	make_seg(2392);
	/* an offset past reasm_max (16384 by default) */
	size_t k = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 17, 6, 16384, false, SEG, 8);

	sim_input(&S, F, k);
	/* the largest offset the field holds, 65528 + 1480 > 65535 */
	k = sim_build_ip4_frag(F, SIM_PEER_IP, SIM_IP, 17, 7, 65528, false, SEG, 1400);
	sim_input(&S, F, k);
	assert_int_equal(st->ip_reasm_fail, 2);
	assert_int_equal(G.calls, 0);
	assert_int_equal(net_next_timer(S.n) >= S.now + 50000, true);
}

static void test_reasm_timeout_and_slots(void **state)
{
	(void)state;
	make_seg(2392);
	frag(10, 0, 800, true);
	sim_advance(&S, 29999);
	frag(10, 800, 800, true);
	sim_advance(&S, 1);		/* 30 s after the first fragment */
	assert_int_equal(st->ip_reasm_fail, 1);
	frag(10, 1600, 800, false);	/* too late */
	assert_int_equal(G.calls, 0);
	sim_advance(&S, 30000);
	assert_int_equal(st->ip_reasm_fail, 2);
	/* five datagrams at once in four slots: the oldest gives way */
	for (uint16_t id = 20; id < 25; id++) {
		frag(id, 0, 800, true);
		sim_advance(&S, 1);
	}
	assert_int_equal(st->ip_reasm_fail, 3);
	for (uint16_t id = 24; id >= 20; id--) {
		frag(id, 800, 800, true);
		frag(id, 1600, 800, false);
	}
	/* 20 was evicted; its later pieces start over and never complete */
	assert_int_equal(G.calls, 4);
}

/* A flood of fragments cannot grow anything or crash. */
static void test_reasm_flood(void **state)
{
	uint32_t x = 1;

	(void)state;
	make_seg(16000);
	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245 + 12345;
		frag((uint16_t)(x >> 20), (x >> 8) % 2000 * 8, 8 + (x % 100) * 8, x & 1);
	}
	sim_advance(&S, 60000);
	assert_int_equal(net_next_timer(S.n) > S.now + 1000, true);
}

/* ---- output ---- */

static void test_output_header(void **state)
{
	struct udp_sock *u = udp_open(S.n, 0, NULL, NULL);
	struct sim_pkt a, b;

	(void)state;
	udp_sendto(u, SIM_PEER_IP, 9, "a", 1);
	udp_sendto(u, SIM_PEER_IP, 9, "b", 1);
	sim_expect_udp(&S, &a, SIM_PEER_IP, 9);
	sim_expect_udp(&S, &b, SIM_PEER_IP, 9);
	assert_int_equal((uint16_t)(a.ip_id + 1), b.ip_id);
	assert_int_equal(a.ttl, 64);
	assert_int_equal(a.frag, 0);
	assert_int_equal(a.buf[14], 0x45);
	assert_int_equal(a.ip_len, 29);
	assert_int_equal(a.len, 60);	/* padded to the Ethernet minimum */
	/* a protocol payload too large for one frame through ip4_output */
	uint8_t *buf = net_tx_alloc(S.n);
	assert_int_equal(ip4_output(S.n, buf, SIM_PEER_IP, 17, 1481), B_EINVAL);
	/* no route: a gateway of 0 */
	S.n->gateway = 0;
	assert_int_equal(udp_sendto(u, SIM_FAR_IP, 9, "a", 1), B_EHOSTUNREACH);
}

/* Frames a full device ring did not take go out with the next flush, in
 * order, none lost. */
static void test_tx_deferred_not_dropped(void **state)
{
	struct udp_sock *u = udp_open(S.n, 0, NULL, NULL);
	struct sim_pkt p;

	(void)state;
	S.tx_accept = 1;
	for (int i = 0; i < 3; i++)
		assert_int_equal(udp_sendto(u, SIM_PEER_IP, 9, i == 0 ? "a" : i == 1 ? "b" : "c", 1), 1);
	net_flush(S.n);
	assert_int_equal(st->tx_drops, 0);
	S.tx_accept = ~0u;
	net_flush(S.n);
	assert_int_equal(sim_pending(&S), 3);
	for (int i = 0; i < 3; i++) {
		sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
		assert_int_equal(p.data[0], "abc"[i]);
	}
	/* more sends than buffers: each allocation flushes when none is free */
	for (int i = 0; i < 200; i++)
		assert_int_equal(udp_sendto(u, SIM_PEER_IP, 9, "a", 1), 1);
	assert_int_equal(sim_pending(&S), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eth_filtering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_and_padded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lying_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_duplicate_and_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_contradictions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_oversize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_timeout_and_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_deferred_not_dropped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
