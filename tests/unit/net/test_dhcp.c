/*
 * The DHCP client (lib/net/dhcp.c) against a scripted server on the
 * virtual clock: DORA, the options, renewing (unicast) at T1, rebinding
 * (broadcast) at T2, expiry, NAK, replies that are not ours, the
 * retransmission backoff, and malformed option areas.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dhcpt.h"
#include "dhcp.h"

#define SERVER	NET_IP4(10, 0, 2, 2)
#define OFFER	NET_IP4(10, 0, 2, 15)
#define MASK	NET_IP4(255, 255, 255, 0)
#define DNS	NET_IP4(10, 0, 2, 3)
#define BCAST	NET_IP4(255, 255, 255, 255)
#define LEASE	3600u

static unsigned addr_calls;

static void on_addr(struct net *n, void *arg)
{
	(void)n;
	(void)arg;
	addr_calls++;
}

static struct dhcpt *start(void)
{
	struct net_config cfg = { .hostname = "pith" };
	struct dhcpt *t = dhcpt_new(&cfg);

	assert_non_null(t);
	net_set_addr_callback(t->n, on_addr, NULL);
	addr_calls = 0;
	return t;
}

static size_t put_ip_opt(uint8_t *o, uint8_t code, net_ip4 ip)
{
	o[0] = code;
	o[1] = 4;
	put32(o + 2, ip);
	return 6;
}

/* Server id, mask, router, DNS and (when nonzero) lease, T1, T2. */
static size_t std_opts(uint8_t *o, uint32_t lease, uint32_t t1, uint32_t t2)
{
	size_t k = 0;

	k += put_ip_opt(o + k, DHCP_OPT_SERVER_ID, SERVER);
	k += put_ip_opt(o + k, DHCP_OPT_MASK, MASK);
	k += put_ip_opt(o + k, DHCP_OPT_ROUTER, SERVER);
	k += put_ip_opt(o + k, DHCP_OPT_DNS, DNS);
	if (lease)
		k += put_ip_opt(o + k, DHCP_OPT_LEASE, lease);
	if (t1)
		k += put_ip_opt(o + k, DHCP_OPT_T1, t1);
	if (t2)
		k += put_ip_opt(o + k, DHCP_OPT_T2, t2);
	return k;
}

/* The next frame must be a client message of type; returns it in u. */
static void expect_msg(struct dhcpt *t, struct dhcpt_udp *u, uint8_t type, net_ip4 dst)
{
	const uint8_t *v;
	size_t olen;

	assert_true(dhcpt_pop_udp(t, u));
	assert_int_equal(u->sport, DHCP_CLIENT_PORT);
	assert_int_equal(u->dport, DHCP_SERVER_PORT);
	assert_int_equal(u->dst, dst);
	assert_true(u->len >= 300);
	assert_int_equal(u->data[0], 1);
	assert_int_equal(get32(u->data + DHCP_OFF_COOKIE), DHCP_COOKIE);
	assert_memory_equal(u->data + DHCP_OFF_CHADDR, dhcpt_our_mac, 6);
	v = dhcpt_dhcp_opt(u->data, u->len, DHCP_OPT_MSG_TYPE, &olen);
	assert_non_null(v);
	assert_int_equal(olen, 1);
	assert_int_equal(v[0], type);
}

static void reply(struct dhcpt *t, const struct dhcpt_udp *req, uint8_t type, net_ip4 yi,
		  const uint8_t *opts, size_t optlen)
{
	uint8_t m[1024];
	size_t len = dhcpt_dhcp_reply(m, req->data, type, yi, opts, optlen);

	dhcpt_inject_udp(t, SERVER, DHCP_SERVER_PORT, BCAST, DHCP_CLIENT_PORT, m, len);
}

/* DISCOVER, OFFER, REQUEST, ACK with a lease of lease seconds. */
static void dora(struct dhcpt *t, uint32_t lease, uint32_t t1, uint32_t t2)
{
	struct dhcpt_udp u;
	uint8_t o[64];
	size_t k = std_opts(o, lease, t1, t2);

	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	reply(t, &u, DHCPOFFER, OFFER, o, k);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	reply(t, &u, DHCPACK, OFFER, o, k);
	assert_false(dhcpt_pop_udp(t, &u));
}

static void assert_bound(struct dhcpt *t)
{
	struct net_ifinfo info;

	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_DHCP);
	assert_int_equal(info.dhcp_state, DHCP_BOUND);
	assert_int_equal(info.ip, OFFER);
}

static void test_dora(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0), olen;
	const uint8_t *v;
	uint32_t xid;
	static const uint8_t params[] = { 1, 3, 6, 51, 58, 59 };

	(void)state;
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);
	assert_int_equal(info.dhcp_state, DHCP_INIT);

	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	assert_int_equal(u.src, 0);
	assert_memory_equal(u.dst_mac, eth_broadcast, 6);
	assert_int_equal(get16(u.data + DHCP_OFF_FLAGS), 0x8000);
	xid = get32(u.data + DHCP_OFF_XID);
	assert_int_equal(xid, dhcp_xid(t->n));
	v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_PARAMS, &olen);
	assert_non_null(v);
	assert_int_equal(olen, sizeof params);
	assert_memory_equal(v, params, sizeof params);
	v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_HOSTNAME, &olen);
	assert_non_null(v);
	assert_int_equal(olen, 4);
	assert_memory_equal(v, "pith", 4);
	v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_CLIENT_ID, &olen);
	assert_non_null(v);
	assert_int_equal(olen, 7);
	assert_int_equal(v[0], 1);
	assert_memory_equal(v + 1, dhcpt_our_mac, 6);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.dhcp_state, DHCP_SELECTING);

	reply(t, &u, DHCPOFFER, OFFER, o, k);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	assert_int_equal(get32(u.data + DHCP_OFF_XID), xid);
	assert_int_equal(get32(u.data + DHCP_OFF_CIADDR), 0);
	v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_REQ_IP, &olen);
	assert_non_null(v);
	assert_int_equal(get32(v), OFFER);
	v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_SERVER_ID, &olen);
	assert_non_null(v);
	assert_int_equal(get32(v), SERVER);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.dhcp_state, DHCP_REQUESTING);
	assert_int_equal(addr_calls, 0);

	reply(t, &u, DHCPACK, OFFER, o, k);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_DHCP);
	assert_int_equal(info.dhcp_state, DHCP_BOUND);
	assert_int_equal(info.ip, OFFER);
	assert_int_equal(info.netmask, MASK);
	assert_int_equal(info.gateway, SERVER);
	assert_int_equal(info.dns, DNS);
	assert_int_equal(info.dhcp_server, SERVER);
	assert_int_equal(info.lease_s, LEASE);
	assert_int_equal(info.lease_left_s, LEASE);
	assert_int_equal(addr_calls, 1);
	assert_int_equal(dhcp_next_timer(t->n), t->now + LEASE / 2 * 1000);
	dhcpt_free(t);
}

/* At T1 (half the lease) a unicast REQUEST with ciaddr; an ACK renews. */
static void test_renew_at_t1(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0), olen;

	(void)state;
	dora(t, LEASE, 0, 0);
	dhcpt_advance(t, LEASE / 2 * 1000 - 1);
	assert_false(dhcpt_pop_udp(t, &u));
	dhcpt_advance(t, 1);
	expect_msg(t, &u, DHCPREQUEST, SERVER);
	assert_memory_equal(u.dst_mac, dhcpt_peer_mac, 6);
	assert_int_equal(u.src, OFFER);
	assert_int_equal(get32(u.data + DHCP_OFF_CIADDR), OFFER);
	assert_int_equal(get16(u.data + DHCP_OFF_FLAGS), 0);
	assert_null(dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_REQ_IP, &olen));
	assert_null(dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_SERVER_ID, &olen));
	net_ifinfo(t->n, &info);
	assert_int_equal(info.dhcp_state, DHCP_RENEWING);
	assert_int_equal(info.lease_left_s, LEASE / 2);

	reply(t, &u, DHCPACK, OFFER, o, k);
	assert_bound(t);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.lease_left_s, LEASE);
	assert_int_equal(addr_calls, 1);	/* nothing changed */
	dhcpt_free(t);
}

/* No answer while renewing: resent at half the time left to T2 (>= 60 s),
 * then at T2 a broadcast REQUEST; an ACK from anyone binds. */
static void test_rebind_at_t2(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0);
	uint64_t t1, t2 = 0, sends = 0;

	(void)state;
	dora(t, LEASE, 0, 0);
	dhcpt_advance(t, LEASE / 2 * 1000);
	t1 = t->now;
	expect_msg(t, &u, DHCPREQUEST, SERVER);
	/* T2 = 3150 s: the resends come at 675 s, then half of what is
	 * left, never closer than 60 s */
	uint64_t last = t1;
	while (t->now < t1 + 1350 * 1000) {
		dhcpt_step(t, 1000 * 1000);
		if (!dhcpt_pop_udp(t, &u))
			continue;
		if (u.dst == BCAST) {
			t2 = t->now;
			break;
		}
		assert_int_equal(u.dst, SERVER);
		if (sends == 0)
			assert_int_equal(t->now - t1, 675 * 1000);
		else
			assert_true(t->now - last >= 60 * 1000);
		last = t->now;
		sends++;
	}
	assert_true(sends >= 3);
	assert_int_equal(t2 - t1, 1350 * 1000);
	assert_int_equal(get32(u.data + DHCP_OFF_CIADDR), OFFER);
	assert_int_equal(u.src, OFFER);
	{
		struct net_ifinfo info;
		net_ifinfo(t->n, &info);
		assert_int_equal(info.dhcp_state, DHCP_REBINDING);
	}
	reply(t, &u, DHCPACK, OFFER, o, k);
	assert_bound(t);
	dhcpt_free(t);
}

/* Nobody answers: at the lease's end the address goes, DISCOVER again. */
static void test_expiry(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;
	uint64_t t0;

	(void)state;
	dora(t, LEASE, 0, 0);
	t0 = t->now;
	while (t->now < t0 + (uint64_t)LEASE * 1000 - 1) {
		dhcpt_step(t, (uint64_t)LEASE * 1000 - 1 - (t->now - t0));
		dhcpt_drain(t);
		net_ifinfo(t->n, &info);
		assert_int_equal(info.state, NET_ADDR_DHCP);
	}
	assert_int_equal(addr_calls, 1);
	dhcpt_advance(t, 1);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);
	assert_int_equal(info.ip, 0);
	assert_int_equal(info.dhcp_state, DHCP_SELECTING);
	assert_int_equal(addr_calls, 2);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	assert_int_equal(u.src, 0);
	dhcpt_free(t);

	/* the clock jumps past the whole lease (a program that slept): the
	 * address goes at once, with no renewal on the way */
	t = start();
	dora(t, LEASE, 0, 0);
	dhcpt_advance(t, 2ull * LEASE * 1000);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	assert_false(dhcpt_pop_udp(t, &u));
	dhcpt_free(t);
}

static void test_nak(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0);
	uint32_t xid;

	(void)state;
	/* NAK in REQUESTING: a new DISCOVER with a new xid */
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	xid = get32(u.data + DHCP_OFF_XID);
	reply(t, &u, DHCPOFFER, OFFER, o, k);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	reply(t, &u, DHCPNAK, 0, o, 6);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	assert_int_not_equal(get32(u.data + DHCP_OFF_XID), xid);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);

	/* NAK in RENEWING: the address goes */
	reply(t, &u, DHCPOFFER, OFFER, o, k);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	reply(t, &u, DHCPACK, OFFER, o, k);
	assert_bound(t);
	dhcpt_advance(t, LEASE / 2 * 1000);
	expect_msg(t, &u, DHCPREQUEST, SERVER);
	reply(t, &u, DHCPNAK, 0, o, 6);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_NONE);
	assert_int_equal(info.ip, 0);
	assert_int_equal(addr_calls, 2);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	dhcpt_free(t);
}

/* Replies that are not for us change nothing and count as bad. */
static void test_not_ours(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;
	uint8_t o[64], m[1024];
	size_t k = std_opts(o, LEASE, 0, 0), len;
	uint64_t bad;

	(void)state;
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	len = dhcpt_dhcp_reply(m, u.data, DHCPOFFER, OFFER, o, k);
	bad = net_get_stats(t->n)->dhcp_bad;

	m[DHCP_OFF_XID + 3] ^= 1;		/* wrong xid */
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);
	m[DHCP_OFF_XID + 3] ^= 1;
	m[DHCP_OFF_CHADDR + 5] ^= 1;		/* another client's */
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);
	m[DHCP_OFF_CHADDR + 5] ^= 1;
	m[DHCP_OFF_OP] = 1;			/* a BOOTREQUEST */
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);
	m[DHCP_OFF_OP] = 2;
	m[DHCP_OFF_COOKIE] = 0;			/* no cookie: BOOTP */
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);
	m[DHCP_OFF_COOKIE] = 99;
	m[DHCP_OFF_HLEN] = 16;
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);
	m[DHCP_OFF_HLEN] = 6;
	dhcpt_inject_udp(t, SERVER, 68, BCAST, 68, m, len);	/* not from port 67 */
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, 239);	/* short */
	assert_int_equal(net_get_stats(t->n)->dhcp_bad, bad + 7);
	assert_false(dhcpt_pop_udp(t, &u));
	net_ifinfo(t->n, &info);
	assert_int_equal(info.dhcp_state, DHCP_SELECTING);
	dhcpt_inject_udp(t, SERVER, 67, BCAST, 68, m, len);	/* the real one */
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	dhcpt_free(t);
}

/* RFC 2131 §4.1: DISCOVER resent after 4, 8, 16, 32, 64, 64 s, ±1 s. */
static void test_backoff(void **state)
{
	static const uint64_t want[] = { 4, 8, 16, 32, 64, 64, 64 };
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	uint64_t last;

	(void)state;
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	last = t->now;
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		while (!dhcpt_pop_udp(t, &u))
			dhcpt_step(t, 100 * 1000);
		assert_true(t->now - last >= want[i] * 1000 - 1000);
		assert_true(t->now - last <= want[i] * 1000 + 1000);
		assert_int_equal(get16(u.data + DHCP_OFF_SECS), (t->now - 1000) / 1000);
		last = t->now;
	}
	dhcpt_free(t);
}

/* REQUEST resent DHCP_REQUEST_TRIES times, then back to DISCOVER. */
static void test_request_gives_up(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0);
	unsigned requests = 0;

	(void)state;
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	reply(t, &u, DHCPOFFER, OFFER, o, k);
	for (unsigned i = 0; i < 20; i++) {
		dhcpt_step(t, 100 * 1000);
		if (!dhcpt_pop_udp(t, &u))
			continue;
		const uint8_t *v;
		size_t olen;
		v = dhcpt_dhcp_opt(u.data, u.len, DHCP_OPT_MSG_TYPE, &olen);
		if (v[0] == DHCPDISCOVER)
			break;
		requests++;
	}
	assert_int_equal(requests, 5);	/* the first and 4 resends */
	dhcpt_free(t);
}

/* Server-given T1 and T2; an infinite lease never renews. */
static void test_lease_times(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	struct net_ifinfo info;

	(void)state;
	dora(t, LEASE, 100, 200);
	dhcpt_advance(t, 99 * 1000);
	assert_false(dhcpt_pop_udp(t, &u));
	dhcpt_advance(t, 1000);
	expect_msg(t, &u, DHCPREQUEST, SERVER);
	dhcpt_free(t);

	t = start();
	dora(t, DHCP_LEASE_INFINITE, 0, 0);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.lease_s, DHCP_LEASE_INFINITE);
	assert_int_equal(info.lease_left_s, DHCP_LEASE_INFINITE);
	assert_int_equal(dhcp_next_timer(t->n), UINT64_MAX);
	dhcpt_advance(t, 10ull * 365 * 24 * 3600 * 1000);
	assert_false(dhcpt_pop_udp(t, &u));
	assert_bound(t);
	dhcpt_free(t);

	/* T1 past T2, T2 past the lease: the defaults instead */
	t = start();
	dora(t, 1000, 900, 2000);
	dhcpt_advance(t, 499 * 1000);
	assert_false(dhcpt_pop_udp(t, &u));
	dhcpt_advance(t, 1000);
	expect_msg(t, &u, DHCPREQUEST, SERVER);
	dhcpt_free(t);
}

/* T1 or T2 of 0 (a server's mistake) counts as absent: renewing at once
 * would answer every ACK with a new REQUEST, as fast as the server
 * replies. */
static void test_zero_t1_t2(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	uint8_t o[64];
	size_t k = std_opts(o, 1000, 0, 0);

	(void)state;
	k += put_ip_opt(o + k, DHCP_OPT_T1, 0);
	k += put_ip_opt(o + k, DHCP_OPT_T2, 0);
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	reply(t, &u, DHCPOFFER, OFFER, o, k);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	reply(t, &u, DHCPACK, OFFER, o, k);
	dhcpt_advance(t, 1);
	assert_false(dhcpt_pop_udp(t, &u));
	assert_bound(t);
	dhcpt_advance(t, 498 * 1000);
	assert_false(dhcpt_pop_udp(t, &u));
	dhcpt_advance(t, 2 * 1000);
	expect_msg(t, &u, DHCPREQUEST, SERVER);	/* the default T1, 500 s */
	dhcpt_free(t);
}

/* A minimal valid reply to xid, for dhcp_parse. */
static size_t parse_msg(uint8_t *m, const uint8_t *opts, size_t optlen)
{
	uint8_t req[300] = { 0 };

	put32(req + DHCP_OFF_XID, 0x12345678);
	memcpy(req + DHCP_OFF_CHADDR, dhcpt_our_mac, 6);
	size_t len = dhcpt_dhcp_reply(m, req, DHCPOFFER, OFFER, NULL, 0);
	/* replace the options after the cookie */
	memset(m + DHCP_OFF_OPTS, 0, len - DHCP_OFF_OPTS);
	if (optlen)
		memcpy(m + DHCP_OFF_OPTS, opts, optlen);
	return DHCP_OFF_OPTS + optlen;
}

static void test_parse_options(void **state)
{
	uint8_t m[2048];
	struct dhcp_reply r;
	size_t len;

	(void)state;
	/* pads, a list of two routers, options we do not know, no END */
	static const uint8_t ok[] = { 0, 0, 53, 1, 2, 3, 8, 10, 0, 2, 1, 10, 0, 2, 9,
				      200, 3, 1, 2, 3, 54, 4, 10, 0, 2, 2 };
	len = parse_msg(m, ok, sizeof ok);
	assert_true(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	assert_int_equal(r.type, DHCPOFFER);
	assert_int_equal(r.router, NET_IP4(10, 0, 2, 1));
	assert_int_equal(r.server_id, SERVER);
	assert_int_equal(r.yiaddr, OFFER);
	assert_false(dhcp_parse(m, len, 0x12345679, dhcpt_our_mac, &r));

	/* a length running past the end */
	static const uint8_t past[] = { 53, 1, 2, 54, 4, 10, 0 };
	len = parse_msg(m, past, sizeof past);
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	/* a code with no length byte */
	static const uint8_t nolen[] = { 53, 1, 2, 54 };
	len = parse_msg(m, nolen, sizeof nolen);
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	/* zero-length message type: no type, dropped */
	static const uint8_t zero_type[] = { 53, 0, 54, 4, 10, 0, 2, 2, 255 };
	len = parse_msg(m, zero_type, sizeof zero_type);
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	/* no message type at all */
	static const uint8_t no_type[] = { 54, 4, 10, 0, 2, 2, 255 };
	len = parse_msg(m, no_type, sizeof no_type);
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	/* wrong lengths are skipped: mask of 3, lease of 5 */
	static const uint8_t wrong_len[] = { 53, 1, 2, 1, 3, 255, 255, 255, 51, 5, 0, 0, 0, 1, 0,
					     255 };
	len = parse_msg(m, wrong_len, sizeof wrong_len);
	assert_true(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	assert_int_equal(r.mask, 0);
	assert_false(r.has_lease);
	/* the only bytes after the END are not read */
	static const uint8_t after_end[] = { 53, 1, 5, 255, 54, 200 };
	len = parse_msg(m, after_end, sizeof after_end);
	assert_true(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	assert_int_equal(r.type, DHCPACK);
	assert_int_equal(r.server_id, 0);
	/* empty option area */
	len = parse_msg(m, NULL, 0);
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
}

/* Option 52: the file and sname fields carry options, once. */
static void test_parse_overload(void **state)
{
	uint8_t m[2048];
	struct dhcp_reply r;
	size_t len;

	(void)state;
	static const uint8_t both[] = { 52, 1, 3, 255 };
	len = parse_msg(m, both, sizeof both);
	/* file: the message type and a 52 pointing back (ignored there) */
	static const uint8_t file[] = { 53, 1, 5, 52, 1, 3, 255 };
	memcpy(m + DHCP_OFF_FILE, file, sizeof file);
	static const uint8_t sname[] = { 54, 4, 10, 0, 2, 2, 51, 4, 0, 0, 1, 0 };
	memcpy(m + DHCP_OFF_SNAME, sname, sizeof sname);
	assert_true(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	assert_int_equal(r.type, DHCPACK);
	assert_int_equal(r.server_id, SERVER);
	assert_int_equal(r.lease_s, 256);

	/* overloaded sname running past its 64 bytes */
	memset(m + DHCP_OFF_SNAME, 0, DHCP_SNAME_LEN);
	m[DHCP_OFF_SNAME + 60] = 12;
	m[DHCP_OFF_SNAME + 61] = 10;
	assert_false(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));

	/* file full of pads and no END, and 52 = 1 only: sname not read */
	static const uint8_t file_only[] = { 52, 1, 1, 255 };
	len = parse_msg(m, file_only, sizeof file_only);
	memset(m + DHCP_OFF_FILE, 0, DHCP_FILE_LEN);
	m[DHCP_OFF_FILE + DHCP_FILE_LEN - 3] = 53;
	m[DHCP_OFF_FILE + DHCP_FILE_LEN - 2] = 1;
	m[DHCP_OFF_FILE + DHCP_FILE_LEN - 1] = 2;
	m[DHCP_OFF_SNAME] = 53;		/* would run past if read */
	m[DHCP_OFF_SNAME + 1] = 200;
	assert_true(dhcp_parse(m, len, 0x12345678, dhcpt_our_mac, &r));
	assert_int_equal(r.type, DHCPOFFER);
}

/* Offers of addresses we cannot use, or without a server id, are dropped. */
static void test_bad_offers(void **state)
{
	static const net_ip4 bad_ips[] = {
		0, NET_IP4(255, 255, 255, 255), NET_IP4(224, 0, 0, 1),
		NET_IP4(127, 0, 0, 1), NET_IP4(240, 0, 0, 1),
	};
	struct dhcpt *t = start();
	struct dhcpt_udp u;
	uint8_t o[64];
	size_t k = std_opts(o, LEASE, 0, 0);

	(void)state;
	dhcpt_advance(t, 0);
	expect_msg(t, &u, DHCPDISCOVER, BCAST);
	for (unsigned i = 0; i < sizeof bad_ips / sizeof bad_ips[0]; i++)
		reply(t, &u, DHCPOFFER, bad_ips[i], o, k);
	reply(t, &u, DHCPOFFER, OFFER, o + 6, k - 6);	/* no server id */
	reply(t, &u, DHCPACK, OFFER, o, k);		/* not what SELECTING wants */
	struct dhcpt_udp none;
	assert_false(dhcpt_pop_udp(t, &none));
	assert_int_equal(net_get_stats(t->n)->dhcp_bad, 5);
	/* an ACK without mask, router or lease: a class mask, one hour */
	reply(t, &u, DHCPOFFER, OFFER, o, 6);
	expect_msg(t, &u, DHCPREQUEST, BCAST);
	reply(t, &u, DHCPACK, OFFER, o, 6);
	assert_bound(t);
	struct net_ifinfo info;
	net_ifinfo(t->n, &info);
	assert_int_equal(info.netmask, NET_IP4(255, 0, 0, 0));
	assert_int_equal(info.gateway, 0);
	assert_int_equal(info.lease_s, 3600);
	dhcpt_free(t);
}

/* A static address: no DHCP at all. */
static void test_static(void **state)
{
	struct net_config cfg = { .ip = OFFER, .netmask = MASK };
	struct dhcpt *t = dhcpt_new(&cfg);
	struct net_ifinfo info;
	struct dhcpt_udp u;

	(void)state;
	dhcpt_advance(t, 60000);
	net_ifinfo(t->n, &info);
	assert_int_equal(info.state, NET_ADDR_STATIC);
	assert_int_equal(info.dhcp_state, DHCP_OFF);
	while (dhcpt_pop_udp(t, &u))
		assert_int_not_equal(u.dport, DHCP_SERVER_PORT);
	dhcpt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora),
		cmocka_unit_test(test_renew_at_t1),
		cmocka_unit_test(test_rebind_at_t2),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_nak),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_request_gives_up),
		cmocka_unit_test(test_lease_times),
		cmocka_unit_test(test_zero_t1_t2),
		cmocka_unit_test(test_parse_options),
		cmocka_unit_test(test_parse_overload),
		cmocka_unit_test(test_bad_offers),
		cmocka_unit_test(test_static),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
