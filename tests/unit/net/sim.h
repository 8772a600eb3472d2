/*
 * The lib/net test harness (lib_sim.c), shared by every tests/unit/net
 * test: a struct net on a virtual clock whose port captures transmitted
 * frames, plus builders for frames with correct checksums and parsers
 * for what the stack sent.
 *
 *     struct sim s;
 *     sim_init(&s, NULL);                 10.0.2.15/24, gw 10.0.2.2
 *     sim_learn_arp(&s, SIM_PEER_IP, sim_peer_mac);   skip ARP
 *     sim_quiet(&s);                      past the ARP announcements
 *     sim_udp(&s, SIM_PEER_IP, 5000, SIM_IP, 7, "hi", 2);   inject
 *     struct sim_pkt p;
 *     sim_expect_udp(&s, &p, SIM_PEER_IP, 5000);            next frame
 *     assert_int_equal(p.data_len, 2);
 *     sim_advance(&s, 1000);              1 s passes, timers run
 *     sim_expect_none(&s);
 *     sim_free(&s);
 *
 * Defaults (sim_default_config): MAC 52:54:00:12:34:56, 10.0.2.15/24,
 * gateway 10.0.2.2, DNS 10.0.2.3, every pool size 0 (lib/net's
 * defaults). Pass a config of your own to sim_init to change any of it
 * (ip 0 starts DHCP). The clock starts at SIM_T0 ms. Random numbers come
 * from a xorshift64* seeded with s->seed (set before sim_init; 0 means
 * SIM_SEED), so every run is the same.
 *
 * Injected frames come from sim_peer_mac to the stack's MAC (ARP
 * requests to the broadcast address). Each sim_<proto>() injector builds
 * the frame, calls net_input, then net_flush; sim_build_<proto>() only
 * builds (buf: at least SIM_BUF bytes) so a test can corrupt it and
 * inject it with sim_input().
 *
 * Transmitted frames are copied into a FIFO (SIM_FIFO frames; beyond it
 * they are counted in s->fifo_lost). s->tx_accept limits how many frames
 * each port->tx call takes (default: all), to test tx drops.
 *
 * sim_expect_*() pop the next frame and check it with cmocka asserts:
 * its type, every checksum (IP header, ICMP, UDP, TCP), and the fields
 * named; the parsed frame is left in *p (may be NULL). sim_next() pops
 * and parses without asserting.
 */
#ifndef PITH_TESTS_NET_SIM_H
#define PITH_TESTS_NET_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net_impl.h"

#define SIM_IP		NET_IP4(10, 0, 2, 15)
#define SIM_MASK	NET_IP4(255, 255, 255, 0)
#define SIM_GW		NET_IP4(10, 0, 2, 2)
#define SIM_DNS		NET_IP4(10, 0, 2, 3)
#define SIM_PEER_IP	NET_IP4(10, 0, 2, 100)	/* a host on our subnet */
#define SIM_FAR_IP	NET_IP4(192, 0, 2, 7)	/* a host behind the gateway */
#define SIM_T0		1000000	/* ms: the clock at sim_init */
#define SIM_SEED	0x9e3779b97f4a7c15ull
#define SIM_FIFO	1024
#define SIM_BUF		(70 * 1024)	/* room for any frame builder's output */

extern const uint8_t sim_mac[6];	/* the stack's (52:54:00:12:34:56) */
extern const uint8_t sim_peer_mac[6];	/* 02:00:00:00:00:64 */
extern const uint8_t sim_gw_mac[6];	/* 02:00:00:00:00:02 */

struct sim_frame {
	uint16_t len;
	uint8_t data[NET_FRAME_BUF];
};

struct sim {
	struct net *n;
	struct net_config cfg;
	struct net_port port;
	uint64_t now;
	uint64_t seed;		/* xorshift64* state */
	void *mem;
	size_t mem_len;
	struct sim_frame *fifo;	/* SIM_FIFO frames, a ring */
	unsigned head, count;
	unsigned fifo_lost;
	unsigned tx_accept;	/* frames port->tx takes per call */
	unsigned tx_calls;
};

/* A parsed frame (sim_next). Pointers point into buf. */
struct sim_pkt {
	uint8_t buf[NET_FRAME_BUF];
	size_t len;
	uint8_t eth_dst[6], eth_src[6];
	uint16_t type;
	/* ARP (type 0x0806) */
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_tha[6];
	net_ip4 arp_spa, arp_tpa;
	/* IPv4 (type 0x0800) */
	net_ip4 src, dst;
	uint8_t proto, ttl, tos;
	uint16_t ip_len, ip_id, frag;	/* frag: flags and offset as sent */
	bool ip_cksum_ok;
	const uint8_t *l4;		/* the IP payload */
	size_t l4_len;
	bool l4_cksum_ok;		/* ICMP, UDP (0 counts as ok), TCP */
	/* ICMP */
	uint8_t icmp_type, icmp_code;
	/* UDP, TCP */
	uint16_t sport, dport;
	const uint8_t *data;		/* UDP or TCP payload */
	size_t data_len;
	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, urg;
	const uint8_t *opt;
	size_t optlen;
};

/* TCP flags (RFC 9293 §3.1) */
#define SIM_FIN	0x01
#define SIM_SYN	0x02
#define SIM_RST	0x04
#define SIM_PSH	0x08
#define SIM_ACK	0x10
#define SIM_URG	0x20

void sim_default_config(struct net_config *cfg);
/* cfg NULL: sim_default_config. Asserts that net_create succeeds. */
void sim_init(struct sim *s, const struct net_config *cfg);
void sim_free(struct sim *s);
/* Lets the start-up chatter pass: advances past the RFC 5227
 * announcements (SIM_QUIET_MS) and empties the FIFO. */
#define SIM_QUIET_MS	2000
void sim_quiet(struct sim *s);

/* Moves the clock ms forward, running net_poll at every timer due on the
 * way (so timers fire in order, at their times) and at the end. */
void sim_advance(struct sim *s, uint64_t ms);
/* net_input, then net_flush. */
void sim_input(struct sim *s, const void *frame, size_t len);
uint64_t sim_random(struct sim *s);

/* The FIFO of transmitted frames. sim_pending, sim_pop and sim_next call
 * net_flush first, so frames an API call queued count too. */
unsigned sim_pending(struct sim *s);
/* Copies the oldest frame into buf (cap bytes); its length, 0 if none. */
size_t sim_pop(struct sim *s, void *buf, size_t cap);
void sim_clear(struct sim *s);
/* Pops and parses the oldest frame; false when none is waiting. */
bool sim_next(struct sim *s, struct sim_pkt *p);
/* Parses len bytes of a frame (copied into p->buf). */
void sim_parse(struct sim_pkt *p, const void *frame, size_t len);

/* Frame builders: write the whole frame (Ethernet header on) into buf and
 * return its length. Ethernet dst: sim_mac; src: sim_peer_mac. */
size_t sim_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		     uint16_t type, const void *payload, size_t len);
/* op 1 request (to broadcast), 2 reply (to sim_mac). */
size_t sim_build_arp(uint8_t *buf, uint16_t op, const uint8_t sha[6], net_ip4 spa,
		     const uint8_t tha[6], net_ip4 tpa);
/* IPv4, 20-byte header, TTL 64, ID 1, DF clear. */
size_t sim_build_ip4(uint8_t *buf, net_ip4 src, net_ip4 dst, uint8_t proto,
		     const void *payload, size_t len);
/* One fragment: off in bytes (a multiple of 8), more = MF. */
size_t sim_build_ip4_frag(uint8_t *buf, net_ip4 src, net_ip4 dst, uint8_t proto,
			  uint16_t id, size_t off, bool more, const void *payload,
			  size_t len);
size_t sim_build_udp(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
		     uint16_t dport, const void *data, size_t len);
/* The UDP header and data alone (for fragmenting by hand); its length. */
size_t sim_build_udp_seg(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
			 uint16_t dport, const void *data, size_t len);
size_t sim_build_tcp(uint8_t *buf, net_ip4 src, uint16_t sport, net_ip4 dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		     uint16_t win, const void *opt, size_t optlen, const void *data,
		     size_t len);
size_t sim_build_icmp_echo(uint8_t *buf, net_ip4 src, net_ip4 dst, uint16_t id,
			   uint16_t seq, const void *data, size_t len);

/* Injectors: build as above, then sim_input. */
void sim_eth(struct sim *s, uint16_t type, const void *payload, size_t len);
void sim_arp_request(struct sim *s, const uint8_t sha[6], net_ip4 spa, net_ip4 tpa);
void sim_arp_reply(struct sim *s, const uint8_t sha[6], net_ip4 spa, net_ip4 tpa);
void sim_ip4(struct sim *s, net_ip4 src, net_ip4 dst, uint8_t proto,
	     const void *payload, size_t len);
void sim_udp(struct sim *s, net_ip4 src, uint16_t sport, net_ip4 dst, uint16_t dport,
	     const void *data, size_t len);
void sim_tcp(struct sim *s, net_ip4 src, uint16_t sport, net_ip4 dst, uint16_t dport,
	     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const void *opt,
	     size_t optlen, const void *data, size_t len);
void sim_icmp_echo(struct sim *s, net_ip4 src, uint16_t id, uint16_t seq,
		   const void *data, size_t len);
/* Teaches the stack ip's MAC (an ARP reply to our address) without
 * leaving anything in the FIFO that was not there before... except
 * frames the stack had parked for ip, which go out now. */
void sim_learn_arp(struct sim *s, net_ip4 ip, const uint8_t mac[6]);

/* cmocka checks on the next frame (see the head of this file). */
void sim_expect_none(struct sim *s);
void sim_expect_arp(struct sim *s, struct sim_pkt *p, uint16_t op, net_ip4 tpa);
void sim_expect_ip4(struct sim *s, struct sim_pkt *p, uint8_t proto, net_ip4 dst);
void sim_expect_icmp(struct sim *s, struct sim_pkt *p, uint8_t type, uint8_t code,
		     net_ip4 dst);
void sim_expect_udp(struct sim *s, struct sim_pkt *p, net_ip4 dst, uint16_t dport);
/* flags must match exactly. */
void sim_expect_tcp(struct sim *s, struct sim_pkt *p, net_ip4 dst, uint16_t dport,
		    uint8_t flags);

#endif
