/*
 * udp.c: binding, delivery by callback and by queue, checks on the
 * Length field and checksum, port unreachable, sending (one frame and
 * fragmented), ephemeral ports, broadcast before an address.
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

static int setup(void **state)
{
	(void)state;
	S.seed = 0;
	sim_init(&S, NULL);
	sim_quiet(&S);
	sim_learn_arp(&S, SIM_PEER_IP, sim_peer_mac);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_free(&S);
	return 0;
}

struct got {
	int calls;
	net_ip4 src;
	uint16_t sport;
	size_t len;
	uint8_t data[2048];
};

static void on_dgram(struct udp_sock *s, net_ip4 src, uint16_t sport, const void *data,
		     size_t len, void *arg)
{
	struct got *g = arg;

	(void)s;
	g->calls++;
	g->src = src;
	g->sport = sport;
	g->len = len;
	memcpy(g->data, data, len < sizeof(g->data) ? len : sizeof(g->data));
}

static void test_callback_delivery(void **state)
{
	struct got g = { 0 };
	struct udp_sock *u = udp_open(S.n, 7000, on_dgram, &g);

	(void)state;
	assert_non_null(u);
	assert_int_equal(udp_port(u), 7000);
	sim_udp(&S, SIM_PEER_IP, 5555, SIM_IP, 7000, "hello", 5);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.src, SIM_PEER_IP);
	assert_int_equal(g.sport, 5555);
	assert_int_equal(g.len, 5);
	assert_memory_equal(g.data, "hello", 5);
	/* an empty datagram is a datagram */
	sim_udp(&S, SIM_PEER_IP, 5555, SIM_IP, 7000, NULL, 0);
	assert_int_equal(g.calls, 2);
	assert_int_equal(g.len, 0);
	sim_expect_none(&S);
	assert_int_equal(net_get_stats(S.n)->udp_rx, 2);
}

static void test_queue_and_recvfrom(void **state)
{
	struct udp_sock *u = udp_open(S.n, 7001, NULL, NULL);
	char buf[16];
	net_ip4 src;
	uint16_t sport;

	(void)state;
	assert_int_equal(udp_recvfrom(u, buf, sizeof(buf), &src, &sport), B_EAGAIN);
	for (int i = 0; i < 6; i++) {
		char m[8] = "msg0";

		m[3] = (char)('0' + i);
		sim_udp(&S, SIM_PEER_IP, (uint16_t)(6000 + i), SIM_IP, 7001, m, 4);
	}
	/* the default queue holds 4: the newest two were dropped */
	assert_int_equal(net_get_stats(S.n)->udp_queue_drops, 2);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(udp_recvfrom(u, buf, sizeof(buf), &src, &sport), 4);
		assert_int_equal(sport, 6000 + i);
		assert_int_equal(buf[3], '0' + i);
		assert_int_equal(src, SIM_PEER_IP);
	}
	assert_int_equal(udp_recvfrom(u, buf, sizeof(buf), NULL, NULL), B_EAGAIN);
	/* truncated to the caller's buffer */
	sim_udp(&S, SIM_PEER_IP, 1, SIM_IP, 7001, "abcdefgh", 8);
	assert_int_equal(udp_recvfrom(u, buf, 3, NULL, NULL), 3);
	assert_memory_equal(buf, "abc", 3);
	udp_close(u);
}

static void test_bind_rules(void **state)
{
	struct udp_sock *a = udp_open(S.n, 53, NULL, NULL), *b, *socks[8];
	unsigned k = 0;

	(void)state;
	assert_non_null(a);
	assert_null(udp_open(S.n, 53, NULL, NULL));	/* taken */
	b = udp_open(S.n, 0, NULL, NULL);
	assert_non_null(b);
	assert_true(udp_port(b) >= 49152);
	udp_close(a);
	assert_non_null(a = udp_open(S.n, 53, NULL, NULL));	/* free again */
	/* 8 sockets by default: 2 used */
	while (k < 8 && (socks[k] = udp_open(S.n, 0, NULL, NULL)))
		k++;
	assert_int_equal(k, 6);
	for (unsigned i = 0; i < k; i++)
		for (unsigned j = i + 1; j < k; j++)
			assert_int_not_equal(udp_port(socks[i]), udp_port(socks[j]));
}

static void test_bad_lengths_and_checksum(void **state)
{
	struct got g = { 0 };
	uint8_t *f = malloc(SIM_BUF);
	size_t len;

	(void)state;
	udp_open(S.n, 7002, on_dgram, &g);
	/* Length beyond the IP payload */
	len = sim_build_udp(f, SIM_PEER_IP, 1, SIM_IP, 7002, "abcd", 4);
	f[34 + 5] = 20;
	sim_input(&S, f, len);
	/* Length below 8 */
	len = sim_build_udp(f, SIM_PEER_IP, 1, SIM_IP, 7002, "abcd", 4);
	f[34 + 5] = 7;
	sim_input(&S, f, len);
	/* a runt: IP payload shorter than a UDP header */
	sim_ip4(&S, SIM_PEER_IP, SIM_IP, 17, "abcd", 4);
	/* a bad checksum */
	len = sim_build_udp(f, SIM_PEER_IP, 1, SIM_IP, 7002, "abcd", 4);
	f[len - 1] ^= 0x40;
	sim_input(&S, f, len);
	assert_int_equal(g.calls, 0);
	assert_int_equal(net_get_stats(S.n)->udp_bad, 4);
	/* checksum 0: none computed, accepted (RFC 768) */
	len = sim_build_udp(f, SIM_PEER_IP, 1, SIM_IP, 7002, "abcd", 4);
	f[34 + 6] = f[34 + 7] = 0;
	sim_input(&S, f, len);
	assert_int_equal(g.calls, 1);
	/* Length shorter than the IP payload: the rest is ignored */
	len = sim_build_udp(f, SIM_PEER_IP, 1, SIM_IP, 7002, "abcd", 4);
	f[34 + 5] = 10;
	f[34 + 6] = f[34 + 7] = 0;
	sim_input(&S, f, len);
	assert_int_equal(g.calls, 2);
	assert_int_equal(g.len, 2);
	sim_expect_none(&S);
	free(f);
}

static void test_port_unreachable(void **state)
{
	struct sim_pkt p;

	(void)state;
	sim_udp(&S, SIM_PEER_IP, 4444, SIM_IP, 9999, "x", 1);
	sim_expect_icmp(&S, &p, 3, 3, SIM_PEER_IP);
	/* it quotes the IP header and the UDP header */
	assert_int_equal(p.l4_len, 8 + 20 + 8);
	assert_int_equal((p.l4[8 + 20] << 8) | p.l4[8 + 21], 4444);
	assert_int_equal(net_get_stats(S.n)->udp_noport, 1);
	/* never for a broadcast */
	sim_udp(&S, SIM_PEER_IP, 4444, NET_IP4(255, 255, 255, 255), 9999, "x", 1);
	sim_udp(&S, SIM_PEER_IP, 4444, NET_IP4(10, 0, 2, 255), 9999, "x", 1);
	sim_expect_none(&S);
	assert_int_equal(net_get_stats(S.n)->udp_noport, 3);
}

static void test_send(void **state)
{
	struct udp_sock *u = udp_open(S.n, 7003, NULL, NULL);
	struct sim_pkt p;

	(void)state;
	assert_int_equal(udp_sendto(u, SIM_PEER_IP, 53, "query", 5), 5);
	sim_expect_udp(&S, &p, SIM_PEER_IP, 53);
	assert_int_equal(p.sport, 7003);
	assert_int_equal(p.src, SIM_IP);
	assert_int_equal(p.data_len, 5);
	assert_memory_equal(p.data, "query", 5);
	assert_memory_equal(p.eth_dst, sim_peer_mac, 6);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.frag & 0x4000, 0);	/* DF clear */
	/* an invalid call */
	assert_int_equal(udp_sendto(u, SIM_PEER_IP, 0, "x", 1), B_EINVAL);
	assert_int_equal(udp_sendto(u, SIM_PEER_IP, 1, "x", 65508), B_EINVAL);
	assert_int_equal(udp_sendto(u, 0, 1, "x", 1), B_EHOSTUNREACH);
	assert_int_equal(net_get_stats(S.n)->udp_tx, 1);
}

/* The payload of the fragments the stack sent, reassembled by hand. */
static size_t collect_frags(struct sim *s, uint8_t *out, size_t cap, unsigned *count)
{
	struct sim_pkt p;
	size_t total = 0;

	*count = 0;
	while (sim_next(s, &p)) {
		size_t off = (size_t)(p.frag & 0x1fff) * 8;

		assert_true(p.ip_cksum_ok);
		assert_true(p.ip_len <= 1500);
		assert_true(off + p.l4_len <= cap);
		memcpy(out + off, p.l4, p.l4_len);
		if (!(p.frag & 0x2000))
			total = off + p.l4_len;
		else
			assert_int_equal(p.l4_len % 8, 0);
		(*count)++;
	}
	return total;
}

static void test_send_fragmented(void **state)
{
	struct udp_sock *u = udp_open(S.n, 7004, NULL, NULL);
	static uint8_t data[4000], seg[4100], check[4100];
	unsigned k;
	size_t total;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(udp_sendto(u, SIM_PEER_IP, 9, data, sizeof(data)), 4000);
	total = collect_frags(&S, seg, sizeof(seg), &k);
	assert_int_equal(k, 3);	/* 4008 bytes in 1480-byte pieces */
	assert_int_equal(total, 4008);
	/* the UDP header and checksum are those of the whole datagram */
	sim_build_udp_seg(check, SIM_IP, 7004, SIM_PEER_IP, 9, data, sizeof(data));
	assert_memory_equal(seg, check, 4008);
	assert_int_equal(net_get_stats(S.n)->ip_frag_tx, 3);
}

/* A large datagram in, reassembled, to a socket's queue. */
static void test_receive_fragmented(void **state)
{
	struct udp_sock *u = udp_open(S.n, 7005, NULL, NULL);
	static uint8_t data[3000], seg[3100], f[1600], out[3000];
	size_t k = sim_build_udp_seg(seg, SIM_PEER_IP, 1, SIM_IP, 7005, data, sizeof(data));
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	k = sim_build_udp_seg(seg, SIM_PEER_IP, 1, SIM_IP, 7005, data, sizeof(data));
	/* last fragment first */
	len = sim_build_ip4_frag(f, SIM_PEER_IP, SIM_IP, 17, 77, 2960, false, seg + 2960, k - 2960);
	sim_input(&S, f, len);
	len = sim_build_ip4_frag(f, SIM_PEER_IP, SIM_IP, 17, 77, 0, true, seg, 1480);
	sim_input(&S, f, len);
	assert_int_equal(udp_recvfrom(u, out, sizeof(out), NULL, NULL), B_EAGAIN);
	len = sim_build_ip4_frag(f, SIM_PEER_IP, SIM_IP, 17, 77, 1480, true, seg + 1480, 1480);
	sim_input(&S, f, len);
	assert_int_equal(udp_recvfrom(u, out, sizeof(out), NULL, NULL), 3000);
	assert_memory_equal(out, data, 3000);
}

static void test_broadcast_without_address(void **state)
{
	struct net_config cfg;
	struct sim d = { 0 };
	struct udp_sock *u;
	struct sim_pkt p;
	struct got g = { 0 };

	(void)state;
	sim_default_config(&cfg);
	cfg.ip = 0;
	sim_init(&d, &cfg);
	sim_clear(&d);	/* whatever DHCP sent */
	/* DHCP may hold port 68; use others */
	u = udp_open(d.n, 6800, on_dgram, &g);
	assert_non_null(u);
	assert_int_equal(udp_sendto(u, SIM_PEER_IP, 67, "x", 1), B_EHOSTUNREACH);
	assert_int_equal(udp_sendto(u, 0xffffffffu, 6700, "disc", 4), 4);
	sim_expect_udp(&d, &p, 0xffffffffu, 6700);
	assert_int_equal(p.src, 0);
	assert_memory_equal(p.eth_dst, "\xff\xff\xff\xff\xff\xff", 6);
	/* a unicast reply to the address being offered still arrives */
	sim_udp(&d, SIM_GW, 6700, NET_IP4(10, 0, 2, 99), 6800, "offer", 5);
	assert_int_equal(g.calls, 1);
	sim_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_callback_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_and_recvfrom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lengths_and_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_fragmented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_fragmented, setup, teardown),
		cmocka_unit_test(test_broadcast_without_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
