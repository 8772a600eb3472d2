/*
 * The DHCP client (RFC 2131, options RFC 2132), run when the program gives
 * no static address.
 *
 * One exchange at a time, driven by one deadline (d->next) that
 * dhcp_timer serves:
 *
 *   INIT -> SELECTING     DISCOVER, broadcast; resent 4, 8, 16, 32, 64,
 *                         64, ... s apart (±1 s), RFC 2131 §4.1
 *   SELECTING -> REQUESTING   the first sane OFFER; REQUEST (server id,
 *                         requested address), broadcast, resent the same way
 *                         DHCP_REQUEST_TRIES times, then INIT again
 *   REQUESTING -> BOUND   ACK: net_set_address(NET_ADDR_DHCP, ...)
 *   BOUND -> RENEWING     at T1: REQUEST unicast to the server, ciaddr set
 *   RENEWING -> REBINDING at T2: the same REQUEST broadcast
 *   REBINDING -> INIT     at the lease's end: the address is removed
 *   any NAK -> INIT       (the address, if any, is removed)
 *
 * In RENEWING and REBINDING a REQUEST is resent after half the time left
 * until T2 (or the end), but not sooner than 60 s (RFC 2131 §4.4.5).
 *
 * Deviations, on purpose: the first DISCOVER goes out at the first
 * net_poll, without the 1..10 s random wait of RFC 2131 §4.4.1 (a
 * program wants its address in milliseconds); no ARP probe of the offered
 * address (RFC 5227) and so no DECLINE; no RELEASE. Replies must come
 * from port 67 and match our xid and MAC; options overloaded into the
 * sname and file fields (option 52) are read, once, without following a
 * 52 found there.
 */
#include "dhcp.h"

#define DHCP_MSG_MAX		548	/* 576 - IP - UDP: what every server takes, RFC 2131 §2 */
#define DHCP_MSG_MIN		300	/* BOOTP's size, which old relays expect (RFC 1542 §2.1) */
#define DHCP_BOOTREQUEST	1	/* RFC 2131 §2, op */
#define DHCP_BOOTREPLY		2
#define DHCP_HTYPE_ETH		1	/* RFC 1700 hardware types */
#define DHCP_FLAG_BROADCAST	0x8000	/* RFC 2131 §2: we cannot take unicast yet */
#define DHCP_HOSTNAME_MAX	63	/* one DNS label, RFC 1035 §2.3.4 */

#define DHCP_BACKOFF_FIRST_MS	4000	/* RFC 2131 §4.1: 4, 8, 16, 32, 64 s */
#define DHCP_BACKOFF_SHIFT_MAX	4
#define DHCP_JITTER_MS		1000	/* ±1 s, RFC 2131 §4.1 */
#define DHCP_REQUEST_TRIES	5	/* then back to INIT, RFC 2131 §3.1 step 5 */
#define DHCP_RENEW_MIN_MS	60000	/* RFC 2131 §4.4.5 */
#define DHCP_LEASE_DEFAULT_S	3600	/* an ACK without option 51 (it MUST have one) */
#define DHCP_LEASE_MIN_S	60	/* a shorter lease would keep us renewing */

struct dhcp_state {
	struct udp_sock *sock;
	uint8_t state;			/* enum dhcp_client_state */
	uint8_t tries;			/* sends of the current message so far */
	uint32_t xid;
	uint64_t started;		/* ms: the exchange began (the secs field) */
	uint64_t next;			/* ms: the next send or change; UINT64_MAX none */
	net_ip4 offered, server;
	uint32_t lease_s;
	uint64_t t1_at, t2_at, end_at;	/* ms; UINT64_MAX for an infinite lease */
};

static void dhcp_input(struct udp_sock *s, net_ip4 src, uint16_t sport,
		       const void *data, size_t len, void *arg);

size_t dhcp_mem_size(const struct net_config *cfg)
{
	(void)cfg;
	return NET_ALIGN(sizeof(struct dhcp_state));
}

/* Takes the state and port 68; the first DISCOVER leaves at the next
 * net_poll. 0, B_ENOMEM, B_EADDRINUSE. */
int dhcp_init(struct net *n)
{
	struct dhcp_state *d = net_arena_take(n, sizeof *d);

	if (!d)
		return B_ENOMEM;
	d->sock = udp_open(n, DHCP_CLIENT_PORT, dhcp_input, n);
	if (!d->sock)
		return B_EADDRINUSE;
	d->state = DHCP_INIT;
	d->next = n->now;
	n->dhcp = d;
	return 0;
}

uint32_t dhcp_xid(const struct net *n)
{
	return n->dhcp ? n->dhcp->xid : 0;
}

uint64_t dhcp_next_timer(const struct net *n)
{
	return n->dhcp ? n->dhcp->next : UINT64_MAX;
}

/* ---- building and sending ---- */

static uint8_t *dhcp_put_opt(uint8_t *o, uint8_t code, const void *v, uint8_t len)
{
	o[0] = code;
	o[1] = len;
	copy_mem(o + 2, v, len);
	return o + 2 + len;
}

static uint8_t *dhcp_put_ip(uint8_t *o, uint8_t code, net_ip4 ip)
{
	uint8_t v[4];

	put32(v, ip);
	return dhcp_put_opt(o, code, v, 4);
}

/* RFC 2132 §3.14, §9.8, §9.14: who we are and what we want to hear. */
static uint8_t *dhcp_put_identity(const struct net *n, uint8_t *o)
{
	static const uint8_t params[] = {
		DHCP_OPT_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS,
		DHCP_OPT_LEASE, DHCP_OPT_T1, DHCP_OPT_T2,
	};
	uint8_t cid[1 + ETH_ALEN] = { DHCP_HTYPE_ETH };
	const char *host = n->cfg.hostname;
	uint8_t hlen = 0;

	copy_mem(cid + 1, n->cfg.mac, ETH_ALEN);
	o = dhcp_put_opt(o, DHCP_OPT_CLIENT_ID, cid, sizeof cid);
	o = dhcp_put_opt(o, DHCP_OPT_PARAMS, params, sizeof params);
	while (host && hlen < DHCP_HOSTNAME_MAX && host[hlen])
		hlen++;
	if (hlen)
		o = dhcp_put_opt(o, DHCP_OPT_HOSTNAME, host, hlen);
	return o;
}

/* Writes a DISCOVER or REQUEST for the current state into m; its length. */
static size_t dhcp_build(const struct net *n, const struct dhcp_state *d, uint8_t type,
			 uint8_t *m)
{
	bool have_ip = d->state == DHCP_RENEWING || d->state == DHCP_REBINDING;
	uint64_t secs = (n->now - d->started) / 1000;
	uint8_t *o = m + DHCP_OFF_OPTS;

	set_mem(m, 0, DHCP_MSG_MAX);
	m[DHCP_OFF_OP] = DHCP_BOOTREQUEST;
	m[DHCP_OFF_HTYPE] = DHCP_HTYPE_ETH;
	m[DHCP_OFF_HLEN] = ETH_ALEN;
	put32(m + DHCP_OFF_XID, d->xid);
	put16(m + DHCP_OFF_SECS, secs > 0xffff ? 0xffff : (uint16_t)secs);
	put16(m + DHCP_OFF_FLAGS, have_ip ? 0 : DHCP_FLAG_BROADCAST);
	put32(m + DHCP_OFF_CIADDR, have_ip ? n->ip : 0);	/* RFC 2131 §4.3.2 */
	copy_mem(m + DHCP_OFF_CHADDR, n->cfg.mac, ETH_ALEN);
	put32(m + DHCP_OFF_COOKIE, DHCP_COOKIE);
	o = dhcp_put_opt(o, DHCP_OPT_MSG_TYPE, &type, 1);
	if (d->state == DHCP_REQUESTING) {
		o = dhcp_put_ip(o, DHCP_OPT_REQ_IP, d->offered);
		o = dhcp_put_ip(o, DHCP_OPT_SERVER_ID, d->server);
	}
	o = dhcp_put_identity(n, o);
	*o++ = DHCP_OPT_END;
	return (size_t)(o - m) < DHCP_MSG_MIN ? DHCP_MSG_MIN : (size_t)(o - m);
}

/* Sends the current state's message: a DISCOVER in SELECTING, else a
 * REQUEST, unicast to the server only in RENEWING. */
static void dhcp_send(struct net *n, struct dhcp_state *d)
{
	uint8_t m[DHCP_MSG_MAX];
	uint8_t type = d->state == DHCP_SELECTING ? DHCPDISCOVER : DHCPREQUEST;
	net_ip4 dst = d->state == DHCP_RENEWING ? d->server : NET_IP4(255, 255, 255, 255);
	size_t len = dhcp_build(n, d, type, m);

	if (udp_sendto(d->sock, dst, DHCP_SERVER_PORT, m, len) >= 0)
		n->st.dhcp_tx++;
	if (d->tries < UINT8_MAX)
		d->tries++;
}

/* RFC 2131 §4.1: 4 s doubling to 64 s, each ±1 s at random. */
static uint64_t dhcp_backoff(struct net *n, unsigned tries)
{
	unsigned shift = tries > DHCP_BACKOFF_SHIFT_MAX ? DHCP_BACKOFF_SHIFT_MAX : tries;
	uint64_t r = n->port.random(n->port.ctx) % (2 * DHCP_JITTER_MS + 1);

	return n->now + ((uint64_t)DHCP_BACKOFF_FIRST_MS << shift) - DHCP_JITTER_MS + r;
}

/* RFC 2131 §4.4.5: half the time left until limit, at least 60 s, never
 * past limit (where the state changes). */
static uint64_t dhcp_half_way(const struct net *n, uint64_t limit)
{
	uint64_t wait;

	if (limit <= n->now)
		return n->now;
	wait = (limit - n->now) / 2;
	if (wait < DHCP_RENEW_MIN_MS)
		wait = DHCP_RENEW_MIN_MS;
	return limit - n->now <= wait ? limit : n->now + wait;
}

/* A new exchange in state s: a fresh xid, the first send now. */
static void dhcp_start(struct net *n, struct dhcp_state *d, uint8_t s)
{
	d->state = s;
	d->xid = (uint32_t)n->port.random(n->port.ctx);
	d->started = n->now;
	d->tries = 0;
	dhcp_send(n, d);
}

/* Back to INIT, the address given up if we had one; DISCOVER at once. */
static void dhcp_restart(struct net *n, struct dhcp_state *d)
{
	if (n->addr_state == NET_ADDR_DHCP)
		net_set_address(n, NET_ADDR_NONE, 0, 0, 0, 0);
	d->server = 0;
	d->offered = 0;
	d->lease_s = 0;
	d->state = DHCP_INIT;
	d->next = n->now;
	dhcp_timer(n);
}

/* ---- the timer ---- */

/* RENEWING or REBINDING: the lease's end, T2, or a resend (the clock
 * may have jumped past several of them at once). */
static void dhcp_timer_renew(struct net *n, struct dhcp_state *d)
{
	if (n->now >= d->end_at) {
		dhcp_restart(n, d);	/* the lease ran out */
		return;
	}
	if (d->state == DHCP_RENEWING && n->now >= d->t2_at) {
		dhcp_start(n, d, DHCP_REBINDING);
		d->next = dhcp_half_way(n, d->end_at);
		return;
	}
	dhcp_send(n, d);
	d->next = dhcp_half_way(n, d->state == DHCP_RENEWING ? d->t2_at : d->end_at);
}

void dhcp_timer(struct net *n)
{
	struct dhcp_state *d = n->dhcp;

	if (!d || n->now < d->next)
		return;
	switch (d->state) {
	case DHCP_INIT:
		dhcp_start(n, d, DHCP_SELECTING);
		d->next = dhcp_backoff(n, 0);
		break;
	case DHCP_SELECTING:
		dhcp_send(n, d);
		d->next = dhcp_backoff(n, d->tries - 1u);
		break;
	case DHCP_REQUESTING:
		if (d->tries >= DHCP_REQUEST_TRIES) {
			dhcp_restart(n, d);
			break;
		}
		dhcp_send(n, d);
		d->next = dhcp_backoff(n, d->tries - 1u);
		break;
	case DHCP_BOUND:
		if (n->now >= d->t2_at) {	/* slept past T2: rebind or start over */
			d->state = DHCP_RENEWING;
			dhcp_timer_renew(n, d);
			break;
		}
		dhcp_start(n, d, DHCP_RENEWING);
		d->next = dhcp_half_way(n, d->t2_at);
		break;
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		dhcp_timer_renew(n, d);
		break;
	default:
		d->next = UINT64_MAX;
		break;
	}
}

/* ---- replies ---- */

/* One option's value, its length checked for its kind; a kind we do not
 * use or a wrong length is skipped. A 52 counts only when overload is
 * given (the main area), so the overloaded fields are read once. */
static void dhcp_option(struct dhcp_reply *r, uint8_t code, const uint8_t *v, uint8_t len,
			uint8_t *overload)
{
	bool ip = len == 4;
	bool ip_list = len >= 4 && len % 4 == 0;	/* the first is used */

	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (len == 1)
			r->type = v[0];
		break;
	case DHCP_OPT_SERVER_ID:
		r->server_id = ip ? get32(v) : r->server_id;
		break;
	case DHCP_OPT_MASK:
		r->mask = ip ? get32(v) : r->mask;
		break;
	case DHCP_OPT_ROUTER:
		r->router = ip_list ? get32(v) : r->router;
		break;
	case DHCP_OPT_DNS:
		r->dns = ip_list ? get32(v) : r->dns;
		break;
	case DHCP_OPT_LEASE:
		r->has_lease |= ip;
		r->lease_s = ip ? get32(v) : r->lease_s;
		break;
	case DHCP_OPT_T1:
		r->has_t1 |= ip;
		r->t1_s = ip ? get32(v) : r->t1_s;
		break;
	case DHCP_OPT_T2:
		r->has_t2 |= ip;
		r->t2_s = ip ? get32(v) : r->t2_s;
		break;
	case DHCP_OPT_OVERLOAD:
		if (len == 1 && overload)
			*overload = v[0] & 3;	/* RFC 2132 §9.3: 1 file, 2 sname, 3 both */
		break;
	}
}

/* Walks one option area (RFC 2132 §2): pad, end, and code-length-value
 * with every length checked against len. false when an option runs past
 * the end. */
static bool dhcp_walk(const uint8_t *p, size_t len, struct dhcp_reply *r, uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i];
		if (code == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPT_END)
			return true;
		if (len - i < 2 || p[i + 1] > len - i - 2)
			return false;
		dhcp_option(r, code, p + i + 2, p[i + 1], overload);
		i += 2 + (size_t)p[i + 1];
	}
	return true;	/* no END: tolerated, everything was in bounds */
}

bool dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t mac[ETH_ALEN],
		struct dhcp_reply *out)
{
	uint8_t overload = 0;

	set_mem(out, 0, sizeof *out);
	if (len < DHCP_OFF_OPTS || p[DHCP_OFF_OP] != DHCP_BOOTREPLY ||
	    p[DHCP_OFF_HTYPE] != DHCP_HTYPE_ETH || p[DHCP_OFF_HLEN] != ETH_ALEN)
		return false;
	if (get32(p + DHCP_OFF_XID) != xid || !same_mem(p + DHCP_OFF_CHADDR, mac, ETH_ALEN) ||
	    get32(p + DHCP_OFF_COOKIE) != DHCP_COOKIE)
		return false;
	out->yiaddr = get32(p + DHCP_OFF_YIADDR);
	if (!dhcp_walk(p + DHCP_OFF_OPTS, len - DHCP_OFF_OPTS, out, &overload))
		return false;
	/* RFC 2131 §4.1: options, then file, then sname. */
	if ((overload & 1) && !dhcp_walk(p + DHCP_OFF_FILE, DHCP_FILE_LEN, out, NULL))
		return false;
	if ((overload & 2) && !dhcp_walk(p + DHCP_OFF_SNAME, DHCP_SNAME_LEN, out, NULL))
		return false;
	return out->type != 0;
}

/* An address we could use: not 0.x, loopback, multicast, class E or the
 * broadcast address (RFC 1122 §3.2.1.3). */
static bool dhcp_sane_ip(net_ip4 ip)
{
	uint8_t top = (uint8_t)(ip >> 24);

	return top != 0 && top != 127 && top < 224;
}

/* The mask a reply without option 1 implies: the address's class
 * (RFC 1122 §3.3.1.1 leaves it to us). */
static net_ip4 dhcp_default_mask(net_ip4 ip)
{
	if (!(ip >> 31))
		return NET_IP4(255, 0, 0, 0);
	if ((ip >> 30) == 2)
		return NET_IP4(255, 255, 0, 0);
	return NET_IP4(255, 255, 255, 0);
}

/* Times for a lease of s seconds from now; T1 0.5 and T2 0.875 of it
 * unless the server gave sane ones (RFC 2131 §4.4.5): a 0 counts as
 * none, or every ACK would start a renewal at once. */
static void dhcp_set_times(struct net *n, struct dhcp_state *d, const struct dhcp_reply *r)
{
	uint32_t s = r->has_lease ? r->lease_s : DHCP_LEASE_DEFAULT_S;
	uint32_t t1, t2;

	d->lease_s = s;
	if (s == DHCP_LEASE_INFINITE) {
		d->t1_at = d->t2_at = d->end_at = d->next = UINT64_MAX;
		return;
	}
	if (s < DHCP_LEASE_MIN_S)
		s = DHCP_LEASE_MIN_S;
	t2 = r->has_t2 && r->t2_s && r->t2_s < s ? r->t2_s : (uint32_t)((uint64_t)s * 7 / 8);
	t1 = r->has_t1 && r->t1_s && r->t1_s <= t2 ? r->t1_s : (s / 2 < t2 ? s / 2 : t2);
	d->t1_at = n->now + (uint64_t)t1 * 1000;
	d->t2_at = n->now + (uint64_t)t2 * 1000;
	d->end_at = n->now + (uint64_t)s * 1000;
	d->next = d->t1_at;
}

/* An ACK: the lease is ours (again); the address changes only if it did. */
static void dhcp_bind(struct net *n, struct dhcp_state *d, const struct dhcp_reply *r)
{
	net_ip4 mask = r->mask ? r->mask : dhcp_default_mask(r->yiaddr);

	if (r->server_id)
		d->server = r->server_id;
	d->offered = r->yiaddr;
	d->state = DHCP_BOUND;
	dhcp_set_times(n, d, r);
	if (n->addr_state != NET_ADDR_DHCP || n->ip != r->yiaddr || n->netmask != mask ||
	    n->gateway != r->router || n->dns != r->dns)
		net_set_address(n, NET_ADDR_DHCP, r->yiaddr, mask, r->router, r->dns);
}

/* The first sane OFFER: ask for it. */
static void dhcp_take_offer(struct net *n, struct dhcp_state *d, const struct dhcp_reply *r)
{
	d->offered = r->yiaddr;
	d->server = r->server_id;
	d->state = DHCP_REQUESTING;
	d->tries = 0;
	dhcp_send(n, d);
	d->next = dhcp_backoff(n, 0);
}

/* A reply that fits the state; anything else is dropped quietly. */
static void dhcp_handle(struct net *n, struct dhcp_state *d, const struct dhcp_reply *r)
{
	bool from_server = !r->server_id || !d->server || r->server_id == d->server;

	switch (d->state) {
	case DHCP_SELECTING:
		if (r->type == DHCPOFFER && r->server_id)	/* RFC 2131 §4.3.1: MUST have one */
			dhcp_take_offer(n, d, r);
		break;
	case DHCP_REQUESTING:
	case DHCP_RENEWING:
		if (r->type == DHCPACK && from_server)
			dhcp_bind(n, d, r);
		else if (r->type == DHCPNAK && from_server)
			dhcp_restart(n, d);
		break;
	case DHCP_REBINDING:	/* any server may answer now */
		if (r->type == DHCPACK)
			dhcp_bind(n, d, r);
		else if (r->type == DHCPNAK)
			dhcp_restart(n, d);
		break;
	default:
		break;
	}
}

static void dhcp_input(struct udp_sock *s, net_ip4 src, uint16_t sport,
		       const void *data, size_t len, void *arg)
{
	struct net *n = arg;
	struct dhcp_state *d = n->dhcp;
	struct dhcp_reply r;

	(void)s;
	(void)src;
	n->st.dhcp_rx++;
	if (!d || sport != DHCP_SERVER_PORT || !dhcp_parse(data, len, d->xid, n->cfg.mac, &r)) {
		n->st.dhcp_bad++;
		return;
	}
	if (r.type != DHCPNAK && !dhcp_sane_ip(r.yiaddr)) {
		n->st.dhcp_bad++;
		return;
	}
	dhcp_handle(n, d, &r);
}

void dhcp_ifinfo(const struct net *n, struct net_ifinfo *out)
{
	const struct dhcp_state *d = n->dhcp;
	bool leased = d && (d->state == DHCP_BOUND || d->state == DHCP_RENEWING ||
			    d->state == DHCP_REBINDING);

	out->dhcp_state = d ? d->state : DHCP_OFF;
	out->dhcp_server = leased ? d->server : 0;
	out->lease_s = leased ? d->lease_s : 0;
	out->lease_left_s = 0;
	if (leased && d->end_at == UINT64_MAX)
		out->lease_left_s = DHCP_LEASE_INFINITE;
	else if (leased && d->end_at > n->now)
		out->lease_left_s = (uint32_t)((d->end_at - n->now) / 1000);
}
