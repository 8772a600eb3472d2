/*
 * The script scanner: a cursor over one line, and the grammar of the
 * packet lines ("<" inject, ">" expect). Every scan_* call skips leading
 * blanks, consumes what it matched and leaves the cursor alone otherwise,
 * so a caller can try alternatives in turn.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

void scan_ws(struct pkt_scan *s)
{
	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
}

/* True at the end of the line or at a trailing comment. */
bool scan_end(struct pkt_scan *s)
{
	scan_ws(s);
	return *s->p == '\0' || *s->p == '\n' || *s->p == '#';
}

bool scan_char(struct pkt_scan *s, char c)
{
	scan_ws(s);
	if (*s->p != c)
		return false;
	s->p++;
	return true;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Matches the keyword w as a whole word. */
bool scan_word(struct pkt_scan *s, const char *w)
{
	size_t n = strlen(w);

	scan_ws(s);
	if (strncmp(s->p, w, n) != 0 || word_char(s->p[n]))
		return false;
	s->p += n;
	return true;
}

/* A decimal or 0x-hexadecimal number that fits 32 bits. */
bool scan_u32(struct pkt_scan *s, uint32_t *v)
{
	const char *p;
	char *end;
	unsigned long long x;

	scan_ws(s);
	p = s->p;
	if (!isdigit((unsigned char)*p))
		return false;
	x = strtoull(p, &end, 0);
	if (end == p || x > 0xffffffffull || word_char(*end))
		return false;
	*v = (uint32_t)x;
	s->p = end;
	return true;
}

/* A run of non-blank characters (at most cap-1 of them). */
bool scan_token(struct pkt_scan *s, char *buf, size_t cap)
{
	size_t n = 0;

	scan_ws(s);
	while (s->p[n] && !isspace((unsigned char)s->p[n]) && s->p[n] != '#')
		n++;
	if (n == 0 || n >= cap)
		return false;
	memcpy(buf, s->p, n);
	buf[n] = '\0';
	s->p += n;
	return true;
}

/* "+1.25" (after base) or "1.25" (since the start): milliseconds. */
bool scan_time(struct pkt_scan *s, uint64_t base, uint64_t *t)
{
	bool rel;
	uint64_t ms = 0;
	unsigned frac = 0;

	scan_ws(s);
	rel = *s->p == '+';
	if (rel)
		s->p++;
	if (!isdigit((unsigned char)*s->p))
		return false;
	for (; isdigit((unsigned char)*s->p); s->p++) {
		ms = ms * 10 + (uint64_t)(*s->p - '0');
		if (ms > 100000000)
			return false;
	}
	ms *= 1000;
	if (*s->p == '.') {
		s->p++;
		for (unsigned scale = 100; isdigit((unsigned char)*s->p); s->p++) {
			if (scale == 0)
				return false;	/* finer than a millisecond */
			frac += (unsigned)(*s->p - '0') * scale;
			scale /= 10;
		}
	}
	*t = (rel ? base : 0) + ms + frac;
	return true;
}

/* "10.0.2.15/24" (the mask is optional). */
bool parse_ip4_mask(const char *s, net_ip4 *ip, net_ip4 *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long bits;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (net_parse_ip4(buf, ip) != 0)
		return false;
	if (!slash || !mask)
		return !slash;
	bits = strtol(slash + 1, NULL, 10);
	if (bits < 1 || bits > 32)
		return false;
	*mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	return true;
}

bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return false;
		mac[i] = (uint8_t)v[i];
	}
	return true;
}

static const struct {
	const char *name;
	long v;
} errs[] = {
	{ "EAGAIN", B_EAGAIN }, { "ECONNRESET", B_ECONNRESET },
	{ "ENOTCONN", B_ENOTCONN }, { "EPIPE", B_EPIPE },
	{ "ETIMEDOUT", B_ETIMEDOUT }, { "ECONNREFUSED", B_ECONNREFUSED },
	{ "EINVAL", B_EINVAL }, { "EHOSTUNREACH", B_EHOSTUNREACH },
	{ "EADDRINUSE", B_EADDRINUSE }, { "EMSGSIZE", B_EMSGSIZE },
};

/* An error name or a number; 0 when known. */
int parse_err_name(const char *s, long *v)
{
	char *end;

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		if (strcmp(s, errs[i].name) == 0) {
			*v = errs[i].v;
			return 0;
		}
	}
	*v = strtol(s, &end, 0);
	return end != s && *end == '\0' ? 0 : -1;
}

const char *err_name(long v)
{
	static char buf[24];

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].v == v)
			return errs[i].name;
	snprintf(buf, sizeof(buf), "%ld", v);
	return buf;
}

/* A number or "*". */
static bool scan_val(struct pkt_scan *s, struct pkt_val *v)
{
	v->set = true;
	v->any = scan_char(s, '*');
	return v->any || scan_u32(s, &v->v);
}

static bool scan_hex_byte(struct pkt_scan *s, uint8_t *b)
{
	unsigned v = 0, n = 0;

	scan_ws(s);
	if (s->p[0] == '0' && (s->p[1] == 'x' || s->p[1] == 'X'))
		s->p += 2;
	for (; n < 2 && isxdigit((unsigned char)*s->p); n++, s->p++)
		v = v * 16 + (unsigned)(isdigit((unsigned char)*s->p) ? *s->p - '0' :
					tolower((unsigned char)*s->p) - 'a' + 10);
	*b = (uint8_t)v;
	return n > 0;
}

/* One option inside "<...>". */
static const char *parse_opt(struct pkt_scan *s, struct pkt_opt *o)
{
	struct pkt_val a, b;

	memset(o, 0, sizeof(*o));
	if (scan_word(s, "nop") || scan_word(s, "eol")) {
		o->kind = s->p[-1] == 'p' ? TCPOPT_NOP : TCPOPT_EOL;
		return NULL;
	}
	if (scan_word(s, "sackOK")) {
		o->kind = TCPOPT_SACKOK;
		return NULL;
	}
	if (scan_word(s, "mss") || scan_word(s, "wscale")) {
		o->kind = s->p[-1] == 's' ? TCPOPT_MSS : TCPOPT_WSCALE;
		if (!scan_val(s, &a))
			return "option value expected";
		o->any = a.any;
		o->a = a.v;
		return NULL;
	}
	if (scan_word(s, "ts") || scan_word(s, "TS")) {
		o->kind = TCPOPT_TS;
		scan_word(s, "val");
		if (!scan_val(s, &a))
			return "ts value expected";
		scan_word(s, "ecr");
		if (!scan_val(s, &b))
			return "ts echo reply expected";
		o->any = a.any || b.any;
		o->a = a.v;
		o->b = b.v;
		return NULL;
	}
	if (scan_word(s, "raw")) {
		o->kind = PKT_OPT_RAW;
		while (o->rawlen < sizeof(o->raw) && scan_hex_byte(s, &o->raw[o->rawlen]))
			o->rawlen++;
		return o->rawlen ? NULL : "raw option bytes expected";
	}
	return "unknown option";
}

static const char *parse_opts(struct pkt_scan *s, struct pkt_tcp *t)
{
	const char *err;

	t->has_opts = true;
	if (scan_char(s, '>'))
		return NULL;
	do {
		if (t->nopts == PKT_MAX_OPTS)
			return "too many options";
		err = parse_opt(s, &t->opt[t->nopts++]);
		if (err)
			return err;
	} while (scan_char(s, ','));
	return scan_char(s, '>') ? NULL : "',' or '>' expected in options";
}

static const char *parse_flags(struct pkt_scan *s, uint8_t *flags)
{
	static const char names[] = "FSRP.UEW";	/* bit order of TH_* */
	const char *c;

	scan_ws(s);
	*flags = 0;
	for (; *s->p && !isspace((unsigned char)*s->p); s->p++) {
		c = strchr(names, *s->p);
		if (!c)
			return "bad TCP flag (use S F R P . U E W)";
		*flags |= (uint8_t)(1u << (c - names));
	}
	return *flags ? NULL : "TCP flags expected";
}

/* A number up to max for one of the lying fields. */
static const char *scan_lie(struct pkt_scan *s, uint32_t max, long *v, const char *err)
{
	uint32_t x;

	if (!scan_u32(s, &x) || x > max)
		return err;
	*v = x;
	return NULL;
}

/* "ack 5", "win *", "doff 4", ... after the sequence numbers. */
static const char *parse_tcp_field(struct pkt_scan *s, struct pkt_tcp *t)
{
	if (scan_word(s, "ack"))
		return scan_val(s, &t->ack) ? NULL : "ack value expected";
	if (scan_word(s, "win"))
		return scan_val(s, &t->win) ? NULL : "win value expected";
	if (scan_word(s, "urg"))
		return scan_val(s, &t->urg) ? NULL : "urg value expected";
	if (scan_char(s, '<'))
		return parse_opts(s, t);
	if (scan_word(s, "badsum")) {
		t->badsum = true;
		return NULL;
	}
	if (scan_word(s, "doff"))
		return scan_lie(s, 15, &t->doff, "doff 0..15");
	if (scan_word(s, "iplen"))
		return scan_lie(s, 65535, &t->iplen, "iplen 0..65535");
	if (scan_word(s, "pad"))
		return scan_lie(s, 63, &t->pad, "pad 0..63");
	if (scan_word(s, "ttl"))
		return scan_lie(s, 255, &t->ttl, "ttl 0..255");
	return "unknown TCP field";
}

/* "S. 0:0(0) ack 1 win 65535 <mss 1460>" */
static const char *parse_tcp(struct pkt_scan *s, struct pkt_tcp *t)
{
	uint32_t end;
	const char *err;

	memset(t, 0, sizeof(*t));
	t->doff = -1;
	t->iplen = -1;
	t->pad = -1;
	t->ttl = 64;
	err = parse_flags(s, &t->flags);
	if (err)
		return err;
	if (!scan_u32(s, &t->seq) || !scan_char(s, ':') || !scan_u32(s, &end) ||
	    !scan_char(s, '(') || !scan_u32(s, &t->len) || !scan_char(s, ')'))
		return "sequence numbers expected: START:END(LEN)";
	if (end - t->seq != t->len)
		return "START:END(LEN) disagree";
	while (!scan_end(s)) {
		err = parse_tcp_field(s, t);
		if (err)
			return err;
	}
	if (t->len > 1460 * 44)
		return "segment too long";
	return NULL;
}

/* "udp SPORT DPORT LEN [pad N]" */
static const char *parse_udp(struct pkt_scan *s, struct pkt_udp *u)
{
	uint32_t sp, dp;

	if (!scan_u32(s, &sp) || !scan_u32(s, &dp) || !scan_u32(s, &u->len) ||
	    sp > 65535 || dp > 65535 || u->len > 1472)
		return "udp SPORT DPORT LEN expected";
	u->sport = (uint16_t)sp;
	u->dport = (uint16_t)dp;
	u->pad = -1;
	if (scan_word(s, "pad"))
		return scan_lie(s, 63, &u->pad, "pad 0..63");
	return NULL;
}

/* "icmp echo ID SEQ LEN", "icmp echo-reply ID SEQ LEN", "icmp unreach port" */
static const char *parse_icmp(struct pkt_scan *s, struct pkt_icmp *ic)
{
	uint32_t id, seq, code;

	memset(ic, 0, sizeof(*ic));
	if (scan_word(s, "unreach")) {
		ic->type = PKT_ICMP_UNREACH;
		if (scan_word(s, "port"))
			code = ICMP_UNREACH_PORT;
		else if (scan_word(s, "proto"))
			code = ICMP_UNREACH_PROTO;
		else if (!scan_u32(s, &code) || code > 255)
			return "unreach port|proto|CODE expected";
		ic->code = (uint8_t)code;
		return NULL;
	}
	if (scan_word(s, "echo-reply"))
		ic->type = PKT_ICMP_ECHO_REPLY;
	else if (scan_word(s, "echo"))
		ic->type = PKT_ICMP_ECHO;
	else
		return "icmp echo|echo-reply|unreach expected";
	if (!scan_u32(s, &id) || !scan_u32(s, &seq) || !scan_u32(s, &ic->len) ||
	    id > 65535 || seq > 65535 || ic->len > 1472)
		return "icmp echo ID SEQ LEN expected";
	ic->id = (uint16_t)id;
	ic->seq = (uint16_t)seq;
	return NULL;
}

static const char *parse_hex(struct pkt_scan *s, struct pkt_line *l)
{
	l->rawlen = 0;
	while (!scan_end(s)) {
		if (l->rawlen == PKT_RAW_MAX || !scan_hex_byte(s, &l->raw[l->rawlen]))
			return "hex bytes expected";
		l->rawlen++;
	}
	return l->rawlen ? NULL : "hex bytes expected";
}

/* What follows "<" or ">". NULL on success, else what is wrong. */
const char *parse_packet(struct pkt_scan *s, struct pkt_line *l)
{
	const char *err = NULL;

	if (scan_word(s, "none")) {
		l->kind = PKT_NONE;
	} else if (scan_word(s, "udp")) {
		l->kind = PKT_UDP;
		err = parse_udp(s, &l->udp);
	} else if (scan_word(s, "icmp")) {
		l->kind = PKT_ICMP;
		err = parse_icmp(s, &l->icmp);
	} else if (scan_word(s, "ip")) {
		l->kind = PKT_RAW_IP;
		err = parse_hex(s, l);
	} else if (scan_word(s, "eth")) {
		l->kind = PKT_RAW_ETH;
		err = parse_hex(s, l);
	} else {
		l->kind = PKT_TCP;
		err = parse_tcp(s, &l->tcp);
	}
	if (!err && !scan_end(s))
		err = "unexpected text at the end of the line";
	return err;
}
