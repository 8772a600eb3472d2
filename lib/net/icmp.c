/*
 * ICMP (RFC 792) as RFC 1122 §3.2.2 asks of a host: echo replies, and
 * destination unreachable for ports and protocols nobody serves.
 *
 * Echo: the reply carries the request's identifier, sequence and data
 * (as much as arrived: the IP layer already cut the datagram to its
 * Total Length), fragmented if a reassembled request was large. Requests
 * to a broadcast or multicast address are ignored (RFC 1122 §3.2.2.6
 * allows it; it stops smurf amplification).
 *
 * Errors are rate-limited by a token bucket (RFC 1812 §4.3.2.8,
 * RFC 1122 §3.2.2): ICMP_RATE per second, bursts of ICMP_BURST. None is
 * sent about a broadcast or multicast datagram, an ICMP error, a
 * non-first fragment or a source that is not one host (RFC 1122
 * §3.2.2). Errors received are counted and otherwise ignored (TCP does
 * not act on soft errors).
 */
#include "net_impl.h"

#define ICMP_HDR		8
#define ICMP_ECHO_REPLY		0
#define ICMP_UNREACH		3
#define ICMP_ECHO		8
#define ICMP_QUOTE		8	/* RFC 792: header + 64 bits of data */
#define ICMP_RATE		10	/* tokens per second */
#define ICMP_BURST		20
#define IP4_OFFMASK		0x1fff

void icmp_init(struct net *n)
{
	n->icmp_tokens = ICMP_BURST;
	n->icmp_refill = n->now;
}

static void icmp_echo_reply(struct net *n, const struct ip4_rx *ip, const uint8_t *p,
			    size_t len)
{
	uint8_t hdr[ICMP_HDR];
	uint32_t sum;

	copy_mem(hdr, p, ICMP_HDR);
	hdr[0] = ICMP_ECHO_REPLY;
	hdr[1] = 0;
	put16(hdr + 2, 0);
	sum = cksum_add(cksum_add(0, hdr, ICMP_HDR), p + ICMP_HDR, len - ICMP_HDR);
	put16(hdr + 2, cksum_fold(sum));
	if (ip4_output_frags(n, ip->src, IP_PROTO_ICMP, hdr, ICMP_HDR, p + ICMP_HDR,
			     len - ICMP_HDR) == 0)
		n->st.icmp_tx++;
}

/* One host's address: not 0, broadcast, multicast or class E. */
static bool icmp_unicast(const struct net *n, net_ip4 a)
{
	return a != 0 && a < 0xe0000000u && !net_is_local_bcast(n, a);
}

void icmp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len)
{
	n->st.icmp_rx++;
	if (len < ICMP_HDR || cksum_fold(cksum_add(0, p, len)) != 0) {
		n->st.icmp_bad++;
		return;
	}
	if (p[0] == ICMP_ECHO && !ip->to_broadcast && icmp_unicast(n, ip->src))
		icmp_echo_reply(n, ip, p, len);
}

/* A token, if the bucket holds one (refilled by the time passed). */
static bool icmp_take_token(struct net *n)
{
	uint64_t add = (n->now - n->icmp_refill) * ICMP_RATE / 1000;

	if (add > 0) {
		uint64_t t = n->icmp_tokens + add;

		n->icmp_tokens = t > ICMP_BURST ? ICMP_BURST : (uint32_t)t;
		/* keep the fraction: advance by the whole tokens' time */
		n->icmp_refill += add * 1000 / ICMP_RATE;
	}
	if (n->icmp_tokens == 0)
		return false;
	n->icmp_tokens--;
	return true;
}

/* RFC 1122 §3.2.2: the datagrams an error must never answer. */
static bool icmp_may_answer(const struct net *n, const struct ip4_rx *ip)
{
	const uint8_t *l4 = ip->hdr + ip->hdr_len;

	if (ip->to_broadcast || !icmp_unicast(n, ip->src))
		return false;
	if (get16(ip->hdr + 6) & IP4_OFFMASK)
		return false;
	/* only echo requests (and replies) among ICMP messages are queries
	 * we know; anything else may be an error */
	if (ip->proto == IP_PROTO_ICMP)
		return ip->total_len > ip->hdr_len &&
		       (l4[0] == ICMP_ECHO || l4[0] == ICMP_ECHO_REPLY);
	return true;
}

void icmp_send_unreachable(struct net *n, const struct ip4_rx *ip, uint8_t code)
{
	size_t quote = ip->hdr_len + ICMP_QUOTE;
	uint8_t *buf, *p;

	if (!icmp_may_answer(n, ip))
		return;
	if (!icmp_take_token(n)) {
		n->st.icmp_limited++;
		return;
	}
	buf = net_tx_alloc(n);
	if (!buf)
		return;
	if (quote > ip->total_len)
		quote = ip->total_len;
	p = buf + NET_L4_OFF;
	p[0] = ICMP_UNREACH;
	p[1] = code;
	set_mem(p + 2, 0, 6);	/* checksum, then "unused" (RFC 792) */
	copy_mem(p + ICMP_HDR, ip->hdr, quote);
	put16(p + 2, cksum_fold(cksum_add(0, p, ICMP_HDR + quote)));
	if (ip4_output(n, buf, ip->src, IP_PROTO_ICMP, ICMP_HDR + quote) == 0)
		n->st.icmp_tx++;
}
