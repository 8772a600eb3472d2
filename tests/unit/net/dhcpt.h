/*
 * A small harness for the DHCP, DNS and blocking-API tests (lib_dhcpt.c):
 * a fake port that keeps transmitted frames, a virtual clock, a
 * deterministic "random" source, UDP frame builders with real checksums
 * and a peer MAC that answers our ARP requests by itself.
 */
#ifndef PITH_TESTS_NET_DHCPT_H
#define PITH_TESTS_NET_DHCPT_H

#include "net_impl.h"

#define DHCPT_QMAX	128

/* The MAC every peer (DHCP server, router, DNS server) answers ARP with. */
extern const uint8_t dhcpt_peer_mac[ETH_ALEN];
extern const uint8_t dhcpt_our_mac[ETH_ALEN];

struct dhcpt;
/* Called by the port's pump before the clock moves: looks at what was
 * sent and answers. true when it handled something. */
typedef bool (*dhcpt_peer_fn)(struct dhcpt *t);

struct dhcpt {
	struct net *n;
	struct net_port port;
	uint64_t now;
	uint64_t rnd;			/* random's state (0: counts up) */
	uint64_t rnd_fixed;		/* when nonzero, random returns it */
	uint8_t *q[DHCPT_QMAX];		/* sent frames, oldest first */
	uint16_t qlen[DHCPT_QMAX];
	unsigned nq;
	unsigned pumps;
	dhcpt_peer_fn peer;
	void *peer_arg;
	void *mem;
};

/* A received UDP frame, taken apart. */
struct dhcpt_udp {
	uint8_t dst_mac[ETH_ALEN];
	net_ip4 src, dst;
	uint16_t sport, dport;
	uint8_t data[NET_FRAME_BUF];
	size_t len;
};

/* A stack on cfg (mac filled in when zero) at time 1000 ms. */
struct dhcpt *dhcpt_new(struct net_config *cfg);
void dhcpt_free(struct dhcpt *t);
/* Moves the clock to t->now + ms and runs net_poll. */
void dhcpt_advance(struct dhcpt *t, uint64_t ms);
/* Moves the clock to the stack's next timer (at most limit ms on) and
 * polls; the time moved. */
uint64_t dhcpt_step(struct dhcpt *t, uint64_t limit);
/* After a net_flush, the oldest sent UDP frame (ARP requests on the way are answered, other
 * frames dropped); false when none is left. */
bool dhcpt_pop_udp(struct dhcpt *t, struct dhcpt_udp *u);
/* After a net_flush, the oldest sent frame that is not ARP (ARP
 * requests are answered) into buf (NET_FRAME_BUF bytes): its length, 0
 * when none is left. */
size_t dhcpt_pop(struct dhcpt *t, uint8_t *buf);
/* Drops everything sent so far (answering ARP requests). */
void dhcpt_drain(struct dhcpt *t);
/* Feeds a UDP datagram from src:sport to dst:dport, sent by the peer MAC
 * to our MAC (or to broadcast when dst is 255.255.255.255). */
void dhcpt_inject_udp(struct dhcpt *t, net_ip4 src, uint16_t sport, net_ip4 dst,
		      uint16_t dport, const void *data, size_t len);

/* Teaches the stack that ip is at the peer MAC (an ARP request from ip
 * for our address, RFC 826), so nothing waits for ARP. */
void dhcpt_learn(struct dhcpt *t, net_ip4 ip);
/* A server's reply (BOOTREPLY) to request (a client's message): xid and
 * chaddr copied, yiaddr, the cookie, option 53 = type, then opts (raw
 * option bytes) and END. Its length (300 at least). */
size_t dhcpt_dhcp_reply(uint8_t *buf, const uint8_t *request, uint8_t type, net_ip4 yiaddr,
			const uint8_t *opts, size_t optlen);
/* Finds option code in a client's message (len bytes): its value and
 * *olen, or NULL. */
const uint8_t *dhcpt_dhcp_opt(const uint8_t *msg, size_t len, uint8_t code, size_t *olen);

#endif
