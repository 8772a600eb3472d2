/*
 * IPv4 (RFC 791) for a host (RFC 1122 §3.2.1): no forwarding, no options
 * sent, options received skipped.
 *
 * In: every header field is checked against the bytes present (RFC 1122
 * §3.2.1.1-8): version 4, IHL >= 5 and within the bytes, Total Length
 * within [IHL*4, bytes] (what follows is Ethernet padding), the header
 * checksum, a source that is not broadcast or multicast. A datagram for
 * another address is dropped (we are no router), so TTL needs no check:
 * RFC 1122 §3.2.1.7 says a host must not drop what is addressed to it for
 * a low TTL. Fragments go to ip4_reasm.c; whole datagrams to ICMP, UDP or
 * TCP, and other protocols get ICMP protocol unreachable.
 *
 * Before the address is known (DHCP), unicast UDP to any address is
 * taken too: a DHCP server may unicast its offer to the address it
 * offers (RFC 2131 §4.1).
 *
 * Out: ip4_output writes a 20-byte header (TTL 64, DF clear, the next
 * Identification) and routes: broadcast destinations to the broadcast
 * MAC, our subnet directly, everything else through the gateway.
 * ip4_output_frags splits a datagram larger than the MTU into fragments
 * of a multiple of 8 bytes (RFC 791 §3.2, "Fragmentation").
 */
#include "net_impl.h"

#define IP4_VERSION	4
#define IP4_TTL		64	/* RFC 1700's recommended default */
#define IP4_MF		0x2000	/* RFC 791 §3.1 flags: More Fragments */
#define IP4_OFFMASK	0x1fff	/* fragment offset, in 8-byte units */
#define IP4_MAX_LEN	65535

size_t ip4_mem_size(const struct net_config *cfg)
{
	return reasm_mem_size(cfg);
}

int ip4_init(struct net *n)
{
	return reasm_init(n);
}

void ip4_timer(struct net *n)
{
	reasm_timer(n);
}

uint64_t ip4_next_timer(const struct net *n)
{
	return reasm_next_timer(n);
}

static bool ip4_is_multicast(net_ip4 a)
{
	return (a & 0xf0000000u) == 0xe0000000u;	/* RFC 5771: 224/4 */
}

void ip4_rx_init(struct net *n, struct ip4_rx *rx, const uint8_t *hdr, size_t hl,
		 size_t total)
{
	rx->src = get32(hdr + 12);
	rx->dst = get32(hdr + 16);
	rx->proto = hdr[9];
	rx->ttl = hdr[8];
	rx->tos = hdr[1];
	rx->to_broadcast = net_is_local_bcast(n, rx->dst) || ip4_is_multicast(rx->dst);
	rx->hdr = hdr;
	rx->hdr_len = hl;
	rx->total_len = total;
}

void ip4_deliver(struct net *n, const struct ip4_rx *rx, const uint8_t *p, size_t len)
{
	switch (rx->proto) {
	case IP_PROTO_ICMP:
		icmp_input(n, rx, p, len);
		break;
	case IP_PROTO_UDP:
		udp_input(n, rx, p, len);
		break;
	case IP_PROTO_TCP:
		tcp_input(n, rx, p, len);
		break;
	default:
		icmp_send_unreachable(n, rx, ICMP_UNREACH_PROTO);
		break;
	}
}

/* The header's length, or 0 when the datagram is malformed. */
static size_t ip4_check(const uint8_t *p, size_t len)
{
	size_t hl, total;

	if (len < IP4_HDR || p[0] >> 4 != IP4_VERSION)
		return 0;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < IP4_HDR || hl > len)
		return 0;
	total = get16(p + 2);
	if (total < hl || total > len)
		return 0;
	if (cksum_fold(cksum_add(0, p, hl)) != 0)
		return 0;
	return hl;
}

/* Addressed to us: our address, a broadcast one, or (no address yet)
 * unicast UDP for DHCP. Multicast: we join no group. */
static bool ip4_for_us(const struct net *n, net_ip4 dst, uint8_t proto)
{
	if (n->ip != 0 && dst == n->ip)
		return true;
	if (net_is_local_bcast(n, dst))
		return true;
	return n->ip == 0 && proto == IP_PROTO_UDP && !ip4_is_multicast(dst);
}

void ip4_input(struct net *n, const uint8_t *p, size_t len)
{
	struct ip4_rx rx;
	size_t hl = ip4_check(p, len), total;
	uint16_t frag;

	n->st.ip_rx++;
	if (hl == 0) {
		n->st.ip_bad++;
		return;
	}
	total = get16(p + 2);
	ip4_rx_init(n, &rx, p, hl, total);
	if (net_is_local_bcast(n, rx.src) || ip4_is_multicast(rx.src)) {
		n->st.ip_bad++;		/* RFC 1122 §3.2.1.3 */
		return;
	}
	if (!ip4_for_us(n, rx.dst, rx.proto)) {
		n->st.ip_not_ours++;
		return;
	}
	frag = get16(p + 6);
	if (frag & (IP4_MF | IP4_OFFMASK)) {
		n->st.ip_frags++;
		reasm_input(n, p, hl, total);
		return;
	}
	ip4_deliver(n, &rx, p + hl, total - hl);
}

/* RFC 791 §3.1, no options. */
static void ip4_write_hdr(struct net *n, uint8_t *h, net_ip4 dst, uint8_t proto,
			  size_t total, uint16_t id, uint16_t frag)
{
	h[0] = IP4_VERSION << 4 | IP4_HDR / 4;
	h[1] = 0;
	put16(h + 2, (uint16_t)total);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = IP4_TTL;
	h[9] = proto;
	put16(h + 10, 0);
	put32(h + 12, n->ip);
	put32(h + 16, dst);
	put16(h + 10, cksum_fold(cksum_add(0, h, IP4_HDR)));
}

/* The next hop for dst, or 0 when there is no route. Broadcast
 * destinations are their own next hop (arp_output sends them to
 * ff:ff:ff:ff:ff:ff). */
static net_ip4 ip4_route(const struct net *n, net_ip4 dst)
{
	if (net_is_local_bcast(n, dst))
		return dst;
	if (n->ip == 0 || dst == 0 || dst == n->ip || ip4_is_multicast(dst))
		return 0;
	if ((dst & n->netmask) == (n->ip & n->netmask))
		return dst;
	return n->gateway;
}

/* Writes the header into buf for a datagram (or fragment) and routes it. */
static int ip4_send(struct net *n, uint8_t *buf, net_ip4 dst, uint8_t proto,
		    size_t l4_len, uint16_t id, uint16_t frag)
{
	net_ip4 hop = ip4_route(n, dst);

	if (hop == 0) {
		net_tx_free(n, buf);
		return B_EHOSTUNREACH;
	}
	ip4_write_hdr(n, buf + NET_IP_OFF, dst, proto, IP4_HDR + l4_len, id, frag);
	return arp_output(n, buf, NET_L4_OFF + l4_len, hop);
}

int ip4_output(struct net *n, uint8_t *buf, net_ip4 dst, uint8_t proto, size_t l4_len)
{
	if (IP4_HDR + l4_len > n->cfg.mtu) {
		net_tx_free(n, buf);
		return B_EINVAL;
	}
	return ip4_send(n, buf, dst, proto, l4_len, n->ip_id++, 0);
}

/* Copies bytes [off, off+len) of the concatenation hdr|data into out. */
static void copy_span(uint8_t *out, const uint8_t *hdr, size_t hdr_len,
		      const uint8_t *data, size_t off, size_t len)
{
	if (off < hdr_len) {
		size_t k = hdr_len - off < len ? hdr_len - off : len;

		copy_mem(out, hdr + off, k);
		out += k;
		off += k;
		len -= k;
	}
	if (len)
		copy_mem(out, data + (off - hdr_len), len);
}

int ip4_output_frags(struct net *n, net_ip4 dst, uint8_t proto, const void *hdr,
		     size_t hdr_len, const void *data, size_t data_len)
{
	size_t total = hdr_len + data_len, step, off;
	uint16_t id;
	int err = 0;

	if (total == 0 || total > IP4_MAX_LEN - IP4_HDR || hdr_len > IP4_MAX_LEN)
		return B_EINVAL;
	if (ip4_route(n, dst) == 0)
		return B_EHOSTUNREACH;
	if (total + IP4_HDR <= n->cfg.mtu)
		step = total;	/* fits: one unfragmented datagram */
	else
		step = (size_t)(n->cfg.mtu - IP4_HDR) & ~(size_t)7;	/* RFC 791 §2.3 */
	id = n->ip_id++;
	for (off = 0; off < total && err == 0; off += step) {
		size_t k = total - off < step ? total - off : step;
		uint16_t frag = (uint16_t)(off / 8);
		uint8_t *buf = net_tx_alloc(n);

		if (!buf)
			return B_EAGAIN;
		if (off + k < total)
			frag |= IP4_MF;
		copy_span(buf + NET_L4_OFF, hdr, hdr_len, data, off, k);
		err = ip4_send(n, buf, dst, proto, k, id, total <= step ? 0 : frag);
		if (total > step)
			n->st.ip_frag_tx++;
	}
	return err;
}
