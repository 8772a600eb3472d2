/*
 * TCP's inside (RFC 9293), shared by its files:
 *
 *     tcp.c        slots, demux, ISNs, connection ends
 *     tcp_api.c    the program's calls of net.h
 *     tcp_in.c     segment arrival: checks, the state machine, data in
 *     tcp_out.c    segment output: data, SYNs, ACKs, RSTs, probes
 *     tcp_cc.c     the RTT estimator (RFC 6298), congestion control
 *                  (RFC 5681, NewReno RFC 6582)
 *     tcp_timer.c  the per-connection timers
 *
 * Every slot (listener, connection, TIME_WAIT) is a struct tcp_conn from a
 * fixed pool carved at start, each with its own send and receive ring.
 *
 * Sequence space to ring: byte seq of the send ring sits at index
 * (seq - iss - 1) & mask, of the receive ring at (seq - irs - 1) & mask,
 * so no head index is kept: the ring holds [sb_seq, snd_end) to send and
 * [rb_seq, rcv_nxt) to read, and out-of-order bytes land at their place
 * beyond rcv_nxt (the window never reaches past rb_seq + ring size).
 *
 * Ownership: the program holds a connection from tcp_connect, tcp_accept
 * or the accepted callback until the closed callback returns or it calls
 * tcp_close/tcp_abort. A child still waiting in its listener's queues is
 * "hidden" (c->listener set) and an abandoned one "orphan": neither gets
 * callbacks, and the stack frees both by itself.
 */
#ifndef PITH_LIB_NET_TCP_IMPL_H
#define PITH_LIB_NET_TCP_IMPL_H

#include "net_impl.h"

/* RFC 9293 §3.1: the header and its control bits */
#define TCP_HDR		20
#define TCP_HDR_MAX	60	/* data offset is 4 bits of 32-bit words */
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20

/* RFC 9293 §3.2, RFC 7323 §2.2: option kinds */
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2
#define TCPOPT_WS	3
#define TCP_SYN_OPTS	8	/* what we send on a SYN: MSS 4, NOP, WS 3 */

#define TCP_MSS_DEFAULT	536	/* RFC 9293 §3.7.1: a peer sending no MSS option */
#define TCP_MSS_MIN	64	/* our floor on a peer's MSS: tiny segments are an amplifier */
#define TCP_WS_MAX	14	/* RFC 7323 §2.3 */

/* Times, ms. RFC 9293 §3.4.2 leaves MSL to us: 30 s, TIME_WAIT 2*MSL. */
#define TCP_MSL_MS		30000
#define TCP_TIME_WAIT_MS	(2 * TCP_MSL_MS)
#define TCP_FIN_WAIT_2_MS	60000	/* an orphan waiting for the peer's FIN */
#define TCP_RTO_INIT		1000	/* RFC 6298 §2.1 (SYNs too, RFC 6298 §5 note) */
#define TCP_RTO_MIN		200	/* RFC 6298 §2.4 says 1 s; Linux's 200 ms */
#define TCP_RTO_MAX		60000	/* RFC 6298 §2.5 */
#define TCP_RTX_MAX		15	/* retransmissions of one segment before giving up */
#define TCP_RTX_TIME_MAX	120000	/* RFC 1122 §4.2.3.5 R2: at least 100 s */
#define TCP_SYN_RETRIES		6	/* SYN again at 1, 3, 7, 15, 31, 63 s; B_ETIMEDOUT one capped RTO later, 123 s */
#define TCP_SYNACK_RETRIES	5	/* SYN-ACK of a listener's child */
#define TCP_DELACK_MS		40	/* RFC 9293 §3.8.6.3: under 0.5 s */
#define TCP_KEEP_INTVL_MS	75000	/* between keepalive probes (BSD's, Linux's) */
#define TCP_KEEP_PROBES		9	/* unanswered probes before the drop */
#define TCP_PERSIST_MAX		60000	/* the zero-window probe backoff's cap */
#define TCP_ORPHAN_PROBES	8	/* an orphan's zero-window probes (Linux's) */
#define TCP_CHALLENGE_MAX	10	/* RFC 5961 §7: challenge ACKs per connection ... */
#define TCP_CHALLENGE_MS	1000	/* ... per this many ms */

#define TCP_OOO_RANGES	8	/* out-of-order runs remembered beyond rcv_nxt */
#define TCP_BURST_MAX	64	/* segments one tcp_output call sends at most */
#define TCP_EPHEM_LO	49152	/* RFC 6335 §6: the dynamic port range */

/* Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* A received segment, parsed and checked (tcp_in.c). */
struct tcp_seg {
	net_ip4 src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;		/* as received, unscaled */
	const uint8_t *data;
	uint32_t dlen;
	uint16_t mss;		/* options, meaningful on a SYN */
	uint8_t ws;
	bool has_mss, has_ws;
};

/* The timers of one connection (tcp_timer.c); 0 in t[] means off. */
enum tcp_timer_kind {
	TCP_T_RTX,	/* retransmission: data, FIN, SYN, SYN-ACK */
	TCP_T_PERSIST,	/* zero-window probe, SWS override */
	TCP_T_DELACK,
	TCP_T_KEEP,
	TCP_T_IDLE,
	TCP_T_LINGER,	/* TIME_WAIT's 2*MSL, an orphan's FIN_WAIT_2 limit */
	TCP_NTIMERS,
};

/* c->flags */
#define TCF_USED	0x0001	/* the slot is taken */
#define TCF_ORPHAN	0x0002	/* tcp_close'd: no more callbacks */
#define TCF_FIN_QUEUED	0x0004	/* the program shut down: FIN after snd_end */
#define TCF_FIN_RCVD	0x0008
#define TCF_ACK_NOW	0x0010	/* owe the peer an ACK now */
#define TCF_NODELAY	0x0020	/* Nagle off */
#define TCF_MORE	0x0040	/* TCP_WRITE_MORE: hold a partial segment */
#define TCF_TIMING	0x0080	/* rtt_seq is being timed (Karn) */
#define TCF_RECOVERY	0x0100	/* in fast recovery (RFC 6582) */
#define TCF_WS_OK	0x0200	/* both SYNs carried window scale */
#define TCF_SYN_RTX	0x0400	/* our SYN was retransmitted: IW 1 MSS */
#define TCF_FORCE	0x0800	/* send one segment past the SWS rule */
#define TCF_HASHED	0x1000
#define TCF_PASSIVE	0x2000	/* a listener's child */

struct tcp_conn;

/* A FIFO of connections linked through qprev/qnext. */
struct tcp_queue {
	struct tcp_conn *head, *tail;
	unsigned len;
};

struct tcp_range {
	uint32_t lo, hi;	/* received bytes [lo, hi) beyond rcv_nxt */
};

struct tcp_conn {
	struct net *n;
	struct tcp_conn *hnext;		/* hash chain, listener list or free list */
	struct tcp_conn *qprev, *qnext;	/* a listener's queue or the TIME_WAIT list */
	struct tcp_conn *listener;	/* while hidden in its queues */
	struct tcp_queue *queue;	/* the queue qprev/qnext link into */
	struct tcp_events ev;
	void *arg;
	uint32_t gen;			/* bumped on free: a callback may end c */
	uint32_t flags;			/* TCF_* */
	uint8_t state;			/* enum tcp_state */
	int err;			/* why a held CLOSED slot ended */
	net_ip4 lip, rip;
	uint16_t lport, rport;

	/* send side, RFC 9293 §3.3.1 (snd_max: the highest sent) */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_end;
	uint32_t sb_seq;		/* first byte still in the send ring */
	uint32_t snd_sml;		/* end of the last partial segment (Nagle) */
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint8_t *sbuf;
	uint16_t mss;			/* what we send per segment */
	uint8_t snd_shift, rcv_shift;	/* RFC 7323 */

	/* receive side */
	uint32_t irs, rcv_nxt, rcv_adv;	/* rcv_adv: the advertised right edge */
	uint32_t rb_seq;		/* first unread byte */
	uint32_t rcv_acked;		/* rcv_nxt when we last ACKed */
	uint16_t rcv_mss;		/* largest segment seen: delayed ACK's unit */
	uint8_t nooo;
	struct tcp_range ooo[TCP_OOO_RANGES];
	uint8_t *rbuf;

	/* RFC 6298 (srtt8 = SRTT * 8, rttvar4 = RTTVAR * 4, ms) */
	uint32_t srtt8, rttvar4, rto;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint8_t retries;		/* of the segment at snd_una, or the SYN */
	uint64_t rtx_since;		/* the first of those retries */

	/* RFC 5681, RFC 6582 */
	uint32_t cwnd, ssthresh, recover;
	uint8_t dupacks;

	/* timers */
	uint64_t t[TCP_NTIMERS];
	uint64_t due;			/* <= every t[k] set: a lower bound */
	uint8_t persist_n;		/* probes sent since the window closed */
	uint8_t persist_out;		/* zero-window probes unanswered: any segment resets it */
	uint8_t keep_probes;		/* unanswered: any segment resets it */
	uint64_t last_rx;		/* any segment (keepalive) */
	uint64_t last_progress;		/* new data either way (idle timeout) */
	uint32_t keep_ms, idle_ms;
	uint64_t chal_start;		/* RFC 5961 §7 */
	uint16_t chal_count;

	/* a listener's */
	uint16_t backlog;
	struct tcp_queue synq, accq;	/* SYN_RECEIVED children; established ones */

	/* tcp_get_info */
	uint64_t bytes_sent, bytes_received, retransmits;
};

struct tcp_state {
	struct tcp_conn *conns;
	unsigned nconns;
	struct tcp_conn *free;
	struct tcp_conn **hash;		/* demux on (rip, rport, lport) */
	unsigned hmask;
	uint32_t hkey;
	struct tcp_conn *listeners;
	struct tcp_queue time_wait;	/* orphans in TIME_WAIT, oldest first */
	uint64_t next_due;		/* <= every connection's due */
	uint8_t secret[16];		/* RFC 6528's key */
	uint16_t next_port;
	uint32_t sbuf_size, rbuf_size;
	uint8_t rcv_shift;		/* the window scale we offer */
};

/* ---- tcp.c ---- */
struct tcp_conn *tcp_lookup(struct net *n, net_ip4 lip, net_ip4 rip, uint16_t lport,
			    uint16_t rport);
struct tcp_conn *tcp_find_listener(struct net *n, uint16_t lport);
/* A zeroed slot (the oldest orphan TIME_WAIT recycled when none is free). */
struct tcp_conn *tcp_alloc(struct net *n);
void tcp_hash_insert(struct tcp_conn *c);
void tcp_free(struct tcp_conn *c);
/* Frees a listener's hidden children, with a RST to each when reset. */
void tcp_free_children(struct tcp_conn *l, bool reset);
/* The connection is over: a held one goes CLOSED and hears closed(err),
 * a hidden or orphan one is freed. c may be gone on return. */
void tcp_finish(struct tcp_conn *c, int err);
/* RST to the peer, then tcp_finish (the stack gives up: timeouts). */
void tcp_drop(struct tcp_conn *c, int err);
void tcp_enter_time_wait(struct tcp_conn *c);
void tcp_make_orphan(struct tcp_conn *c);
uint32_t tcp_isn(struct net *n, net_ip4 lip, uint16_t lport, net_ip4 rip, uint16_t rport);
void tcp_queue_add(struct tcp_queue *q, struct tcp_conn *c);
void tcp_queue_del(struct tcp_conn *c);
bool tcp_hidden(const struct tcp_conn *c);
bool tcp_fin_acked(const struct tcp_conn *c);
uint32_t tcp_readable_bytes(const struct tcp_conn *c);

/* ---- tcp_in.c ---- */
void tcp_set_established(struct tcp_conn *c);

/* ---- tcp_out.c ---- */
/* Sends what the windows, Nagle and SWS avoidance allow, then an owed
 * ACK; arms the retransmission or persist timer. */
void tcp_output(struct tcp_conn *c);
void tcp_send_syn(struct tcp_conn *c);		/* SYN or SYN-ACK, seq ISS */
void tcp_send_ack(struct tcp_conn *c);
void tcp_send_rst(struct tcp_conn *c);		/* <SEQ=SND.NXT><ACK=RCV.NXT> */
void tcp_challenge_ack(struct tcp_conn *c);	/* RFC 5961, rate-limited */
void tcp_send_probe(struct tcp_conn *c);	/* <SEQ=SND.UNA-1>: keepalive, window probe */
void tcp_rexmit_first(struct tcp_conn *c);	/* the segment at snd_una again */
/* A bare segment with no connection behind it (RFC 9293 §3.10.7.1). */
void tcp_send_reset(struct net *n, net_ip4 dst, uint16_t sport, uint16_t dport,
		    uint32_t seq, uint32_t ack, uint8_t flags);
/* The program read: send a window update if the window grew enough. */
void tcp_rcv_update(struct tcp_conn *c);
uint32_t tcp_rcv_space(const struct tcp_conn *c);	/* free bytes from rcv_nxt */

/* ---- tcp_cc.c ---- */
void tcp_cc_init(struct tcp_conn *c);
void tcp_rtt_sample(struct tcp_conn *c, uint32_t ms);
uint32_t tcp_rto_base(const struct tcp_conn *c);	/* RTO without backoff */
void tcp_cc_ack(struct tcp_conn *c, uint32_t acked);	/* snd_una already moved */
void tcp_cc_dupack(struct tcp_conn *c);
void tcp_cc_timeout(struct tcp_conn *c);

/* ---- tcp_timer.c ---- */
void tcp_timer_set(struct tcp_conn *c, unsigned k, uint64_t when);
void tcp_timer_stop(struct tcp_conn *c, unsigned k);
void tcp_timer_stop_all(struct tcp_conn *c);
bool tcp_timer_on(const struct tcp_conn *c, unsigned k);

#endif
