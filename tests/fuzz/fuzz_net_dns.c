/*
 * libFuzzer target for lib/net/dns.c: the input is what "the server"
 * answers to a query for www.example.com.
 *
 * Input: one mode byte, then up to MAX_DGRAMS datagrams, each a 2-byte
 * big-endian length and that many bytes (fewer at the end). Mode bits:
 *   0    patch the query's id into each datagram (bytes 0-1)
 *   1    patch QR and the question too, so the answer parser is reached
 *   2-7  hundreds of ms the clock moves after each datagram
 * Each datagram arrives as UDP 10.0.2.3:53 -> the query's port; it also
 * goes straight to dns_parse_reply.
 *
 * Oracles besides the sanitizers: done runs at most once, with 0 or one
 * of the documented errors; dns_parse_reply's result is one of those too.
 */
#include <stdint.h>
#include <string.h>
#include "net_impl.h"
#include "dns.h"

#define MAX_DGRAMS	8
#define OUR_IP		NET_IP4(10, 0, 2, 15)
#define SERVER		NET_IP4(10, 0, 2, 3)

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static _Alignas(16) uint8_t mem[4 << 20];
static uint64_t rnd, now;
static uint8_t query[NET_FRAME_BUF];	/* the last UDP payload sent */
static size_t query_len;
static uint16_t query_port;
static int calls, result;

static unsigned port_tx(void *ctx, const void *const *frames, const uint16_t *lens,
			unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *f = frames[i];
		require(lens[i] <= NET_FRAME_MAX);
		if (lens[i] > NET_L4_OFF + 8 && get16(f + 12) == ETHERTYPE_IP4 &&
		    f[ETH_HDR + 9] == IP_PROTO_UDP && get16(f + NET_L4_OFF + 2) == DNS_PORT) {
			query_port = get16(f + NET_L4_OFF);
			query_len = lens[i] - NET_L4_OFF - 8u;
			memcpy(query, f + NET_L4_OFF + 8, query_len);
		}
	}
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

static void on_done(void *arg, int err, net_ip4 ip)
{
	(void)arg;
	(void)ip;
	calls++;
	result = err;
}

static bool known_result(int err)
{
	return err == 0 || err == B_ENOENT || err == B_EIO || err == B_ETIMEDOUT ||
	       err == B_EINVAL;
}

/* An ARP request from the server for our address: the stack learns its
 * MAC (RFC 826) and the query needs no ARP. */
static void learn_server(struct net *n)
{
	uint8_t f[ETH_HDR + 28] = { 0 };

	memset(f, 0xff, ETH_ALEN);
	memcpy(f + 6, peer_mac, ETH_ALEN);
	put16(f + 12, ETHERTYPE_ARP);
	put16(f + ETH_HDR, 1);
	put16(f + ETH_HDR + 2, ETHERTYPE_IP4);
	f[ETH_HDR + 4] = 6;
	f[ETH_HDR + 5] = 4;
	put16(f + ETH_HDR + 6, 1);
	memcpy(f + ETH_HDR + 8, peer_mac, ETH_ALEN);
	put32(f + ETH_HDR + 14, SERVER);
	put32(f + ETH_HDR + 24, OUR_IP);
	net_input(n, f, sizeof f);
	net_flush(n);
}

static void deliver(struct net *n, const uint8_t *data, size_t len)
{
	static uint8_t f[NET_FRAME_BUF];
	uint8_t *ip = f + ETH_HDR, *udp = f + NET_L4_OFF;

	if (len > NET_FRAME_MAX - NET_L4_OFF - 8)
		len = NET_FRAME_MAX - NET_L4_OFF - 8;
	memcpy(f, mac, ETH_ALEN);
	memcpy(f + 6, peer_mac, ETH_ALEN);
	put16(f + 12, ETHERTYPE_IP4);
	memset(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP4_HDR + 8 + len));
	ip[8] = 64;
	ip[9] = IP_PROTO_UDP;
	put32(ip + 12, SERVER);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, cksum_fold(cksum_add(0, ip, IP4_HDR)));
	put16(udp, DNS_PORT);
	put16(udp + 2, query_port);
	put16(udp + 4, (uint16_t)(8 + len));
	put16(udp + 6, 0);
	memcpy(udp + 8, data, len);
	net_input(n, f, NET_L4_OFF + 8 + len);
	net_flush(n);
}

static struct net *setup(void)
{
	static const struct net_port port = { .tx = port_tx, .random = port_random };
	struct net_config cfg = {
		.ip = OUR_IP, .netmask = NET_IP4(255, 255, 255, 0), .dns = SERVER,
		.gateway = NET_IP4(10, 0, 2, 2), .tcp_conns = 2, .tcp_sndbuf = 2048,
		.tcp_rcvbuf = 2048, .udp_queue = 1, .reasm_slots = 1, .reasm_max = 1500,
		.tx_frames = 8,
	};
	struct net *n;

	memcpy(cfg.mac, mac, 6);
	rnd = 0x9e3779b97f4a7c15ull;
	now = 1000;
	calls = 0;
	query_len = 0;
	require(net_mem_size(&cfg) <= sizeof mem);
	n = net_create(&cfg, &port, mem, sizeof mem, now);
	require(n);
	learn_server(n);
	require(dns_resolve(n, "www.example.com", on_done, NULL) == 0);
	net_flush(n);
	require(query_len > DNS_HDR);
	return n;
}

/* The query's id, QR, and its question copied in where there is room. */
static void patch(uint8_t *d, size_t len, uint8_t mode)
{
	if (len >= 2)
		memcpy(d, query, 2);
	if ((mode & 2) && len >= query_len) {
		d[2] |= 0x80;
		put16(d + 4, 1);
		memcpy(d + DNS_HDR, query + DNS_HDR, query_len - DNS_HDR);
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
	n = setup();
	for (unsigned i = 0; i < MAX_DGRAMS && size >= 2; i++) {
		size_t len = get16(data);
		net_ip4 ip;
		uint32_t ttl;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(d, data, len);
		if (mode & 3)
			patch(d, len, mode);
		require(known_result(dns_parse_reply(d, len, get16(query), query + DNS_HDR,
						     query_len - DNS_HDR - 4, &ip, &ttl)));
		deliver(n, d, len);
		data += len;
		size -= len;
		net_poll(n, now += (uint64_t)(mode >> 2) * 100);
		require(calls <= 1);
		require(calls == 0 || known_result(result));
	}
	return 0;
}
