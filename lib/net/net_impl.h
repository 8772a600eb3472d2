/*
 * lib/net's inside: the state every layer shares and the narrow calls one
 * layer makes into the next (lwIP-style: a file per layer). Programs use
 * net.h; nothing here is API.
 *
 * Frames in: net_input -> eth -> arp_input | ip4_input -> icmp_input |
 * udp_input | tcp_input. Each reads the received bytes in place and
 * checks every length against the bytes present before using it.
 *
 * Frames out: a layer takes a transmit buffer (net_tx_alloc, NET_FRAME_BUF
 * bytes), writes its header and payload at NET_L4_OFF (a 20-byte IPv4
 * header is all we send), and hands it down with ip4_output, which owns the
 * buffer from then on: it is queued for net_flush, parked behind an ARP
 * request, or freed.
 */
#ifndef PITH_LIB_NET_IMPL_H
#define PITH_LIB_NET_IMPL_H

#include "net.h"

#define copy_mem(d, s, n)	__builtin_memcpy((d), (s), (n))
#define move_mem(d, s, n)	__builtin_memmove((d), (s), (n))
#define set_mem(d, c, n)	__builtin_memset((d), (c), (n))
#define same_mem(a, b, n)	(__builtin_memcmp((a), (b), (n)) == 0)

/* IEEE 802.3 / RFC 894 */
#define ETH_HDR		14
#define ETH_ALEN	6
#define ETHERTYPE_IP4	0x0800
#define ETHERTYPE_ARP	0x0806
/* RFC 791 §3.1: the header we send has no options. */
#define IP4_HDR		20
#define NET_IP_OFF	ETH_HDR
#define NET_L4_OFF	(ETH_HDR + IP4_HDR)
#define IP_PROTO_ICMP	1
#define IP_PROTO_TCP	6
#define IP_PROTO_UDP	17

/* Big-endian loads and stores: the wire's byte order (RFC 1700). */
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* A received IPv4 datagram, as ip4_input hands it up. */
struct ip4_rx {
	net_ip4 src, dst;
	uint8_t proto, ttl, tos;
	bool to_broadcast;	/* limited, directed or multicast destination */
	const uint8_t *hdr;	/* the IP header as received (for ICMP errors) */
	size_t hdr_len;		/* its length, options included */
	size_t total_len;	/* header + payload present (for ICMP errors) */
};

struct arp_table;
struct reasm;
struct udp_state;
struct tcp_state;
struct dhcp_state;
struct dns_state;

struct net {
	struct net_config cfg;		/* defaults filled in */
	struct net_port port;
	uint64_t now;			/* ms, from net_poll */

	/* the interface's address */
	uint8_t addr_state;		/* enum net_addr_state */
	net_ip4 ip, netmask, gateway, dns;
	void (*addr_fn)(struct net *n, void *arg);
	void *addr_arg;

	struct net_stats st;

	/* transmit buffers: a free stack and the queue net_flush sends */
	uint8_t *tx_mem;		/* tx_frames * NET_FRAME_BUF */
	uint16_t *tx_free;		/* indices of free buffers */
	unsigned tx_nfree;
	const void **tx_q;		/* queued frames and their lengths */
	uint16_t *tx_qlen;
	unsigned tx_nq;

	/* ICMP error rate limit (token bucket, RFC 1812 §4.3.2.8) */
	uint32_t icmp_tokens;
	uint64_t icmp_refill;

	uint16_t ip_id;			/* next Identification (RFC 6864) */

	struct arp_table *arp;
	struct reasm *reasm;
	struct udp_state *udp;
	struct tcp_state *tcp;
	struct dhcp_state *dhcp;	/* NULL with a static address */
	struct dns_state *resolver;	/* dns.c's (dns above is the server) */

	/* the arena net_create carves pools from */
	uint8_t *arena;
	size_t arena_left;
};

/* Carves size bytes (16-aligned, zeroed) from the arena at start; NULL when
 * it is used up. Sizing: a module's *_mem_size(cfg) says what its *_init
 * will take, so net_mem_size can add them up. */
void *net_arena_take(struct net *n, size_t size);
/* The same, not zeroed: for buffers every byte of which is written before
 * it is read (rings, frame buffers). Zeroing 50 MiB of TCP rings cost
 * httpd a third of a second at start under TCG. */
void *net_arena_take_raw(struct net *n, size_t size);
#define NET_ALIGN(x)	(((x) + 15) & ~(size_t)15)

/* ---- checksum.c: the Internet checksum (RFC 1071) ---- */
uint32_t cksum_add(uint32_t sum, const void *data, size_t len);
uint16_t cksum_fold(uint32_t sum);	/* the one's complement of the folded sum */
/* The TCP/UDP pseudo-header's sum (RFC 9293 §3.1, RFC 768). */
uint32_t cksum_pseudo(net_ip4 src, net_ip4 dst, uint8_t proto, uint16_t len);

/* ---- net.c: transmit buffers, the burst queue ---- */
uint8_t *net_tx_alloc(struct net *n);	/* NULL when none is free (after a flush) */
void net_tx_free(struct net *n, uint8_t *buf);
void net_tx_queue(struct net *n, uint8_t *buf, size_t len);	/* owns buf */
void net_set_address(struct net *n, uint8_t state, net_ip4 ip, net_ip4 mask,
		     net_ip4 gw, net_ip4 dns);
bool net_is_local_bcast(const struct net *n, net_ip4 dst);

/* ---- eth.c ---- */
void eth_input(struct net *n, const uint8_t *frame, size_t len);
/* Writes the Ethernet header into buf[0..13] and queues len bytes. */
void eth_output(struct net *n, uint8_t *buf, const uint8_t dst[ETH_ALEN],
		uint16_t type, size_t len);
extern const uint8_t eth_broadcast[ETH_ALEN];

/* ---- arp.c (RFC 826, RFC 5227 announcements) ---- */
size_t arp_mem_size(const struct net_config *cfg);
int arp_init(struct net *n);
void arp_input(struct net *n, const uint8_t *p, size_t len);
/* Sends buf (an IPv4 frame of len bytes, header at NET_IP_OFF) to next_hop:
 * at once when its MAC is known, else after an ARP request is answered
 * (buf parked; dropped after the retries). Owns buf. */
int arp_output(struct net *n, uint8_t *buf, size_t len, net_ip4 next_hop);
void arp_announce(struct net *n);	/* gratuitous ARP for n->ip */
void arp_timer(struct net *n);
uint64_t arp_next_timer(const struct net *n);

/* ---- ip4.c (RFC 791, RFC 815 reassembly, RFC 1122) ---- */
size_t ip4_mem_size(const struct net_config *cfg);
int ip4_init(struct net *n);
void ip4_input(struct net *n, const uint8_t *p, size_t len);
/* buf holds l4_len bytes of protocol data at NET_L4_OFF; writes the IP
 * header (src = n->ip, or 0.0.0.0 before DHCP) and routes it. Owns buf. */
int ip4_output(struct net *n, uint8_t *buf, net_ip4 dst, uint8_t proto, size_t l4_len);
/* Sends hdr + data as one datagram, in fragments when it exceeds the MTU. */
int ip4_output_frags(struct net *n, net_ip4 dst, uint8_t proto, const void *hdr,
		     size_t hdr_len, const void *data, size_t data_len);
void ip4_timer(struct net *n);
uint64_t ip4_next_timer(const struct net *n);
/* Inside ip4.c and ip4_reasm.c: an ip4_rx for a checked header; handing
 * a whole datagram's payload up by protocol. */
void ip4_rx_init(struct net *n, struct ip4_rx *rx, const uint8_t *hdr, size_t hl,
		 size_t total);
void ip4_deliver(struct net *n, const struct ip4_rx *rx, const uint8_t *p, size_t len);
/* ip4_reasm.c: fragment reassembly (RFC 815, overlaps per RFC 5722). */
size_t reasm_mem_size(const struct net_config *cfg);
int reasm_init(struct net *n);
void reasm_input(struct net *n, const uint8_t *p, size_t hl, size_t total);
void reasm_timer(struct net *n);
uint64_t reasm_next_timer(const struct net *n);

/* ---- icmp.c (RFC 792, RFC 1122 §3.2.2) ---- */
void icmp_init(struct net *n);		/* fills the error token bucket */
void icmp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len);
/* Destination unreachable (type 3) with code, quoting the datagram ip
 * describes; rate-limited, never about a broadcast/multicast or an ICMP
 * error (RFC 1122 §3.2.2). */
void icmp_send_unreachable(struct net *n, const struct ip4_rx *ip, uint8_t code);
#define ICMP_UNREACH_PORT	3
#define ICMP_UNREACH_PROTO	2

/* ---- udp.c (RFC 768) ---- */
size_t udp_mem_size(const struct net_config *cfg);
int udp_init(struct net *n);
void udp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len);
/* The stack s belongs to (net_sock.c pumps it while waiting on s). */
struct net *udp_sock_net(const struct udp_sock *s);

/* ---- tcp*.c (RFC 9293) ---- */
size_t tcp_mem_size(const struct net_config *cfg);
int tcp_init(struct net *n);
void tcp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len);
void tcp_timer(struct net *n);
uint64_t tcp_next_timer(const struct net *n);
/* The address changed or went away: connections on the old one end. */
void tcp_addr_changed(struct net *n, net_ip4 old_ip);

/* ---- dhcp.c (RFC 2131, RFC 2132) ---- */
size_t dhcp_mem_size(const struct net_config *cfg);
int dhcp_init(struct net *n);		/* only when cfg.ip == 0 */
void dhcp_timer(struct net *n);
uint64_t dhcp_next_timer(const struct net *n);
/* UDP port 68's datagrams reach dhcp_input through udp_open. */
/* Fills out's dhcp_state, dhcp_server, lease_s, lease_left_s (net_ifinfo). */
void dhcp_ifinfo(const struct net *n, struct net_ifinfo *out);

/* ---- dns.c (RFC 1035) ---- */
size_t dns_mem_size(const struct net_config *cfg);
int dns_init(struct net *n);
void dns_timer(struct net *n);
uint64_t dns_next_timer(const struct net *n);
/* Forgets the queries that would call done(arg, ...) (nb_resolve's timeout). */
void dns_cancel(struct net *n, void (*done)(void *arg, int err, net_ip4 ip), void *arg);

/* ---- siphash.c: SipHash-2-4 (Aumasson & Bernstein), for RFC 6528 ISNs
 * and anything else keyed by a secret ---- */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
