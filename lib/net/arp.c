/*
 * ARP (RFC 826) for IPv4 over Ethernet, with RFC 5227 announcements.
 *
 * The cache: cfg.arp_entries entries, each FREE, PENDING (a request is
 * out, up to ARP_PARK frames wait for the answer) or VALID (until
 * expires). Learning follows RFC 826's merge rule: a packet updates the
 * entry of its sender if we have one; it creates one only when it is
 * addressed to our IP. So a flood of requests for other hosts cannot
 * churn the cache.
 *
 * Timers: a PENDING entry retries every ARP_RETRY_MS, ARP_TRIES times in
 * all, then its parked frames are dropped (counted) and the entry freed.
 * A VALID entry lives ARP_LIFETIME_MS; sending through one that expires
 * within ARP_REFRESH_MS sends one request to refresh it first, so busy
 * paths never stall. When the address is set, ARP_ANNOUNCE_NUM
 * gratuitous requests go out ARP_ANNOUNCE_MS apart (RFC 5227 §2.3).
 *
 * Full cache: a new entry replaces the VALID one that expires soonest,
 * else the PENDING one asked first (its frames are dropped, counted).
 */
#include "net_impl.h"

/* RFC 826, "Packet format", for Ethernet and IPv4 */
#define ARP_LEN		28
#define ARP_HTYPE_ETH	1
#define ARP_OP_REQUEST	1
#define ARP_OP_REPLY	2

#define ARP_LIFETIME_MS	60000	/* like Linux's base_reachable_time, 30..60 s */
#define ARP_REFRESH_MS	5000
#define ARP_RETRY_MS	1000
#define ARP_TRIES	3
#define ARP_PARK	4	/* frames waiting per unresolved address */
#define ARP_ANNOUNCE_NUM	2	/* RFC 5227 §1.1 ANNOUNCE_NUM */
#define ARP_ANNOUNCE_MS		2000	/* RFC 5227 §1.1 ANNOUNCE_INTERVAL */

enum { ARP_FREE, ARP_PENDING, ARP_VALID };

struct arp_entry {
	net_ip4 ip;
	uint8_t mac[ETH_ALEN];
	uint8_t state;
	uint8_t tries;		/* requests sent (PENDING), or a refresh sent (VALID) */
	uint64_t when;		/* PENDING: next retry; VALID: expiry */
	uint8_t nparked;
	uint8_t *parked[ARP_PARK];
	uint16_t parked_len[ARP_PARK];
};

struct arp_table {
	unsigned count;
	unsigned announce_left;
	uint64_t announce_at;
	struct arp_entry e[];
};

size_t arp_mem_size(const struct net_config *cfg)
{
	return NET_ALIGN(sizeof(struct arp_table) +
			 cfg->arp_entries * sizeof(struct arp_entry));
}

int arp_init(struct net *n)
{
	n->arp = net_arena_take(n, arp_mem_size(&n->cfg));
	if (!n->arp)
		return B_ENOMEM;
	n->arp->count = n->cfg.arp_entries;
	return 0;
}

static struct arp_entry *arp_find(struct net *n, net_ip4 ip)
{
	struct arp_table *t = n->arp;

	for (unsigned i = 0; i < t->count; i++)
		if (t->e[i].state != ARP_FREE && t->e[i].ip == ip)
			return &t->e[i];
	return NULL;
}

static void drop_parked(struct net *n, struct arp_entry *e)
{
	for (unsigned i = 0; i < e->nparked; i++) {
		net_tx_free(n, e->parked[i]);
		n->st.arp_queue_drops++;
	}
	e->nparked = 0;
}

/* A free entry, or the one to give up (see the file's head). */
static struct arp_entry *arp_victim(struct net *n)
{
	struct arp_table *t = n->arp;
	struct arp_entry *valid = NULL, *pending = NULL;

	for (unsigned i = 0; i < t->count; i++) {
		struct arp_entry *e = &t->e[i];

		if (e->state == ARP_FREE)
			return e;
		if (e->state == ARP_VALID && (!valid || e->when < valid->when))
			valid = e;
		if (e->state == ARP_PENDING && (!pending || e->when < pending->when))
			pending = e;
	}
	return valid ? valid : pending;
}

static struct arp_entry *arp_new(struct net *n, net_ip4 ip)
{
	struct arp_entry *e = arp_victim(n);

	if (!e)
		return NULL;	/* a table of zero entries */
	drop_parked(n, e);
	set_mem(e, 0, sizeof(*e));
	e->ip = ip;
	return e;
}

/* One ARP packet to eth_dst. Fails quietly without a buffer: the retry
 * timer (or the peer) will try again. */
static void arp_send(struct net *n, uint16_t op, const uint8_t *eth_dst,
		     const uint8_t *tha, net_ip4 tpa)
{
	uint8_t *buf = net_tx_alloc(n), *p;

	if (!buf)
		return;
	p = buf + ETH_HDR;
	put16(p, ARP_HTYPE_ETH);
	put16(p + 2, ETHERTYPE_IP4);
	p[4] = ETH_ALEN;
	p[5] = 4;
	put16(p + 6, op);
	copy_mem(p + 8, n->cfg.mac, ETH_ALEN);
	put32(p + 14, n->ip);
	copy_mem(p + 18, tha, ETH_ALEN);
	put32(p + 24, tpa);
	n->st.arp_tx++;
	eth_output(n, buf, eth_dst, ETHERTYPE_ARP, ETH_HDR + ARP_LEN);
}

static void arp_request(struct net *n, net_ip4 ip)
{
	static const uint8_t zero[ETH_ALEN];

	arp_send(n, ARP_OP_REQUEST, eth_broadcast, zero, ip);
}

void arp_announce(struct net *n)
{
	if (n->cfg.secondary)
		return;		/* stack 0 announces the shared address */
	n->arp->announce_left = ARP_ANNOUNCE_NUM;
	n->arp->announce_at = n->now;
	arp_timer(n);
}

/* The sender's address is known now: remember it, send what waited. */
static void arp_learn(struct net *n, struct arp_entry *e, const uint8_t *mac)
{
	copy_mem(e->mac, mac, ETH_ALEN);
	e->state = ARP_VALID;
	e->tries = 0;
	e->when = n->now + ARP_LIFETIME_MS;
	for (unsigned i = 0; i < e->nparked; i++)
		eth_output(n, e->parked[i], e->mac, ETHERTYPE_IP4, e->parked_len[i]);
	e->nparked = 0;
}

static bool arp_header_ok(const uint8_t *p, size_t len)
{
	uint16_t op;

	if (len < ARP_LEN)
		return false;
	op = get16(p + 6);
	return get16(p) == ARP_HTYPE_ETH && get16(p + 2) == ETHERTYPE_IP4 &&
	       p[4] == ETH_ALEN && p[5] == 4 &&
	       (op == ARP_OP_REQUEST || op == ARP_OP_REPLY);
}

/* RFC 826, "Packet Reception". Trailing padding past ARP_LEN is ignored. */
void arp_input(struct net *n, const uint8_t *p, size_t len)
{
	const uint8_t *sha = p + 8;
	net_ip4 spa, tpa;
	struct arp_entry *e;
	bool for_us;

	if (!arp_header_ok(p, len) || (sha[0] & 1)) {
		n->st.arp_bad++;	/* a group MAC is nobody's address */
		return;
	}
	n->st.arp_rx++;
	spa = get32(p + 14);
	tpa = get32(p + 24);
	for_us = n->ip != 0 && tpa == n->ip;
	/* no entries for 0.0.0.0 (RFC 5227 probes), our own address or a
	 * broadcast one */
	if (spa != 0 && spa != n->ip && !net_is_local_bcast(n, spa)) {
		e = arp_find(n, spa);
		if (!e && for_us)
			e = arp_new(n, spa);
		if (e)
			arp_learn(n, e, sha);
	}
	/* Of stacks sharing the NIC (net_config.secondary) only stack 0
	 * answers, so a request gets one reply. */
	if (for_us && get16(p + 6) == ARP_OP_REQUEST && !n->cfg.secondary)
		arp_send(n, ARP_OP_REPLY, sha, sha, spa);
}

/* The entry's MAC is still good; refresh it ahead of expiry. */
static void arp_send_valid(struct net *n, struct arp_entry *e, uint8_t *buf, size_t len)
{
	if (e->tries == 0 && e->when - n->now < ARP_REFRESH_MS) {
		e->tries = 1;
		arp_request(n, e->ip);
	}
	eth_output(n, buf, e->mac, ETHERTYPE_IP4, len);
}

static void arp_park(struct net *n, struct arp_entry *e, uint8_t *buf, size_t len)
{
	if (e->nparked == ARP_PARK) {
		/* the oldest goes: the newest data is likeliest still wanted */
		net_tx_free(n, e->parked[0]);
		n->st.arp_queue_drops++;
		move_mem(e->parked, e->parked + 1, (ARP_PARK - 1) * sizeof(e->parked[0]));
		move_mem(e->parked_len, e->parked_len + 1,
			 (ARP_PARK - 1) * sizeof(e->parked_len[0]));
		e->nparked--;
	}
	e->parked[e->nparked] = buf;
	e->parked_len[e->nparked] = (uint16_t)len;
	e->nparked++;
}

int arp_output(struct net *n, uint8_t *buf, size_t len, net_ip4 next_hop)
{
	struct arp_entry *e;

	if (net_is_local_bcast(n, next_hop)) {
		eth_output(n, buf, eth_broadcast, ETHERTYPE_IP4, len);
		return 0;
	}
	if (next_hop == 0 || next_hop == n->ip) {
		net_tx_free(n, buf);	/* no ARP for 0.0.0.0 or ourselves */
		return B_EHOSTUNREACH;
	}
	e = arp_find(n, next_hop);
	if (e && e->state == ARP_VALID) {
		arp_send_valid(n, e, buf, len);
		return 0;
	}
	if (!e) {
		e = arp_new(n, next_hop);
		if (!e) {
			net_tx_free(n, buf);
			return B_EHOSTUNREACH;
		}
		e->state = ARP_PENDING;
		e->tries = 1;
		e->when = n->now + ARP_RETRY_MS;
		arp_request(n, next_hop);
	}
	arp_park(n, e, buf, len);
	return 0;
}

static void arp_entry_timer(struct net *n, struct arp_entry *e)
{
	if (e->state == ARP_FREE || n->now < e->when)
		return;
	if (e->state == ARP_VALID || e->tries >= ARP_TRIES) {
		drop_parked(n, e);
		e->state = ARP_FREE;
		return;
	}
	e->tries++;
	e->when = n->now + ARP_RETRY_MS;
	arp_request(n, e->ip);
}

void arp_timer(struct net *n)
{
	struct arp_table *t = n->arp;

	for (unsigned i = 0; i < t->count; i++)
		arp_entry_timer(n, &t->e[i]);
	if (t->announce_left && n->now >= t->announce_at && n->ip) {
		static const uint8_t zero[ETH_ALEN];

		/* RFC 5227 §2.3: sender and target IP both ours */
		arp_send(n, ARP_OP_REQUEST, eth_broadcast, zero, n->ip);
		t->announce_left--;
		t->announce_at = n->now + ARP_ANNOUNCE_MS;
	}
}

uint64_t arp_next_timer(const struct net *n)
{
	const struct arp_table *t = n->arp;
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < t->count; i++)
		if (t->e[i].state != ARP_FREE && t->e[i].when < next)
			next = t->e[i].when;
	if (t->announce_left && n->ip && t->announce_at < next)
		next = t->announce_at;
	return next;
}
