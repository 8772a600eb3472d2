/*
 * net.c: config checks and sizing, the arena, the address and its
 * callback, net_ifinfo, timers and the clock, transmit buffer
 * accounting.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sim.h"

static unsigned tx_none(void *ctx, const void *const *f, const uint16_t *l, unsigned k)
{
	(void)ctx; (void)f; (void)l; (void)k;
	return 0;
}

static uint64_t rnd(void *ctx)
{
	(void)ctx;
	return 42;
}

static const struct net_port port = { .tx = tx_none, .random = rnd };

static struct net *try_create(const struct net_config *cfg, void **mem)
{
	size_t len = net_mem_size(cfg);

	*mem = aligned_alloc(16, (len + 15) & ~(size_t)15);
	return net_create(cfg, &port, *mem, len, 5);
}

static void test_bad_configs(void **state)
{
	struct net_config c;
	void *mem;

	(void)state;
	sim_default_config(&c);
	c.mtu = 575;
	assert_null(try_create(&c, &mem));
	free(mem);
	c.mtu = 1501;
	assert_null(try_create(&c, &mem));
	free(mem);
	sim_default_config(&c);
	c.tcp_sndbuf = 3000;		/* not a power of two */
	assert_null(try_create(&c, &mem));
	free(mem);
	sim_default_config(&c);
	c.tcp_rcvbuf = 1024;		/* too small */
	assert_null(try_create(&c, &mem));
	free(mem);
	sim_default_config(&c);
	c.reasm_max = 1000;		/* below the MTU */
	assert_null(try_create(&c, &mem));
	free(mem);
	sim_default_config(&c);
	c.mac[0] = 1;			/* a group address */
	assert_null(try_create(&c, &mem));
	free(mem);
}

static void test_memory_checks(void **state)
{
	struct net_config c;
	size_t len;
	uint8_t *mem;

	(void)state;
	sim_default_config(&c);
	len = net_mem_size(&c);
	mem = aligned_alloc(16, len + 16);
	assert_null(net_create(&c, &port, mem, len - 1, 0));	/* too small */
	assert_null(net_create(&c, &port, mem + 8, len, 0));	/* misaligned */
	assert_null(net_create(&c, NULL, mem, len, 0));
	assert_non_null(net_create(&c, &port, mem, len, 0));
	/* smaller pools need less */
	c.tcp_conns = 4;
	c.udp_queue = 1;
	c.reasm_slots = 1;
	assert_true(net_mem_size(&c) < len);
	free(mem);
}

static int addr_calls;

static void on_addr(struct net *n, void *arg)
{
	(void)n;
	addr_calls += *(int *)arg;
}

static void test_address_and_ifinfo(void **state)
{
	struct sim s = { 0 };
	struct net_ifinfo info;
	int one = 1;

	(void)state;
	sim_init(&s, NULL);
	sim_quiet(&s);
	net_ifinfo(s.n, &info);
	assert_memory_equal(info.mac, sim_mac, 6);
	assert_int_equal(info.mtu, 1500);
	assert_int_equal(info.state, NET_ADDR_STATIC);
	assert_int_equal(info.ip, SIM_IP);
	assert_int_equal(info.netmask, SIM_MASK);
	assert_int_equal(info.gateway, SIM_GW);
	assert_int_equal(info.dns, SIM_DNS);
	net_set_addr_callback(s.n, on_addr, &one);
	net_set_address(s.n, NET_ADDR_DHCP, NET_IP4(10, 0, 2, 20), SIM_MASK, SIM_GW, SIM_DNS);
	assert_int_equal(addr_calls, 1);
	/* a new address is announced (RFC 5227 §2.3) */
	sim_expect_arp(&s, NULL, 1, NET_IP4(10, 0, 2, 20));
	net_ifinfo(s.n, &info);
	assert_int_equal(info.state, NET_ADDR_DHCP);
	assert_int_equal(info.ip, NET_IP4(10, 0, 2, 20));
	/* losing it */
	net_set_address(s.n, NET_ADDR_DHCP, 0, SIM_MASK, SIM_GW, SIM_DNS);
	assert_int_equal(addr_calls, 2);
	net_ifinfo(s.n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);
	assert_int_equal(info.gateway, 0);
	sim_advance(&s, 5000);
	sim_expect_none(&s);	/* no announcements for no address */
	sim_free(&s);
}

static void test_clock_and_broadcast(void **state)
{
	struct sim s = { 0 };

	(void)state;
	sim_init(&s, NULL);
	assert_int_equal(net_now(s.n), SIM_T0);
	net_poll(s.n, SIM_T0 + 10);
	net_poll(s.n, SIM_T0 + 5);	/* never backwards */
	assert_int_equal(net_now(s.n), SIM_T0 + 10);
	assert_true(net_is_local_bcast(s.n, 0xffffffffu));
	assert_true(net_is_local_bcast(s.n, NET_IP4(10, 0, 2, 255)));
	assert_false(net_is_local_bcast(s.n, NET_IP4(10, 0, 3, 255)));
	assert_false(net_is_local_bcast(s.n, SIM_IP));
	sim_free(&s);
}

/* Buffers come back after flushes, whatever tx takes. */
static void test_tx_pool(void **state)
{
	struct sim s = { 0 };
	uint8_t *b[64];

	(void)state;
	sim_init(&s, NULL);
	sim_quiet(&s);
	for (int i = 0; i < 64; i++)
		assert_non_null(b[i] = net_tx_alloc(s.n));
	assert_null(net_tx_alloc(s.n));
	for (int i = 0; i < 64; i++)
		net_tx_queue(s.n, b[i], 100);
	s.tx_accept = 10;
	/* none free: the allocation flushes the queue first; what the device
	 * did not take stays queued */
	assert_non_null(b[0] = net_tx_alloc(s.n));
	assert_int_equal(net_get_stats(s.n)->tx_frames, 10 + 2);	/* + 2 announcements */
	assert_int_equal(net_get_stats(s.n)->tx_drops, 0);
	assert_int_equal(s.n->tx_nq, 54);
	assert_int_equal(s.n->tx_nfree, 9);
	net_tx_free(s.n, b[0]);
	/* a device that takes nothing while every buffer waits: the oldest
	 * queued frame is dropped so new ones can be built */
	s.tx_accept = 0;
	for (int i = 0; i < 10; i++)
		net_tx_queue(s.n, net_tx_alloc(s.n), 100);
	assert_int_equal(s.n->tx_nq, 64);
	assert_non_null(net_tx_alloc(s.n));
	assert_int_equal(net_get_stats(s.n)->tx_drops, 1);
	s.tx_accept = ~0u;
	net_flush(s.n);
	assert_int_equal(s.n->tx_nq, 0);
	assert_int_equal(s.n->tx_nfree, 63);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_memory_checks),
		cmocka_unit_test(test_address_and_ifinfo),
		cmocka_unit_test(test_clock_and_broadcast),
		cmocka_unit_test(test_tx_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
