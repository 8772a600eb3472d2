/*
 * The DHCP/DNS/blocking-API test harness (dhcpt.h): a fake port over a
 * virtual clock. Host code: it may use the C library.
 */
#include <stdlib.h>
#include <string.h>
#include "dhcpt.h"

const uint8_t dhcpt_peer_mac[ETH_ALEN] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
const uint8_t dhcpt_our_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static unsigned dhcpt_tx(void *ctx, const void *const *frames, const uint16_t *lens,
			 unsigned n)
{
	struct dhcpt *t = ctx;

	for (unsigned i = 0; i < n; i++) {
		if (t->nq == DHCPT_QMAX) {	/* keep the newest */
			free(t->q[0]);
			memmove(t->q, t->q + 1, (DHCPT_QMAX - 1) * sizeof t->q[0]);
			memmove(t->qlen, t->qlen + 1, (DHCPT_QMAX - 1) * sizeof t->qlen[0]);
			t->nq--;
		}
		t->q[t->nq] = malloc(lens[i]);
		memcpy(t->q[t->nq], frames[i], lens[i]);
		t->qlen[t->nq++] = lens[i];
	}
	return n;
}

static uint64_t dhcpt_random(void *ctx)
{
	struct dhcpt *t = ctx;
	uint64_t x;

	if (t->rnd_fixed)
		return t->rnd_fixed;
	x = (t->rnd += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t dhcpt_now(void *ctx)
{
	return ((struct dhcpt *)ctx)->now;
}

/* The peer answers first; else the clock jumps to the next timer (or
 * until). */
static void dhcpt_pump(void *ctx, struct net *n, uint64_t until)
{
	struct dhcpt *t = ctx;
	uint64_t next;

	t->pumps++;
	if (t->peer && t->peer(t)) {
		net_poll(n, t->now);
		return;
	}
	next = net_next_timer(n);
	if (next > until)
		next = until;
	if (next > t->now)
		t->now = next;
	net_poll(n, t->now);
}

struct dhcpt *dhcpt_new(struct net_config *cfg)
{
	struct dhcpt *t = calloc(1, sizeof *t);
	static const uint8_t zero[ETH_ALEN];
	size_t sz;

	if (same_mem(cfg->mac, zero, ETH_ALEN))
		memcpy(cfg->mac, dhcpt_our_mac, ETH_ALEN);
	t->now = 1000;
	t->port = (struct net_port){ .ctx = t, .tx = dhcpt_tx, .random = dhcpt_random,
				     .pump = dhcpt_pump, .now_ms = dhcpt_now };
	sz = net_mem_size(cfg);
	t->mem = aligned_alloc(16, (sz + 15) & ~(size_t)15);
	t->n = net_create(cfg, &t->port, t->mem, sz, t->now);
	if (!t->n) {
		free(t->mem);
		free(t);
		return NULL;
	}
	return t;
}

void dhcpt_free(struct dhcpt *t)
{
	for (unsigned i = 0; i < t->nq; i++)
		free(t->q[i]);
	free(t->mem);
	free(t);
}

void dhcpt_advance(struct dhcpt *t, uint64_t ms)
{
	t->now += ms;
	net_poll(t->n, t->now);
}

uint64_t dhcpt_step(struct dhcpt *t, uint64_t limit)
{
	uint64_t next = net_next_timer(t->n), was = t->now;

	if (next > t->now + limit)
		next = t->now + limit;
	if (next > t->now)
		t->now = next;
	net_poll(t->n, t->now);
	return t->now - was;
}

/* Answers "who has X" with the peer MAC (RFC 826). */
static void dhcpt_arp_reply(struct dhcpt *t, const uint8_t *f, size_t len)
{
	uint8_t r[ETH_HDR + 28];

	if (len < ETH_HDR + 28 || get16(f + ETH_HDR + 6) != 1)
		return;
	memcpy(r, f + 6, ETH_ALEN);
	memcpy(r + 6, dhcpt_peer_mac, ETH_ALEN);
	put16(r + 12, ETHERTYPE_ARP);
	memcpy(r + ETH_HDR, f + ETH_HDR, 6);	/* htype, ptype, hlen, plen */
	put16(r + ETH_HDR + 6, 2);		/* reply */
	memcpy(r + ETH_HDR + 8, dhcpt_peer_mac, ETH_ALEN);
	memcpy(r + ETH_HDR + 14, f + ETH_HDR + 24, 4);	/* sender: the asked-for IP */
	memcpy(r + ETH_HDR + 18, f + ETH_HDR + 8, 10);	/* target: the asker */
	if (get32(f + ETH_HDR + 24) == get32(f + ETH_HDR + 14))
		return;	/* a gratuitous announcement: nobody answers */
	net_input(t->n, r, sizeof r);
	net_flush(t->n);
}

/* Takes the oldest frame off the queue; false when empty. */
static bool dhcpt_take(struct dhcpt *t, uint8_t *buf, size_t *len)
{
	if (t->nq == 0)
		return false;
	*len = t->qlen[0];
	memcpy(buf, t->q[0], *len);
	free(t->q[0]);
	memmove(t->q, t->q + 1, (t->nq - 1) * sizeof t->q[0]);
	memmove(t->qlen, t->qlen + 1, (t->nq - 1) * sizeof t->qlen[0]);
	t->nq--;
	return true;
}

size_t dhcpt_pop(struct dhcpt *t, uint8_t *buf)
{
	size_t len;

	net_flush(t->n);
	while (dhcpt_take(t, buf, &len)) {
		if (len >= ETH_HDR && get16(buf + 12) == ETHERTYPE_ARP) {
			dhcpt_arp_reply(t, buf, len);
			continue;
		}
		return len;
	}
	return 0;
}

bool dhcpt_pop_udp(struct dhcpt *t, struct dhcpt_udp *u)
{
	uint8_t f[NET_FRAME_BUF];
	size_t len;

	net_flush(t->n);	/* what a call outside net_poll queued */
	while (dhcpt_take(t, f, &len)) {
		const uint8_t *ip = f + ETH_HDR;
		size_t ihl;
		if (len >= ETH_HDR && get16(f + 12) == ETHERTYPE_ARP) {
			dhcpt_arp_reply(t, f, len);
			continue;
		}
		if (len < NET_L4_OFF + 8 || get16(f + 12) != ETHERTYPE_IP4 ||
		    ip[9] != IP_PROTO_UDP)
			continue;
		ihl = (size_t)(ip[0] & 15) * 4;
		memcpy(u->dst_mac, f, ETH_ALEN);
		u->src = get32(ip + 12);
		u->dst = get32(ip + 16);
		u->sport = get16(ip + ihl);
		u->dport = get16(ip + ihl + 2);
		u->len = get16(ip + ihl + 4) - 8u;
		if (u->len > len - ETH_HDR - ihl - 8)
			u->len = len - ETH_HDR - ihl - 8;
		memcpy(u->data, ip + ihl + 8, u->len);
		return true;
	}
	return false;
}

void dhcpt_drain(struct dhcpt *t)
{
	struct dhcpt_udp u;

	while (dhcpt_pop_udp(t, &u))
		;
}

void dhcpt_inject_udp(struct dhcpt *t, net_ip4 src, uint16_t sport, net_ip4 dst,
		      uint16_t dport, const void *data, size_t len)
{
	static uint8_t f[65536];
	uint8_t *ip = f + ETH_HDR, *udp = f + NET_L4_OFF;
	uint16_t ulen = (uint16_t)(8 + len);
	uint16_t sum;

	memcpy(f, dst == 0xffffffffu ? eth_broadcast : t->n->cfg.mac, ETH_ALEN);
	memcpy(f + 6, dhcpt_peer_mac, ETH_ALEN);
	put16(f + 12, ETHERTYPE_IP4);
	memset(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP4_HDR + ulen));
	ip[8] = 64;
	ip[9] = IP_PROTO_UDP;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, cksum_fold(cksum_add(0, ip, IP4_HDR)));
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	if (len)
		memcpy(udp + 8, data, len);
	sum = cksum_fold(cksum_add(cksum_pseudo(src, dst, IP_PROTO_UDP, ulen), udp, ulen));
	put16(udp + 6, sum ? sum : 0xffff);
	net_input(t->n, f, NET_L4_OFF + ulen);
	net_flush(t->n);
}

size_t dhcpt_dhcp_reply(uint8_t *buf, const uint8_t *request, uint8_t type, net_ip4 yiaddr,
			const uint8_t *opts, size_t optlen)
{
	size_t len = 240;

	memset(buf, 0, 300 + optlen);
	buf[0] = 2;				/* BOOTREPLY */
	buf[1] = 1;
	buf[2] = 6;
	memcpy(buf + 4, request + 4, 4);	/* xid */
	put32(buf + 16, yiaddr);
	memcpy(buf + 28, request + 28, 16);	/* chaddr */
	put32(buf + 236, 0x63825363u);
	buf[len++] = 53;
	buf[len++] = 1;
	buf[len++] = type;
	if (optlen)
		memcpy(buf + len, opts, optlen);
	len += optlen;
	buf[len++] = 255;
	return len < 300 ? 300 : len;
}

const uint8_t *dhcpt_dhcp_opt(const uint8_t *msg, size_t len, uint8_t code, size_t *olen)
{
	size_t i = 240;

	while (i + 1 < len && msg[i] != 255) {
		if (msg[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 + msg[i + 1] > len)
			return NULL;
		if (msg[i] == code) {
			*olen = msg[i + 1];
			return msg + i + 2;
		}
		i += 2 + (size_t)msg[i + 1];
	}
	return NULL;
}

void dhcpt_learn(struct dhcpt *t, net_ip4 ip)
{
	uint8_t r[ETH_HDR + 28];

	memcpy(r, eth_broadcast, ETH_ALEN);
	memcpy(r + 6, dhcpt_peer_mac, ETH_ALEN);
	put16(r + 12, ETHERTYPE_ARP);
	put16(r + ETH_HDR, 1);			/* Ethernet */
	put16(r + ETH_HDR + 2, ETHERTYPE_IP4);
	r[ETH_HDR + 4] = ETH_ALEN;
	r[ETH_HDR + 5] = 4;
	put16(r + ETH_HDR + 6, 1);		/* request */
	memcpy(r + ETH_HDR + 8, dhcpt_peer_mac, ETH_ALEN);
	put32(r + ETH_HDR + 14, ip);
	memset(r + ETH_HDR + 18, 0, ETH_ALEN);
	put32(r + ETH_HDR + 24, t->n->ip);
	net_input(t->n, r, sizeof r);
	net_flush(t->n);
	dhcpt_drain(t);				/* our reply */
}
