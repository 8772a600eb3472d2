/*
 * TCP input: RFC 9293 §3.10.7 "SEGMENT ARRIVES", with RFC 5961's
 * defences (challenge ACKs for in-window RSTs, SYNs in synchronized
 * states and ACKs outside [SND.UNA - MAX.SND.WND, SND.NXT]).
 *
 * tcp_input parses and checks the segment (length, data offset, checksum,
 * options), refuses broadcast and multicast, and hands it to the listener,
 * the connection, or answers with a RST (§3.10.7.1). Callbacks run at the
 * end of a segment's processing, in the order connected/accepted,
 * readable, writable; after each the connection's generation is checked,
 * since the program may have ended it.
 *
 * Deviations, documented in docs/NETWORK.md:
 *   - data on a SYN is not queued (the peer sends it again once ACKed);
 *   - a FIN counts only when it arrives in order (an out-of-order FIN is
 *     dropped; the peer retransmits it);
 *   - RSTs in TIME_WAIT are ignored (RFC 1337's TIME-WAIT assassination);
 *   - a SYN for a TIME_WAIT slot with a sequence number above its
 *     RCV.NXT ends the TIME_WAIT and opens a new connection (RFC 6191's
 *     idea, on sequence numbers since we send no timestamps).
 */
#include "tcp_impl.h"

#define EV_CONNECTED	1u
#define EV_ACCEPTED	2u
#define EV_READABLE	4u
#define EV_WRITABLE	8u
#define EV_TIME_WAIT	16u	/* enter TIME_WAIT once the callbacks ran */

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* ---- parsing ---- */

/* RFC 9293 §3.2: options end at EOL, a length under 2 or one running past
 * the header; kinds we do not use are skipped by their length. */
static void parse_options(const uint8_t *o, size_t len, struct tcp_seg *s)
{
	size_t i = 0;

	while (i < len) {	/* every pass advances at least one byte */
		uint8_t kind = o[i], olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return;
		olen = o[i + 1];
		if (olen < 2 || olen > len - i)
			return;
		if (kind == TCPOPT_MSS && olen == 4) {
			s->mss = get16(o + i + 2);
			s->has_mss = true;
		} else if (kind == TCPOPT_WS && olen == 3) {
			s->ws = o[i + 2] > TCP_WS_MAX ? TCP_WS_MAX : o[i + 2];	/* RFC 7323 §2.3 */
			s->has_ws = true;
		}
		i += olen;
	}
}

static bool parse(const struct ip4_rx *ip, const uint8_t *p, size_t len, struct tcp_seg *s)
{
	size_t off;

	if (len < TCP_HDR || len > 65535)
		return false;
	off = (size_t)(p[12] >> 4) * 4;
	if (off < TCP_HDR || off > len)
		return false;
	if (cksum_fold(cksum_add(cksum_pseudo(ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)len),
				 p, len)) != 0)
		return false;
	set_mem(s, 0, sizeof(*s));
	s->src = ip->src;
	s->dst = ip->dst;
	s->sport = get16(p);
	s->dport = get16(p + 2);
	s->seq = get32(p + 4);
	s->ack = get32(p + 8);
	s->flags = p[13] & 0x3f;
	s->wnd = get16(p + 14);
	s->data = p + off;
	s->dlen = (uint32_t)(len - off);
	parse_options(p + TCP_HDR, off - TCP_HDR, s);
	return s->sport != 0 && s->dport != 0;
}

static uint32_t seg_len(const struct tcp_seg *s)
{
	return s->dlen + ((s->flags & TCP_SYN) ? 1 : 0) + ((s->flags & TCP_FIN) ? 1 : 0);
}

/* ---- the peer's SYN options ---- */

static void take_syn_options(struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t ours = c->n->cfg.mtu - IP4_HDR - TCP_HDR;
	uint32_t peer = s->has_mss ? s->mss : TCP_MSS_DEFAULT;

	if (peer < TCP_MSS_MIN)
		peer = TCP_MSS_MIN;
	c->mss = (uint16_t)min32(ours, peer);
	c->rcv_mss = c->mss;
	if (s->has_ws) {	/* RFC 7323 §2.2: both sides or neither */
		c->flags |= TCF_WS_OK;
		c->snd_shift = s->ws;
	} else {
		c->snd_shift = 0;
		c->rcv_shift = 0;
	}
}

static void init_receive(struct tcp_conn *c, uint32_t seq)
{
	c->irs = seq;
	c->rcv_nxt = c->rb_seq = c->rcv_acked = seq + 1;
	c->rcv_adv = c->rcv_nxt;
}

static void take_window(struct tcp_conn *c, const struct tcp_seg *s, uint32_t wnd)
{
	c->snd_wnd = wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (wnd > c->max_snd_wnd)
		c->max_snd_wnd = wnd;
}

/* The handshake is over (RFC 9293 §3.10.7.3-4): ESTABLISHED, or
 * FIN_WAIT_1 when the program shut down during it. */
void tcp_set_established(struct tcp_conn *c)
{
	c->state = (c->flags & TCF_FIN_QUEUED) ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED;
	c->retries = 0;
	c->last_progress = c->n->now;
	tcp_cc_init(c);
	if (c->keep_ms)
		tcp_timer_set(c, TCP_T_KEEP, c->n->now + c->keep_ms);
	if (c->idle_ms)
		tcp_timer_set(c, TCP_T_IDLE, c->n->now + c->idle_ms);
}

/* ---- LISTEN (RFC 9293 §3.10.7.2) ---- */

/* A slot for a new child. Flood policy: when the listener's SYN queue is
 * full, or no slot is free (after recycling TIME_WAIT), its oldest
 * SYN_RECEIVED child is evicted silently. */
static struct tcp_conn *new_child(struct tcp_conn *l)
{
	struct net *n = l->n;
	struct tcp_conn *c;

	if (l->synq.len >= l->backlog) {
		n->st.tcp_syn_drops++;
		tcp_free(l->synq.head);
	}
	c = tcp_alloc(n);
	if (!c && l->synq.head) {
		n->st.tcp_syn_drops++;
		tcp_free(l->synq.head);
		c = tcp_alloc(n);
	}
	if (!c)
		n->st.tcp_syn_drops++;
	return c;
}

static void listen_input(struct tcp_conn *l, const struct tcp_seg *s)
{
	struct net *n = l->n;
	struct tcp_conn *c;

	if (s->flags & TCP_RST)
		return;
	if (s->flags & TCP_ACK) {
		tcp_send_reset(n, s->src, s->dport, s->sport, s->ack, 0, TCP_RST);
		return;
	}
	if (!(s->flags & TCP_SYN) || s->dst != n->ip)
		return;
	c = new_child(l);
	if (!c)
		return;
	c->lip = s->dst;
	c->rip = s->src;
	c->lport = s->dport;
	c->rport = s->sport;
	c->state = TCP_SYN_RECEIVED;
	c->flags |= TCF_PASSIVE | (l->flags & TCF_NODELAY);
	c->keep_ms = l->keep_ms;
	c->idle_ms = l->idle_ms;
	c->ev = l->ev;
	c->arg = l->arg;
	c->listener = l;
	c->rcv_shift = n->tcp->rcv_shift;
	init_receive(c, s->seq);
	take_syn_options(c, s);
	take_window(c, s, s->wnd);	/* RFC 7323 §2.2: unscaled on a SYN */
	c->iss = tcp_isn(n, c->lip, c->lport, c->rip, c->rport);
	c->snd_una = c->snd_nxt = c->snd_max = c->snd_sml = c->iss;
	c->snd_end = c->sb_seq = c->iss + 1;
	tcp_hash_insert(c);
	tcp_queue_add(&l->synq, c);
	n->st.tcp_passive_opens++;
	tcp_send_syn(c);
}

/* ---- SYN_SENT (RFC 9293 §3.10.7.3) ---- */

static void syn_sent_input(struct tcp_conn *c, const struct tcp_seg *s, unsigned *ev)
{
	bool ack = s->flags & TCP_ACK;

	if (ack && (seq_le(s->ack, c->iss) || seq_gt(s->ack, c->snd_max))) {
		if (!(s->flags & TCP_RST))
			tcp_send_reset(c->n, c->rip, c->lport, c->rport, s->ack, 0, TCP_RST);
		return;
	}
	if (s->flags & TCP_RST) {
		if (ack)
			tcp_finish(c, B_ECONNREFUSED);
		return;
	}
	if (!(s->flags & TCP_SYN))
		return;
	init_receive(c, s->seq);
	take_syn_options(c, s);
	take_window(c, s, s->wnd);
	c->flags |= TCF_ACK_NOW;
	if (!ack) {		/* simultaneous open: SYN-ACK, SYN_RECEIVED */
		c->state = TCP_SYN_RECEIVED;
		return;
	}
	c->snd_una = s->ack;
	if ((c->flags & TCF_TIMING) && seq_gt(s->ack, c->rtt_seq))
		tcp_rtt_sample(c, (uint32_t)(c->n->now - c->rtt_start));
	c->flags &= ~(uint32_t)TCF_TIMING;
	c->rto = tcp_rto_base(c);
	tcp_timer_stop(c, TCP_T_RTX);
	tcp_set_established(c);
	*ev |= EV_CONNECTED;
}

/* ---- synchronized states (RFC 9293 §3.10.7.4) ---- */

/* First check: is any of the segment inside the receive window? */
static bool seq_acceptable(const struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t wnd = tcp_rcv_space(c), len = seg_len(s);

	if (wnd == 0)	/* ACKs and RSTs still count at exactly RCV.NXT */
		return s->seq == c->rcv_nxt;
	if (seq_lt(s->seq, c->rcv_nxt + wnd) && seq_ge(s->seq, c->rcv_nxt))
		return true;
	if (len == 0)
		return false;
	return seq_ge(s->seq + len - 1, c->rcv_nxt) && seq_lt(s->seq + len - 1, c->rcv_nxt + wnd);
}

/* RFC 5961 §3.2: only a RST at exactly RCV.NXT resets. */
static void rst_input(struct tcp_conn *c, const struct tcp_seg *s)
{
	if (s->seq != c->rcv_nxt) {
		tcp_challenge_ack(c);
		return;
	}
	if (c->state == TCP_TIME_WAIT)
		return;		/* RFC 1337 */
	if (c->state == TCP_SYN_RECEIVED)
		tcp_finish(c, (c->flags & TCF_PASSIVE) ? 0 : B_ECONNREFUSED);
	else
		tcp_finish(c, B_ECONNRESET);
}

/* SYN_RECEIVED's handshake ACK. False: the segment goes no further. */
static bool syn_rcvd_ack(struct tcp_conn *c, const struct tcp_seg *s, unsigned *ev)
{
	struct tcp_conn *l = c->listener;

	if (!seq_gt(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
		tcp_send_reset(c->n, c->rip, c->lport, c->rport, s->ack, 0, TCP_RST);
		return false;
	}
	if (l && !l->ev.accepted && l->accq.len >= l->backlog) {
		c->n->st.tcp_accept_drops++;	/* the peer will send the ACK again */
		return false;
	}
	if ((c->flags & TCF_TIMING) && seq_gt(s->ack, c->rtt_seq))
		tcp_rtt_sample(c, (uint32_t)(c->n->now - c->rtt_start));
	c->flags &= ~(uint32_t)TCF_TIMING;
	c->rto = tcp_rto_base(c);
	c->snd_una = s->ack;
	c->sb_seq = c->snd_una;
	tcp_timer_stop(c, TCP_T_RTX);
	take_window(c, s, (uint32_t)s->wnd << c->snd_shift);
	tcp_set_established(c);
	if (!l) {
		*ev |= EV_CONNECTED;
		return true;
	}
	tcp_queue_del(c);
	if (l->ev.accepted) {
		c->listener = NULL;
		*ev |= EV_ACCEPTED;
	} else {
		tcp_queue_add(&l->accq, c);
	}
	return true;
}

/* New data acknowledged: free the ring, sample the RTT, grow cwnd, and
 * restart the timer (RFC 6298 §5.2-5.3). */
static void ack_new(struct tcp_conn *c, uint32_t ack, unsigned *ev)
{
	uint32_t acked = ack - c->snd_una, data = 0;
	uint32_t end = seq_lt(ack, c->snd_end) ? ack : c->snd_end;

	if (seq_gt(end, c->sb_seq)) {
		data = end - c->sb_seq;
		c->sb_seq = end;
		*ev |= EV_WRITABLE;
	}
	if ((c->flags & TCF_TIMING) && seq_gt(ack, c->rtt_seq)) {
		c->flags &= ~(uint32_t)TCF_TIMING;
		tcp_rtt_sample(c, (uint32_t)(c->n->now - c->rtt_start));
	}
	c->snd_una = ack;
	if (seq_lt(c->snd_nxt, ack))
		c->snd_nxt = ack;
	tcp_cc_ack(c, data ? data : acked);
	c->retries = 0;
	c->rto = tcp_rto_base(c);
	c->last_progress = c->n->now;
	if (c->snd_una == c->snd_max)
		tcp_timer_stop(c, TCP_T_RTX);
	else
		tcp_timer_set(c, TCP_T_RTX, c->n->now + c->rto);
}

/* RFC 9293 §3.10.7.4 fifth check, RFC 5961 §5.2. False: stop here. */
static bool ack_input(struct tcp_conn *c, const struct tcp_seg *s, unsigned *ev)
{
	uint32_t wnd = (uint32_t)s->wnd << c->snd_shift;

	if (c->state == TCP_SYN_RECEIVED && !syn_rcvd_ack(c, s, ev))
		return false;
	if (seq_gt(s->ack, c->snd_max) ||
	    seq_lt(s->ack, c->snd_una - c->max_snd_wnd)) {
		tcp_challenge_ack(c);
		return false;
	}
	if (seq_gt(s->ack, c->snd_una))
		ack_new(c, s->ack, ev);
	else if (s->ack == c->snd_una && s->dlen == 0 && !(s->flags & (TCP_SYN | TCP_FIN)) &&
		 wnd == c->snd_wnd && c->snd_max != c->snd_una)
		tcp_cc_dupack(c);	/* RFC 5681 §2's duplicate */
	if (seq_lt(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && seq_le(c->snd_wl2, s->ack))) {
		if (wnd > c->snd_wnd) {
			tcp_timer_stop(c, TCP_T_PERSIST);
			c->persist_n = 0;
		}
		take_window(c, s, wnd);
	}
	if (!tcp_fin_acked(c))
		return true;
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		tcp_timer_stop(c, TCP_T_RTX);
		if (c->flags & TCF_ORPHAN)
			tcp_timer_set(c, TCP_T_LINGER, c->n->now + TCP_FIN_WAIT_2_MS);
		break;
	case TCP_CLOSING:
		*ev |= EV_TIME_WAIT;
		break;
	case TCP_LAST_ACK:
		tcp_finish(c, 0);
		return false;
	default:
		break;
	}
	return true;
}

/* Remembers [lo, hi) beyond rcv_nxt, merged with the runs it touches;
 * dropped when the list is full (the peer sends it again). */
static void ooo_add(struct tcp_conn *c, uint32_t lo, uint32_t hi)
{
	for (unsigned i = 0; i < c->nooo;) {
		struct tcp_range *r = &c->ooo[i];

		if (seq_gt(lo, r->hi) || seq_gt(r->lo, hi)) {
			i++;
			continue;
		}
		if (seq_lt(r->lo, lo))
			lo = r->lo;
		if (seq_gt(r->hi, hi))
			hi = r->hi;
		*r = c->ooo[--c->nooo];	/* i again: a new run sits there */
	}
	if (c->nooo < TCP_OOO_RANGES)
		c->ooo[c->nooo++] = (struct tcp_range){ lo, hi };
}

/* rcv_nxt moved: take in every run it now reaches. */
static void ooo_advance(struct tcp_conn *c)
{
	for (unsigned i = 0; i < c->nooo;) {
		struct tcp_range *r = &c->ooo[i];

		if (seq_gt(r->lo, c->rcv_nxt)) {
			i++;
			continue;
		}
		if (seq_gt(r->hi, c->rcv_nxt))
			c->rcv_nxt = r->hi;
		*r = c->ooo[--c->nooo];
		i = 0;		/* rcv_nxt moved: look again from the start */
	}
}

static void rbuf_put(struct tcp_conn *c, uint32_t seq, const uint8_t *p, uint32_t len)
{
	uint32_t size = c->n->tcp->rbuf_size;
	uint32_t at = (seq - c->irs - 1) & (size - 1);
	uint32_t first = min32(size - at, len);

	copy_mem(c->rbuf + at, p, first);
	copy_mem(c->rbuf, p + first, len - first);
}

/* RFC 9293 §3.10.7.4 seventh check: data into the ring, in order or at
 * its place beyond rcv_nxt. Returns whether the FIN (if any) is in order. */
static bool data_input(struct tcp_conn *c, const struct tcp_seg *s, unsigned *ev)
{
	uint32_t seq = s->seq, len = s->dlen, edge, skip;
	const uint8_t *p = s->data;
	bool fin = s->flags & TCP_FIN, gap = c->nooo > 0;

	if (seq_lt(seq, c->rcv_nxt)) {
		skip = c->rcv_nxt - seq;
		c->flags |= TCF_ACK_NOW;	/* a duplicate: tell where we are */
		if (skip > len)
			return false;
		p += skip;
		len -= skip;
		seq = c->rcv_nxt;
	}
	edge = c->rcv_nxt + tcp_rcv_space(c);
	if (len && seq_gt(seq + len, edge)) {
		len = seq_gt(edge, seq) ? edge - seq : 0;
		fin = false;
		c->flags |= TCF_ACK_NOW;
	}
	if (!len)
		return fin && seq == c->rcv_nxt && c->nooo == 0;
	rbuf_put(c, seq, p, len);
	if (seq != c->rcv_nxt) {	/* RFC 5681 §4.2: duplicate ACK at once */
		c->n->st.tcp_ooo_segs++;
		ooo_add(c, seq, seq + len);
		c->flags |= TCF_ACK_NOW;
		return false;
	}
	c->rcv_nxt = seq + len;
	ooo_advance(c);
	c->bytes_received += c->rcv_nxt - seq;
	c->last_progress = c->n->now;
	if (len > c->rcv_mss)
		c->rcv_mss = (uint16_t)min32(len, c->n->cfg.mtu - IP4_HDR - TCP_HDR);
	if (gap || c->rcv_nxt - c->rcv_acked >= 2u * c->rcv_mss)
		c->flags |= TCF_ACK_NOW;	/* RFC 5681 §4.2, RFC 9293 §3.8.6.3 */
	else if (!tcp_timer_on(c, TCP_T_DELACK))
		tcp_timer_set(c, TCP_T_DELACK, c->n->now + TCP_DELACK_MS);
	if (c->flags & TCF_ORPHAN)
		c->rb_seq = c->rcv_nxt;		/* nobody reads: let it go */
	*ev |= EV_READABLE;
	return fin && seq + len == c->rcv_nxt && c->nooo == 0;
}

/* RFC 9293 §3.10.7.4 eighth check: the FIN, in order. */
static void fin_input(struct tcp_conn *c, unsigned *ev)
{
	c->rcv_nxt++;
	c->flags |= TCF_FIN_RCVD | TCF_ACK_NOW;
	*ev |= EV_READABLE;
	switch (c->state) {
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:	/* our FIN not yet acked: simultaneous close */
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		*ev |= EV_TIME_WAIT;
		break;
	default:
		break;
	}
}

/* The program's callbacks, in order; false when c was ended by one. */
static bool run_events(struct tcp_conn *c, unsigned ev)
{
	uint32_t gen = c->gen;
	static const unsigned order[] = { EV_CONNECTED, EV_ACCEPTED, EV_READABLE, EV_WRITABLE };

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		void (*fn)(struct tcp_conn *, void *) = NULL;

		if (!(ev & order[i]) || (c->flags & TCF_ORPHAN) || tcp_hidden(c) ||
		    c->state == TCP_CLOSED)
			continue;
		if (order[i] == EV_CONNECTED)
			fn = c->ev.connected;
		else if (order[i] == EV_ACCEPTED)
			fn = c->ev.accepted;
		else if (order[i] == EV_READABLE)
			fn = c->ev.readable;
		else
			fn = c->ev.writable;
		if (fn)
			fn(c, c->arg);
		if (c->gen != gen)
			return false;
	}
	return true;
}

/* RFC 5961 §4: a SYN in a synchronized state. False: handled. In
 * SYN_RECEIVED the peer's own SYN again means our SYN-ACK was lost, and
 * its SYN-ACK (simultaneous open) completes the handshake: its SYN is
 * stripped and the rest goes on. */
static bool syn_check(struct tcp_conn *c, struct tcp_seg *s)
{
	if (!(s->flags & TCP_SYN))
		return true;
	if (c->state == TCP_SYN_RECEIVED && s->seq == c->irs && !(s->flags & TCP_RST)) {
		if (s->flags & TCP_ACK) {
			s->flags &= (uint8_t)~TCP_SYN;
			s->seq++;
			return true;
		}
		tcp_send_syn(c);
		return false;
	}
	if (!(s->flags & TCP_RST))
		tcp_challenge_ack(c);
	return false;
}

/* The checks of RFC 9293 §3.10.7.4 in order. False: stop (c may be gone). */
static bool sync_input(struct tcp_conn *c, struct tcp_seg *s, unsigned *ev)
{
	if (!syn_check(c, s))
		return false;
	if (!seq_acceptable(c, s)) {
		if (s->flags & TCP_RST)
			return false;
		if (c->state == TCP_TIME_WAIT && (s->flags & TCP_FIN))
			tcp_timer_set(c, TCP_T_LINGER, c->n->now + TCP_TIME_WAIT_MS);
		tcp_send_ack(c);
		return false;
	}
	if (s->flags & TCP_RST) {
		rst_input(c, s);
		return false;
	}
	if (!(s->flags & TCP_ACK) || !ack_input(c, s, ev))
		return false;
	if (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
	    c->state == TCP_FIN_WAIT_2) {
		if (data_input(c, s, ev))
			fin_input(c, ev);
	} else if (s->flags & TCP_FIN) {
		c->flags |= TCF_ACK_NOW;	/* a FIN again: ACK it */
	}
	return true;
}

static void conn_input(struct tcp_conn *c, const struct tcp_seg *seg)
{
	struct tcp_seg s = *seg;
	uint32_t gen = c->gen;
	unsigned ev = 0;

	c->last_rx = c->n->now;
	c->keep_probes = 0;		/* the peer is alive */
	c->persist_out = 0;
	if (c->state == TCP_SYN_SENT)
		syn_sent_input(c, &s, &ev);
	else if (!sync_input(c, &s, &ev))
		return;
	if (c->gen != gen || c->state == TCP_CLOSED)
		return;
	if (!run_events(c, ev))
		return;
	if (ev & EV_TIME_WAIT) {
		if (c->flags & TCF_ACK_NOW)
			tcp_send_ack(c);	/* the peer's FIN */
		tcp_enter_time_wait(c);
		return;
	}
	tcp_output(c);
}

static bool unicast_src(net_ip4 ip)
{
	return ip && ip != 0xffffffffu && (ip >> 28) != 0xe;
}

/* A SYN for a slot in TIME_WAIT: reuse when its sequence number is above
 * the old connection's. True when it was handed to the listener. */
static bool time_wait_reuse(struct net *n, struct tcp_conn *c, const struct tcp_seg *s)
{
	struct tcp_conn *l;

	if (c->state != TCP_TIME_WAIT || (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN ||
	    !seq_gt(s->seq, c->rcv_nxt) || !(c->flags & TCF_ORPHAN))
		return false;
	l = tcp_find_listener(n, s->dport);
	if (!l)
		return false;
	tcp_free(c);
	listen_input(l, s);
	return true;
}

void tcp_input(struct net *n, const struct ip4_rx *ip, const uint8_t *p, size_t len)
{
	struct tcp_seg s;
	struct tcp_conn *c;

	n->st.tcp_rx++;
	/* RFC 1122 §4.2.3.10: nothing to or from broadcast or multicast */
	if (!parse(ip, p, len, &s) || ip->to_broadcast || !unicast_src(ip->src)) {
		n->st.tcp_bad++;
		return;
	}
	if (s.flags & TCP_RST)
		n->st.tcp_rst_rx++;
	c = tcp_lookup(n, s.dst, s.src, s.dport, s.sport);
	if (c && time_wait_reuse(n, c, &s))
		return;
	if (c) {
		conn_input(c, &s);
		return;
	}
	c = tcp_find_listener(n, s.dport);
	if (c) {
		listen_input(c, &s);
		return;
	}
	if (s.flags & TCP_RST)	/* RFC 9293 §3.10.7.1: never a RST for a RST */
		return;
	if (s.dst != n->ip)
		return;
	if (s.flags & TCP_ACK)
		tcp_send_reset(n, s.src, s.dport, s.sport, s.ack, 0, TCP_RST);
	else
		tcp_send_reset(n, s.src, s.dport, s.sport, 0, s.seq + seg_len(&s),
			       TCP_RST | TCP_ACK);
}
