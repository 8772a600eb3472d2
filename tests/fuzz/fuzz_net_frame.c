/*
 * libFuzzer target for lib/net: frames from the wire.
 *
 * The input is one frame or several separated by the 4 bytes "#NXT"
 * (at most MAX_FRAMES; a raw captured frame is a valid input). They go
 * into a fresh stack with the address 10.0.2.15/24 (gateway 10.0.2.2),
 * 250 ms apart, each followed by net_flush; then the clock runs on from
 * timer to timer until nothing is due (or MAX_STEPS), so reassembly, ARP,
 * ICMP's bucket and TCP's timers all run on what the frames left behind.
 * Listening: UDP 7 (an echo by callback), UDP 9 (a queue), TCP 80 (reads
 * and answers "ok").
 *
 * Oracles besides the sanitizers: every frame sent is 60..1514 bytes; an
 * IPv4 frame sent has a sound header (version, IHL 5, checksum, Total
 * Length within the frame); once no timer is left, every transmit buffer
 * is back in the pool (none leaked or parked forever). A breach calls
 * __builtin_trap().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net_impl.h"

#define MAX_FRAMES	8
#define SEP		"#NXT"
#define SEP_LEN		4
#define STEP_MS		250
#define MAX_STEPS	400
#define MEM_SIZE	(4u << 20)

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

static _Alignas(64) uint8_t mem[MEM_SIZE];
static uint64_t rng;

static uint64_t fz_random(void *ctx)
{
	(void)ctx;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_ip4(const uint8_t *h, size_t len)
{
	require(len >= IP4_HDR);
	require(h[0] == 0x45);
	require(get16(h + 2) >= IP4_HDR && get16(h + 2) <= len);
	require(cksum_fold(cksum_add(0, h, IP4_HDR)) == 0);
}

static unsigned fz_tx(void *ctx, const void *const *frames, const uint16_t *lens, unsigned k)
{
	(void)ctx;
	for (unsigned i = 0; i < k; i++) {
		const uint8_t *f = frames[i];

		require(lens[i] >= 60 && lens[i] <= NET_FRAME_MAX);
		if (get16(f + 12) == ETHERTYPE_IP4)
			check_ip4(f + ETH_HDR, lens[i] - ETH_HDR);
	}
	return k;
}

static void on_udp7(struct udp_sock *s, net_ip4 src, uint16_t sport, const void *data,
		    size_t len, void *arg)
{
	(void)arg;
	udp_sendto(s, src, sport, data, len);
}

static void on_readable(struct tcp_conn *c, void *arg)
{
	uint8_t buf[512];

	(void)arg;
	while (tcp_read(c, buf, sizeof(buf)) > 0)
		tcp_write(c, "ok", 2, 0);
}

static void on_closed(struct tcp_conn *c, int err, void *arg)
{
	(void)c; (void)err; (void)arg;
}

static const struct tcp_events events = {
	.readable = on_readable,
	.closed = on_closed,
};

static struct net *fz_stack(void)
{
	static const struct net_port port = { .tx = fz_tx, .random = fz_random };
	struct net_config cfg = {
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.ip = NET_IP4(10, 0, 2, 15), .netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2), .dns = NET_IP4(10, 0, 2, 3),
		.tcp_conns = 8, .tcp_backlog_max = 4, .tcp_sndbuf = 4096,
		.tcp_rcvbuf = 4096, .udp_socks = 4, .udp_queue = 2,
		.arp_entries = 4, .reasm_slots = 2, .reasm_max = 4096,
		.tx_frames = 32,
	};
	struct net *n;

	rng = 0x243f6a8885a308d3ull;
	require(net_mem_size(&cfg) <= MEM_SIZE);
	n = net_create(&cfg, &port, mem, MEM_SIZE, 1000000);
	require(n != NULL);
	udp_open(n, 7, on_udp7, NULL);
	udp_open(n, 9, NULL, NULL);
	tcp_listen(n, 80, 4, &events, NULL);
	return n;
}

/* The next frame of the input: its length; *rest moves past it. */
static size_t next_frame(const uint8_t **rest, size_t *left)
{
	const uint8_t *p = *rest;
	size_t k = 0;

	while (k < *left && !(k + SEP_LEN <= *left && memcmp(p + k, SEP, SEP_LEN) == 0))
		k++;
	*rest = p + k + (k < *left ? SEP_LEN : 0);
	*left -= k + (k < *left ? SEP_LEN : 0);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net *n = fz_stack();
	uint64_t now = net_now(n);

	for (int i = 0; i < MAX_FRAMES && size > 0; i++) {
		const uint8_t *f = data;
		size_t len = next_frame(&data, &size);

		net_input(n, f, len);
		net_flush(n);
		now += STEP_MS;
		net_poll(n, now);
	}
	for (int i = 0; i < MAX_STEPS && net_next_timer(n) != UINT64_MAX; i++) {
		uint64_t t = net_next_timer(n);

		now = t > now ? t : now + 1;
		net_poll(n, now);
	}
	if (net_next_timer(n) == UINT64_MAX)
		require(n->tx_nfree == n->cfg.tx_frames && n->tx_nq == 0);
	return 0;
}
