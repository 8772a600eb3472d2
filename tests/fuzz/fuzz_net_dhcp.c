/*
 * libFuzzer target for lib/net/dhcp.c: the input is what "the server"
 * sends to a client in a chosen state.
 *
 * Input: one mode byte, then up to MAX_DGRAMS datagrams, each a 2-byte
 * big-endian length and that many bytes (fewer at the end). Mode bits:
 *   0-1  the state the client is brought to first with well-formed
 *        replies: SELECTING, REQUESTING, BOUND, RENEWING
 *   2    patch our xid, chaddr, op, htype/hlen and cookie into each
 *        datagram, so the option parser is reached
 *   3-7  seconds * 60 the clock moves after each datagram (timers run)
 * Each datagram arrives as UDP 10.0.2.2:67 -> 255.255.255.255:68.
 *
 * Oracles besides the sanitizers: a leased address is usable (not 0/8,
 * 127/8, multicast, class E); the client's state is a known one; every
 * frame sent fits NET_FRAME_MAX.
 */
#include <stdint.h>
#include <string.h>
#include "net_impl.h"
#include "dhcp.h"

#define MAX_DGRAMS	8
#define SERVER		NET_IP4(10, 0, 2, 2)
#define OFFER		NET_IP4(10, 0, 2, 15)

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static _Alignas(16) uint8_t mem[4 << 20];
static uint64_t rnd, now;

static unsigned port_tx(void *ctx, const void *const *frames, const uint16_t *lens,
			unsigned n)
{
	(void)ctx;
	(void)frames;
	for (unsigned i = 0; i < n; i++)
		require(lens[i] <= NET_FRAME_MAX);
	return n;
}

static uint64_t port_random(void *ctx)
{
	(void)ctx;
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* UDP from the server to the broadcast address, checksum 0 (RFC 768). */
static void deliver(struct net *n, const uint8_t *data, size_t len)
{
	static uint8_t f[NET_FRAME_BUF];
	uint8_t *ip = f + ETH_HDR, *udp = f + NET_L4_OFF;

	if (len > NET_FRAME_MAX - NET_L4_OFF - 8)
		len = NET_FRAME_MAX - NET_L4_OFF - 8;
	memset(f, 0xff, ETH_ALEN);
	memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", ETH_ALEN);
	put16(f + 12, ETHERTYPE_IP4);
	memset(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP4_HDR + 8 + len));
	ip[8] = 64;
	ip[9] = IP_PROTO_UDP;
	put32(ip + 12, SERVER);
	put32(ip + 16, 0xffffffffu);
	put16(ip + 10, cksum_fold(cksum_add(0, ip, IP4_HDR)));
	put16(udp, DHCP_SERVER_PORT);
	put16(udp + 2, DHCP_CLIENT_PORT);
	put16(udp + 4, (uint16_t)(8 + len));
	put16(udp + 6, 0);
	memcpy(udp + 8, data, len);
	net_input(n, f, NET_L4_OFF + 8 + len);
	net_flush(n);
}

/* A well-formed reply of type to the current exchange. */
static void reply(struct net *n, uint8_t type)
{
	uint8_t m[300] = { 0 };
	static const uint8_t opts[] = {
		54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
		6, 4, 10, 0, 2, 3, 51, 4, 0, 0, 14, 16, 255,
	};

	m[0] = 2;
	m[1] = 1;
	m[2] = 6;
	put32(m + DHCP_OFF_XID, dhcp_xid(n));
	put32(m + DHCP_OFF_YIADDR, OFFER);
	memcpy(m + DHCP_OFF_CHADDR, mac, 6);
	put32(m + DHCP_OFF_COOKIE, DHCP_COOKIE);
	m[DHCP_OFF_OPTS] = DHCP_OPT_MSG_TYPE;
	m[DHCP_OFF_OPTS + 1] = 1;
	m[DHCP_OFF_OPTS + 2] = type;
	memcpy(m + DHCP_OFF_OPTS + 3, opts, sizeof opts);
	deliver(n, m, sizeof m);
}

static struct net *setup(unsigned state)
{
	static const struct net_port port = { .tx = port_tx, .random = port_random };
	struct net_config cfg = {
		.tcp_conns = 2, .tcp_sndbuf = 2048, .tcp_rcvbuf = 2048, .udp_queue = 1,
		.reasm_slots = 1, .reasm_max = 1500, .tx_frames = 8, .hostname = "fuzz",
	};
	struct net *n;

	memcpy(cfg.mac, mac, 6);
	rnd = 0x9e3779b97f4a7c15ull;
	now = 1000;
	require(net_mem_size(&cfg) <= sizeof mem);
	n = net_create(&cfg, &port, mem, sizeof mem, now);
	require(n);
	net_poll(n, now);			/* DISCOVER */
	if (state >= 1)
		reply(n, DHCPOFFER);		/* REQUESTING */
	if (state >= 2)
		reply(n, DHCPACK);		/* BOUND, lease 3600 s */
	if (state >= 3)
		net_poll(n, now += 1800 * 1000);	/* RENEWING */
	return n;
}

static void patch(struct net *n, uint8_t *d, size_t len)
{
	if (len < DHCP_OFF_OPTS)
		return;
	d[DHCP_OFF_OP] = 2;
	d[DHCP_OFF_HTYPE] = 1;
	d[DHCP_OFF_HLEN] = 6;
	put32(d + DHCP_OFF_XID, dhcp_xid(n));
	memcpy(d + DHCP_OFF_CHADDR, mac, 6);
	put32(d + DHCP_OFF_COOKIE, DHCP_COOKIE);
}

static void check(const struct net *n)
{
	struct net_ifinfo info;

	net_ifinfo(n, &info);
	require(info.dhcp_state >= DHCP_INIT && info.dhcp_state <= DHCP_REBINDING);
	if (info.state == NET_ADDR_DHCP) {
		uint8_t top = (uint8_t)(info.ip >> 24);
		require(top != 0 && top != 127 && top < 224);
		require(info.dhcp_state >= DHCP_BOUND);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t d[65536];
	struct net *n;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	n = setup(mode & 3);
	for (unsigned i = 0; i < MAX_DGRAMS && size >= 2; i++) {
		size_t len = get16(data);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(d, data, len);
		if (mode & 4)
			patch(n, d, len);
		deliver(n, d, len);
		data += len;
		size -= len;
		net_poll(n, now += (uint64_t)(mode >> 3) * 60 * 1000);
		check(n);
	}
	return 0;
}
