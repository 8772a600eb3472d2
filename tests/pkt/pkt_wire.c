/*
 * Frames on the wire: building what a script injects (the peer's frames)
 * and checking what the stack sent against an expect line. The checksum
 * here is the runner's own (RFC 1071), not lib/net's, so a wrong checksum
 * in the stack cannot hide behind the same mistake in the test.
 *
 * Sequence numbers in scripts are relative (packetdrill's convention): the
 * peer's to the connection's peer_isn, the stack's to the ISN learned from
 * its first SYN. Before that ISN is known, the stack's numbers are
 * absolute (a RST to a closed port carries seq 0 or the segment's ACK).
 */
#include <stdio.h>
#include <string.h>
#include "pkt.h"

#define ETH_MIN_FRAME	60	/* IEEE 802.3 minimum, without the FCS */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The bytes of both streams: a function of the stream offset, so a
 * retransmission is checked byte for byte against the original. */
uint8_t pkt_pattern(bool from_stack, uint64_t off)
{
	return (uint8_t)((off % 251) ^ (from_stack ? 0x5a : 0xa5));
}

/* RFC 1071: the one's complement sum of 16-bit words. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The TCP/UDP checksum over the pseudo-header (RFC 9293 §3.1, RFC 768). */
static uint16_t l4_sum(net_ip4 src, net_ip4 dst, uint8_t proto, const uint8_t *p,
		       size_t len)
{
	uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		       proto + (uint32_t)len;

	return fold(sum16(sum, p, len));
}

static size_t seg_data_off(uint8_t flags, uint32_t rel_seq)
{
	/* The SYN takes relative sequence number 0; data starts at 1. */
	return (uint32_t)(rel_seq - 1 + ((flags & TH_SYN) ? 1 : 0));
}

/* Ethernet and IPv4 headers from the peer to the stack around l4len
 * bytes already at f + NET_L4_OFF; the frame's length. */
static size_t wrap_ip(struct pkt_run *r, uint8_t *f, uint8_t proto, size_t l4len,
		      long iplen, long ttl, long pad)
{
	uint8_t *ip = f + NET_IP_OFF;
	size_t len = NET_L4_OFF + l4len;

	memcpy(f, r->cfg.mac, 6);
	memcpy(f + 6, r->peer_mac, 6);
	put16(f + 12, ETHERTYPE_IP4);
	memset(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(iplen >= 0 ? (size_t)iplen : IP4_HDR + l4len));
	put16(ip + 4, r->ip_id++);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = (uint8_t)ttl;
	ip[9] = proto;
	put32(ip + 12, r->peer_ip);
	put32(ip + 16, r->cfg.ip);
	put16(ip + 10, fold(sum16(0, ip, IP4_HDR)));
	if (pad < 0)
		pad = len < ETH_MIN_FRAME ? (long)(ETH_MIN_FRAME - len) : 0;
	memset(f + len, 0, (size_t)pad);
	return len + (size_t)pad;
}

static size_t encode_opt(const struct pkt_opt *o, uint8_t *p)
{
	switch (o->kind) {
	case TCPOPT_EOL:
	case TCPOPT_NOP:
		p[0] = (uint8_t)o->kind;
		return 1;
	case TCPOPT_MSS:
		p[0] = TCPOPT_MSS, p[1] = 4;
		put16(p + 2, (uint16_t)o->a);
		return 4;
	case TCPOPT_WSCALE:
		p[0] = TCPOPT_WSCALE, p[1] = 3, p[2] = (uint8_t)o->a;
		return 3;
	case TCPOPT_SACKOK:
		p[0] = TCPOPT_SACKOK, p[1] = 2;
		return 2;
	case TCPOPT_TS:
		p[0] = TCPOPT_TS, p[1] = 10;
		put32(p + 2, o->a);
		put32(p + 6, o->b);
		return 10;
	default:
		memcpy(p, o->raw, o->rawlen);
		return o->rawlen;
	}
}

/* Options as written, then zeros (EOL) up to a multiple of 4 bytes. */
static size_t encode_opts(const struct pkt_tcp *t, uint8_t *p, size_t cap)
{
	uint8_t buf[PKT_MAX_OPTS * 40];
	size_t len = 0;

	for (unsigned i = 0; i < t->nopts; i++)
		len += encode_opt(&t->opt[i], buf + len);
	while (len % 4)
		buf[len++] = TCPOPT_EOL;
	if (len > cap)
		len = cap;
	memcpy(p, buf, len);
	return len;
}

/* A TCP segment from the peer on connection pc; the frame's length. */
size_t build_tcp(struct pkt_run *r, const struct pkt_conn *pc, const struct pkt_tcp *t,
		 uint8_t *f)
{
	uint8_t *th = f + NET_L4_OFF;
	size_t hlen = 20 + encode_opts(t, th + 20, 40);
	size_t off = seg_data_off(t->flags, t->seq);
	uint32_t ack = t->ack.set ? t->ack.v : 0;
	uint16_t sum;

	if (t->ack.set && pc->isn_known)
		ack += pc->stack_isn;
	put16(th, pc->rport);
	put16(th + 2, pc->lport);
	put32(th + 4, pc->peer_isn + t->seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)((t->doff >= 0 ? (unsigned)t->doff : hlen / 4) << 4);
	th[13] = t->flags;
	put16(th + 14, (uint16_t)(t->win.set ? t->win.v : 65535));
	put16(th + 16, 0);
	put16(th + 18, (uint16_t)(t->urg.set ? t->urg.v : 0));
	for (uint32_t i = 0; i < t->len; i++)
		th[hlen + i] = pkt_pattern(false, off + i);
	sum = l4_sum(r->peer_ip, r->cfg.ip, IP_PROTO_TCP, th, hlen + t->len);
	put16(th + 16, (uint16_t)(t->badsum ? sum ^ 0x5555 : sum));
	return wrap_ip(r, f, IP_PROTO_TCP, hlen + t->len, t->iplen, t->ttl, t->pad);
}

size_t build_udp(struct pkt_run *r, const struct pkt_udp *u, uint8_t *f)
{
	uint8_t *uh = f + NET_L4_OFF;
	uint16_t sum;

	put16(uh, u->sport);
	put16(uh + 2, u->dport);
	put16(uh + 4, (uint16_t)(8 + u->len));
	put16(uh + 6, 0);
	for (uint32_t i = 0; i < u->len; i++)
		uh[8 + i] = pkt_pattern(false, i);
	sum = l4_sum(r->peer_ip, r->cfg.ip, IP_PROTO_UDP, uh, 8 + u->len);
	put16(uh + 6, sum ? sum : 0xffff);	/* RFC 768: 0 means none */
	return wrap_ip(r, f, IP_PROTO_UDP, 8 + u->len, -1, 64, u->pad);
}

size_t build_icmp(struct pkt_run *r, const struct pkt_icmp *ic, uint8_t *f)
{
	uint8_t *h = f + NET_L4_OFF;

	h[0] = ic->type;
	h[1] = ic->code;
	put16(h + 2, 0);
	put16(h + 4, ic->id);
	put16(h + 6, ic->seq);
	for (uint32_t i = 0; i < ic->len; i++)
		h[8 + i] = pkt_pattern(false, i);
	put16(h + 2, fold(sum16(0, h, 8 + ic->len)));
	return wrap_ip(r, f, IP_PROTO_ICMP, 8 + ic->len, -1, 64, -1);
}

/* RFC 826: a request (op 1, broadcast) or reply (op 2) from the peer. */
size_t build_arp(struct pkt_run *r, uint16_t op, const uint8_t *tha, net_ip4 tpa, uint8_t *f)
{
	uint8_t *a = f + ETH_HDR;

	memcpy(f, op == 1 ? bcast : tha, 6);
	memcpy(f + 6, r->peer_mac, 6);
	put16(f + 12, ETHERTYPE_ARP);
	put16(a, 1);
	put16(a + 2, ETHERTYPE_IP4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, r->peer_mac, 6);
	put32(a + 14, r->peer_ip);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	memset(f + 42, 0, ETH_MIN_FRAME - 42);
	return ETH_MIN_FRAME;
}

bool wire_is_arp(const uint8_t *f, size_t len)
{
	return len >= ETH_HDR && get16(f + 12) == ETHERTYPE_ARP;
}

/* The stack asked who has an address: the peer answers for every address
 * but the stack's own (it is the whole network, gateway included). */
void wire_arp_seen(struct pkt_run *r, const uint8_t *f, size_t len)
{
	const uint8_t *a = f + ETH_HDR;
	net_ip4 tpa;

	if (len < ETH_HDR + 28 || get16(a + 6) != 1 || r->narp == 4)
		return;
	tpa = get32(a + 24);
	if (tpa == r->cfg.ip || tpa == get32(a + 14))
		return;		/* a probe or an announcement (RFC 5227) */
	r->arp_pending_len[r->narp] = (uint16_t)build_arp(r, 2, a + 8, get32(a + 14),
							  r->arp_pending[r->narp]);
	/* Answer as the address asked about (proxy ARP for the peer). */
	put32(r->arp_pending[r->narp] + ETH_HDR + 14, tpa);
	r->narp++;
}

/* ---- decoding what the stack sent ---- */

struct wire {
	const uint8_t *f, *ip, *l4;
	size_t len, l4len;
	uint8_t proto;
};

static char why[256];

static const char *decode_ip(struct pkt_run *r, const uint8_t *f, size_t len, struct wire *w)
{
	size_t tot;

	w->f = f;
	w->len = len;
	if (len < NET_L4_OFF || get16(f + 12) != ETHERTYPE_IP4)
		return "not an IPv4 frame";
	w->ip = f + NET_IP_OFF;
	tot = get16(w->ip + 2);
	if (w->ip[0] != 0x45)
		return "IP version/header length is not 4/20";
	if (tot < IP4_HDR || tot > len - ETH_HDR)
		return "IP total length disagrees with the frame";
	if (fold(sum16(0, w->ip, IP4_HDR)) != 0)
		return "bad IP header checksum";
	if (get16(w->ip + 6) & 0x3fff)
		return "a fragment";
	if (memcmp(f + 6, r->cfg.mac, 6) != 0 || get32(w->ip + 12) != r->cfg.ip)
		return "not from the stack's MAC and address";
	if (memcmp(f, r->peer_mac, 6) != 0 || get32(w->ip + 16) != r->peer_ip)
		return "not to the peer's MAC and address";
	w->proto = w->ip[9];
	w->l4 = w->ip + IP4_HDR;
	w->l4len = tot - IP4_HDR;
	return NULL;
}

/* The stack's options, NOP and EOL dropped; NULL or what is malformed. */
static const char *decode_opts(const uint8_t *p, size_t len, struct pkt_opt *o, unsigned *n)
{
	size_t i = 0, ol;

	*n = 0;
	while (i < len && p[i] != TCPOPT_EOL) {
		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return "malformed TCP options";
		ol = p[i + 1];
		if (*n == PKT_MAX_OPTS)
			return "too many TCP options";
		memset(&o[*n], 0, sizeof(o[0]));
		o[*n].kind = p[i];
		o[*n].rawlen = (uint8_t)ol;
		memcpy(o[*n].raw, p + i, ol);
		if (p[i] == TCPOPT_MSS && ol == 4)
			o[*n].a = get16(p + i + 2);
		else if (p[i] == TCPOPT_WSCALE && ol == 3)
			o[*n].a = p[i + 2];
		else if (p[i] == TCPOPT_TS && ol == 10)
			o[*n].a = get32(p + i + 2), o[*n].b = get32(p + i + 6);
		(*n)++;
		i += ol;
	}
	return NULL;
}

static bool opt_equal(const struct pkt_opt *want, const struct pkt_opt *got)
{
	if (want->kind == PKT_OPT_RAW)
		return want->rawlen == got->rawlen && memcmp(want->raw, got->raw, got->rawlen) == 0;
	if (want->kind != got->kind)
		return false;
	if (want->any || want->kind == TCPOPT_SACKOK)
		return true;
	return want->a == got->a && (want->kind != TCPOPT_TS || want->b == got->b);
}

/* Options compare as a set: each one written must be there, nothing else
 * (NOP and EOL padding is ignored on both sides). */
static const char *match_opts(const struct pkt_tcp *t, const struct pkt_opt *got, unsigned ngot)
{
	unsigned nwant = 0;
	bool used[PKT_MAX_OPTS] = { false };

	for (unsigned i = 0; i < t->nopts; i++) {
		const struct pkt_opt *w = &t->opt[i];
		unsigned j;

		if (w->kind == TCPOPT_NOP || w->kind == TCPOPT_EOL)
			continue;
		nwant++;
		for (j = 0; j < ngot; j++)
			if (!used[j] && opt_equal(w, &got[j]))
				break;
		if (j == ngot)
			return "TCP options differ";
		used[j] = true;
	}
	return nwant == ngot ? NULL : "TCP options differ (extra options sent)";
}

static const char *match_payload(const uint8_t *p, uint32_t len, size_t off)
{
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != pkt_pattern(true, off + i)) {
			snprintf(why, sizeof(why),
				 "payload byte %u (stream offset %zu) is 0x%02x, want 0x%02x", i,
				 off + i, p[i], pkt_pattern(true, off + i));
			return why;
		}
	}
	return NULL;
}

static const char *match_numbers(struct pkt_conn *pc, const struct pkt_tcp *t, const uint8_t *th)
{
	uint32_t seq = get32(th + 4), ack = get32(th + 8);

	if ((th[13] & TH_SYN) && !pc->isn_known) {
		pc->stack_isn = seq - t->seq;
		pc->isn_known = true;
	}
	if (seq - (pc->isn_known ? pc->stack_isn : 0) != t->seq)
		return "sequence number differs";
	if (t->ack.set && !t->ack.any && ack - pc->peer_isn != t->ack.v)
		return "acknowledgment number differs";
	if (t->ack.set && !(th[13] & TH_ACK))
		return "ack written but the ACK flag is off";
	if (t->win.set && !t->win.any && get16(th + 14) != t->win.v)
		return "window differs";
	if (t->urg.set && !t->urg.any && get16(th + 18) != t->urg.v)
		return "urgent pointer differs";
	return NULL;
}

static const char *match_tcp(struct pkt_run *r, const struct pkt_tcp *t, const struct wire *w)
{
	struct pkt_conn *pc = r->cur;
	const uint8_t *th = w->l4;
	struct pkt_opt got[PKT_MAX_OPTS];
	unsigned ngot;
	size_t hlen;
	const char *err;

	if (w->proto != IP_PROTO_TCP)
		return "not TCP";
	if (w->l4len < 20 || (hlen = (size_t)(th[12] >> 4) * 4) < 20 || hlen > w->l4len)
		return "bad TCP header length";
	if (l4_sum(r->cfg.ip, r->peer_ip, IP_PROTO_TCP, th, w->l4len) != 0)
		return "bad TCP checksum";
	if (get16(th + 2) != pc->rport || (pc->lport && get16(th) != pc->lport))
		return "ports differ (wrong connection?)";
	if (th[13] != t->flags)
		return "flags differ";
	if (w->l4len - hlen != t->len)
		return "payload length differs";
	err = match_numbers(pc, t, th);
	if (!err)
		err = decode_opts(th + 20, hlen - 20, got, &ngot);
	if (!err && t->has_opts)
		err = match_opts(t, got, ngot);
	if (!err)
		err = match_payload(th + hlen, t->len, seg_data_off(t->flags, t->seq));
	if (!err && !pc->lport)
		pc->lport = get16(th);
	return err;
}

static const char *match_udp(struct pkt_run *r, const struct pkt_udp *u, const struct wire *w)
{
	const uint8_t *uh = w->l4;

	if (w->proto != IP_PROTO_UDP)
		return "not UDP";
	if (w->l4len < 8 || get16(uh + 4) != w->l4len)
		return "UDP length disagrees with the IP length";
	if (get16(uh + 6) && l4_sum(r->cfg.ip, r->peer_ip, IP_PROTO_UDP, uh, w->l4len) != 0)
		return "bad UDP checksum";
	if (get16(uh) != u->sport || get16(uh + 2) != u->dport)
		return "UDP ports differ";
	if (w->l4len - 8 != u->len)
		return "UDP length differs";
	return match_payload(uh + 8, u->len, 0);
}

static const char *match_icmp(const struct pkt_icmp *ic, const struct wire *w)
{
	const uint8_t *h = w->l4;

	if (w->proto != IP_PROTO_ICMP)
		return "not ICMP";
	if (w->l4len < 8 || fold(sum16(0, h, w->l4len)) != 0)
		return "short ICMP message or bad checksum";
	if (h[0] != ic->type || h[1] != ic->code)
		return "ICMP type or code differs";
	if (ic->type == PKT_ICMP_UNREACH)
		return w->l4len >= 8 + IP4_HDR + 8 ? NULL : "ICMP error quotes too little";
	if (get16(h + 4) != ic->id || get16(h + 6) != ic->seq || w->l4len - 8 != ic->len)
		return "echo id, sequence or length differs";
	for (uint32_t i = 0; i < ic->len; i++)
		if (h[8 + i] != pkt_pattern(false, i))
			return "echo data differs";
	return NULL;
}

/* NULL when the frame fr is what line l expects. */
const char *match_frame(struct pkt_run *r, const struct pkt_line *l, const struct pkt_frame *fr)
{
	struct wire w;
	const char *err;

	if (l->kind == PKT_RAW_ETH)
		return fr->len == l->rawlen && memcmp(fr->b, l->raw, l->rawlen) == 0 ?
			NULL : "frame bytes differ";
	err = decode_ip(r, fr->b, fr->len, &w);
	if (err)
		return err;
	switch (l->kind) {
	case PKT_TCP:
		return match_tcp(r, &l->tcp, &w);
	case PKT_UDP:
		return match_udp(r, &l->udp, &w);
	case PKT_ICMP:
		return match_icmp(&l->icmp, &w);
	case PKT_RAW_IP:
		return w.l4len + IP4_HDR == l->rawlen && memcmp(w.ip, l->raw, l->rawlen) == 0 ?
			NULL : "datagram bytes differ";
	default:
		return "nothing may be sent";
	}
}

/* ---- formatting frames in script notation ---- */

static int format_opts(const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct pkt_opt o[PKT_MAX_OPTS];
	unsigned n;
	int k = 0;

	if (decode_opts(p, len, o, &n))
		return snprintf(buf, cap, " <malformed>");
	if (n == 0)
		return 0;
	k += snprintf(buf + k, cap - (size_t)k, " <");
	for (unsigned i = 0; i < n && (size_t)k < cap; i++) {
		const char *sep = i ? "," : "";

		if (o[i].kind == TCPOPT_MSS)
			k += snprintf(buf + k, cap - (size_t)k, "%smss %u", sep, o[i].a);
		else if (o[i].kind == TCPOPT_WSCALE)
			k += snprintf(buf + k, cap - (size_t)k, "%swscale %u", sep, o[i].a);
		else if (o[i].kind == TCPOPT_SACKOK)
			k += snprintf(buf + k, cap - (size_t)k, "%ssackOK", sep);
		else if (o[i].kind == TCPOPT_TS)
			k += snprintf(buf + k, cap - (size_t)k, "%sts %u %u", sep, o[i].a, o[i].b);
		else
			k += snprintf(buf + k, cap - (size_t)k, "%skind %u", sep, o[i].kind);
	}
	if ((size_t)k < cap)
		k += snprintf(buf + k, cap - (size_t)k, ">");
	return k;
}

static void format_tcp(struct pkt_run *r, const uint8_t *th, size_t len, bool out, char *buf,
		       size_t cap)
{
	static const char names[] = "FSRP.UEW";
	struct pkt_conn *pc = pkt_conn_find(r, get16(th + (out ? 2 : 0)), false);
	uint32_t sbase = 0, abase = 0, seq, dl;
	size_t hlen = (size_t)(th[12] >> 4) * 4;
	char fl[9];
	int k, nf = 0;

	if (len < 20 || hlen < 20 || hlen > len) {
		snprintf(buf, cap, "tcp (bad header length %zu of %zu)", hlen, len);
		return;
	}
	for (int i = 0; i < 8; i++)
		if (th[13] & (1 << i))
			fl[nf++] = names[i];
	fl[nf] = '\0';
	if (pc) {
		sbase = out ? (pc->isn_known ? pc->stack_isn : 0) : pc->peer_isn;
		abase = out ? pc->peer_isn : (pc->isn_known ? pc->stack_isn : 0);
		if (out && !pc->isn_known && (th[13] & TH_SYN))
			sbase = get32(th + 4);	/* the ISN the expect line will learn */
	}
	seq = get32(th + 4) - sbase;
	dl = (uint32_t)(len - hlen);
	k = snprintf(buf, cap, "%s %u:%u(%u)", nf ? fl : "-", seq, seq + dl, dl);
	if ((th[13] & TH_ACK) && (size_t)k < cap)
		k += snprintf(buf + k, cap - (size_t)k, " ack %u", get32(th + 8) - abase);
	if ((size_t)k < cap)
		k += snprintf(buf + k, cap - (size_t)k, " win %u", get16(th + 14));
	if (get16(th + 18) && (size_t)k < cap)
		k += snprintf(buf + k, cap - (size_t)k, " urg %u", get16(th + 18));
	if ((size_t)k < cap)
		k += format_opts(th + 20, hlen - 20, buf + k, cap - (size_t)k);
	if (!pc && (size_t)k < cap)
		snprintf(buf + k, cap - (size_t)k, "  (ports %u > %u, absolute)", get16(th),
			 get16(th + 2));
}

/* One line describing a frame as a script would write it. */
void format_frame(struct pkt_run *r, const uint8_t *f, size_t len, bool out, char *buf,
		  size_t cap)
{
	const uint8_t *ip = f + NET_IP_OFF, *l4;
	size_t tot, hl;

	if (wire_is_arp(f, len) && len >= ETH_HDR + 28) {
		char a[16], b[16];

		net_format_ip4(get32(f + 28), a);
		net_format_ip4(get32(f + 38), b);
		snprintf(buf, cap, "arp %s from %s about %s",
			 get16(f + 20) == 1 ? "request" : "reply", a, b);
		return;
	}
	if (len < NET_L4_OFF || get16(f + 12) != ETHERTYPE_IP4) {
		snprintf(buf, cap, "eth type 0x%04x len %zu", len >= 14 ? get16(f + 12) : 0, len);
		return;
	}
	hl = (size_t)(ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (hl < IP4_HDR || tot < hl || tot > len - ETH_HDR) {
		snprintf(buf, cap, "ip (bad lengths: header %zu total %zu frame %zu)", hl, tot, len);
		return;
	}
	l4 = ip + hl;
	if (ip[9] == IP_PROTO_TCP)
		format_tcp(r, l4, tot - hl, out, buf, cap);
	else if (ip[9] == IP_PROTO_UDP && tot - hl >= 8)
		snprintf(buf, cap, "udp %u %u %zu", get16(l4), get16(l4 + 2), tot - hl - 8);
	else if (ip[9] == IP_PROTO_ICMP && tot - hl >= 8)
		snprintf(buf, cap, "icmp type %u code %u id %u seq %u len %zu", l4[0], l4[1],
			 get16(l4 + 4), get16(l4 + 6), tot - hl - 8);
	else
		snprintf(buf, cap, "ip proto %u len %zu", ip[9], tot);
}
