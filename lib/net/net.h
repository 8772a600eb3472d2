/*
 * lib/net: the program's TCP/IP stack (docs/NETWORK.md).
 *
 * Ethernet, ARP, IPv4 (reassembly and fragmentation), ICMP, UDP, DHCP and
 * DNS clients, and TCP per RFC 9293, as a library in the program's address
 * space. It runs to completion: no threads, no blocking inside the stack.
 * The program (or the port file, port_pith.c) drives it:
 *
 *     for (;;) {
 *             net_poll(n, now_ms());              timers, the clock
 *             while (a frame arrived)
 *                     net_input(n, frame, len);   may call the callbacks
 *             net_flush(n);                       hands queued frames to tx
 *     }
 *
 * Memory: the caller hands net_create one block; every pool (connections,
 * their buffers, ARP cache, reassembly slots, frame buffers) is carved from
 * it at start and never grows, so a flood can only fill pools, never
 * exhaust the machine.
 *
 * Threads: a struct net is not thread-safe. One caller at a time (the port
 * holds a lock around each batch of calls; docs/NETWORK.md, "Cores").
 *
 * Addresses are IPv4 in host byte order (10.0.2.15 is 0x0a00020f), ports
 * in host byte order. Errors are the negative B_E* codes of
 * <pith/error.h>.
 */
#ifndef PITH_LIB_NET_H
#define PITH_LIB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pith/error.h>

typedef uint32_t net_ip4;
#define NET_IP4(a, b, c, d) \
	((net_ip4)(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d)))

#define NET_FRAME_MAX	1514	/* Ethernet header + 1500, no FCS */
#define NET_FRAME_BUF	1536	/* one transmit buffer */

struct net;			/* one interface's stack; opaque */

/* What the stack needs from the machine. */
struct net_port {
	void *ctx;
	/* Sends n frames (each copied before return); returns how many were
	 * taken from the start of the list. The rest count as tx drops. */
	unsigned (*tx)(void *ctx, const void *const *frames, const uint16_t *lens,
		       unsigned n);
	/* 64 unpredictable bits: the ISN secret (RFC 6528), DHCP xid, DNS
	 * ids, ephemeral ports. */
	uint64_t (*random)(void *ctx);
	/* Blocking-style API only (may be NULL otherwise): receive frames
	 * into net_input, run net_poll and net_flush, and return when at
	 * least one frame or timer was handled or the clock reached
	 * until_ms. */
	void (*pump)(void *ctx, struct net *n, uint64_t until_ms);
	/* The clock the blocking calls measure timeouts by (milliseconds). */
	uint64_t (*now_ms)(void *ctx);
};

/* Every size may be 0 for its default (in brackets). */
struct net_config {
	uint8_t mac[6];
	uint16_t mtu;			/* [1500] 576..1500 */
	net_ip4 ip, netmask, gateway, dns;	/* ip 0: ask DHCP */
	const char *hostname;		/* DHCP option 12, or NULL */
	uint16_t tcp_conns;		/* [64] slots: listeners, connections, TIME_WAIT */
	uint16_t tcp_backlog_max;	/* [32] cap on any listener's backlog */
	uint32_t tcp_sndbuf;		/* [16384] bytes, power of two, >= 2048 */
	uint32_t tcp_rcvbuf;		/* [16384] bytes, power of two, >= 2048 */
	uint16_t udp_socks;		/* [8] */
	uint16_t udp_queue;		/* [4] datagrams a socket holds for udp_recvfrom */
	uint16_t arp_entries;		/* [32] */
	uint16_t reasm_slots;		/* [4] datagrams being reassembled at once */
	uint32_t reasm_max;		/* [16384] largest datagram reassembled */
	uint16_t tx_frames;		/* [64] frames queued before net_flush */
	/* One of several stacks sharing the NIC and its address with stack
	 * 0 (net_flow_shard): it answers no ARP requests and announces
	 * nothing, which stack 0 does for all. */
	bool secondary;
};

/* Bytes net_create needs for cfg (defaults filled in). */
size_t net_mem_size(const struct net_config *cfg);
/* Builds a stack in mem (len >= net_mem_size, 16-byte aligned) and starts
 * DHCP when cfg->ip is 0. NULL for a bad config or too little memory. */
struct net *net_create(const struct net_config *cfg, const struct net_port *port,
		       void *mem, size_t len, uint64_t now_ms);

/* One received frame (destination MAC on, no FCS). The stack reads it in
 * place and keeps no pointer into it after returning. */
void net_input(struct net *n, const void *frame, size_t len);
/* Sets the clock and runs every timer that is due (ARP, reassembly, TCP,
 * DHCP, DNS); then net_flush. The clock never goes backwards. */
void net_poll(struct net *n, uint64_t now_ms);
/* Hands every queued frame to port->tx, in one burst where possible. */
void net_flush(struct net *n);
/* When net_poll next has work: a time in ms (UINT64_MAX: none). */
uint64_t net_next_timer(const struct net *n);
uint64_t net_now(const struct net *n);

/* ---- the interface's address ---- */
enum net_addr_state {
	NET_ADDR_NONE,		/* no address yet (DHCP running) */
	NET_ADDR_STATIC,	/* from net_config */
	NET_ADDR_DHCP,		/* leased */
};
struct net_ifinfo {
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t state;		/* enum net_addr_state */
	uint8_t dhcp_state;	/* enum dhcp_client_state in dhcp.h; 0 without DHCP */
	net_ip4 ip, netmask, gateway, dns, dhcp_server;
	uint32_t lease_s, lease_left_s;	/* DHCP lease, seconds */
};
void net_ifinfo(const struct net *n, struct net_ifinfo *out);
/* Called when the address is gained, changed or lost (DHCP expiry). */
void net_set_addr_callback(struct net *n, void (*fn)(struct net *n, void *arg), void *arg);

/* ---- counters (for /status; never reset) ---- */
struct net_stats {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, tx_drops;
	uint64_t eth_bad, eth_other;		/* runts, other ethertypes */
	uint64_t arp_rx, arp_tx, arp_bad, arp_queue_drops;
	uint64_t ip_rx, ip_bad, ip_not_ours, ip_frags, ip_reasm_ok,
		 ip_reasm_fail, ip_ttl_drops, ip_frag_tx;
	uint64_t icmp_rx, icmp_tx, icmp_bad, icmp_limited;
	uint64_t udp_rx, udp_tx, udp_bad, udp_noport, udp_queue_drops;
	uint64_t tcp_rx, tcp_tx, tcp_bad, tcp_rst_rx, tcp_rst_tx,
		 tcp_retrans, tcp_fast_retrans, tcp_timeouts,
		 tcp_active_opens, tcp_passive_opens, tcp_syn_drops,
		 tcp_accept_drops, tcp_challenge_acks, tcp_ooo_segs,
		 tcp_conn_drops;
	uint64_t dhcp_tx, dhcp_rx, dhcp_bad, dns_tx, dns_rx, dns_bad;
};
const struct net_stats *net_get_stats(const struct net *n);

/* ---- UDP ---- */
struct udp_sock;
typedef void (*udp_recv_fn)(struct udp_sock *s, net_ip4 src, uint16_t sport,
			    const void *data, size_t len, void *arg);
/* Binds port (0: an ephemeral one). With fn, datagrams go to fn as they
 * arrive; without, up to cfg.udp_queue wait for udp_recvfrom.
 * NULL when the port is taken or no socket is free. */
struct udp_sock *udp_open(struct net *n, uint16_t port, udp_recv_fn fn, void *arg);
uint16_t udp_port(const struct udp_sock *s);
/* Sends one datagram (fragmented when larger than the MTU allows; at most
 * 65507 bytes). len or B_EINVAL, B_EAGAIN (no frame buffer or ARP queue
 * full), B_EHOSTUNREACH (no address or route). */
long udp_sendto(struct udp_sock *s, net_ip4 dst, uint16_t dport, const void *data,
		size_t len);
/* The oldest queued datagram: its length (truncated to cap), or B_EAGAIN. */
long udp_recvfrom(struct udp_sock *s, void *buf, size_t cap, net_ip4 *src,
		  uint16_t *sport);
void udp_close(struct udp_sock *s);

/* ---- TCP: the event API ---- */
struct tcp_conn;

/* (Not "enum tcp_state": that tag is tcp.c's struct in net_impl.h.) */
enum tcp_conn_state {
	TCP_CLOSED, TCP_LISTEN, TCP_SYN_SENT, TCP_SYN_RECEIVED, TCP_ESTABLISHED,
	TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT, TCP_CLOSING,
	TCP_LAST_ACK, TCP_TIME_WAIT,
};

/* Callbacks run inside net_input/net_poll. Any may be NULL. Inside them the
 * program may call every tcp_* function, on any connection. */
struct tcp_events {
	/* A listener's new connection is established. Without it, the
	 * connection waits in the accept queue for tcp_accept. The new
	 * connection starts with its listener's events and arg. */
	void (*accepted)(struct tcp_conn *c, void *arg);
	/* tcp_connect's handshake finished. */
	void (*connected)(struct tcp_conn *c, void *arg);
	/* New in-order bytes, or the peer's FIN (tcp_read then returns 0). */
	void (*readable)(struct tcp_conn *c, void *arg);
	/* Acknowledged bytes freed send space. */
	void (*writable)(struct tcp_conn *c, void *arg);
	/* The connection is gone: 0 after an orderly close, else
	 * B_ECONNRESET, B_ETIMEDOUT, B_ECONNREFUSED. c is invalid after it
	 * returns. Not called for tcp_abort. */
	void (*closed)(struct tcp_conn *c, int err, void *arg);
};

/* Listens on port with a queue of backlog established connections waiting
 * for tcp_accept (and as many half-open ones; capped by
 * cfg.tcp_backlog_max). NULL: port in use, no slot. */
struct tcp_conn *tcp_listen(struct net *n, uint16_t port, unsigned backlog,
			    const struct tcp_events *ev, void *arg);
/* The next established connection from a listener's queue, or NULL. */
struct tcp_conn *tcp_accept(struct tcp_conn *listener);
/* Opens a connection (SYN sent now or once ARP answers); NULL: no slot,
 * no address. */
struct tcp_conn *tcp_connect(struct net *n, net_ip4 dst, uint16_t port,
			     const struct tcp_events *ev, void *arg);
void tcp_set_events(struct tcp_conn *c, const struct tcp_events *ev, void *arg);
void *tcp_arg(const struct tcp_conn *c);

/* tcp_write flags */
#define TCP_WRITE_MORE	1u	/* more follows: hold a partial segment (like MSG_MORE) */

/* Copies up to len bytes into the send buffer and sends what the windows
 * allow. Returns the bytes taken (0 when the buffer is full), or
 * B_ENOTCONN (not yet or no longer sending), B_EPIPE (after tcp_shutdown). */
long tcp_write(struct tcp_conn *c, const void *data, size_t len, unsigned flags);
/* Copies up to cap received bytes out; B_EAGAIN when none wait, 0 once
 * the peer's FIN has been read, B_ECONNRESET after a reset. */
long tcp_read(struct tcp_conn *c, void *buf, size_t cap);
/* Zero-copy read: *p points at the first contiguous run of received bytes
 * (their count is returned); tcp_consume(c, k) frees k of them. */
size_t tcp_peek(struct tcp_conn *c, const void **p);
void tcp_consume(struct tcp_conn *c, size_t k);
size_t tcp_readable(const struct tcp_conn *c);
size_t tcp_writable(const struct tcp_conn *c);	/* free send-buffer bytes */
bool tcp_peer_closed(const struct tcp_conn *c);	/* FIN received */
/* Sends FIN after the queued bytes; receiving goes on. */
int tcp_shutdown(struct tcp_conn *c);
/* tcp_shutdown, and the program gives c up: the stack finishes the close
 * by itself and frees the slot (no more callbacks). A listener closes at
 * once, resetting its queued connections. */
int tcp_close(struct tcp_conn *c);
/* Sends RST and frees the slot now. */
void tcp_abort(struct tcp_conn *c);

enum tcp_opt {
	TCP_OPT_NODELAY,	/* 1: Nagle off */
	TCP_OPT_KEEPALIVE,	/* seconds of idleness before probes; 0 off */
	TCP_OPT_IDLE_TIMEOUT,	/* ms of no progress before the stack aborts; 0 off */
};
int tcp_setopt(struct tcp_conn *c, enum tcp_opt opt, uint32_t val);

struct tcp_info {
	uint8_t state;		/* enum tcp_conn_state */
	net_ip4 local_ip, remote_ip;
	uint16_t local_port, remote_port;
	uint32_t srtt_ms, rto_ms, cwnd, ssthresh, snd_wnd, rcv_wnd, mss;
	uint64_t bytes_sent, bytes_received, retransmits;
};
int tcp_get_info(const struct tcp_conn *c, struct tcp_info *out);
/* Connections per state (index enum tcp_conn_state), for /status. */
void tcp_count_states(const struct net *n, unsigned counts[TCP_TIME_WAIT + 1]);

/* ---- DNS ---- */
/* Resolves name's A record with the configured server. done runs once
 * (inside net_input/net_poll, or inside this call for an IPv4 literal or a
 * cached answer) with 0 and the address, or B_ENOENT (NXDOMAIN, no
 * record), B_ETIMEDOUT, B_EINVAL (bad name), B_EIO (a server error, or
 * a truncated reply without the record). Returns 0 or an error (then
 * done never runs): B_EAGAIN no query slot, B_EHOSTUNREACH no server. */
int dns_resolve(struct net *n, const char *name,
		void (*done)(void *arg, int err, net_ip4 ip), void *arg);

/* ---- the blocking-style API (net_sock.c), for small programs ----
 * Each call pumps the network through port->pump until it can finish or
 * timeout_ms passes (B_ETIMEDOUT). Never call them from a callback. */
int nb_wait_address(struct net *n, uint64_t timeout_ms);
struct tcp_conn *nb_accept(struct tcp_conn *listener, uint64_t timeout_ms);
struct tcp_conn *nb_connect(struct net *n, net_ip4 dst, uint16_t port,
			    uint64_t timeout_ms, int *err);
/* At least one byte (or 0 at end of stream). */
long nb_read(struct tcp_conn *c, void *buf, size_t cap, uint64_t timeout_ms);
/* All len bytes, or an error. */
long nb_write(struct tcp_conn *c, const void *data, size_t len, uint64_t timeout_ms);
/* Closes and waits until the peer has our FIN acknowledged (or timeout). */
int nb_close(struct tcp_conn *c, uint64_t timeout_ms);
int nb_resolve(struct net *n, const char *name, net_ip4 *ip, uint64_t timeout_ms);
long nb_udp_recv(struct udp_sock *s, void *buf, size_t cap, net_ip4 *src,
		 uint16_t *sport, uint64_t timeout_ms);

/* ---- several stacks on one NIC (flow.c) ----
 * The stack (0 .. nshards-1) a received frame belongs to, or NET_FLOW_ALL
 * for ARP, which every stack must see. TCP segments spread by a hash of
 * the remote address and the ports; fragments and all else go to 0. */
#define NET_FLOW_ALL	(-1)
int net_flow_shard(const void *frame, size_t len, unsigned nshards);

/* "10.0.2.15" -> 0x0a00020f; B_EINVAL unless four decimal bytes. */
int net_parse_ip4(const char *s, net_ip4 *out);
/* Writes the dotted quad and a NUL into buf (>= 16 bytes); its length. */
int net_format_ip4(net_ip4 ip, char *buf);

#endif
