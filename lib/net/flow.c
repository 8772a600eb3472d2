/*
 * Flow steering: which of several stacks sharing one NIC a received frame
 * belongs to (port_pith.c's sharded mode, docs/NETWORK.md "Cores"). Each
 * stack owns the TCP connections whose hash picks it, so a connection's
 * every segment reaches the same stack and no state is shared. What is not
 * a TCP segment (ARP, ICMP, UDP: DHCP and DNS) belongs to stack 0, and ARP
 * to every stack, so each learns its neighbours' addresses.
 */
#include "net_impl.h"

#define IP4_FRAG_MASK	0x3fff	/* RFC 791 §3.1: MF flag and fragment offset */

/* Fibonacci hashing of the remote address and both ports: every bit of
 * the input reaches the top bits, which pick the stack. */
static unsigned spread(net_ip4 src, uint16_t sport, uint16_t dport, unsigned n)
{
	uint64_t key = (uint64_t)src << 32 | (uint32_t)sport << 16 | dport;
	uint64_t h = (key ^ (key >> 29)) * 0x9e3779b97f4a7c15ull;

	return (unsigned)(((h >> 32) * n) >> 32);
}

int net_flow_shard(const void *frame, size_t len, unsigned nshards)
{
	const uint8_t *p = frame;

	if (nshards <= 1 || len < ETH_HDR)
		return 0;
	uint16_t type = get16(p + 12);
	if (type == ETHERTYPE_ARP)
		return NET_FLOW_ALL;
	if (type != ETHERTYPE_IP4 || len < ETH_HDR + IP4_HDR)
		return 0;
	const uint8_t *ip = p + ETH_HDR;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	/* Fragments go to stack 0, which reassembles; the ports of a TCP
	 * segment are in the first 4 bytes past the IP header. */
	if ((ip[0] >> 4) != 4 || ihl < IP4_HDR || ip[9] != IP_PROTO_TCP ||
	    (get16(ip + 6) & IP4_FRAG_MASK) || len < ETH_HDR + ihl + 4)
		return 0;
	return (int)spread(get32(ip + 12), get16(ip + ihl), get16(ip + ihl + 2), nshards);
}
