/*
 * The lib/net test harness: see sim.h.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sim.h"

const uint8_t sim_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
const uint8_t sim_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x64 };
const uint8_t sim_gw_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

#define ADVANCE_STEPS	1000000	/* cap on timer steps in one sim_advance */

/* ---- the port ---- */

static unsigned sim_port_tx(void *ctx, const void *const *frames, const uint16_t *lens,
			    unsigned k)
{
	struct sim *s = ctx;
	unsigned take = k < s->tx_accept ? k : s->tx_accept;

	s->tx_calls++;
	for (unsigned i = 0; i < take; i++) {
		struct sim_frame *f;

		assert_true(lens[i] <= NET_FRAME_MAX);
		if (s->count == SIM_FIFO) {
			s->fifo_lost++;
			continue;
		}
		f = &s->fifo[(s->head + s->count) % SIM_FIFO];
		f->len = lens[i];
		memcpy(f->data, frames[i], lens[i]);
		s->count++;
	}
	return take;
}

uint64_t sim_random(struct sim *s)
{
	/* xorshift64* (Vigna, 2014) */
	s->seed ^= s->seed >> 12;
	s->seed ^= s->seed << 25;
	s->seed ^= s->seed >> 27;
	return s->seed * 0x2545f4914f6cdd1dull;
}

static uint64_t sim_port_random(void *ctx)
{
	return sim_random(ctx);
}

static uint64_t sim_port_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

/* The blocking API's pump: one step of the virtual clock. */
static void sim_port_pump(void *ctx, struct net *n, uint64_t until_ms)
{
	struct sim *s = ctx;
	uint64_t next = net_next_timer(n);

	(void)n;
	if (next > until_ms)
		next = until_ms;
	if (next > s->now)
		s->now = next;
	net_poll(s->n, s->now);
}

/* ---- set up ---- */

void sim_default_config(struct net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->mac, sim_mac, 6);
	cfg->ip = SIM_IP;
	cfg->netmask = SIM_MASK;
	cfg->gateway = SIM_GW;
	cfg->dns = SIM_DNS;
}

void sim_init(struct sim *s, const struct net_config *cfg)
{
	uint64_t seed = s->seed ? s->seed : SIM_SEED;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	if (cfg)
		s->cfg = *cfg;
	else
		sim_default_config(&s->cfg);
	s->port = (struct net_port){ .ctx = s, .tx = sim_port_tx, .random = sim_port_random,
				     .pump = sim_port_pump, .now_ms = sim_port_now };
	s->now = SIM_T0;
	s->tx_accept = ~0u;
	s->fifo = calloc(SIM_FIFO, sizeof(*s->fifo));
	assert_non_null(s->fifo);
	s->mem_len = net_mem_size(&s->cfg);
	s->mem = aligned_alloc(64, (s->mem_len + 63) & ~(size_t)63);
	assert_non_null(s->mem);
	s->n = net_create(&s->cfg, &s->port, s->mem, s->mem_len, s->now);
	assert_non_null(s->n);
	net_flush(s->n);
}

void sim_free(struct sim *s)
{
	free(s->mem);
	free(s->fifo);
	s->mem = NULL;
	s->fifo = NULL;
	s->n = NULL;
}

void sim_quiet(struct sim *s)
{
	sim_advance(s, SIM_QUIET_MS);
	sim_clear(s);
}

void sim_advance(struct sim *s, uint64_t ms)
{
	uint64_t end = s->now + ms;

	for (unsigned i = 0; i < ADVANCE_STEPS; i++) {
		uint64_t next = net_next_timer(s->n);

		if (next > end)
			break;
		if (next > s->now)
			s->now = next;
		net_poll(s->n, s->now);
		/* a timer that stays due at the same time would spin */
		if (net_next_timer(s->n) <= s->now && next <= s->now)
			s->now++;
		if (s->now > end)
			break;
	}
	s->now = end;
	net_poll(s->n, s->now);
}

void sim_input(struct sim *s, const void *frame, size_t len)
{
	net_input(s->n, frame, len);
	net_flush(s->n);
}

/* ---- the FIFO ---- */

unsigned sim_pending(struct sim *s)
{
	if (s->n)
		net_flush(s->n);
	return s->count;
}

size_t sim_pop(struct sim *s, void *buf, size_t cap)
{
	struct sim_frame *f;
	size_t k;

	if (s->n)
		net_flush(s->n);	/* what API calls queued */
	if (s->count == 0)
		return 0;
	f = &s->fifo[s->head];
	k = f->len < cap ? f->len : cap;
	memcpy(buf, f->data, k);
	s->head = (s->head + 1) % SIM_FIFO;
	s->count--;
	return f->len;
}

void sim_clear(struct sim *s)
{
	s->head = s->count = 0;
}

/* ---- checksums ---- */

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* An independent RFC 1071 checksum (not lib/net's), so tests check it. */
static uint16_t sim_cksum(uint32_t sum, const uint8_t *p, size_t len)
{
	sum = sum_bytes(sum, p, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo(net_ip4 src, net_ip4 dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
	       (uint32_t)len;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* ---- builders ---- */

size_t sim_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		     uint16_t type, const void *payload, size_t len)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	wr16(buf + 12, type);
	if (len)
		memmove(buf + 14, payload, len);
	return 14 + len;
}

size_t sim_build_arp(uint8_t *buf, uint16_t op, const uint8_t sha[6], net_ip4 spa,
		     const uint8_t tha[6], net_ip4 tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t a[28];

	wr16(a, 1);
	wr16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, op);
	memcpy(a + 8, sha, 6);
	wr32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	wr32(a + 24, tpa);
	return sim_build_eth(buf, op == 1 ? bcast : sim_mac, sha, 0x0806, a, sizeof(a));
}

static size_t build_ip4(uint8_t *buf, net_ip4 src, net_ip4 dst, uint8_t proto,
			uint16_t id, uint16_t frag, const void *payload, size_t len)
{
	uint8_t *h = buf + 14;

	memcpy(buf, sim_mac, 6);
	memcpy(buf + 6, sim_peer_mac, 6);
	wr16(buf + 12, 0x0800);
	if (len)
		memmove(h + 20, payload, len);
	h[0] = 0x45;
	h[1] = 0;
	wr16(h + 2, (uint16_t)(20 + len));
	wr16(h + 4, id);
	wr16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	wr16(h + 10, 0);
	wr32(h + 12, src);
	wr32(h + 16, dst);
	wr16(h + 10, sim_cksum(0, h, 20));
	return 14 + 20 + len;
}

size_t sim_build_ip4(uint8_t *buf, net_ip4 src, net_ip4 dst, uint8_t proto,
		     const void *payload, size_t len)
{
	return build_ip4(buf, src, dst, proto, 1, 0, payload, len);
}

size_t sim_build_ip4_frag(uint8_t *buf, net_ip4 src, net_ip4 dst, uint8_t proto,
			  uint16_t id, size_t off, bool more, const void *payload,
			  size_t len)
{
	uint16_t frag = (uint16_t)((off / 8) | (more ? 0x2000 : 0));

	return build_ip4(buf, src, dst, proto, id, frag, payload, len);
}

size_t sim_build_udp_seg(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
			 uint16_t dport, const void *data, size_t len)
{
	uint16_t sum;

	if (len)
		memmove(buf + 8, data, len);
	wr16(buf, sport);
	wr16(buf + 2, dport);
	wr16(buf + 4, (uint16_t)(8 + len));
	wr16(buf + 6, 0);
	sum = sim_cksum(pseudo(src, dst, 17, 8 + len), buf, 8 + len);
	wr16(buf + 6, sum ? sum : 0xffff);
	return 8 + len;
}

size_t sim_build_udp(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
		     uint16_t dport, const void *data, size_t len)
{
	size_t k = sim_build_udp_seg(buf + 34, src, sport, dst, dport, data, len);

	return sim_build_ip4(buf, src, dst, 17, buf + 34, k);
}

size_t sim_build_tcp(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		     uint16_t win, const void *opt, size_t optlen, const void *data,
		     size_t len)
{
	uint8_t *t = buf + 34;
	size_t hl = 20 + ((optlen + 3) & ~(size_t)3);

	if (len)
		memmove(t + hl, data, len);
	memset(t, 0, hl);
	wr16(t, sport);
	wr16(t + 2, dport);
	wr32(t + 4, seq);
	wr32(t + 8, ack);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = flags;
	wr16(t + 14, win);
	if (optlen)
		memcpy(t + 20, opt, optlen);
	wr16(t + 16, sim_cksum(pseudo(src, dst, 6, hl + len), t, hl + len));
	return sim_build_ip4(buf, src, dst, 6, t, hl + len);
}

size_t sim_build_icmp_echo(uint8_t *buf, net_ip4 src, net_ip4 dst, uint16_t id,
			   uint16_t seq, const void *data, size_t len)
{
	uint8_t *m = buf + 34;

	if (len)
		memmove(m + 8, data, len);
	m[0] = 8;
	m[1] = 0;
	wr16(m + 2, 0);
	wr16(m + 4, id);
	wr16(m + 6, seq);
	wr16(m + 2, sim_cksum(0, m, 8 + len));
	return sim_build_ip4(buf, src, dst, 1, m, 8 + len);
}

/* ---- injectors ---- */

static uint8_t *sim_scratch(void)
{
	static uint8_t *buf;

	if (!buf)
		buf = malloc(SIM_BUF);	/* kept for the process's life */
	assert_non_null(buf);
	return buf;
}

/* Builders address sim_mac; a test may have configured another. */
static void inject(struct sim *s, uint8_t *buf, size_t len)
{
	if (memcmp(buf, sim_mac, 6) == 0)
		memcpy(buf, s->cfg.mac, 6);
	sim_input(s, buf, len);
}

void sim_eth(struct sim *s, uint16_t type, const void *payload, size_t len)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_eth(b, sim_mac, sim_peer_mac, type, payload, len));
}

void sim_arp_request(struct sim *s, const uint8_t sha[6], net_ip4 spa, net_ip4 tpa)
{
	static const uint8_t zero[6];
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_arp(b, 1, sha, spa, zero, tpa));
}

void sim_arp_reply(struct sim *s, const uint8_t sha[6], net_ip4 spa, net_ip4 tpa)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_arp(b, 2, sha, spa, s->cfg.mac, tpa));
}

void sim_ip4(struct sim *s, net_ip4 src, net_ip4 dst, uint8_t proto,
	     const void *payload, size_t len)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_ip4(b, src, dst, proto, payload, len));
}

void sim_udp(struct sim *s, net_ip4 src, uint16_t sport, net_ip4 dst, uint16_t dport,
	     const void *data, size_t len)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_udp(b, src, sport, dst, dport, data, len));
}

void sim_tcp(struct sim *s, net_ip4 src, uint16_t sport, net_ip4 dst, uint16_t dport,
	     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const void *opt,
	     size_t optlen, const void *data, size_t len)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_tcp(b, src, sport, dst, dport, seq, ack, flags, win, opt,
				   optlen, data, len));
}

void sim_icmp_echo(struct sim *s, net_ip4 src, uint16_t id, uint16_t seq,
		   const void *data, size_t len)
{
	uint8_t *b = sim_scratch();

	inject(s, b, sim_build_icmp_echo(b, src, s->n->ip, id, seq, data, len));
}

void sim_learn_arp(struct sim *s, net_ip4 ip, const uint8_t mac[6])
{
	/* RFC 826: a packet addressed to our IP creates the sender's entry */
	assert_int_not_equal(s->n->ip, 0);
	sim_arp_reply(s, mac, ip, s->n->ip);
}

/* ---- parsing ---- */

static void parse_l4(struct sim_pkt *p)
{
	const uint8_t *l4 = p->l4;
	size_t len = p->l4_len;

	if (p->proto == 1 && len >= 8) {
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->l4_cksum_ok = sim_cksum(0, l4, len) == 0;
	} else if (p->proto == 17 && len >= 8) {
		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		p->data = l4 + 8;
		p->data_len = rd16(l4 + 4) >= 8 && rd16(l4 + 4) <= len ? rd16(l4 + 4) - 8u : 0;
		p->l4_cksum_ok = rd16(l4 + 6) == 0 ||
			sim_cksum(pseudo(p->src, p->dst, 17, len), l4, len) == 0;
	} else if (p->proto == 6 && len >= 20) {
		size_t hl = (size_t)(l4[12] >> 4) * 4;

		p->sport = rd16(l4);
		p->dport = rd16(l4 + 2);
		p->seq = rd32(l4 + 4);
		p->ack = rd32(l4 + 8);
		p->flags = l4[13];
		p->win = rd16(l4 + 14);
		p->urg = rd16(l4 + 18);
		if (hl >= 20 && hl <= len) {
			p->opt = l4 + 20;
			p->optlen = hl - 20;
			p->data = l4 + hl;
			p->data_len = len - hl;
		}
		p->l4_cksum_ok = sim_cksum(pseudo(p->src, p->dst, 6, len), l4, len) == 0;
	}
}

static void parse_ip4(struct sim_pkt *p, const uint8_t *h, size_t len)
{
	size_t hl;

	if (len < 20)
		return;
	hl = (size_t)(h[0] & 15) * 4;
	p->tos = h[1];
	p->ip_len = rd16(h + 2);
	p->ip_id = rd16(h + 4);
	p->frag = rd16(h + 6);
	p->ttl = h[8];
	p->proto = h[9];
	p->src = rd32(h + 12);
	p->dst = rd32(h + 16);
	if (hl < 20 || hl > len || p->ip_len < hl || p->ip_len > len)
		return;
	p->ip_cksum_ok = sim_cksum(0, h, hl) == 0;
	p->l4 = h + hl;
	p->l4_len = p->ip_len - hl;
	if ((p->frag & 0x3fff) == 0)
		parse_l4(p);
}

void sim_parse(struct sim_pkt *p, const void *frame, size_t len)
{
	const uint8_t *b = p->buf;

	memset(p, 0, sizeof(*p));
	if (len > sizeof(p->buf))
		len = sizeof(p->buf);
	memcpy(p->buf, frame, len);
	p->len = len;
	if (len < 14)
		return;
	memcpy(p->eth_dst, b, 6);
	memcpy(p->eth_src, b + 6, 6);
	p->type = rd16(b + 12);
	if (p->type == 0x0806 && len >= 14 + 28) {
		p->arp_op = rd16(b + 20);
		memcpy(p->arp_sha, b + 22, 6);
		p->arp_spa = rd32(b + 28);
		memcpy(p->arp_tha, b + 32, 6);
		p->arp_tpa = rd32(b + 38);
	} else if (p->type == 0x0800) {
		parse_ip4(p, b + 14, len - 14);
	}
}

bool sim_next(struct sim *s, struct sim_pkt *p)
{
	uint8_t buf[NET_FRAME_BUF];
	size_t len = sim_pop(s, buf, sizeof(buf));

	if (len == 0)
		return false;
	sim_parse(p, buf, len);
	return true;
}

/* ---- expectations ---- */

static struct sim_pkt *pkt_or_tmp(struct sim_pkt *p)
{
	static struct sim_pkt tmp;

	return p ? p : &tmp;
}

void sim_expect_none(struct sim *s)
{
	struct sim_pkt p;

	if (sim_next(s, &p))
		fail_msg("unexpected frame: type 0x%04x proto %u dst %08x dport %u flags 0x%02x",
			 p.type, p.proto, p.dst, p.dport, p.flags);
}

void sim_expect_arp(struct sim *s, struct sim_pkt *p, uint16_t op, net_ip4 tpa)
{
	p = pkt_or_tmp(p);
	assert_true(sim_next(s, p));
	assert_int_equal(p->type, 0x0806);
	assert_int_equal(p->arp_op, op);
	assert_int_equal(p->arp_tpa, tpa);
	assert_memory_equal(p->eth_src, s->cfg.mac, 6);
}

void sim_expect_ip4(struct sim *s, struct sim_pkt *p, uint8_t proto, net_ip4 dst)
{
	p = pkt_or_tmp(p);
	assert_true(sim_next(s, p));
	assert_int_equal(p->type, 0x0800);
	assert_true(p->ip_cksum_ok);
	assert_int_equal(p->proto, proto);
	assert_int_equal(p->dst, dst);
	assert_memory_equal(p->eth_src, s->cfg.mac, 6);
	if ((p->frag & 0x3fff) == 0)
		assert_true(p->l4_cksum_ok);
}

void sim_expect_icmp(struct sim *s, struct sim_pkt *p, uint8_t type, uint8_t code,
		     net_ip4 dst)
{
	p = pkt_or_tmp(p);
	sim_expect_ip4(s, p, 1, dst);
	assert_int_equal(p->icmp_type, type);
	assert_int_equal(p->icmp_code, code);
}

void sim_expect_udp(struct sim *s, struct sim_pkt *p, net_ip4 dst, uint16_t dport)
{
	p = pkt_or_tmp(p);
	sim_expect_ip4(s, p, 17, dst);
	assert_int_equal(p->dport, dport);
}

void sim_expect_tcp(struct sim *s, struct sim_pkt *p, net_ip4 dst, uint16_t dport,
		    uint8_t flags)
{
	p = pkt_or_tmp(p);
	sim_expect_ip4(s, p, 6, dst);
	assert_int_equal(p->dport, dport);
	assert_int_equal(p->flags, flags);
}
