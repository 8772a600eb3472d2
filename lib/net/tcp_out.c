/*
 * TCP output: segments built in a transmit buffer at NET_L4_OFF (header,
 * then the payload copied straight from the send ring) and handed to
 * ip4_output. tcp_output sends a burst: as many segments as the smaller
 * of cwnd and the peer's window allow, after two rules that keep
 * segments big:
 *
 *   - Nagle (RFC 896, RFC 9293 §3.7.4) in Minshall's form (as Linux): a
 *     partial segment waits while an earlier partial one is
 *     unacknowledged, so a response's tail goes right after its full
 *     segments; unless TCP_OPT_NODELAY. TCP_WRITE_MORE
 *     holds it until the program writes without the flag or shuts down;
 *   - sender SWS avoidance (RFC 9293 §3.8.6.2.1): a window-limited
 *     segment goes only when it is at least half the largest window the
 *     peer offered; the persist timer overrides both when nothing is in
 *     flight.
 *
 * The advertised window (receiver SWS avoidance, RFC 9293 §3.8.6.2.2)
 * moves its right edge only by min(rcvbuf / 2, MSS) or more, and never
 * back. With window scaling the field is rounded down, which may shrink
 * the edge by less than one scale unit (as Linux does).
 *
 * Probes (keepalive, zero window) carry SND.UNA - 1 and no data, like
 * Linux's: out of the peer's window, they make it answer with an ACK
 * that reports its window (RFC 9293 §3.10.7.4), and they never put a
 * byte past a closed window.
 *
 * When net_tx_alloc has no buffer, output stops; the retransmission
 * timer (armed then if it was off) or the next ACK resumes it.
 */
#include "tcp_impl.h"

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

uint32_t tcp_rcv_space(const struct tcp_conn *c)
{
	uint32_t edge = c->rb_seq + c->n->tcp->rbuf_size;

	return seq_lt(c->rcv_nxt, edge) ? edge - c->rcv_nxt : 0;
}

/* The window field to send; moves rcv_adv (receiver SWS avoidance). */
static uint16_t rcv_window(struct tcp_conn *c, bool syn)
{
	uint32_t space = tcp_rcv_space(c), unit = 1u << c->rcv_shift, wnd;
	uint32_t thresh = min32(c->n->tcp->rbuf_size / 2, c->mss);

	space &= ~(unit - 1);
	if (seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	if (seq_ge(c->rcv_nxt + space, c->rcv_adv + thresh) || syn)
		c->rcv_adv = c->rcv_nxt + space;
	wnd = c->rcv_adv - c->rcv_nxt;
	if (syn)	/* RFC 7323 §2.2: a SYN's window is never scaled */
		return (uint16_t)min32(wnd, 65535);
	return (uint16_t)min32(wnd >> c->rcv_shift, 65535);
}

/* RFC 9293 §3.7.1 MSS, RFC 7323 §2.2 window scale. */
static size_t put_syn_opts(const struct tcp_conn *c, uint8_t *o)
{
	o[0] = TCPOPT_MSS;
	o[1] = 4;
	put16(o + 2, (uint16_t)(c->n->cfg.mtu - IP4_HDR - TCP_HDR));
	if (c->state == TCP_SYN_RECEIVED && !(c->flags & TCF_WS_OK))
		return 4;	/* RFC 7323 §1.3: only in reply to one */
	o[4] = TCPOPT_NOP;
	o[5] = TCPOPT_WS;
	o[6] = 3;
	o[7] = c->rcv_shift;
	return TCP_SYN_OPTS;
}

/* Copies len bytes of the send ring from seq. */
static void sbuf_copy(const struct tcp_conn *c, uint32_t seq, uint8_t *dst, uint32_t len)
{
	uint32_t size = c->n->tcp->sbuf_size;
	uint32_t at = (seq - c->iss - 1) & (size - 1);
	uint32_t first = min32(size - at, len);

	copy_mem(dst, c->sbuf + at, first);
	copy_mem(dst + first, c->sbuf, len - first);
}

static void finish_header(uint8_t *h, size_t hlen, size_t len, net_ip4 src, net_ip4 dst)
{
	uint32_t sum;

	h[12] = (uint8_t)(hlen / 4 << 4);
	put16(h + 16, 0);
	put16(h + 18, 0);
	sum = cksum_pseudo(src, dst, IP_PROTO_TCP, (uint16_t)len);
	put16(h + 16, cksum_fold(cksum_add(sum, h, len)));
}

/* One segment of c: seq, flags, len bytes from the send ring at seq.
 * False when no transmit buffer was free. */
static bool emit(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	struct net *n = c->n;
	uint8_t *buf = net_tx_alloc(n), *h;
	size_t hlen = TCP_HDR;

	if (!buf)
		return false;
	h = buf + NET_L4_OFF;
	if (flags & TCP_SYN)
		hlen += put_syn_opts(c, h + TCP_HDR);
	put16(h, c->lport);
	put16(h + 2, c->rport);
	put32(h + 4, seq);
	put32(h + 8, (flags & TCP_ACK) ? c->rcv_nxt : 0);
	h[13] = flags;
	put16(h + 14, (flags & TCP_RST) ? 0 : rcv_window(c, flags & TCP_SYN));
	if (len)
		sbuf_copy(c, seq, h + hlen, len);
	finish_header(h, hlen, hlen + len, c->lip, c->rip);
	ip4_output(n, buf, c->rip, IP_PROTO_TCP, hlen + len);
	n->st.tcp_tx++;
	if (flags & TCP_RST)
		n->st.tcp_rst_tx++;
	if (flags & TCP_ACK) {
		c->rcv_acked = c->rcv_nxt;
		c->flags &= ~(uint32_t)TCF_ACK_NOW;
		tcp_timer_stop(c, TCP_T_DELACK);
	}
	return true;
}

void tcp_send_reset(struct net *n, net_ip4 dst, uint16_t sport, uint16_t dport,
		    uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t *buf, *h;

	if (!n->ip)
		return;
	buf = net_tx_alloc(n);
	if (!buf)
		return;
	h = buf + NET_L4_OFF;
	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	put32(h + 8, ack);
	h[13] = flags;
	put16(h + 14, 0);
	finish_header(h, TCP_HDR, TCP_HDR, n->ip, dst);
	ip4_output(n, buf, dst, IP_PROTO_TCP, TCP_HDR);
	n->st.tcp_tx++;
	n->st.tcp_rst_tx++;
}

/* A segment went out: move snd_nxt and snd_max, time it, arm the timer. */
static void sent(struct tcp_conn *c, uint32_t seq, uint32_t len, uint32_t seglen)
{
	if (seq_lt(seq, c->snd_max)) {
		c->n->st.tcp_retrans++;
		c->retransmits++;
		c->flags &= ~(uint32_t)TCF_TIMING;	/* Karn */
	} else {
		c->bytes_sent += len;
		if (len && len < c->mss)
			c->snd_sml = seq + len;
		if (!(c->flags & TCF_TIMING)) {
			c->flags |= TCF_TIMING;
			c->rtt_seq = seq;
			c->rtt_start = c->n->now;
		}
	}
	c->snd_nxt = seq + seglen;
	if (seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	if (!tcp_timer_on(c, TCP_T_RTX))
		tcp_timer_set(c, TCP_T_RTX, c->n->now + c->rto);
	tcp_timer_stop(c, TCP_T_PERSIST);
}

/* The next segment's length and FIN; false when nothing may go now. */
static bool next_segment(struct tcp_conn *c, uint32_t *lenp, bool *finp)
{
	uint32_t left = seq_lt(c->snd_nxt, c->snd_end) ? c->snd_end - c->snd_nxt : 0;
	bool fin_left = (c->flags & TCF_FIN_QUEUED) && seq_le(c->snd_nxt, c->snd_end);
	uint32_t wnd = min32(c->snd_wnd, c->cwnd), used = c->snd_nxt - c->snd_una;
	uint32_t room = wnd > used ? wnd - used : 0;
	uint32_t len = min32(min32(left, c->mss), room);
	bool resend = seq_lt(c->snd_nxt, c->snd_max);

	*lenp = len;
	*finp = fin_left && len == left;
	if (len == 0)
		return *finp;		/* a bare FIN needs no window */
	if (len == c->mss || resend || (c->flags & TCF_FORCE))
		return true;
	if (len < left)		/* window-limited: SWS avoidance */
		return len >= c->max_snd_wnd / 2;
	if (*finp)
		return true;
	if (c->flags & TCF_MORE)
		return false;
	return (c->flags & TCF_NODELAY) || !seq_gt(c->snd_sml, c->snd_una);	/* Nagle */
}

/* Persist (RFC 9293 §3.8.6.1): data waits, nothing is in flight to bring
 * an ACK, and the window keeps it back. */
static void check_persist(struct tcp_conn *c)
{
	uint32_t left = seq_lt(c->snd_nxt, c->snd_end) ? c->snd_end - c->snd_nxt : 0;
	uint64_t d;

	if (!left || c->snd_max != c->snd_una || tcp_timer_on(c, TCP_T_RTX) ||
	    tcp_timer_on(c, TCP_T_PERSIST) || min32(c->snd_wnd, c->cwnd) >= min32(left, c->mss))
		return;
	d = (uint64_t)tcp_rto_base(c) << (c->persist_n < 10 ? c->persist_n : 10);
	tcp_timer_set(c, TCP_T_PERSIST, c->n->now + (d < TCP_PERSIST_MAX ? d : TCP_PERSIST_MAX));
}

static bool synchronized(const struct tcp_conn *c)
{
	return c->state >= TCP_ESTABLISHED;
}

void tcp_output(struct tcp_conn *c)
{
	unsigned i;

	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		if (c->flags & TCF_ACK_NOW)
			tcp_send_syn(c);
		return;
	}
	if (!synchronized(c))
		return;
	for (i = 0; i < TCP_BURST_MAX; i++) {
		uint32_t len;
		bool fin;
		uint8_t fl = TCP_ACK;

		if (!next_segment(c, &len, &fin))
			break;
		if (fin)
			fl |= TCP_FIN;
		if (len && c->snd_nxt + len == c->snd_end)
			fl |= TCP_PSH;
		if (!emit(c, c->snd_nxt, fl, len)) {
			/* the timer tries again: nothing may be in flight */
			if (!tcp_timer_on(c, TCP_T_RTX))
				tcp_timer_set(c, TCP_T_RTX, c->n->now + c->rto);
			return;
		}
		sent(c, c->snd_nxt, len, len + fin);
		c->flags &= ~(uint32_t)TCF_FORCE;
	}
	if (c->flags & TCF_ACK_NOW)
		emit(c, c->snd_nxt, TCP_ACK, 0);
	check_persist(c);
}

void tcp_send_syn(struct tcp_conn *c)
{
	uint8_t fl = c->state == TCP_SYN_RECEIVED ? TCP_SYN | TCP_ACK : TCP_SYN;

	if (c->snd_max != c->iss) {	/* a retransmission */
		c->n->st.tcp_retrans++;
		c->retransmits++;
		c->flags &= ~(uint32_t)TCF_TIMING;
	} else {
		c->flags |= TCF_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_start = c->n->now;
	}
	c->snd_nxt = c->snd_max = c->iss + 1;
	if (!tcp_timer_on(c, TCP_T_RTX))
		tcp_timer_set(c, TCP_T_RTX, c->n->now + c->rto);
	if (!emit(c, c->iss, fl, 0))
		return;
	c->flags &= ~(uint32_t)TCF_ACK_NOW;
}

void tcp_send_ack(struct tcp_conn *c)
{
	if (c->state == TCP_SYN_RECEIVED)
		tcp_send_syn(c);
	else if (synchronized(c))
		emit(c, c->snd_nxt, TCP_ACK, 0);
}

void tcp_send_rst(struct tcp_conn *c)
{
	emit(c, c->snd_nxt, TCP_RST | TCP_ACK, 0);
}

/* RFC 5961 §7: at most TCP_CHALLENGE_MAX per TCP_CHALLENGE_MS per
 * connection. A per-connection limit, not a global one, so the count
 * tells an off-path attacker nothing (the global counter was
 * CVE-2016-5696's side channel). */
void tcp_challenge_ack(struct tcp_conn *c)
{
	uint64_t now = c->n->now;

	if (now - c->chal_start >= TCP_CHALLENGE_MS) {
		c->chal_start = now;
		c->chal_count = 0;
	}
	if (c->chal_count >= TCP_CHALLENGE_MAX)
		return;
	c->chal_count++;
	c->n->st.tcp_challenge_acks++;
	tcp_send_ack(c);
}

void tcp_send_probe(struct tcp_conn *c)
{
	emit(c, c->snd_una - 1, TCP_ACK, 0);
}

/* The segment at snd_una again (fast retransmit, partial ACK): snd_nxt
 * stays where it is. */
void tcp_rexmit_first(struct tcp_conn *c)
{
	uint32_t left = seq_lt(c->snd_una, c->snd_end) ? c->snd_end - c->snd_una : 0;
	uint32_t len = min32(left, c->mss);
	bool fin = (c->flags & TCF_FIN_QUEUED) && len == left && seq_gt(c->snd_max, c->snd_end);

	if (!len && !fin)
		return;
	if (!emit(c, c->snd_una, (uint8_t)(TCP_ACK | (fin ? TCP_FIN : 0)), len))
		return;
	c->n->st.tcp_retrans++;
	c->retransmits++;
	c->flags &= ~(uint32_t)TCF_TIMING;
}

/* After the program read: an ACK when the window grew by two segments or
 * half the ring (RFC 9293 §3.8.6.2.2, RFC 1122 §4.2.3.3). */
void tcp_rcv_update(struct tcp_conn *c)
{
	uint32_t edge, grow;

	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
	    c->state != TCP_FIN_WAIT_2)
		return;
	edge = c->rcv_nxt + tcp_rcv_space(c);
	if (!seq_gt(edge, c->rcv_adv))
		return;
	grow = edge - c->rcv_adv;
	if (grow >= 2u * c->mss || grow >= c->n->tcp->rbuf_size / 2)
		emit(c, c->snd_nxt, TCP_ACK, 0);
}
