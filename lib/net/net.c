/*
 * The stack's top: configuration, the arena every pool is carved from,
 * the transmit buffers and the burst queue, the clock, and the
 * interface's address.
 *
 * Memory layout of the block net_create is given:
 *
 *     struct net | tx buffers | tx free stack | tx queue | arp | ip4 |
 *     udp | tcp | dns | dhcp (only when cfg.ip is 0)
 *
 * net_mem_size adds up every module's *_mem_size for the same (defaults
 * filled in) config, so net_create can never run out half-way.
 *
 * Transmit buffers: a fixed pool of cfg.tx_frames buffers of
 * NET_FRAME_BUF bytes. A buffer is free, queued for net_flush, or parked
 * behind an ARP request; nothing else holds one across calls.
 */
#include "net_impl.h"

/* Defaults (net.h documents them in struct net_config). */
#define DEF_MTU		1500
#define MIN_MTU		576	/* RFC 791 §3.1: every host takes 576 */
#define DEF_TCP_CONNS	64
#define DEF_BACKLOG	32
#define DEF_TCP_BUF	16384
#define MIN_TCP_BUF	2048
#define DEF_UDP_SOCKS	8
#define DEF_UDP_QUEUE	4
#define DEF_ARP		32
#define DEF_REASM_SLOTS	4
#define DEF_REASM_MAX	16384
#define MAX_REASM	65535	/* RFC 791 §3.1: Total Length is 16 bits */
#define DEF_TX_FRAMES	64
#define MAX_TX_FRAMES	4096

static void fill_defaults(struct net_config *c)
{
	if (!c->mtu)
		c->mtu = DEF_MTU;
	if (!c->tcp_conns)
		c->tcp_conns = DEF_TCP_CONNS;
	if (!c->tcp_backlog_max)
		c->tcp_backlog_max = DEF_BACKLOG;
	if (!c->tcp_sndbuf)
		c->tcp_sndbuf = DEF_TCP_BUF;
	if (!c->tcp_rcvbuf)
		c->tcp_rcvbuf = DEF_TCP_BUF;
	if (!c->udp_socks)
		c->udp_socks = DEF_UDP_SOCKS;
	if (!c->udp_queue)
		c->udp_queue = DEF_UDP_QUEUE;
	if (!c->arp_entries)
		c->arp_entries = DEF_ARP;
	if (!c->reasm_slots)
		c->reasm_slots = DEF_REASM_SLOTS;
	if (!c->reasm_max)
		c->reasm_max = DEF_REASM_MAX;
	if (!c->tx_frames)
		c->tx_frames = DEF_TX_FRAMES;
}

static bool pow2_at_least(uint32_t v, uint32_t min)
{
	return v >= min && (v & (v - 1)) == 0;
}

static bool config_ok(const struct net_config *c)
{
	if (c->mtu < MIN_MTU || c->mtu > NET_FRAME_MAX - ETH_HDR)
		return false;
	if (!pow2_at_least(c->tcp_sndbuf, MIN_TCP_BUF) ||
	    !pow2_at_least(c->tcp_rcvbuf, MIN_TCP_BUF))
		return false;
	if (c->reasm_max < c->mtu || c->reasm_max > MAX_REASM)
		return false;
	if (c->tx_frames > MAX_TX_FRAMES)
		return false;
	/* a multicast or broadcast MAC cannot be an interface's own */
	return (c->mac[0] & 1) == 0;
}

static size_t tx_mem_size(const struct net_config *c)
{
	size_t k = c->tx_frames;

	return NET_ALIGN(k * NET_FRAME_BUF) + NET_ALIGN(k * sizeof(uint16_t)) +
	       NET_ALIGN(k * sizeof(void *)) + NET_ALIGN(k * sizeof(uint16_t));
}

/* Every module's share, for a config with its defaults filled in. */
static size_t modules_mem_size(const struct net_config *c)
{
	size_t sz = tx_mem_size(c) + arp_mem_size(c) + ip4_mem_size(c) +
		    udp_mem_size(c) + tcp_mem_size(c) + dns_mem_size(c);

	if (c->ip == 0)
		sz += dhcp_mem_size(c);
	return sz;
}

size_t net_mem_size(const struct net_config *cfg)
{
	struct net_config c = *cfg;

	fill_defaults(&c);
	return NET_ALIGN(sizeof(struct net)) + modules_mem_size(&c);
}

void *net_arena_take_raw(struct net *n, size_t size)
{
	uint8_t *p = n->arena;

	size = NET_ALIGN(size);
	if (size > n->arena_left)
		return NULL;
	n->arena += size;
	n->arena_left -= size;
	return p;
}

void *net_arena_take(struct net *n, size_t size)
{
	uint8_t *p = net_arena_take_raw(n, size);

	if (p)
		set_mem(p, 0, NET_ALIGN(size));
	return p;
}

static int tx_init(struct net *n)
{
	unsigned k = n->cfg.tx_frames;

	n->tx_mem = net_arena_take_raw(n, (size_t)k * NET_FRAME_BUF);
	n->tx_free = net_arena_take(n, k * sizeof(uint16_t));
	n->tx_q = net_arena_take(n, k * sizeof(void *));
	n->tx_qlen = net_arena_take(n, k * sizeof(uint16_t));
	if (!n->tx_mem || !n->tx_free || !n->tx_q || !n->tx_qlen)
		return B_ENOMEM;
	for (unsigned i = 0; i < k; i++)
		n->tx_free[i] = (uint16_t)(k - 1 - i);
	n->tx_nfree = k;
	return 0;
}

/* Each module's init, in the order the layers stack up. */
static int modules_init(struct net *n)
{
	int err;

	if ((err = tx_init(n)) < 0 || (err = arp_init(n)) < 0 ||
	    (err = ip4_init(n)) < 0 || (err = udp_init(n)) < 0 ||
	    (err = tcp_init(n)) < 0 || (err = dns_init(n)) < 0)
		return err;
	icmp_init(n);
	return n->cfg.ip == 0 ? dhcp_init(n) : 0;
}

struct net *net_create(const struct net_config *cfg, const struct net_port *port,
		       void *mem, size_t len, uint64_t now_ms)
{
	struct net *n = mem;

	if (!cfg || !port || !port->tx || !port->random || !mem ||
	    ((uintptr_t)mem & 15) != 0 || len < net_mem_size(cfg))
		return NULL;
	set_mem(n, 0, sizeof(*n));
	n->cfg = *cfg;
	fill_defaults(&n->cfg);
	if (!config_ok(&n->cfg))
		return NULL;
	n->port = *port;
	n->now = now_ms;
	n->arena = (uint8_t *)mem + NET_ALIGN(sizeof(*n));
	n->arena_left = len - NET_ALIGN(sizeof(*n));
	n->ip_id = (uint16_t)port->random(port->ctx);
	if (modules_init(n) < 0)
		return NULL;
	if (n->cfg.ip != 0)
		net_set_address(n, NET_ADDR_STATIC, n->cfg.ip, n->cfg.netmask,
				n->cfg.gateway, n->cfg.dns);
	return n;
}

void net_input(struct net *n, const void *frame, size_t len)
{
	n->st.rx_frames++;
	n->st.rx_bytes += len;
	eth_input(n, frame, len);
}

void net_poll(struct net *n, uint64_t now_ms)
{
	if (now_ms > n->now)
		n->now = now_ms;
	arp_timer(n);
	ip4_timer(n);
	tcp_timer(n);
	if (n->dhcp)
		dhcp_timer(n);
	dns_timer(n);
	net_flush(n);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t net_next_timer(const struct net *n)
{
	uint64_t t = min64(arp_next_timer(n), ip4_next_timer(n));

	t = min64(t, tcp_next_timer(n));
	t = min64(t, dns_next_timer(n));
	if (n->dhcp)
		t = min64(t, dhcp_next_timer(n));
	return t;
}

uint64_t net_now(const struct net *n)
{
	return n->now;
}

/* ---- transmit buffers ---- */

/* Drops the oldest queued frame (the device took none for a while and
 * every buffer waits in the queue): new frames matter more than old. */
static void tx_drop_oldest(struct net *n)
{
	net_tx_free(n, (uint8_t *)n->tx_q[0]);
	n->st.tx_drops++;
	n->tx_nq--;
	move_mem(n->tx_q, n->tx_q + 1, n->tx_nq * sizeof n->tx_q[0]);
	move_mem(n->tx_qlen, n->tx_qlen + 1, n->tx_nq * sizeof n->tx_qlen[0]);
}

uint8_t *net_tx_alloc(struct net *n)
{
	if (n->tx_nfree == 0)
		net_flush(n);	/* sending the queue frees its buffers */
	if (n->tx_nfree == 0 && n->tx_nq)
		tx_drop_oldest(n);
	if (n->tx_nfree == 0)
		return NULL;
	return n->tx_mem + (size_t)n->tx_free[--n->tx_nfree] * NET_FRAME_BUF;
}

void net_tx_free(struct net *n, uint8_t *buf)
{
	size_t i = (size_t)(buf - n->tx_mem) / NET_FRAME_BUF;

	n->tx_free[n->tx_nfree++] = (uint16_t)i;
}

void net_tx_queue(struct net *n, uint8_t *buf, size_t len)
{
	/* Every queued frame is a pool buffer, so the queue (as long as the
	 * pool) cannot overflow; the check guards the invariant. */
	if (n->tx_nq >= n->cfg.tx_frames || len > NET_FRAME_BUF) {
		n->st.tx_drops++;
		net_tx_free(n, buf);
		return;
	}
	n->tx_q[n->tx_nq] = buf;
	n->tx_qlen[n->tx_nq] = (uint16_t)len;
	n->tx_nq++;
}

/* Frames the device did not take (its ring is full) stay queued, in
 * order, for the next flush: dropping them would cost a TCP segment a
 * retransmission timeout (200 ms and more) for a ring that drains in
 * microseconds. Only a pool with every buffer queued drops, the oldest
 * first (net_tx_alloc). */
void net_flush(struct net *n)
{
	unsigned k = n->tx_nq, sent;

	if (k == 0)
		return;
	sent = n->port.tx(n->port.ctx, n->tx_q, n->tx_qlen, k);
	if (sent > k)
		sent = k;
	for (unsigned i = 0; i < sent; i++) {
		n->st.tx_frames++;
		n->st.tx_bytes += n->tx_qlen[i];
		net_tx_free(n, (uint8_t *)n->tx_q[i]);
	}
	n->tx_nq = k - sent;
	if (sent && n->tx_nq) {
		move_mem(n->tx_q, n->tx_q + sent, n->tx_nq * sizeof n->tx_q[0]);
		move_mem(n->tx_qlen, n->tx_qlen + sent, n->tx_nq * sizeof n->tx_qlen[0]);
	}
}

/* ---- the address ---- */

void net_set_address(struct net *n, uint8_t state, net_ip4 ip, net_ip4 mask,
		     net_ip4 gw, net_ip4 dns)
{
	net_ip4 old = n->ip;

	n->addr_state = ip ? state : NET_ADDR_NONE;
	n->ip = ip;
	n->netmask = ip ? mask : 0;
	n->gateway = ip ? gw : 0;
	n->dns = dns;
	if (old != 0 && old != ip)
		tcp_addr_changed(n, old);
	if (ip != 0 && ip != old)
		arp_announce(n);
	if (n->addr_fn)
		n->addr_fn(n, n->addr_arg);
}

/* 255.255.255.255, or our subnet's directed broadcast (RFC 919, RFC 922). */
bool net_is_local_bcast(const struct net *n, net_ip4 dst)
{
	net_ip4 host = ~n->netmask;

	if (dst == 0xffffffffu)
		return true;
	if (n->ip == 0 || host == 0 || host == 0xffffffffu)
		return false;
	return (dst & n->netmask) == (n->ip & n->netmask) && (dst & host) == host;
}

void net_ifinfo(const struct net *n, struct net_ifinfo *out)
{
	set_mem(out, 0, sizeof(*out));
	copy_mem(out->mac, n->cfg.mac, ETH_ALEN);
	out->mtu = n->cfg.mtu;
	out->state = n->addr_state;
	out->ip = n->ip;
	out->netmask = n->netmask;
	out->gateway = n->gateway;
	out->dns = n->dns;
	if (n->dhcp)
		dhcp_ifinfo(n, out);
}

void net_set_addr_callback(struct net *n, void (*fn)(struct net *n, void *arg), void *arg)
{
	n->addr_fn = fn;
	n->addr_arg = arg;
}

const struct net_stats *net_get_stats(const struct net *n)
{
	return &n->st;
}
