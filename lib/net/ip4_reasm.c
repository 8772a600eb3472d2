/*
 * IPv4 fragment reassembly (RFC 791 §3.2, "Reassembly"; RFC 815's
 * bookkeeping as a bitmap).
 *
 * cfg.reasm_slots datagrams at once, each up to cfg.reasm_max payload
 * bytes, with a bitmap of the 8-byte blocks received. A slot lives
 * REASM_TIMEOUT_MS from its first fragment; with every slot busy, the
 * oldest is given up for a new datagram. Nothing else is allocated, so
 * a fragment flood can only recycle slots.
 *
 * Overlaps: a fragment that covers bytes we already hold drops the whole
 * datagram (RFC 5722's rule, for IPv4 too: overlaps are only ever
 * attacks), except an exact duplicate of bytes held, which is ignored
 * (a network may duplicate a frame). Later fragments of a dropped
 * datagram start a new slot that times out.
 *
 * Timeout: 30 s, like Linux's ipfrag_time. RFC 1122 §3.3.2 suggests
 * 60..120 s; half a minute is ample for the LANs we serve and frees slots
 * sooner under attack. No ICMP time exceeded is sent (it is a MAY).
 */
#include "net_impl.h"

#define REASM_TIMEOUT_MS	30000
#define REASM_HDR_ROOM		60	/* RFC 791 §3.1: IHL <= 15 words */
#define IP4_MF			0x2000
#define IP4_OFFMASK		0x1fff
#define IP4_MAX_LEN		65535

struct reasm_slot {
	bool used;
	uint8_t proto, hdr_len;	/* hdr_len 0 until the first fragment */
	uint16_t id;
	net_ip4 src, dst;
	uint32_t total;		/* payload length, 0 until the last fragment */
	uint32_t have;		/* payload bytes held */
	uint32_t end;		/* highest byte held + 1 */
	uint64_t expires;
	uint8_t *buf;		/* header room, then the payload */
	uint8_t *map;		/* a bit per 8-byte block */
};

struct reasm {
	unsigned count;
	struct reasm_slot s[];
};

static size_t map_bytes(const struct net_config *cfg)
{
	return (cfg->reasm_max / 8 + 1 + 7) / 8;
}

static size_t slot_bytes(const struct net_config *cfg)
{
	return NET_ALIGN(REASM_HDR_ROOM + cfg->reasm_max) + NET_ALIGN(map_bytes(cfg));
}

size_t reasm_mem_size(const struct net_config *cfg)
{
	return NET_ALIGN(sizeof(struct reasm) + cfg->reasm_slots * sizeof(struct reasm_slot)) +
	       cfg->reasm_slots * slot_bytes(cfg);
}

int reasm_init(struct net *n)
{
	struct reasm *r = net_arena_take(n, sizeof(struct reasm) +
					 n->cfg.reasm_slots * sizeof(struct reasm_slot));

	if (!r)
		return B_ENOMEM;
	r->count = n->cfg.reasm_slots;
	for (unsigned i = 0; i < r->count; i++) {
		r->s[i].buf = net_arena_take_raw(n, REASM_HDR_ROOM + n->cfg.reasm_max);
		r->s[i].map = net_arena_take(n, map_bytes(&n->cfg));
		if (!r->s[i].buf || !r->s[i].map)
			return B_ENOMEM;
	}
	n->reasm = r;
	return 0;
}

static void slot_free(struct net *n, struct reasm_slot *s)
{
	s->used = false;
	set_mem(s->map, 0, map_bytes(&n->cfg));
}

static void slot_fail(struct net *n, struct reasm_slot *s)
{
	n->st.ip_reasm_fail++;
	slot_free(n, s);
}

/* The datagram's slot: found, free, or the oldest one recycled. */
static struct reasm_slot *slot_get(struct net *n, const uint8_t *h)
{
	struct reasm *r = n->reasm;
	struct reasm_slot *free = NULL, *old = NULL;
	net_ip4 src = get32(h + 12), dst = get32(h + 16);
	uint16_t id = get16(h + 4);

	for (unsigned i = 0; i < r->count; i++) {
		struct reasm_slot *s = &r->s[i];

		if (!s->used) {
			free = free ? free : s;
			continue;
		}
		if (s->src == src && s->dst == dst && s->id == id && s->proto == h[9])
			return s;	/* RFC 791: the four fields name a datagram */
		if (!old || s->expires < old->expires)
			old = s;
	}
	if (!free && !old)
		return NULL;	/* no slots configured */
	if (!free)
		slot_fail(n, old);
	free = free ? free : old;
	set_mem(free, 0, offsetof(struct reasm_slot, buf));
	free->used = true;
	free->src = src;
	free->dst = dst;
	free->id = id;
	free->proto = h[9];
	free->expires = n->now + REASM_TIMEOUT_MS;
	return free;
}

/* How many of blocks [b0, b1) are marked. */
static size_t map_count(const uint8_t *map, size_t b0, size_t b1)
{
	size_t k = 0;

	for (size_t b = b0; b < b1; b++)
		k += (map[b / 8] >> (b % 8)) & 1;
	return k;
}

static void map_set(uint8_t *map, size_t b0, size_t b1)
{
	for (size_t b = b0; b < b1; b++)
		map[b / 8] |= (uint8_t)(1u << (b % 8));
}

/* false: the fragment contradicts what we hold (the datagram is lost). */
static bool frag_fits(const struct reasm_slot *s, size_t off, size_t len, bool more)
{
	if (more)
		return s->total == 0 || off + len < s->total;
	if (s->total != 0)
		return s->total == off + len;
	return s->end <= off + len;
}

/* Stores one fragment's payload; false when the datagram must go. */
static bool frag_store(struct reasm_slot *s, const uint8_t *data, size_t off,
		       size_t len, bool more)
{
	size_t b0 = off / 8, b1 = (off + len + 7) / 8, held = map_count(s->map, b0, b1);
	uint8_t *dst = s->buf + REASM_HDR_ROOM + off;

	if (held == b1 - b0 && same_mem(dst, data, len))
		return true;	/* an exact duplicate */
	if (held != 0 || !frag_fits(s, off, len, more))
		return false;
	copy_mem(dst, data, len);
	map_set(s->map, b0, b1);
	s->have += (uint32_t)len;
	if (off + len > s->end)
		s->end = (uint32_t)(off + len);
	if (!more)
		s->total = (uint32_t)(off + len);
	return true;
}

static void reasm_done(struct net *n, struct reasm_slot *s)
{
	uint8_t *hdr = s->buf + REASM_HDR_ROOM - s->hdr_len;
	struct ip4_rx rx;

	n->st.ip_reasm_ok++;
	ip4_rx_init(n, &rx, hdr, s->hdr_len, s->hdr_len + s->total);
	/* the slot stays ours during delivery: only input fills slots */
	ip4_deliver(n, &rx, s->buf + REASM_HDR_ROOM, s->total);
	slot_free(n, s);
}

/* p: a checked fragment (ip4_input), hl header bytes of total. */
void reasm_input(struct net *n, const uint8_t *p, size_t hl, size_t total)
{
	uint16_t frag = get16(p + 6);
	size_t off = (size_t)(frag & IP4_OFFMASK) * 8, len = total - hl;
	bool more = frag & IP4_MF;
	struct reasm_slot *s;

	/* RFC 791 §3.2: every fragment but the last is a multiple of 8 */
	if (len == 0 || (more && len % 8)) {
		n->st.ip_bad++;
		return;
	}
	s = slot_get(n, p);
	if (!s)
		return;
	if (off + len > n->cfg.reasm_max || hl + off + len > IP4_MAX_LEN ||
	    !frag_store(s, p + hl, off, len, more)) {
		slot_fail(n, s);
		return;
	}
	if (off == 0 && s->hdr_len == 0) {
		s->hdr_len = (uint8_t)hl;
		copy_mem(s->buf + REASM_HDR_ROOM - hl, p, hl);
	}
	if (s->total != 0 && s->have == s->total && s->hdr_len != 0)
		reasm_done(n, s);
}

void reasm_timer(struct net *n)
{
	struct reasm *r = n->reasm;

	for (unsigned i = 0; i < r->count; i++)
		if (r->s[i].used && n->now >= r->s[i].expires)
			slot_fail(n, &r->s[i]);
}

uint64_t reasm_next_timer(const struct net *n)
{
	const struct reasm *r = n->reasm;
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < r->count; i++)
		if (r->s[i].used && r->s[i].expires < next)
			next = r->s[i].expires;
	return next;
}
