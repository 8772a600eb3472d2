/*
 * Ethernet II framing (IEEE 802.3, RFC 894).
 *
 * In: a frame of at least a header, addressed to our MAC or to the
 * broadcast address, is handed to ARP or IPv4 by its EtherType. We join
 * no multicast group, so multicast frames are not ours; VLAN-tagged
 * frames (802.1Q) and other protocols are counted and dropped.
 *
 * Out: eth_output writes the header, pads to the 60-byte minimum
 * (IEEE 802.3 §3.2.8: 64 bytes with the FCS the NIC appends) and queues
 * the frame for net_flush.
 */
#include "net_impl.h"

#define ETH_MIN_FRAME	60	/* IEEE 802.3 minimum frame, without FCS */
#define ETHERTYPE_MIN	0x0600	/* below: an 802.3 length, not a type */

const uint8_t eth_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Ours: unicast to our MAC, or broadcast. Group bit (I/G, 802.3 §3.2.3)
 * set and not broadcast: multicast, which we do not join. */
static bool eth_for_us(const struct net *n, const uint8_t *dst)
{
	return same_mem(dst, n->cfg.mac, ETH_ALEN) || same_mem(dst, eth_broadcast, ETH_ALEN);
}

void eth_input(struct net *n, const uint8_t *frame, size_t len)
{
	uint16_t type;

	if (len < ETH_HDR) {
		n->st.eth_bad++;
		return;
	}
	if (!eth_for_us(n, frame))
		return;		/* a NIC filter would not have passed it */
	type = get16(frame + 12);
	if (type == ETHERTYPE_IP4)
		ip4_input(n, frame + ETH_HDR, len - ETH_HDR);
	else if (type == ETHERTYPE_ARP)
		arp_input(n, frame + ETH_HDR, len - ETH_HDR);
	else
		n->st.eth_other++;	/* 802.1Q tags, IPv6, 802.3 lengths, ... */
}

void eth_output(struct net *n, uint8_t *buf, const uint8_t dst[ETH_ALEN],
		uint16_t type, size_t len)
{
	copy_mem(buf, dst, ETH_ALEN);
	copy_mem(buf + ETH_ALEN, n->cfg.mac, ETH_ALEN);
	put16(buf + 12, type);
	if (len < ETH_MIN_FRAME) {
		set_mem(buf + len, 0, ETH_MIN_FRAME - len);
		len = ETH_MIN_FRAME;
	}
	net_tx_queue(n, buf, len);
}
