/*
 * lib/net/flow.c: which of several stacks sharing a NIC a frame goes to.
 * A connection's segments must always reach the same stack, what is not a
 * plain TCP segment must reach stack 0 (ARP every stack), and a frame too
 * short for the fields the hash reads must be read no further.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sim.h"

#define SHARDS	4
#define TCP_ACK	0x10

static uint8_t buf[SIM_BUF];

static size_t tcp_frame(uint16_t sport, uint16_t dport)
{
	return sim_build_tcp(buf, SIM_PEER_IP, sport, SIM_IP, dport, 1, 1, TCP_ACK,
			     65535, NULL, 0, "x", 1);
}

static void test_one_stack_takes_all(void **state)
{
	(void)state;
	size_t len = tcp_frame(40000, 80);
	assert_int_equal(net_flow_shard(buf, len, 1), 0);
	assert_int_equal(net_flow_shard(buf, len, 0), 0);
}

static void test_arp_goes_everywhere(void **state)
{
	(void)state;
	size_t len = sim_build_arp(buf, 1, sim_peer_mac, SIM_PEER_IP, sim_mac, SIM_IP);
	assert_int_equal(net_flow_shard(buf, len, SHARDS), NET_FLOW_ALL);
}

static void test_not_tcp_goes_to_stack_0(void **state)
{
	(void)state;
	size_t len = sim_build_udp(buf, SIM_PEER_IP, 5000, SIM_IP, 68, "d", 1);
	assert_int_equal(net_flow_shard(buf, len, SHARDS), 0);
	len = sim_build_icmp_echo(buf, SIM_PEER_IP, SIM_IP, 1, 1, "p", 1);
	assert_int_equal(net_flow_shard(buf, len, SHARDS), 0);
	len = sim_build_eth(buf, sim_mac, sim_peer_mac, 0x86dd, "v6", 2);
	assert_int_equal(net_flow_shard(buf, len, SHARDS), 0);
}

/* Only stack 0 reassembles, so every fragment of a TCP datagram goes there. */
static void test_fragments_go_to_stack_0(void **state)
{
	uint8_t seg[64];

	(void)state;
	memset(seg, 0xab, sizeof seg);
	for (uint16_t port = 1; port < 200; port++) {
		seg[0] = (uint8_t)(port >> 8);
		seg[1] = (uint8_t)port;
		size_t len = sim_build_ip4_frag(buf, SIM_PEER_IP, SIM_IP, IP_PROTO_TCP, port, 0,
						true, seg, sizeof seg);
		assert_int_equal(net_flow_shard(buf, len, SHARDS), 0);
		len = sim_build_ip4_frag(buf, SIM_PEER_IP, SIM_IP, IP_PROTO_TCP, port, 64,
					 false, seg, sizeof seg);
		assert_int_equal(net_flow_shard(buf, len, SHARDS), 0);
	}
}

/* The same connection always maps to the same stack, and many spread over
 * all of them (within a factor of two of an even share). */
static void test_tcp_spreads_and_sticks(void **state)
{
	unsigned count[SHARDS] = { 0 };

	(void)state;
	for (uint16_t port = 32768; port < 32768 + 4000; port++) {
		size_t len = tcp_frame(port, 80);
		int k = net_flow_shard(buf, len, SHARDS);
		assert_in_range(k, 0, SHARDS - 1);
		assert_int_equal(net_flow_shard(buf, len, SHARDS), k);
		count[k]++;
	}
	for (int k = 0; k < SHARDS; k++)
		assert_in_range(count[k], 500, 2000);
}

/* A frame cut anywhere is classified from the bytes present only (ASan
 * checks the reads: each copy is allocated to its exact length). */
static void test_truncated_frames(void **state)
{
	(void)state;
	size_t full = tcp_frame(40000, 80);
	for (size_t len = 0; len < full; len++) {
		uint8_t *cut = malloc(len ? len : 1);
		memcpy(cut, buf, len);
		int k = net_flow_shard(cut, len, SHARDS);
		if (len < ETH_HDR + IP4_HDR + 4)
			assert_int_equal(k, 0);
		free(cut);
	}
}

/* An IHL that puts the ports past the frame's end is not read. */
static void test_lying_ihl(void **state)
{
	(void)state;
	size_t len = tcp_frame(40000, 80);
	buf[ETH_HDR] = 0x4f;		/* IHL 15: 60-byte header, beyond the bytes */
	uint8_t *cut = malloc(ETH_HDR + IP4_HDR + 4);
	memcpy(cut, buf, ETH_HDR + IP4_HDR + 4);
	assert_int_equal(net_flow_shard(cut, ETH_HDR + IP4_HDR + 4, SHARDS), 0);
	free(cut);
	(void)len;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_stack_takes_all),
		cmocka_unit_test(test_arp_goes_everywhere),
		cmocka_unit_test(test_not_tcp_goes_to_stack_0),
		cmocka_unit_test(test_fragments_go_to_stack_0),
		cmocka_unit_test(test_tcp_spreads_and_sticks),
		cmocka_unit_test(test_truncated_frames),
		cmocka_unit_test(test_lying_ihl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
