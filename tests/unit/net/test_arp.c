/*
 * arp.c (RFC 826, RFC 5227): answering, the merge rule, resolution with
 * parked frames, retries, expiry and refresh, a bounded cache, malformed
 * packets, announcements.
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
static const uint8_t zero_mac[6];
static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };

static int setup(void **state)
{
	(void)state;
	S.seed = 0;
	sim_init(&S, NULL);
	sim_quiet(&S);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_free(&S);
	return 0;
}

static struct udp_sock *sock(void)
{
	struct udp_sock *u = udp_open(S.n, 0, NULL, NULL);

	assert_non_null(u);
	return u;
}

static void test_announce_on_start(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_free(&S);
	sim_init(&S, NULL);
	/* RFC 5227 §2.3: an ARP request with sender and target our address */
	sim_expect_arp(&S, &p, 1, SIM_IP);
	assert_int_equal(p.arp_spa, SIM_IP);
	assert_memory_equal(p.arp_sha, sim_mac, 6);
	assert_memory_equal(p.eth_dst, "\xff\xff\xff\xff\xff\xff", 6);
	sim_expect_none(&S);
	sim_advance(&S, 2000);
	sim_expect_arp(&S, NULL, 1, SIM_IP);
	sim_advance(&S, 10000);
	sim_expect_none(&S);	/* two announcements in all */
}

static void test_reply_to_request(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_arp_request(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	sim_expect_arp(&S, &p, 2, SIM_PEER_IP);
	assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
	assert_memory_equal(p.arp_tha, sim_peer_mac, 6);
	assert_memory_equal(p.arp_sha, sim_mac, 6);
	assert_int_equal(p.arp_spa, SIM_IP);
	/* requests for another address: no answer */
	sim_arp_request(&S, sim_peer_mac, SIM_PEER_IP, NET_IP4(10, 0, 2, 77));
	sim_expect_none(&S);
	assert_int_equal(net_get_stats(S.n)->arp_rx, 2);
}

/* The request that targeted us taught the sender's MAC: no ARP to send. */
static void test_learn_from_request_to_us(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_arp_request(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	sim_clear(&S);
	assert_int_equal(udp_sendto(sock(), SIM_PEER_IP, 9, "x", 1), 1);
	sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
	assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
}

/* RFC 826 merge rule: a request for someone else does not create an
 * entry, but updates one we have. */
static void test_merge_rule(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_arp_request(&S, sim_peer_mac, SIM_PEER_IP, NET_IP4(10, 0, 2, 77));
	udp_sendto(sock(), SIM_PEER_IP, 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);	/* not learnt */
	sim_arp_reply(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
	/* now the entry exists: a request to another host updates it */
	sim_arp_request(&S, other_mac, SIM_PEER_IP, NET_IP4(10, 0, 2, 77));
	udp_sendto(sock(), SIM_PEER_IP, 9, "y", 1);
	sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
	assert_memory_equal(p.eth_dst, other_mac, 6);
}

static void test_resolution_and_parking(void **state)
{
	struct udp_sock *u = sock();
	struct sim_pkt p;
	char m[2] = "0";

	(void)state;
	for (int i = 0; i < 6; i++) {
		m[0] = (char)('0' + i);
		assert_int_equal(udp_sendto(u, SIM_PEER_IP, 9, m, 1), 1);
	}
	sim_expect_arp(&S, &p, 1, SIM_PEER_IP);	/* one request for all six */
	assert_memory_equal(p.arp_tha, zero_mac, 6);
	sim_expect_none(&S);
	/* four wait; the two oldest were dropped */
	assert_int_equal(net_get_stats(S.n)->arp_queue_drops, 2);
	sim_arp_reply(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	for (int i = 2; i < 6; i++) {
		sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
		assert_int_equal(p.data[0], '0' + i);
		assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
	}
	sim_expect_none(&S);
}

static void test_retries_then_drop(void **state)
{
	(void)state;
	udp_sendto(sock(), SIM_PEER_IP, 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);
	sim_advance(&S, 999);
	sim_expect_none(&S);
	sim_advance(&S, 1);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);
	sim_advance(&S, 1000);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);
	sim_advance(&S, 1000);
	sim_expect_none(&S);	/* three tries, then the frame is dropped */
	assert_int_equal(net_get_stats(S.n)->arp_queue_drops, 1);
	assert_int_equal(net_next_timer(S.n), UINT64_MAX);
	/* a late reply to someone else's... no: nothing is parked any more */
	sim_arp_reply(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	sim_expect_none(&S);
}

static void test_gateway_and_broadcast(void **state)
{
	struct udp_sock *u = sock();
	struct sim_pkt p;

	(void)state;
	udp_sendto(u, SIM_FAR_IP, 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, SIM_GW);	/* off-link: the gateway */
	sim_arp_reply(&S, sim_gw_mac, SIM_GW, SIM_IP);
	sim_expect_udp(&S, &p, SIM_FAR_IP, 9);
	assert_memory_equal(p.eth_dst, sim_gw_mac, 6);
	/* broadcasts need no ARP */
	udp_sendto(u, 0xffffffffu, 9, "x", 1);
	sim_expect_udp(&S, &p, 0xffffffffu, 9);
	assert_memory_equal(p.eth_dst, "\xff\xff\xff\xff\xff\xff", 6);
	udp_sendto(u, NET_IP4(10, 0, 2, 255), 9, "x", 1);
	sim_expect_udp(&S, &p, NET_IP4(10, 0, 2, 255), 9);
	assert_memory_equal(p.eth_dst, "\xff\xff\xff\xff\xff\xff", 6);
}

static void test_expiry_and_refresh(void **state)
{
	struct udp_sock *u = sock();
	struct sim_pkt p;

	(void)state;
	sim_learn_arp(&S, SIM_PEER_IP, sim_peer_mac);
	sim_advance(&S, 56000);
	/* within 5 s of expiry: the frame goes, and one refresh request */
	udp_sendto(u, SIM_PEER_IP, 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);
	sim_expect_udp(&S, &p, SIM_PEER_IP, 9);
	udp_sendto(u, SIM_PEER_IP, 9, "x", 1);
	sim_expect_udp(&S, NULL, SIM_PEER_IP, 9);	/* no second refresh */
	sim_arp_reply(&S, sim_peer_mac, SIM_PEER_IP, SIM_IP);
	sim_advance(&S, 30000);	/* renewed: still valid at 86 s */
	udp_sendto(u, SIM_PEER_IP, 9, "x", 1);
	sim_expect_udp(&S, NULL, SIM_PEER_IP, 9);
	sim_advance(&S, 31000);	/* expired at 116 s */
	udp_sendto(u, SIM_PEER_IP, 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, SIM_PEER_IP);
	sim_expect_none(&S);
}

static void test_bounded_cache(void **state)
{
	struct net_config cfg;
	struct udp_sock *u;
	struct sim_pkt p;

	(void)state;
	sim_free(&S);
	sim_default_config(&cfg);
	cfg.arp_entries = 4;
	sim_init(&S, &cfg);
	sim_quiet(&S);
	u = sock();
	for (int i = 0; i < 10; i++) {
		uint8_t mac[6] = { 2, 0, 0, 0, 1, (uint8_t)i };

		sim_learn_arp(&S, NET_IP4(10, 0, 2, 50 + i), mac);
		sim_advance(&S, 10);
	}
	/* the newest four are known; the first were replaced */
	udp_sendto(u, NET_IP4(10, 0, 2, 59), 9, "x", 1);
	sim_expect_udp(&S, &p, NET_IP4(10, 0, 2, 59), 9);
	udp_sendto(u, NET_IP4(10, 0, 2, 50), 9, "x", 1);
	sim_expect_arp(&S, NULL, 1, NET_IP4(10, 0, 2, 50));
	/* many unresolved addresses: bounded, counted */
	for (int i = 0; i < 20; i++)
		udp_sendto(u, NET_IP4(10, 0, 2, 100 + i), 9, "x", 1);
	assert_int_equal(sim_pending(&S), 20);
	sim_clear(&S);
	sim_advance(&S, 5000);
	assert_true(net_get_stats(S.n)->arp_queue_drops >= 17);
}

static void inject_arp(uint8_t *f, size_t len)
{
	sim_input(&S, f, len);
}

static void test_malformed(void **state)
{
	uint8_t f[64];
	size_t len;
	const struct net_stats *st = net_get_stats(S.n);

	(void)state;
	/* truncated */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	inject_arp(f, len - 1);
	/* hardware type 6 */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	f[15] = 6;
	inject_arp(f, len);
	/* protocol 0x86dd */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	f[16] = 0x86;
	f[17] = 0xdd;
	inject_arp(f, len);
	/* hlen 8, plen 16 */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	f[18] = 8;
	inject_arp(f, len);
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	f[19] = 16;
	inject_arp(f, len);
	/* opcode 3 */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	f[21] = 3;
	inject_arp(f, len);
	/* a broadcast sender MAC */
	len = sim_build_arp(f, 1, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", SIM_PEER_IP,
			    zero_mac, SIM_IP);
	inject_arp(f, len);
	sim_expect_none(&S);
	assert_int_equal(st->arp_bad, 7);
	assert_int_equal(st->arp_rx, 0);
	/* trailing padding is fine */
	len = sim_build_arp(f, 1, sim_peer_mac, SIM_PEER_IP, zero_mac, SIM_IP);
	memset(f + len, 0, 18);
	inject_arp(f, len + 18);
	sim_expect_arp(&S, NULL, 2, SIM_PEER_IP);
}

/* Probes (sender 0.0.0.0) are answered but not learnt; our own address
 * from someone else is not learnt either. */
static void test_probe_and_spoof(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_arp_request(&S, sim_peer_mac, 0, SIM_IP);
	sim_expect_arp(&S, &p, 2, 0);
	assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
	sim_arp_reply(&S, other_mac, SIM_IP, SIM_IP);
	sim_expect_none(&S);
	/* nothing learnt for 0.0.0.0: a send to it is refused */
	assert_int_equal(udp_sendto(sock(), 0, 9, "x", 1), B_EHOSTUNREACH);
	sim_expect_none(&S);
}

static void test_no_address_no_answer(void **state)
{
	struct net_config cfg;
	struct sim d = { 0 };

	(void)state;
	sim_default_config(&cfg);
	cfg.ip = 0;
	sim_init(&d, &cfg);
	sim_clear(&d);
	sim_arp_request(&d, sim_peer_mac, SIM_PEER_IP, 0);
	sim_expect_none(&d);
	sim_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_announce_on_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_to_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_from_request_to_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolution_and_parking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_then_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_and_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_and_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_and_spoof, setup, teardown),
		cmocka_unit_test(test_no_address_no_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
