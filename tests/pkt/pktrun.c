/*
 * pktrun: runs one packet script against lib/net (README.md).
 *
 *     build/pktrun [-v] script.pkt
 *
 * The runner is the stack's whole world: its port (tx captures frames,
 * random is a seeded xorshift, the clock is virtual), the peer host that
 * injects frames and answers ARP, and the program that calls the API.
 * Time only moves when a line says so, one net_poll per millisecond, so a
 * timer fires at the millisecond it is due and a run is reproducible.
 *
 * Exit status 0 when every line held, 1 at the first that did not (its
 * file:line, why, and the last frames and calls), 2 for usage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

#define TRACE_LINES	40
#define TRACE_LEN	200
#define DEFAULT_ISN	1000000000u

static struct pkt_run run;	/* global: its memory stays reachable for LSan */
static char trace_buf[TRACE_LINES][TRACE_LEN];
static unsigned trace_n;

static void dump_trace(void)
{
	unsigned first = trace_n > TRACE_LINES ? trace_n - TRACE_LINES : 0;

	fprintf(stderr, "last events (time in s, < injected, > sent):\n");
	for (unsigned i = first; i < trace_n; i++)
		fprintf(stderr, "    %s\n", trace_buf[i % TRACE_LINES]);
}

void pkt_fail(struct pkt_run *r, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: ", r->file, r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (clock %llu.%03llu)\n", (unsigned long long)(r->now / 1000),
		(unsigned long long)(r->now % 1000));
	if (!r->verbose)
		dump_trace();
	exit(1);
}

void pkt_trace(struct pkt_run *r, const char *fmt, ...)
{
	char *b = trace_buf[trace_n++ % TRACE_LINES];
	int k = snprintf(b, TRACE_LEN, "%llu.%03llu ", (unsigned long long)(r->now / 1000),
			 (unsigned long long)(r->now % 1000));
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b + k, TRACE_LEN - (size_t)k, fmt, ap);
	va_end(ap);
	if (r->verbose)
		printf("%s\n", b);
}

static void trace_frame(struct pkt_run *r, const uint8_t *f, size_t len, bool out)
{
	char buf[160];

	format_frame(r, f, len, out, buf, sizeof(buf));
	pkt_trace(r, "%c %s", out ? '>' : '<', buf);
}

/* ---- the fake port ---- */

static unsigned port_tx(void *ctx, const void *const *frames, const uint16_t *lens, unsigned n)
{
	struct pkt_run *r = ctx;

	for (unsigned i = 0; i < n; i++) {
		if (lens[i] > NET_FRAME_BUF)
			pkt_fail(r, "the stack sent a frame of %u bytes", lens[i]);
		trace_frame(r, frames[i], lens[i], true);
		if (wire_is_arp(frames[i], lens[i])) {
			wire_arp_seen(r, frames[i], lens[i]);
			continue;
		}
		if (r->nq == PKT_MAX_FRAMES)
			pkt_fail(r, "more than %d frames sent and not matched", PKT_MAX_FRAMES);
		r->q[r->nq].t = r->now;
		r->q[r->nq].len = lens[i];
		memcpy(r->q[r->nq].b, frames[i], lens[i]);
		r->nq++;
	}
	return n;
}

/* xorshift64*: deterministic, so ISNs and ports repeat run to run. */
static uint64_t port_random(void *ctx)
{
	struct pkt_run *r = ctx;

	r->seed ^= r->seed >> 12;
	r->seed ^= r->seed << 25;
	r->seed ^= r->seed >> 27;
	return r->seed * 0x2545f4914f6cdd1dull;
}

static uint64_t port_now(void *ctx)
{
	return ((struct pkt_run *)ctx)->now;
}

/* Sends what the stack queued, then lets the peer answer its ARP
 * requests (each answer may release parked frames). */
void pkt_settle(struct pkt_run *r)
{
	net_flush(r->n);
	for (int rounds = 0; r->narp && rounds < 16; rounds++) {
		uint8_t f[64];
		uint16_t len = r->arp_pending_len[0];

		memcpy(f, r->arp_pending[0], len);
		r->narp--;
		memmove(r->arp_pending[0], r->arp_pending[1], sizeof(r->arp_pending[0]) * r->narp);
		memmove(r->arp_pending_len, r->arp_pending_len + 1, sizeof(uint16_t) * r->narp);
		pkt_inject(r, f, len);
	}
}

void pkt_inject(struct pkt_run *r, const uint8_t *frame, size_t len)
{
	trace_frame(r, frame, len, false);
	net_input(r->n, frame, len);
	pkt_settle(r);
}

/* ---- connections ---- */

struct pkt_conn *pkt_conn_find(struct pkt_run *r, uint16_t rport, bool create)
{
	struct pkt_conn *free_slot = NULL;

	for (int i = 0; i < PKT_MAX_CONNS; i++) {
		if (r->conn[i].used && r->conn[i].rport == rport)
			return &r->conn[i];
		if (!r->conn[i].used && !free_slot)
			free_slot = &r->conn[i];
	}
	if (!create)
		return NULL;
	if (!free_slot)
		pkt_fail(r, "too many connections");
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->rport = rport;
	free_slot->lport = r->default_lport;
	free_slot->peer_isn = DEFAULT_ISN;
	return free_slot;
}

/* ---- the clock ---- */

static void advance_to(struct pkt_run *r, uint64_t t)
{
	while (r->now < t) {
		r->now++;
		net_poll(r->n, r->now);
		pkt_settle(r);
	}
}

/* Every frame sent so far must have been matched by an expect line. */
static void check_quiet(struct pkt_run *r)
{
	char buf[160];

	if (r->nq == 0)
		return;
	format_frame(r, r->q[0].b, r->q[0].len, true, buf, sizeof(buf));
	pkt_fail(r, "unexpected frame sent at %llu.%03llu: %s",
		 (unsigned long long)(r->q[0].t / 1000), (unsigned long long)(r->q[0].t % 1000),
		 buf);
}

/* ---- the stack ---- */

static void start_stack(struct pkt_run *r)
{
	static const struct net_port port_ops = {
		.tx = port_tx, .random = port_random, .now_ms = port_now,
	};
	struct net_port port = port_ops;
	size_t len;

	if (r->n)
		return;
	port.ctx = r;
	len = (net_mem_size(&r->cfg) + 15) & ~(size_t)15;
	r->mem = aligned_alloc(16, len);
	r->q = calloc(PKT_MAX_FRAMES, sizeof(*r->q));
	if (!r->mem || !r->q)
		pkt_fail(r, "out of memory");
	r->n = net_create(&r->cfg, &port, r->mem, len, r->now);
	if (!r->n)
		pkt_fail(r, "net_create failed");
	pkt_settle(r);
}

/* The numeric config keys: a field of struct net_config and its size. */
static const struct {
	const char *key;
	size_t off, size;
} cfg_keys[] = {
#define K(key, field) { key, offsetof(struct net_config, field), \
			sizeof(((struct net_config *)0)->field) }
	K("mtu", mtu), K("rcvbuf", tcp_rcvbuf), K("sndbuf", tcp_sndbuf),
	K("conns", tcp_conns), K("backlog_max", tcp_backlog_max),
	K("tx_frames", tx_frames), K("udp_socks", udp_socks), K("udp_queue", udp_queue),
	K("arp_entries", arp_entries),
#undef K
};

/* One KEY=VALUE of a config line. */
static void config_key(struct pkt_run *r, const char *key, const char *v)
{
	struct net_config *c = &r->cfg;
	unsigned long x = strtoul(v, NULL, 0);
	uint16_t x16 = (uint16_t)x;
	uint32_t x32 = (uint32_t)x;

	if (!strcmp(key, "ip") && parse_ip4_mask(v, &c->ip, &c->netmask))
		return;
	if (!strcmp(key, "gw") && parse_ip4_mask(v, &c->gateway, NULL))
		return;
	if (!strcmp(key, "mac") && parse_mac(v, c->mac))
		return;
	if (!strcmp(key, "seed")) {
		r->seed = x ? x : 1;
		return;
	}
	if (!strcmp(key, "tolerance")) {
		r->tolerance = x32;
		return;
	}
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		if (strcmp(key, cfg_keys[i].key) == 0) {
			memcpy((uint8_t *)c + cfg_keys[i].off,
			       cfg_keys[i].size == 2 ? (void *)&x16 : (void *)&x32, cfg_keys[i].size);
			return;
		}
	}
	pkt_fail(r, "bad config %s=%s", key, v);
}

/* "config ip=10.0.2.15/24 gw=10.0.2.2 mtu=1500 ...", before anything runs. */
static void config_line(struct pkt_run *r, struct pkt_scan *s)
{
	char tok[64], *v;

	if (r->n)
		pkt_fail(r, "config after the stack started");
	while (scan_token(s, tok, sizeof(tok))) {
		if (!(v = strchr(tok, '=')))
			pkt_fail(r, "KEY=VALUE expected, got %s", tok);
		*v++ = '\0';
		config_key(r, tok, v);
	}
}

/* "peer ip=10.0.2.2 mac=52:55:0a:00:02:02": the host on the other end.
 * Unless "noarp", it asks for the stack's MAC, so the stack learns the
 * peer's (RFC 826) and the first segment goes out without an ARP wait. */
static void peer_line(struct pkt_run *r, struct pkt_scan *s)
{
	char tok[64];
	bool arp = true;
	uint8_t f[64];
	static const uint8_t zero[6];

	while (scan_token(s, tok, sizeof(tok))) {
		if (!strncmp(tok, "ip=", 3) && parse_ip4_mask(tok + 3, &r->peer_ip, NULL))
			continue;
		if (!strncmp(tok, "mac=", 4) && parse_mac(tok + 4, r->peer_mac))
			continue;
		if (!strcmp(tok, "noarp")) {
			arp = false;
			continue;
		}
		pkt_fail(r, "peer: ip=A mac=M noarp expected, got %s", tok);
	}
	start_stack(r);
	if (arp)
		pkt_inject(r, f, build_arp(r, 1, zero, r->cfg.ip, f));
}

/* A new connection on the same ports: what was learned of the old one
 * (the stack's ISN, stream offsets, callbacks) no longer holds. */
static void conn_forget(struct pkt_conn *pc)
{
	pc->isn_known = false;
	pc->c = NULL;
	pc->connected = pc->closed = false;
	pc->closed_err = 0;
	pc->readable_events = pc->writable_events = 0;
	pc->rd_off = pc->wr_off = 0;
}

/* "conn port=40001 lport=80 isn=5 new": picks (or makes) the connection
 * that the following lines are about, by the peer's port; "new" starts
 * it over. */
static void conn_line(struct pkt_run *r, struct pkt_scan *s)
{
	char tok[64];
	struct pkt_conn *pc = NULL;
	unsigned long x;

	while (scan_token(s, tok, sizeof(tok))) {
		char *v = strchr(tok, '=');

		if (pc && !strcmp(tok, "new")) {
			conn_forget(pc);
			continue;
		}
		if (!v)
			pkt_fail(r, "KEY=VALUE expected");
		*v++ = '\0';
		x = strtoul(v, NULL, 0);
		if (!strcmp(tok, "port") && x && x < 65536)
			pc = pkt_conn_find(r, (uint16_t)x, true);
		else if (pc && !strcmp(tok, "lport") && x < 65536)
			pc->lport = (uint16_t)x;
		else if (pc && !strcmp(tok, "isn"))
			pc->peer_isn = (uint32_t)x;
		else
			pkt_fail(r, "conn port=N [lport=N] [isn=N] [new] expected");
	}
	if (!pc)
		pkt_fail(r, "conn port=N expected");
	r->cur = pc;
}

/* ---- packet lines ---- */

static void inject_line(struct pkt_run *r, const struct pkt_line *l)
{
	static uint8_t f[PKT_RAW_MAX + 128];
	size_t len;

	switch (l->kind) {
	case PKT_TCP:
		len = build_tcp(r, r->cur, &l->tcp, f);
		break;
	case PKT_UDP:
		len = build_udp(r, &l->udp, f);
		break;
	case PKT_ICMP:
		len = build_icmp(r, &l->icmp, f);
		break;
	case PKT_RAW_IP:
		memcpy(f, r->cfg.mac, 6);
		memcpy(f + 6, r->peer_mac, 6);
		put16(f + 12, ETHERTYPE_IP4);
		memcpy(f + ETH_HDR, l->raw, l->rawlen);
		len = ETH_HDR + l->rawlen;
		break;
	case PKT_RAW_ETH:
		memcpy(f, l->raw, l->rawlen);
		len = l->rawlen;
		break;
	default:
		pkt_fail(r, "'< none' means nothing");
	}
	pkt_inject(r, f, len);
}

static void pop_frame(struct pkt_run *r)
{
	r->nq--;
	memmove(r->q, r->q + 1, sizeof(*r->q) * r->nq);
}

/* The frame must have been sent within [t - tolerance, t + tolerance]. */
static void expect_line(struct pkt_run *r, const struct pkt_line *l, uint64_t t)
{
	char buf[160];
	const char *err;
	uint64_t sent;

	advance_to(r, t);
	if (l->kind == PKT_NONE) {
		check_quiet(r);
		return;
	}
	while (r->nq == 0 && r->now < t + r->tolerance)
		advance_to(r, r->now + 1);
	if (r->nq == 0)
		pkt_fail(r, "expected frame not sent by %llu.%03llu",
			 (unsigned long long)((t + r->tolerance) / 1000),
			 (unsigned long long)((t + r->tolerance) % 1000));
	sent = r->q[0].t;
	format_frame(r, r->q[0].b, r->q[0].len, true, buf, sizeof(buf));
	if (sent + r->tolerance < t)
		pkt_fail(r, "frame sent too early, at %llu.%03llu: %s",
			 (unsigned long long)(sent / 1000), (unsigned long long)(sent % 1000), buf);
	err = match_frame(r, l, &r->q[0]);
	if (err)
		pkt_fail(r, "%s; sent at %llu.%03llu: %s", err, (unsigned long long)(sent / 1000),
			 (unsigned long long)(sent % 1000), buf);
	pop_frame(r);
}

static void timed_line(struct pkt_run *r, struct pkt_scan *s)
{
	static struct pkt_line line;	/* static: pkt_fail may exit at any point */
	struct pkt_line *l = &line;
	uint64_t t = r->line_t;
	const char *err;
	bool out, optional;

	if (!scan_end(s) && (*s->p == '+' || (*s->p >= '0' && *s->p <= '9')) &&
	    !scan_time(s, r->line_t, &t))
		pkt_fail(r, "bad time");
	if (t < r->line_t)
		pkt_fail(r, "time goes backwards");
	r->line_t = t;
	start_stack(r);
	if (scan_word(s, "app")) {
		advance_to(r, t);
		check_quiet(r);
		pkt_trace(r, "app%s", s->p);
		app_line(r, s);
		pkt_settle(r);	/* the program's loop flushes after its calls */
		return;
	}
	if (scan_word(s, "expect") && scan_word(s, "none")) {
		if (!scan_end(s))
			pkt_fail(r, "unexpected text after expect none");
		advance_to(r, t);
		check_quiet(r);
		return;
	}
	if (!(out = scan_char(s, '>')) && !scan_char(s, '<'))
		pkt_fail(r, "'<', '>', '>?', 'app' or 'expect none' expected");
	optional = out && scan_char(s, '?');
	memset(l, 0, sizeof(*l));
	err = parse_packet(s, l);
	if (err)
		pkt_fail(r, "%s", err);
	if (out && optional) {
		advance_to(r, t);
		if (r->nq && !match_frame(r, l, &r->q[0]))
			pop_frame(r);
	} else if (out) {
		expect_line(r, l, t);
	} else {
		advance_to(r, t);
		check_quiet(r);
		inject_line(r, l);
	}
}

static void run_line(struct pkt_run *r, const char *text)
{
	struct pkt_scan s = { text };

	if (scan_end(&s))
		return;
	if (scan_word(&s, "config"))
		config_line(r, &s);
	else if (scan_word(&s, "peer"))
		peer_line(r, &s);
	else if (scan_word(&s, "conn"))
		conn_line(r, &s);
	else
		timed_line(r, &s);
}

static void defaults(struct pkt_run *r)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

	memcpy(r->cfg.mac, mac, 6);
	r->cfg.ip = NET_IP4(10, 0, 2, 15);
	r->cfg.netmask = NET_IP4(255, 255, 255, 0);
	r->cfg.gateway = NET_IP4(10, 0, 2, 2);
	r->cfg.dns = NET_IP4(10, 0, 2, 3);
	r->peer_ip = NET_IP4(10, 0, 2, 2);
	memcpy(r->peer_mac, peer_mac, 6);
	r->seed = 1;
	r->tolerance = 4;
	r->ip_id = 1;
	r->cur = pkt_conn_find(r, 40000, true);
}

int main(int argc, char **argv)
{
	struct pkt_run *r = &run;
	char line[1024];
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		r->verbose = true;
		argv++;
	} else if (argc != 2) {
		fprintf(stderr, "usage: %s [-v] script.pkt\n", argv[0]);
		return 2;
	}
	r->file = argv[1];
	f = fopen(r->file, "r");
	if (!f) {
		perror(r->file);
		return 2;
	}
	defaults(r);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* LSan's exit skips stdio's flush */
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');

		r->lineno++;
		if (!nl && !feof(f))
			pkt_fail(r, "line too long");
		if (nl)
			*nl = '\0';
		run_line(r, line);
	}
	fclose(f);
	start_stack(r);
	check_quiet(r);
	printf("%s: ok (%llu.%03llu s of virtual time)\n", r->file,
	       (unsigned long long)(r->now / 1000), (unsigned long long)(r->now % 1000));
	free(r->mem);
	free(r->q);
	return 0;
}
