/*
 * libFuzzer target for lib/net's TCP: a whole session with time steps.
 *
 * The input is a script, one step after another until it runs out:
 *
 *     op % 8 == 0  a segment from the peer, built from the next bytes:
 *                  which peer port (2) and our port (80 listening, 81
 *                  closed, or the last active connection's), flags,
 *                  seq and ack either relative to the connection's own
 *                  RCV.NXT / SND.UNA (small signed deltas, so they land
 *                  in or near the windows) or raw, window, options (up
 *                  to 40 bytes, taken as given) and up to 255 data bytes;
 *                  the checksums are computed so it gets past them
 *            1  the clock moves (a few ms up to minutes)
 *            2  the program writes (maybe TCP_WRITE_MORE)
 *            3  the program reads (tcp_read or peek/consume)
 *            4  the program shuts down, closes or aborts
 *            5  tcp_connect to the peer
 *            6  tcp_setopt
 *            7  tcp_accept
 *
 * The peer is 10.0.2.100, its MAC learnt at start. The program holds up
 * to MAX_HELD connections (accepted, connected); callbacks read, and
 * forget a connection on closed.
 *
 * Oracles besides the sanitizers: every TCP segment sent has a sound
 * data offset and checksum; every slot keeps snd_una <= snd_nxt <=
 * snd_max, its send and receive rings within their size, at most
 * TCP_OOO_RANGES runs; after the script, twenty idle minutes end every
 * connection the program does not hold.
 */
#include <stdint.h>
#include <string.h>
#include "tcp_impl.h"

#define MEM_SIZE	(4u << 20)
#define MAX_HELD	8
#define PEER_IP		NET_IP4(10, 0, 2, 100)
#define OUR_IP		NET_IP4(10, 0, 2, 15)

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

static _Alignas(64) uint8_t mem[MEM_SIZE];
static uint64_t rng, now;
static struct net *n;
static struct tcp_conn *held[MAX_HELD];
static const uint8_t our_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 0x64 };

struct script {
	const uint8_t *p;
	size_t left;
};

static unsigned take(struct script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static unsigned take16(struct script *s)
{
	return take(s) << 8 | take(s);
}

static uint64_t fz_random(void *ctx)
{
	(void)ctx;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_tcp(const uint8_t *ip, size_t len)
{
	size_t hl = (size_t)(ip[0] & 15) * 4, tl = get16(ip + 2);
	const uint8_t *t = ip + hl;

	if (ip[9] != IP_PROTO_TCP)
		return;
	require(tl <= len && tl >= hl + TCP_HDR);
	require((size_t)(t[12] >> 4) * 4 >= TCP_HDR && (size_t)(t[12] >> 4) * 4 <= tl - hl);
	require(cksum_fold(cksum_add(cksum_pseudo(get32(ip + 12), get32(ip + 16), IP_PROTO_TCP,
						  (uint16_t)(tl - hl)), t, tl - hl)) == 0);
}

static unsigned fz_tx(void *ctx, const void *const *frames, const uint16_t *lens, unsigned k)
{
	(void)ctx;
	for (unsigned i = 0; i < k; i++) {
		const uint8_t *f = frames[i];

		require(lens[i] <= NET_FRAME_MAX);
		if (lens[i] > ETH_HDR + IP4_HDR && get16(f + 12) == ETHERTYPE_IP4)
			check_tcp(f + ETH_HDR, lens[i] - ETH_HDR);
	}
	return k;
}

static uint64_t fz_now(void *ctx)
{
	(void)ctx;
	return now;
}

static void forget(struct tcp_conn *c)
{
	for (int i = 0; i < MAX_HELD; i++)
		if (held[i] == c)
			held[i] = NULL;
}

static void hold(struct tcp_conn *c)
{
	for (int i = 0; i < MAX_HELD; i++) {
		if (!held[i]) {
			held[i] = c;
			return;
		}
	}
	tcp_abort(c);	/* no room in the program */
}

static void on_accepted(struct tcp_conn *c, void *arg)
{
	(void)arg;
	hold(c);
}

static void on_readable(struct tcp_conn *c, void *arg)
{
	uint8_t buf[300];

	(void)arg;
	if (tcp_read(c, buf, sizeof(buf)) > 0 && buf[0] == 'W')
		tcp_write(c, buf, 100, 0);
}

static void on_closed(struct tcp_conn *c, int err, void *arg)
{
	(void)err;
	(void)arg;
	forget(c);
}

static const struct tcp_events evs = {
	.accepted = on_accepted, .readable = on_readable, .closed = on_closed,
};
static const struct tcp_events evs_queue = { .readable = on_readable, .closed = on_closed };

static void frame(uint8_t *f, size_t l4)
{
	uint8_t *ip = f + ETH_HDR;

	copy_mem(f, our_mac, 6);
	copy_mem(f + 6, peer_mac, 6);
	put16(f + 12, ETHERTYPE_IP4);
	set_mem(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP4_HDR + l4));
	ip[8] = 64;
	ip[9] = IP_PROTO_TCP;
	put32(ip + 12, PEER_IP);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, cksum_fold(cksum_add(0, ip, IP4_HDR)));
	net_input(n, f, ETH_HDR + IP4_HDR + l4);
	net_flush(n);
}

static void learn_peer(void)
{
	uint8_t f[60] = { 0 }, *a = f + ETH_HDR;

	copy_mem(f, our_mac, 6);
	copy_mem(f + 6, peer_mac, 6);
	put16(f + 12, ETHERTYPE_ARP);
	put16(a, 1);
	put16(a + 2, ETHERTYPE_IP4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 2);
	copy_mem(a + 8, peer_mac, 6);
	put32(a + 14, PEER_IP);
	copy_mem(a + 18, our_mac, 6);
	put32(a + 24, OUR_IP);
	net_input(n, f, sizeof(f));
}

static struct tcp_conn *any_held(unsigned k)
{
	for (int i = 0; i < MAX_HELD; i++) {
		struct tcp_conn *c = held[(k + (unsigned)i) % MAX_HELD];

		if (c)
			return c;
	}
	return NULL;
}

/* op 0: one segment from the peer. */
static void segment(struct script *s)
{
	static uint8_t f[NET_FRAME_BUF];
	uint8_t *t = f + ETH_HDR + IP4_HDR;
	unsigned sel = take(s), flags = take(s), olen = take(s) % 41, dlen;
	uint16_t pport = (sel & 1) ? 40001 : 40000, lport = (sel & 2) ? 81 : 80;
	struct tcp_conn *h = any_held(sel >> 4), *c;
	uint32_t seq = (uint32_t)take16(s) << 16 | take16(s), ack = (uint32_t)take16(s) << 16;

	if ((sel & 4) && h && h->state != TCP_CLOSED) {
		pport = h->rport;
		lport = h->lport;
	}
	c = tcp_lookup(n, OUR_IP, PEER_IP, lport, pport);
	ack |= take16(s);
	if (c && (sel & 8)) {	/* near the windows */
		seq = c->rcv_nxt + (uint32_t)(int32_t)(int16_t)(seq & 0xffff);
		ack = c->snd_una + (uint32_t)(int32_t)(int16_t)(ack & 0xffff);
	}
	put16(t, pport);
	put16(t + 2, lport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	put16(t + 14, (uint16_t)take16(s));
	put16(t + 18, (uint16_t)take16(s));
	olen = (olen + 3) & ~3u;
	for (unsigned i = 0; i < olen; i++)
		t[TCP_HDR + i] = (uint8_t)take(s);
	dlen = take(s);
	for (unsigned i = 0; i < dlen; i++)
		t[TCP_HDR + olen + i] = (uint8_t)take(s);
	t[12] = (uint8_t)((TCP_HDR + olen) / 4 << 4);
	t[13] = (uint8_t)flags;
	put16(t + 16, 0);
	put16(t + 16, cksum_fold(cksum_add(cksum_pseudo(PEER_IP, OUR_IP, IP_PROTO_TCP,
							(uint16_t)(TCP_HDR + olen + dlen)),
					   t, TCP_HDR + olen + dlen)));
	frame(f, TCP_HDR + olen + dlen);
}

static void advance(uint64_t ms)
{
	uint64_t end = now + ms;

	for (int i = 0; i < 1000 && net_next_timer(n) <= end; i++) {
		uint64_t t = net_next_timer(n);

		now = t > now ? t : now + 1;
		if (now > end)
			break;
		net_poll(n, now);
	}
	now = end;
	net_poll(n, now);
}

static void program(struct script *s, unsigned op)
{
	static uint8_t buf[4096];
	unsigned a = take(s);
	struct tcp_conn *c = any_held(a);
	const void *p;

	if (op == 5) {
		struct tcp_conn *k = tcp_connect(n, PEER_IP, (uint16_t)(7000 + (a & 3)), &evs, NULL);

		if (k)
			hold(k);
		return;
	}
	if (op == 7) {
		struct tcp_conn *l = tcp_find_listener(n, 80), *k = l ? tcp_accept(l) : NULL;

		if (k) {
			tcp_set_events(k, &evs_queue, NULL);
			hold(k);
		}
		return;
	}
	if (!c)
		return;
	switch (op) {
	case 2:
		tcp_write(c, buf, (size_t)take16(s) % sizeof(buf), (a & 16) ? TCP_WRITE_MORE : 0);
		break;
	case 3:
		if (a & 16) {
			tcp_consume(c, tcp_peek(c, &p) / 2 + 1);
		} else if (tcp_read(c, buf, sizeof(buf)) == 0 || c->state == TCP_CLOSED) {
			forget(c);
			tcp_close(c);
		}
		break;
	case 4:
		if ((a & 48) == 0) {
			tcp_shutdown(c);
		} else {
			forget(c);
			if (a & 16)
				tcp_close(c);
			else
				tcp_abort(c);
		}
		break;
	default:
		tcp_setopt(c, (enum tcp_opt)(take(s) % 4), take(s) % 3 ? take(s) : 0);
		break;
	}
}

static void check_slots(void)
{
	const struct tcp_state *ts = n->tcp;

	for (unsigned i = 0; i < ts->nconns; i++) {
		const struct tcp_conn *c = &ts->conns[i];

		if (!(c->flags & TCF_USED) || c->state <= TCP_SYN_SENT)
			continue;
		require(seq_le(c->snd_una, c->snd_nxt) && seq_le(c->snd_nxt, c->snd_max));
		require(c->snd_end - c->sb_seq <= ts->sbuf_size);
		require(tcp_readable_bytes(c) <= ts->rbuf_size);
		require(c->nooo <= TCP_OOO_RANGES);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_config cfg = { .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
				  .ip = OUR_IP, .netmask = NET_IP4(255, 255, 255, 0),
				  .gateway = NET_IP4(10, 0, 2, 2), .tcp_conns = 12,
				  .tcp_backlog_max = 4, .tcp_sndbuf = 4096, .tcp_rcvbuf = 4096 };
	struct net_port port = { .tx = fz_tx, .random = fz_random, .now_ms = fz_now };
	struct script s = { data, size };
	unsigned counts[TCP_TIME_WAIT + 1], steps = 0;

	rng = 0x9e3779b97f4a7c15ull;
	now = 1000000;
	set_mem(held, 0, sizeof(held));
	require(net_mem_size(&cfg) <= MEM_SIZE);
	n = net_create(&cfg, &port, mem, MEM_SIZE, now);
	require(n);
	learn_peer();
	tcp_listen(n, 80, 3, (s.left && (data[0] & 1)) ? &evs_queue : &evs, NULL);
	while (s.left && steps++ < 200) {
		unsigned op = take(&s) % 8;

		if (op == 0)
			segment(&s);
		else if (op == 1)
			advance((uint64_t)take(&s) * (take(&s) & 1 ? 1000 : 5));
		else
			program(&s, op);
		net_flush(n);
		check_slots();
	}
	/* twenty idle minutes: only what the program holds may stay */
	for (int i = 0; i < MAX_HELD; i++)
		if (held[i])
			tcp_setopt(held[i], TCP_OPT_IDLE_TIMEOUT, 1000);
	advance(1200000);
	tcp_count_states(n, counts);
	require(counts[TCP_SYN_RECEIVED] + counts[TCP_TIME_WAIT] + counts[TCP_LAST_ACK] +
		counts[TCP_CLOSING] + counts[TCP_FIN_WAIT_1] == 0);
	return 0;
}
