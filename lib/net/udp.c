/*
 * UDP (RFC 768; RFC 1122 §4.1).
 *
 * cfg.udp_socks sockets, each bound to one local port (any local
 * address). A datagram goes to the socket's callback as it arrives, or
 * is copied into the socket's queue of cfg.udp_queue datagrams for
 * udp_recvfrom (a full queue drops the newest, counted). Each queue slot
 * holds cfg.reasm_max bytes, the largest datagram reassembly can
 * deliver, so the pool is udp_socks * udp_queue * reasm_max bytes
 * (512 KiB with the defaults; shrink reasm_max or udp_queue to save it).
 *
 * In: the Length field must be >= 8 and within the bytes IP delivered
 * (bytes past it are ignored); a non-zero checksum must verify. Nobody
 * on the port: ICMP port unreachable, except for broadcasts (RFC 1122
 * §4.1.3.1).
 *
 * Out: always with a checksum (RFC 1122 §4.1.3.4); larger than one frame
 * goes out in IP fragments. Port 0 asks for an ephemeral port, chosen at
 * random from 49152..65535 (RFC 6335 §6, RFC 6056).
 */
#include "net_impl.h"

#define UDP_HDR		8
#define UDP_MAX_DATA	(65535 - IP4_HDR - UDP_HDR)	/* 65507 */
#define EPH_FIRST	49152	/* RFC 6335 §6: the dynamic ports */
#define EPH_COUNT	16384
#define EPH_TRIES	16	/* random picks before a linear scan */

struct udp_dgram {
	net_ip4 src;
	uint16_t sport;
	uint32_t len;
	uint8_t *data;		/* cfg.reasm_max bytes */
};

struct udp_sock {
	struct net *n;
	bool used;
	uint16_t port;
	udp_recv_fn fn;
	void *arg;
	unsigned head, count;	/* the queue: oldest at head */
	struct udp_dgram *q;
};

struct udp_state {
	unsigned count;
	struct udp_sock s[];
};

static size_t sock_bytes(const struct net_config *cfg)
{
	return NET_ALIGN(cfg->udp_queue * sizeof(struct udp_dgram)) +
	       cfg->udp_queue * NET_ALIGN(cfg->reasm_max);
}

size_t udp_mem_size(const struct net_config *cfg)
{
	return NET_ALIGN(sizeof(struct udp_state) + cfg->udp_socks * sizeof(struct udp_sock)) +
	       cfg->udp_socks * sock_bytes(cfg);
}

int udp_init(struct net *n)
{
	const struct net_config *c = &n->cfg;
	struct udp_state *u = net_arena_take(n, sizeof(*u) + c->udp_socks * sizeof(u->s[0]));

	if (!u)
		return B_ENOMEM;
	u->count = c->udp_socks;
	for (unsigned i = 0; i < u->count; i++) {
		struct udp_sock *s = &u->s[i];

		s->n = n;
		s->q = net_arena_take(n, c->udp_queue * sizeof(*s->q));
		if (!s->q)
			return B_ENOMEM;
		for (unsigned j = 0; j < c->udp_queue; j++)
			if (!(s->q[j].data = net_arena_take_raw(n, c->reasm_max)))
				return B_ENOMEM;
	}
	n->udp = u;
	return 0;
}

static struct udp_sock *udp_find(struct net *n, uint16_t port)
{
	for (unsigned i = 0; i < n->udp->count; i++)
		if (n->udp->s[i].used && n->udp->s[i].port == port)
			return &n->udp->s[i];
	return NULL;
}

/* A free ephemeral port, or 0 when all 16384 are bound. */
static uint16_t udp_ephemeral(struct net *n)
{
	unsigned start = (unsigned)(n->port.random(n->port.ctx) % EPH_COUNT);

	for (unsigned i = 0; i < EPH_TRIES; i++) {
		uint16_t p = (uint16_t)(EPH_FIRST + n->port.random(n->port.ctx) % EPH_COUNT);

		if (!udp_find(n, p))
			return p;
	}
	for (unsigned i = 0; i < EPH_COUNT; i++) {
		uint16_t p = (uint16_t)(EPH_FIRST + (start + i) % EPH_COUNT);

		if (!udp_find(n, p))
			return p;
	}
	return 0;
}

struct udp_sock *udp_open(struct net *n, uint16_t port, udp_recv_fn fn, void *arg)
{
	struct udp_sock *s = NULL;

	for (unsigned i = 0; i < n->udp->count && !s; i++)
		if (!n->udp->s[i].used)
			s = &n->udp->s[i];
	if (!s || (port != 0 && udp_find(n, port)))
		return NULL;
	if (port == 0 && (port = udp_ephemeral(n)) == 0)
		return NULL;
	s->used = true;
	s->port = port;
	s->fn = fn;
	s->arg = arg;
	s->head = s->count = 0;
	return s;
}

struct net *udp_sock_net(const struct udp_sock *s)
{
	return s->n;
}

uint16_t udp_port(const struct udp_sock *s)
{
	return s->port;
}

void udp_close(struct udp_sock *s)
{
	if (s) {
		s->used = false;
		s->count = 0;
	}
}

static void udp_enqueue(struct net *n, struct udp_sock *s, net_ip4 src, uint16_t sport,
			const uint8_t *data, size_t len)
{
	struct udp_dgram *d;

	if (s->count == n->cfg.udp_queue || len > n->cfg.reasm_max) {
		n->st.udp_queue_drops++;
		return;
	}
	d = &s->q[(s->head + s->count) % n->cfg.udp_queue];
	d->src = src;
	d->sport = sport;
	d->len = (uint32_t)len;
	copy_mem(d->data, data, len);
	s->count++;
}

void udp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len)
{
	struct udp_sock *s;
	uint16_t ulen;

	n->st.udp_rx++;
	if (len < UDP_HDR || (ulen = get16(p + 4)) < UDP_HDR || ulen > len) {
		n->st.udp_bad++;
		return;
	}
	/* RFC 768: checksum 0 means none was computed */
	if (get16(p + 6) != 0 &&
	    cksum_fold(cksum_add(cksum_pseudo(ip->src, ip->dst, IP_PROTO_UDP, ulen), p, ulen))) {
		n->st.udp_bad++;
		return;
	}
	s = udp_find(n, get16(p + 2));
	if (!s) {
		n->st.udp_noport++;
		if (!ip->to_broadcast)
			icmp_send_unreachable(n, ip, ICMP_UNREACH_PORT);
		return;
	}
	if (s->fn)
		s->fn(s, ip->src, get16(p), p + UDP_HDR, ulen - UDP_HDR, s->arg);
	else
		udp_enqueue(n, s, ip->src, get16(p), p + UDP_HDR, ulen - UDP_HDR);
}

long udp_sendto(struct udp_sock *s, net_ip4 dst, uint16_t dport, const void *data,
		size_t len)
{
	struct net *n;
	uint8_t hdr[UDP_HDR], *buf;
	uint16_t sum;
	int err;

	if (!s || !s->used || dport == 0 || (!data && len) || len > UDP_MAX_DATA)
		return B_EINVAL;
	n = s->n;
	put16(hdr, s->port);
	put16(hdr + 2, dport);
	put16(hdr + 4, (uint16_t)(UDP_HDR + len));
	put16(hdr + 6, 0);
	sum = cksum_fold(cksum_add(cksum_add(cksum_pseudo(n->ip, dst, IP_PROTO_UDP,
							  (uint16_t)(UDP_HDR + len)),
					     hdr, UDP_HDR), data, len));
	put16(hdr + 6, sum ? sum : 0xffff);	/* RFC 768: 0 is sent as all ones */
	if (IP4_HDR + UDP_HDR + len > n->cfg.mtu) {
		err = ip4_output_frags(n, dst, IP_PROTO_UDP, hdr, UDP_HDR, data, len);
	} else {
		if (!(buf = net_tx_alloc(n)))
			return B_EAGAIN;
		copy_mem(buf + NET_L4_OFF, hdr, UDP_HDR);
		if (len)
			copy_mem(buf + NET_L4_OFF + UDP_HDR, data, len);
		err = ip4_output(n, buf, dst, IP_PROTO_UDP, UDP_HDR + len);
	}
	if (err < 0)
		return err;
	n->st.udp_tx++;
	return (long)len;
}

long udp_recvfrom(struct udp_sock *s, void *buf, size_t cap, net_ip4 *src, uint16_t *sport)
{
	struct udp_dgram *d;
	size_t k;

	if (!s || !s->used || (!buf && cap))
		return B_EINVAL;
	if (s->count == 0)
		return B_EAGAIN;
	d = &s->q[s->head];
	k = d->len < cap ? d->len : cap;
	if (k)
		copy_mem(buf, d->data, k);
	if (src)
		*src = d->src;
	if (sport)
		*sport = d->sport;
	s->head = (s->head + 1) % s->n->cfg.udp_queue;
	s->count--;
	return (long)k;
}
