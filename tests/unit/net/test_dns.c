/*
 * The DNS client (lib/net/dns.c): queries on the wire, answers, CNAME
 * chains, NXDOMAIN and server errors, retries and the timeout, the cache
 * and its TTLs, and replies built to hurt: compression loops, forward
 * pointers, pointers cut off at the end, reserved label types, names
 * over 255 bytes, ANCOUNT lying, wrong id, port or server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dhcpt.h"
#include "dns.h"

#define OUR_IP	NET_IP4(10, 0, 2, 15)
#define SERVER	NET_IP4(10, 0, 2, 3)
#define ANSWER	NET_IP4(93, 184, 216, 34)

/* What done reported. */
struct result {
	int calls;
	int err;
	net_ip4 ip;
};

static void on_done(void *arg, int err, net_ip4 ip)
{
	struct result *r = arg;

	r->calls++;
	r->err = err;
	r->ip = ip;
}

static struct dhcpt *start(void)
{
	struct net_config cfg = {
		.ip = OUR_IP, .netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2), .dns = SERVER,
	};
	struct dhcpt *t = dhcpt_new(&cfg);

	assert_non_null(t);
	dhcpt_drain(t);		/* the gratuitous ARP */
	return t;
}

/* A reply under construction. */
struct msg {
	uint8_t b[2048];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t len)
{
	memcpy(m->b + m->len, p, len);
	m->len += len;
}

static void put16m(struct msg *m, uint16_t v)
{
	put16(m->b + m->len, v);
	m->len += 2;
}

/* The header (id, flags, QD 1, AN an) and the query's question. */
static void start_reply(struct msg *m, const struct dhcpt_udp *q, uint16_t flags,
			uint16_t an)
{
	m->len = 0;
	put16m(m, get16(q->data));
	put16m(m, flags);
	put16m(m, 1);
	put16m(m, an);
	put16m(m, 0);
	put16m(m, 0);
	put(m, q->data + DNS_HDR, q->len - DNS_HDR);
}

/* A record: owner (raw wire bytes), type, TTL, rdata. */
static void rr(struct msg *m, const void *owner, size_t olen, uint16_t type, uint32_t ttl,
	       const void *rdata, size_t rdlen)
{
	put(m, owner, olen);
	put16m(m, type);
	put16m(m, DNS_CLASS_IN);
	put16m(m, (uint16_t)(ttl >> 16));
	put16m(m, (uint16_t)ttl);
	put16m(m, (uint16_t)rdlen);
	put(m, rdata, rdlen);
}

static void rr_a(struct msg *m, const void *owner, size_t olen, uint32_t ttl, net_ip4 ip)
{
	uint8_t v[4];

	put32(v, ip);
	rr(m, owner, olen, DNS_TYPE_A, ttl, v, 4);
}

static const uint8_t to_q[] = { 0xc0, DNS_HDR };	/* a pointer to the question's name */

static void send_reply(struct dhcpt *t, const struct dhcpt_udp *q, const struct msg *m)
{
	dhcpt_inject_udp(t, SERVER, DNS_PORT, OUR_IP, q->sport, m->b, m->len);
}

/* Starts a query for name and takes it off the wire. */
static void query(struct dhcpt *t, const char *name, struct result *r, struct dhcpt_udp *q)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(dns_resolve(t->n, name, on_done, r), 0);
	assert_int_equal(r->calls, 0);
	assert_true(dhcpt_pop_udp(t, q));
	assert_int_equal(q->dst, SERVER);
	assert_int_equal(q->dport, DNS_PORT);
}

static void test_answer(void **state)
{
	static const uint8_t wire[] = "\3www\7example\3com";
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;

	(void)state;
	query(t, "www.Example.COM", &r, &q);
	assert_true(q.sport >= 49152);
	assert_int_equal(q.len, DNS_HDR + sizeof wire + 4);
	assert_int_equal(get16(q.data + 2), 0x0100);	/* RD */
	assert_int_equal(get16(q.data + 4), 1);
	assert_int_equal(get16(q.data + 6), 0);
	assert_memory_equal(q.data + DNS_HDR, wire, sizeof wire);
	assert_int_equal(get16(q.data + DNS_HDR + sizeof wire), DNS_TYPE_A);
	assert_int_equal(get16(q.data + DNS_HDR + sizeof wire + 2), DNS_CLASS_IN);

	start_reply(&m, &q, 0x8180, 1);
	rr_a(&m, to_q, 2, 300, ANSWER);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.ip, ANSWER);
	/* a second copy finds no query: its socket is closed */
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(net_get_stats(t->n)->dns_tx, 1);
	dhcpt_free(t);
}

static void test_no_query_needed(void **state)
{
	static const char *bad[] = {
		"", ".", "a..b", ".a", "bad name", "a/b", "x.\xc3\xa9",
		/* a 64-byte label */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	};
	char longname[300];
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r = { 0 };

	(void)state;
	assert_int_equal(dns_resolve(t->n, "10.1.2.3", on_done, &r), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.ip, NET_IP4(10, 1, 2, 3));
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&r, 0, sizeof r);
		assert_int_equal(dns_resolve(t->n, bad[i], on_done, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.err, B_EINVAL);
	}
	memset(&r, 0, sizeof r);
	assert_int_equal(dns_resolve(t->n, NULL, on_done, &r), 0);
	assert_int_equal(r.err, B_EINVAL);
	/* 4 x 63 + 4 dots = 255 text bytes: a 257-byte wire name */
	memset(longname, 'a', sizeof longname);
	for (int i = 63; i < 256; i += 64)
		longname[i] = '.';
	longname[255] = 0;
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, longname, on_done, &r);
	assert_int_equal(r.err, B_EINVAL);
	/* 3 x 63 + 61 = 253 text bytes, a trailing dot too: 255 on the wire */
	longname[253] = 0;
	memset(&r, 0, sizeof r);
	assert_int_equal(dns_resolve(t->n, longname, on_done, &r), 0);
	assert_int_equal(r.calls, 0);
	assert_true(dhcpt_pop_udp(t, &q));
	assert_int_equal(q.len, DNS_HDR + 255 + 4);
	assert_false(dhcpt_pop_udp(t, &q));
	dhcpt_free(t);
}

static void test_cname_chain(void **state)
{
	static const uint8_t alias2_full[] = "\6alias2\6alias1\3net";
	static const uint8_t alias1[] = "\6alias1\3net";
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;
	size_t a1;

	(void)state;
	query(t, "www.example.com", &r, &q);
	/* The A first, then www -> alias1.net -> alias2.alias1.net: the
	 * chain is followed whatever the order. */
	start_reply(&m, &q, 0x8180, 3);
	rr_a(&m, alias2_full, sizeof alias2_full, 60, NET_IP4(1, 2, 3, 4));
	a1 = m.len + 2 + 10;				/* alias1's rdata */
	rr(&m, to_q, 2, DNS_TYPE_CNAME, 500, alias1, sizeof alias1);
	uint8_t own[] = { 0xc0, (uint8_t)a1 };
	uint8_t a2data[] = { 6, 'a', 'l', 'i', 'a', 's', '2', 0xc0, (uint8_t)a1 };
	rr(&m, own, 2, DNS_TYPE_CNAME, 40, a2data, sizeof a2data);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.ip, NET_IP4(1, 2, 3, 4));
	/* cached for the chain's smallest TTL, 40 s */
	memset(&r, 0, sizeof r);
	dhcpt_advance(t, 39 * 1000);
	dns_resolve(t->n, "www.example.com", on_done, &r);
	assert_int_equal(r.calls, 1);
	dhcpt_advance(t, 1000);
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, "www.example.com", on_done, &r);
	assert_int_equal(r.calls, 0);
	dhcpt_free(t);
}

/* A CNAME pointing to itself, or two at each other: no A, B_ENOENT. */
static void test_cname_loop(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;

	(void)state;
	query(t, "loop.example", &r, &q);
	start_reply(&m, &q, 0x8180, 1);
	rr(&m, to_q, 2, DNS_TYPE_CNAME, 60, to_q, 2);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, B_ENOENT);

	query(t, "loop.example", &r, &q);
	start_reply(&m, &q, 0x8180, 2);
	size_t b_at = m.len + 2 + 10;
	rr(&m, to_q, 2, DNS_TYPE_CNAME, 60, "\1b\0", 3);
	uint8_t own[] = { 0xc0, (uint8_t)b_at };
	rr(&m, own, 2, DNS_TYPE_CNAME, 60, to_q, 2);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, B_ENOENT);
	dhcpt_free(t);
}

static void test_nxdomain_and_errors(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;

	(void)state;
	query(t, "nothing.example", &r, &q);
	start_reply(&m, &q, 0x8183, 0);		/* RCODE 3 */
	send_reply(t, &q, &m);
	assert_int_equal(r.err, B_ENOENT);

	query(t, "nothing.example", &r, &q);	/* no answer records */
	start_reply(&m, &q, 0x8180, 0);
	send_reply(t, &q, &m);
	assert_int_equal(r.err, B_ENOENT);

	query(t, "nothing.example", &r, &q);	/* an A of another name, an AAAA */
	start_reply(&m, &q, 0x8180, 2);
	rr_a(&m, "\5other\0", 7, 60, ANSWER);
	rr(&m, to_q, 2, 28, 60, "0123456789abcdef", 16);
	send_reply(t, &q, &m);
	assert_int_equal(r.err, B_ENOENT);

	query(t, "nothing.example", &r, &q);	/* an A of 6 bytes */
	start_reply(&m, &q, 0x8180, 1);
	rr(&m, to_q, 2, DNS_TYPE_A, 60, "abcdef", 6);
	send_reply(t, &q, &m);
	assert_int_equal(r.err, B_ENOENT);

	query(t, "nothing.example", &r, &q);
	start_reply(&m, &q, 0x8182, 0);		/* SERVFAIL */
	send_reply(t, &q, &m);
	assert_int_equal(r.err, B_EIO);
	assert_int_equal(r.calls, 1);
	dhcpt_free(t);
}

/* Three tries 2 s apart, then B_ETIMEDOUT. */
static void test_timeout(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q, q2;
	struct result r;

	(void)state;
	query(t, "slow.example", &r, &q);
	dhcpt_advance(t, 1999);
	assert_false(dhcpt_pop_udp(t, &q2));
	dhcpt_advance(t, 1);
	assert_true(dhcpt_pop_udp(t, &q2));
	assert_int_equal(q2.sport, q.sport);
	assert_memory_equal(q2.data, q.data, q.len);
	dhcpt_advance(t, 2000);
	assert_true(dhcpt_pop_udp(t, &q2));
	dhcpt_advance(t, 1999);
	assert_int_equal(r.calls, 0);
	dhcpt_advance(t, 1);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, B_ETIMEDOUT);
	assert_false(dhcpt_pop_udp(t, &q2));
	assert_int_equal(net_get_stats(t->n)->dns_tx, 3);
	assert_int_equal(dns_next_timer(t->n), UINT64_MAX);
	dhcpt_free(t);
}

static void answer(struct dhcpt *t, const struct dhcpt_udp *q, uint32_t ttl)
{
	struct msg m;

	start_reply(&m, q, 0x8180, 1);
	rr_a(&m, to_q, 2, ttl, ANSWER);
	send_reply(t, q, &m);
}

static void test_cache(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;

	(void)state;
	query(t, "c.example", &r, &q);
	answer(t, &q, 10);
	dhcpt_advance(t, 9999);
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, "C.Example.", on_done, &r);	/* the same name */
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.ip, ANSWER);
	assert_false(dhcpt_pop_udp(t, &q));
	dhcpt_advance(t, 1);
	query(t, "c.example", &r, &q);		/* expired: asked again */
	answer(t, &q, 0);			/* TTL 0: not kept */
	assert_int_equal(r.calls, 1);
	query(t, "c.example", &r, &q);
	answer(t, &q, 0x7fffffff);		/* kept one hour at most */
	dhcpt_advance(t, 3599 * 1000);
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, "c.example", on_done, &r);
	assert_int_equal(r.calls, 1);
	dhcpt_advance(t, 1000);
	query(t, "c.example", &r, &q);
	answer(t, &q, 0x80000001u);		/* RFC 2181 §8: top bit, zero */
	assert_int_equal(r.calls, 1);
	query(t, "c.example", &r, &q);
	answer(t, &q, 60);

	/* 20 names in 16 places: the newest are kept */
	char name[16];
	for (int i = 0; i < 20; i++) {
		memcpy(name, "hostNN.example", 15);
		name[4] = (char)('a' + i / 10);
		name[5] = (char)('0' + i % 10);
		query(t, name, &r, &q);
		answer(t, &q, 100 + (uint32_t)i);
		assert_int_equal(r.calls, 1);
	}
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, "hostb9.example", on_done, &r);
	assert_int_equal(r.calls, 1);
	memset(&r, 0, sizeof r);
	dns_resolve(t->n, "c.example", on_done, &r);	/* expiring first: gone */
	assert_int_equal(r.calls, 0);
	dhcpt_free(t);
}

/* Replies that do not answer our query are counted and ignored. */
static void test_not_ours(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;

	(void)state;
	query(t, "www.example.com", &r, &q);
	start_reply(&m, &q, 0x8180, 1);
	rr_a(&m, to_q, 2, 60, ANSWER);

	m.b[1] ^= 1;					/* id */
	send_reply(t, &q, &m);
	m.b[1] ^= 1;
	dhcpt_inject_udp(t, SERVER, 5353, OUR_IP, q.sport, m.b, m.len);	/* port */
	dhcpt_inject_udp(t, NET_IP4(10, 0, 2, 4), 53, OUR_IP, q.sport, m.b, m.len);
	m.b[2] &= 0x7f;					/* QR clear */
	send_reply(t, &q, &m);
	m.b[2] |= 0x80;
	m.b[2] |= 0x08;					/* opcode 1 */
	send_reply(t, &q, &m);
	m.b[2] &= ~0x08;
	m.b[DNS_HDR + 1] = 'x';				/* another question */
	send_reply(t, &q, &m);
	m.b[DNS_HDR + 1] = 'W';				/* the same, in capitals */
	put16(m.b + 4, 2);				/* QDCOUNT 2 */
	send_reply(t, &q, &m);
	put16(m.b + 4, 1);
	send_reply(t, &q, &(struct msg){ .len = 11 });	/* short */
	assert_int_equal(r.calls, 0);
	assert_int_equal(net_get_stats(t->n)->dns_bad, 8);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.ip, ANSWER);
	dhcpt_free(t);
}

/* Hostile names, straight into the parser. */
static void test_names(void **state)
{
	uint8_t msg[1024], out[DNS_NAME_MAX];
	size_t end;

	(void)state;
	memset(msg, 0, sizeof msg);
	/* a pointer to itself */
	msg[20] = 0xc0;
	msg[21] = 20;
	assert_int_equal(dns_read_name(msg, 22, 20, out, &end), B_EINVAL);
	/* two pointers at each other */
	msg[22] = 0xc0;
	msg[23] = 20;
	msg[21] = 22;
	assert_int_equal(dns_read_name(msg, 24, 20, out, &end), B_EINVAL);
	assert_int_equal(dns_read_name(msg, 24, 22, out, &end), B_EINVAL);
	/* a forward pointer, to a good name */
	msg[30] = 0xc0;
	msg[31] = 40;
	memcpy(msg + 40, "\1a\0", 3);
	assert_int_equal(dns_read_name(msg, 43, 30, out, &end), B_EINVAL);
	/* a backward one, fine; end is just past the pointer */
	msg[50] = 0xc0;
	msg[51] = 40;
	assert_int_equal(dns_read_name(msg, 52, 50, out, &end), 3);
	assert_int_equal(end, 52);
	/* 0xc0 as the last byte */
	assert_int_equal(dns_read_name(msg, 51, 50, out, &end), B_EINVAL);
	/* a pointer past the message */
	msg[60] = 0xc3;
	msg[61] = 0xff;
	assert_int_equal(dns_read_name(msg, 62, 60, out, &end), B_EINVAL);
	/* 0x40 and 0x80 label types */
	msg[70] = 0x41;
	assert_int_equal(dns_read_name(msg, 80, 70, out, &end), B_EINVAL);
	msg[70] = 0x81;
	assert_int_equal(dns_read_name(msg, 80, 70, out, &end), B_EINVAL);
	/* a label running past the end, a name with no end */
	msg[70] = 20;
	assert_int_equal(dns_read_name(msg, 80, 70, out, &end), B_EINVAL);
	memset(msg + 100, 1, 50);
	assert_int_equal(dns_read_name(msg, 150, 100, out, &end), B_EINVAL);
	/* a chain of 16 pointers is followed, 17 are not */
	memcpy(msg + 200, "\1z\0", 3);
	for (int i = 0; i < 17; i++) {
		msg[203 + 2 * i] = 0xc0;
		msg[204 + 2 * i] = (uint8_t)(i == 0 ? 200 : 203 + 2 * (i - 1));
	}
	assert_int_equal(dns_read_name(msg, 240, 203 + 2 * 15, out, &end), 3);
	assert_int_equal(dns_read_name(msg, 240, 203 + 2 * 16, out, &end), B_EINVAL);
	/* over 255 bytes through pointers: 63-byte labels stacked */
	uint8_t big[600] = { 0 };
	size_t o = 0;
	big[o++] = 63;
	o += 63;
	big[o++] = 0;			/* name A: 65 bytes at 0 */
	for (int i = 0; i < 4; i++) {	/* each: a 63-byte label, then the previous */
		size_t prev = i == 0 ? 0 : o - 66;
		big[o++] = 63;
		memset(big + o, 'b', 63);
		o += 63;
		big[o++] = (uint8_t)(0xc0 | prev >> 8);
		big[o++] = (uint8_t)prev;
	}
	/* the fourth is 4 x 64 + 65 = 321 bytes */
	assert_int_equal(dns_read_name(big, o, o - 66, out, &end), B_EINVAL);
	/* the second, 64 + 64 + 65 = 193, is fine */
	assert_int_equal(dns_read_name(big, o, 65 + 66, out, &end), 193);
}

/* Whole replies with broken names or lying counts are ignored; truncated
 * ones count when the A made it. */
static void test_hostile_replies(void **state)
{
	struct dhcpt *t = start();
	struct dhcpt_udp q;
	struct result r;
	struct msg m;
	uint64_t bad;

	(void)state;
	query(t, "www.example.com", &r, &q);
	bad = net_get_stats(t->n)->dns_bad;
	/* an answer whose owner is a pointer loop */
	start_reply(&m, &q, 0x8180, 1);
	uint8_t self[] = { 0xc0, (uint8_t)m.len };
	rr_a(&m, self, 2, 60, ANSWER);
	send_reply(t, &q, &m);
	/* a pointer at the very end */
	start_reply(&m, &q, 0x8180, 1);
	put(&m, "\xc0", 1);
	send_reply(t, &q, &m);
	/* RDLENGTH past the end */
	start_reply(&m, &q, 0x8180, 1);
	rr_a(&m, to_q, 2, 60, ANSWER);
	put16(m.b + m.len - 6, 5);
	send_reply(t, &q, &m);
	/* ANCOUNT 65535 with one record */
	start_reply(&m, &q, 0x8180, 0xffff);
	rr_a(&m, to_q, 2, 60, ANSWER);
	send_reply(t, &q, &m);
	/* the question cut short */
	start_reply(&m, &q, 0x8180, 0);
	m.len -= 3;
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 0);
	assert_int_equal(net_get_stats(t->n)->dns_bad, bad + 5);

	/* truncated (TC) with the A whole: taken, the rest ignored */
	start_reply(&m, &q, 0x8380, 0xffff);
	rr_a(&m, to_q, 2, 60, ANSWER);
	put(&m, "\xc0\x0c\x00", 3);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.ip, ANSWER);

	/* truncated without one: B_EIO */
	query(t, "www2.example.com", &r, &q);
	start_reply(&m, &q, 0x8380, 3);
	rr(&m, to_q, 2, DNS_TYPE_CNAME, 60, "\1x\0", 3);
	put(&m, "\xc0\x0c\x00\x01", 4);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, B_EIO);

	/* 40 junk records before the A: only 32 are read */
	query(t, "www3.example.com", &r, &q);
	start_reply(&m, &q, 0x8180, 41);
	for (int i = 0; i < 40; i++)
		rr(&m, "\0", 1, 16, 60, "", 0);
	rr_a(&m, to_q, 2, 60, ANSWER);
	send_reply(t, &q, &m);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.err, B_ENOENT);
	dhcpt_free(t);
}

static void test_limits(void **state)
{
	struct net_config cfg = { .ip = OUR_IP, .netmask = NET_IP4(255, 255, 255, 0) };
	struct dhcpt *t = dhcpt_new(&cfg);
	struct result r[9];
	struct dhcpt_udp q;

	(void)state;
	memset(r, 0, sizeof r);
	assert_int_equal(dns_resolve(t->n, "a.example", on_done, &r[0]), B_EHOSTUNREACH);
	dhcpt_free(t);

	t = start();
	dhcpt_learn(t, SERVER);		/* else ARP holds back all but a few */
	for (int i = 0; i < 8; i++)
		assert_int_equal(dns_resolve(t->n, "a.example", on_done, &r[i]), 0);
	assert_int_equal(dns_resolve(t->n, "a.example", on_done, &r[8]), B_EAGAIN);
	/* every query has its own port and id */
	uint16_t ports[8], ids[8];
	for (int i = 0; i < 8; i++) {
		assert_true(dhcpt_pop_udp(t, &q));
		ports[i] = q.sport;
		ids[i] = get16(q.data);
		for (int j = 0; j < i; j++) {
			assert_int_not_equal(ports[i], ports[j]);
			assert_int_not_equal(ids[i], ids[j]);
		}
	}
	/* cancelled: never called, slot free again */
	dns_cancel(t->n, on_done, &r[3]);
	assert_int_equal(dns_resolve(t->n, "a.example", on_done, &r[8]), 0);
	for (int i = 0; i < 10; i++)
		dhcpt_advance(t, 1000);
	for (int i = 0; i < 9; i++)
		assert_int_equal(r[i].calls, i == 3 ? 0 : 1);
	dhcpt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_no_query_needed),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_nxdomain_and_errors),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hostile_replies),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
