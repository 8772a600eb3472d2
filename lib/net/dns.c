/*
 * The DNS client (RFC 1035): A records from the configured server.
 *
 * A query takes a slot of a small table (DNS_QUERIES) and a UDP socket
 * of its own on a random port, with a random id (RFC 5452 §9); it is sent
 * DNS_TRIES times DNS_RETRY_MS apart, then fails with B_ETIMEDOUT. Only a
 * reply from the server's port 53 to that socket, with the id and our
 * question, counts; anything else is counted in dns_bad and dropped, and
 * the query keeps waiting.
 *
 * Answers go into a cache of DNS_CACHE names, for their TTL capped at
 * DNS_TTL_MAX; an IPv4 literal or a cached name is answered inside
 * dns_resolve.
 *
 * The parser trusts nothing: every name walk is bounded by 255 bytes and
 * DNS_PTR_MAX pointers, each pointing backwards (so no loop), at most
 * DNS_ANSWERS records are read, CNAME chains at most DNS_CNAME_MAX long.
 * A truncated reply (TC) counts if the A record made it; else B_EIO (we
 * have no TCP fallback).
 */
#include "dns.h"

#define DNS_QUERIES	8	/* outstanding at once */
#define DNS_CACHE	16	/* names remembered */
#define DNS_TRIES	3
#define DNS_RETRY_MS	2000
#define DNS_TTL_MAX	3600	/* s: a server's word is not kept longer */
#define DNS_ANSWERS	32	/* answer records read from one reply */
#define DNS_CNAME_MAX	8	/* aliases followed */
#define DNS_PORT_LO	49152	/* the dynamic ports, RFC 6335 §6 */
#define DNS_PORT_TRIES	4	/* random ports tried before any free one */

/* RFC 1035 §4.1.1: header flags */
#define DNS_F_QR	0x8000
#define DNS_F_OPCODE	0x7800
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RCODE	0x000f
#define DNS_RCODE_NXDOMAIN	3

struct dns_query {
	struct udp_sock *sock;		/* NULL: the slot is free */
	struct net *n;
	void (*done)(void *arg, int err, net_ip4 ip);
	void *arg;
	uint64_t next;			/* ms: resend, or give up */
	net_ip4 server;
	uint16_t id;
	uint8_t tries;
	uint16_t qlen;
	uint8_t qname[DNS_NAME_MAX];
};

struct dns_cached {
	uint64_t expires;		/* ms; 0: empty */
	net_ip4 ip;
	uint16_t qlen;
	uint8_t qname[DNS_NAME_MAX];
};

struct dns_state {
	struct dns_query q[DNS_QUERIES];
	struct dns_cached c[DNS_CACHE];
};

size_t dns_mem_size(const struct net_config *cfg)
{
	(void)cfg;
	return NET_ALIGN(sizeof(struct dns_state));
}

int dns_init(struct net *n)
{
	n->resolver = net_arena_take(n, sizeof(struct dns_state));
	return n->resolver ? 0 : B_ENOMEM;
}

/* ---- names ---- */

static bool dns_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static uint8_t dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 'a' - 'A') : c;
}

int dns_encode_name(const char *name, uint8_t out[DNS_NAME_MAX])
{
	size_t o = 1, mark = 0;	/* out[mark] takes the current label's length */

	for (size_t i = 0; name && i < DNS_NAME_MAX; i++) {
		char c = name[i];
		size_t llen = o - mark - 1;

		if (c != '.' && c != '\0') {
			if (!dns_host_char(c) || o >= DNS_NAME_MAX - 1)
				return B_EINVAL;
			out[o++] = dns_lower((uint8_t)c);
			continue;
		}
		if (llen > DNS_LABEL_MAX || (llen == 0 && (c != '\0' || mark == 0)))
			return B_EINVAL;	/* empty only as the root after a final dot */
		out[mark] = (uint8_t)llen;
		if (llen == 0)
			return (int)(mark + 1);
		if (c == '\0') {
			out[o] = 0;
			return (int)(o + 1);
		}
		mark = o++;
	}
	return B_EINVAL;
}

int dns_read_name(const uint8_t *msg, size_t len, size_t off, uint8_t out[DNS_NAME_MAX],
		  size_t *end)
{
	size_t o = 0, pos = off;
	unsigned jumps = 0;

	*end = 0;
	/* Each turn adds a label to out (at most 255 bytes) or follows a
	 * pointer (at most DNS_PTR_MAX), so the loop ends. */
	for (;;) {
		if (pos >= len)
			return B_EINVAL;
		uint8_t c = msg[pos];
		if ((c & 0xc0) == 0xc0) {	/* RFC 1035 §4.1.4 */
			size_t target;
			if (len - pos < 2 || ++jumps > DNS_PTR_MAX)
				return B_EINVAL;
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (target >= pos)
				return B_EINVAL;	/* forwards or to itself */
			if (!*end)
				*end = pos + 2;
			pos = target;
			continue;
		}
		if (c & 0xc0)
			return B_EINVAL;	/* 0x40, 0x80: RFC 6891 §5, reserved */
		if (o + 1 + c > DNS_NAME_MAX || c > len - pos - 1)
			return B_EINVAL;
		out[o++] = c;
		for (size_t i = 0; i < c; i++)
			out[o++] = dns_lower(msg[pos + 1 + i]);
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	if (!*end)
		*end = pos;
	return (int)o;
}

size_t dns_build_query(uint8_t *buf, uint16_t id, const uint8_t *qname, size_t qlen)
{
	set_mem(buf, 0, DNS_HDR);
	put16(buf, id);
	put16(buf + 2, DNS_F_RD);
	put16(buf + 4, 1);			/* QDCOUNT */
	copy_mem(buf + DNS_HDR, qname, qlen);
	put16(buf + DNS_HDR + qlen, DNS_TYPE_A);
	put16(buf + DNS_HDR + qlen + 2, DNS_CLASS_IN);
	return DNS_HDR + qlen + 4;
}

/* ---- the reply ---- */

/* One resource record's place (RFC 1035 §4.1.3). */
struct dns_rr {
	size_t owner, rdata;
	uint16_t type, class, rdlen;
	uint32_t ttl;
};

/* Reads the record at *pos into rr and moves *pos past it. */
static bool dns_read_rr(const uint8_t *p, size_t len, size_t *pos, struct dns_rr *rr)
{
	uint8_t name[DNS_NAME_MAX];
	size_t end;

	if (dns_read_name(p, len, *pos, name, &end) < 0 || len - end < 10)
		return false;
	rr->owner = *pos;
	rr->type = get16(p + end);
	rr->class = get16(p + end + 2);
	rr->ttl = get32(p + end + 4);
	rr->rdlen = get16(p + end + 8);
	rr->rdata = end + 10;
	if (rr->rdlen > len - rr->rdata)
		return false;
	*pos = rr->rdata + rr->rdlen;
	return true;
}

/* Whether the name at off is the name want (both read lower-cased). */
static bool dns_name_is(const uint8_t *p, size_t len, size_t off, const uint8_t *want,
			size_t wlen)
{
	uint8_t name[DNS_NAME_MAX];
	size_t end;
	int k = dns_read_name(p, len, off, name, &end);

	return k >= 0 && (size_t)k == wlen && same_mem(name, want, wlen);
}

/* Follows the question's name through the records to an A record: 0 with
 * *ip and the chain's smallest TTL, or B_ENOENT. */
static int dns_follow(const uint8_t *p, size_t len, const struct dns_rr *rr, unsigned nrr,
		      const uint8_t *qname, size_t qlen, net_ip4 *ip, uint32_t *ttl)
{
	uint8_t want[DNS_NAME_MAX];
	size_t wlen = qlen, end;
	uint32_t min_ttl = UINT32_MAX;

	copy_mem(want, qname, qlen);
	for (unsigned hop = 0; hop <= DNS_CNAME_MAX; hop++) {
		unsigned i;
		for (i = 0; i < nrr; i++) {
			if (rr[i].class == DNS_CLASS_IN &&
			    (rr[i].type == DNS_TYPE_A || rr[i].type == DNS_TYPE_CNAME) &&
			    dns_name_is(p, len, rr[i].owner, want, wlen))
				break;
		}
		if (i == nrr)
			return B_ENOENT;
		min_ttl = rr[i].ttl < min_ttl ? rr[i].ttl : min_ttl;
		if (rr[i].type == DNS_TYPE_A) {
			if (rr[i].rdlen != 4)
				return B_ENOENT;
			*ip = get32(p + rr[i].rdata);
			*ttl = min_ttl;
			return 0;
		}
		int k = dns_read_name(p, len, rr[i].rdata, want, &end);
		if (k < 0 || end > rr[i].rdata + rr[i].rdlen)
			return B_ENOENT;	/* a CNAME whose name is broken */
		wlen = (size_t)k;
	}
	return B_ENOENT;	/* a chain too long (or a loop) */
}

/* The header and the question echoed back: the offset past it, or 0. */
static size_t dns_check_question(const uint8_t *p, size_t len, uint16_t id,
				 const uint8_t *qname, size_t qlen)
{
	uint8_t name[DNS_NAME_MAX];
	size_t end;
	int k;

	if (len < DNS_HDR || get16(p) != id || !(get16(p + 2) & DNS_F_QR) ||
	    (get16(p + 2) & DNS_F_OPCODE) || get16(p + 4) != 1)
		return 0;
	k = dns_read_name(p, len, DNS_HDR, name, &end);
	if (k < 0 || (size_t)k != qlen || !same_mem(name, qname, qlen) || len - end < 4 ||
	    get16(p + end) != DNS_TYPE_A || get16(p + end + 2) != DNS_CLASS_IN)
		return 0;
	return end + 4;
}

int dns_parse_reply(const uint8_t *p, size_t len, uint16_t id, const uint8_t *qname,
		    size_t qlen, net_ip4 *ip, uint32_t *ttl)
{
	struct dns_rr rr[DNS_ANSWERS];
	size_t pos = dns_check_question(p, len, id, qname, qlen);
	unsigned an, nrr = 0;
	bool tc;
	int err;

	if (!pos)
		return B_EINVAL;
	tc = get16(p + 2) & DNS_F_TC;
	if ((get16(p + 2) & DNS_F_RCODE) == DNS_RCODE_NXDOMAIN)
		return B_ENOENT;
	if (get16(p + 2) & DNS_F_RCODE)
		return B_EIO;
	an = get16(p + 6);
	while (nrr < an && nrr < DNS_ANSWERS) {
		if (!dns_read_rr(p, len, &pos, &rr[nrr])) {
			if (!tc)
				return B_EINVAL;	/* ANCOUNT lies */
			break;				/* cut short, as TC says */
		}
		nrr++;
	}
	err = dns_follow(p, len, rr, nrr, qname, qlen, ip, ttl);
	if (err < 0 && tc)
		return B_EIO;
	if (!err && (*ttl & 0x80000000u))
		*ttl = 0;	/* RFC 2181 §8: the top bit set means zero */
	return err;
}

/* ---- the cache ---- */

static struct dns_cached *dns_cache_find(struct net *n, const uint8_t *qname, size_t qlen)
{
	struct dns_state *ds = n->resolver;

	for (unsigned i = 0; i < DNS_CACHE; i++) {
		struct dns_cached *e = &ds->c[i];
		if (e->expires > n->now && e->qlen == qlen && same_mem(e->qname, qname, qlen))
			return e;
	}
	return NULL;
}

/* Remembers the answer ttl seconds (capped), in the slot of the same
 * name, else a free one, else the one expiring first. */
static void dns_cache_put(struct net *n, const uint8_t *qname, size_t qlen, net_ip4 ip,
			  uint32_t ttl)
{
	struct dns_state *ds = n->resolver;
	struct dns_cached *e = dns_cache_find(n, qname, qlen);

	if (ttl == 0)
		return;
	for (unsigned i = 0; !e && i < DNS_CACHE; i++) {
		if (ds->c[i].expires <= n->now)
			e = &ds->c[i];
	}
	if (!e) {
		e = &ds->c[0];
		for (unsigned i = 1; i < DNS_CACHE; i++) {
			if (ds->c[i].expires < e->expires)
				e = &ds->c[i];
		}
	}
	e->expires = n->now + (uint64_t)(ttl > DNS_TTL_MAX ? DNS_TTL_MAX : ttl) * 1000;
	e->ip = ip;
	e->qlen = (uint16_t)qlen;
	copy_mem(e->qname, qname, qlen);
}

/* ---- queries ---- */

/* Frees q's slot and socket, then tells the caller (who may start a new
 * query from done). */
static void dns_finish(struct dns_query *q, int err, net_ip4 ip)
{
	void (*done)(void *arg, int err, net_ip4 ip) = q->done;
	void *arg = q->arg;
	struct udp_sock *s = q->sock;

	q->sock = NULL;
	udp_close(s);
	done(arg, err, ip);
}

static void dns_input(struct udp_sock *s, net_ip4 src, uint16_t sport, const void *data,
		      size_t len, void *arg)
{
	struct dns_query *q = arg;
	struct net *n = q->n;
	net_ip4 ip = 0;
	uint32_t ttl = 0;
	int err;

	n->st.dns_rx++;
	if (q->sock != s || src != q->server || sport != DNS_PORT) {
		n->st.dns_bad++;
		return;
	}
	err = dns_parse_reply(data, len, q->id, q->qname, q->qlen, &ip, &ttl);
	if (err == B_EINVAL) {
		n->st.dns_bad++;
		return;
	}
	if (err == 0)
		dns_cache_put(n, q->qname, q->qlen, ip, ttl);
	dns_finish(q, err, ip);
}

static void dns_send(struct net *n, struct dns_query *q)
{
	uint8_t buf[DNS_QUERY_MAX];
	size_t len = dns_build_query(buf, q->id, q->qname, q->qlen);

	if (udp_sendto(q->sock, q->server, DNS_PORT, buf, len) >= 0)
		n->st.dns_tx++;
	q->tries++;
	q->next = n->now + DNS_RETRY_MS;
}

/* A socket on a random dynamic port (RFC 5452 §9.2), else any free one. */
static struct udp_sock *dns_open(struct net *n, struct dns_query *q)
{
	struct udp_sock *s = NULL;

	for (unsigned i = 0; !s && i < DNS_PORT_TRIES; i++) {
		uint16_t port = (uint16_t)(DNS_PORT_LO +
					   n->port.random(n->port.ctx) % (65536 - DNS_PORT_LO));
		s = udp_open(n, port, dns_input, q);
	}
	return s ? s : udp_open(n, 0, dns_input, q);
}

/* Answers at once what needs no query: a literal, a bad name, a cached
 * name. true when done has run. */
static bool dns_answer_now(struct net *n, const char *name, const uint8_t *qname, int qlen,
			   void (*done)(void *arg, int err, net_ip4 ip), void *arg)
{
	struct dns_cached *e;
	net_ip4 ip;

	if (name && net_parse_ip4(name, &ip) == 0) {
		done(arg, 0, ip);
		return true;
	}
	if (qlen < 0) {
		done(arg, B_EINVAL, 0);
		return true;
	}
	e = dns_cache_find(n, qname, (size_t)qlen);
	if (e)
		done(arg, 0, e->ip);
	return e != NULL;
}

int dns_resolve(struct net *n, const char *name,
		void (*done)(void *arg, int err, net_ip4 ip), void *arg)
{
	struct dns_state *ds = n->resolver;
	uint8_t qname[DNS_NAME_MAX];
	int qlen = name ? dns_encode_name(name, qname) : B_EINVAL;
	struct dns_query *q = NULL;

	if (!done || !ds)
		return B_EINVAL;
	if (dns_answer_now(n, name, qname, qlen, done, arg))
		return 0;
	if (!n->dns)
		return B_EHOSTUNREACH;
	for (unsigned i = 0; !q && i < DNS_QUERIES; i++)
		q = ds->q[i].sock ? NULL : &ds->q[i];
	if (!q)
		return B_EAGAIN;
	q->n = n;
	q->sock = dns_open(n, q);
	if (!q->sock)
		return B_EAGAIN;
	q->done = done;
	q->arg = arg;
	q->server = n->dns;
	q->id = (uint16_t)n->port.random(n->port.ctx);
	q->tries = 0;
	q->qlen = (uint16_t)qlen;
	copy_mem(q->qname, qname, (size_t)qlen);
	dns_send(n, q);
	return 0;
}

void dns_timer(struct net *n)
{
	struct dns_state *ds = n->resolver;

	for (unsigned i = 0; ds && i < DNS_QUERIES; i++) {
		struct dns_query *q = &ds->q[i];
		if (!q->sock || n->now < q->next)
			continue;
		if (q->tries >= DNS_TRIES)
			dns_finish(q, B_ETIMEDOUT, 0);
		else
			dns_send(n, q);
	}
}

uint64_t dns_next_timer(const struct net *n)
{
	const struct dns_state *ds = n->resolver;
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; ds && i < DNS_QUERIES; i++) {
		if (ds->q[i].sock && ds->q[i].next < t)
			t = ds->q[i].next;
	}
	return t;
}

void dns_cancel(struct net *n, void (*done)(void *arg, int err, net_ip4 ip), void *arg)
{
	struct dns_state *ds = n->resolver;

	for (unsigned i = 0; ds && i < DNS_QUERIES; i++) {
		struct dns_query *q = &ds->q[i];
		if (q->sock && q->done == done && q->arg == arg) {
			udp_close(q->sock);
			q->sock = NULL;
		}
	}
}
