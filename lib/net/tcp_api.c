/*
 * The program's TCP calls of net.h (RFC 9293 §3.10.1-6: OPEN, SEND,
 * RECEIVE, CLOSE, ABORT, STATUS) on top of tcp.c's slots.
 *
 * Sending copies into the connection's send ring and calls tcp_output;
 * receiving copies (or peeks) out of the receive ring and may send a
 * window update. tcp_close hands the connection to the stack (an
 * orphan): unread and later data are dropped, the FIN goes after what
 * is queued, and the slot frees itself; no callback runs after it.
 */
#include "tcp_impl.h"

/* ---- opening ---- */

struct tcp_conn *tcp_listen(struct net *n, uint16_t port, unsigned backlog,
			    const struct tcp_events *ev, void *arg)
{
	struct tcp_conn *l;

	if (!port || tcp_find_listener(n, port))
		return NULL;
	l = tcp_alloc(n);
	if (!l)
		return NULL;
	l->state = TCP_LISTEN;
	l->lport = port;
	if (backlog > n->cfg.tcp_backlog_max && n->cfg.tcp_backlog_max)
		backlog = n->cfg.tcp_backlog_max;
	l->backlog = (uint16_t)(backlog ? backlog : 1);
	tcp_set_events(l, ev, arg);
	l->hnext = n->tcp->listeners;
	n->tcp->listeners = l;
	return l;
}

struct tcp_conn *tcp_accept(struct tcp_conn *l)
{
	struct tcp_conn *c;

	if (!l || l->state != TCP_LISTEN || !l->accq.head)
		return NULL;
	c = l->accq.head;
	tcp_queue_del(c);
	c->listener = NULL;
	return c;
}

static bool unicast(const struct net *n, net_ip4 ip)
{
	/* RFC 1122 §4.2.3.10: never to broadcast or multicast */
	return ip && ip != 0xffffffffu && (ip >> 28) != 0xe && !net_is_local_bcast(n, ip);
}

static uint16_t pick_port(struct net *n, net_ip4 dst, uint16_t dport)
{
	struct tcp_state *ts = n->tcp;

	/* each taken candidate is a listener or a slot: nconns + 1 tries do */
	for (unsigned i = 0; i <= ts->nconns + 1; i++) {
		uint16_t p = ts->next_port;

		ts->next_port = p == 65535 ? TCP_EPHEM_LO : (uint16_t)(p + 1);
		if (!tcp_find_listener(n, p) && !tcp_lookup(n, n->ip, dst, p, dport))
			return p;
	}
	return 0;
}

struct tcp_conn *tcp_connect(struct net *n, net_ip4 dst, uint16_t port,
			     const struct tcp_events *ev, void *arg)
{
	struct tcp_conn *c;
	uint16_t lport;

	if (!n->ip || !port || !unicast(n, dst) || dst == n->ip)
		return NULL;
	lport = pick_port(n, dst, port);
	if (!lport)
		return NULL;
	c = tcp_alloc(n);
	if (!c)
		return NULL;
	c->lip = n->ip;
	c->rip = dst;
	c->lport = lport;
	c->rport = port;
	c->iss = tcp_isn(n, c->lip, lport, dst, port);
	c->snd_una = c->snd_nxt = c->snd_max = c->snd_sml = c->iss;
	c->snd_end = c->sb_seq = c->iss + 1;
	c->state = TCP_SYN_SENT;
	c->rcv_shift = n->tcp->rcv_shift;
	tcp_set_events(c, ev, arg);
	tcp_hash_insert(c);
	n->st.tcp_active_opens++;
	tcp_send_syn(c);
	return c;
}

void tcp_set_events(struct tcp_conn *c, const struct tcp_events *ev, void *arg)
{
	if (ev)
		c->ev = *ev;
	else
		set_mem(&c->ev, 0, sizeof(c->ev));
	c->arg = arg;
}

void *tcp_arg(const struct tcp_conn *c)
{
	return c->arg;
}

/* ---- data ---- */

static bool can_send(const struct tcp_conn *c)
{
	return c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
}

long tcp_write(struct tcp_conn *c, const void *data, size_t len, unsigned flags)
{
	uint32_t size = c->n->tcp->sbuf_size, used, take, at, first;

	if (c->flags & TCF_FIN_QUEUED)
		return B_EPIPE;
	if (!can_send(c))
		return B_ENOTCONN;
	used = c->snd_end - c->sb_seq;
	take = size - used;
	if (len < take)
		take = (uint32_t)len;
	at = (c->snd_end - c->iss - 1) & (size - 1);
	first = size - at < take ? size - at : take;
	if (take) {
		copy_mem(c->sbuf + at, data, first);
		copy_mem(c->sbuf, (const uint8_t *)data + first, take - first);
		c->snd_end += take;
	}
	if (flags & TCP_WRITE_MORE)
		c->flags |= TCF_MORE;
	else
		c->flags &= ~(uint32_t)TCF_MORE;
	tcp_output(c);
	return take;
}

size_t tcp_peek(struct tcp_conn *c, const void **p)
{
	uint32_t size = c->n->tcp->rbuf_size, at, avail = tcp_readable_bytes(c);

	at = (c->rb_seq - c->irs - 1) & (size - 1);
	*p = c->rbuf + at;
	return size - at < avail ? size - at : avail;
}

void tcp_consume(struct tcp_conn *c, size_t k)
{
	uint32_t avail = tcp_readable_bytes(c);

	c->rb_seq += k < avail ? (uint32_t)k : avail;
	tcp_rcv_update(c);
}

long tcp_read(struct tcp_conn *c, void *buf, size_t cap)
{
	size_t got = 0;

	if (c->err)
		return c->err;
	while (got < cap) {
		const void *p;
		size_t k = tcp_peek(c, &p);

		if (!k)
			break;
		if (k > cap - got)
			k = cap - got;
		copy_mem((uint8_t *)buf + got, p, k);
		c->rb_seq += (uint32_t)k;
		got += k;
	}
	if (got) {
		tcp_rcv_update(c);
		return (long)got;
	}
	if ((c->flags & TCF_FIN_RCVD) || c->state == TCP_CLOSED)
		return 0;
	return B_EAGAIN;
}

size_t tcp_readable(const struct tcp_conn *c)
{
	return tcp_readable_bytes(c);
}

size_t tcp_writable(const struct tcp_conn *c)
{
	if (!can_send(c) || (c->flags & TCF_FIN_QUEUED))
		return 0;
	return c->n->tcp->sbuf_size - (c->snd_end - c->sb_seq);
}

bool tcp_peer_closed(const struct tcp_conn *c)
{
	return (c->flags & TCF_FIN_RCVD) != 0;
}

/* ---- closing ---- */

int tcp_shutdown(struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_LISTEN:
	case TCP_CLOSED:
		return B_ENOTCONN;
	case TCP_ESTABLISHED:
		c->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		c->state = TCP_LAST_ACK;
		break;
	default:	/* SYN states: the FIN follows the handshake */
		break;
	}
	if (!(c->flags & TCF_FIN_QUEUED)) {
		c->flags |= TCF_FIN_QUEUED;
		c->flags &= ~(uint32_t)TCF_MORE;
		tcp_output(c);
	}
	return 0;
}

int tcp_close(struct tcp_conn *c)
{
	if (c->state == TCP_LISTEN) {
		tcp_free_children(c, true);
		tcp_free(c);
		return 0;
	}
	if (c->state == TCP_CLOSED || c->state == TCP_SYN_SENT) {
		tcp_free(c);
		return 0;
	}
	tcp_make_orphan(c);	/* unread bytes are dropped; later ones too */
	return tcp_shutdown(c);
}

void tcp_abort(struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_LISTEN:
		tcp_free_children(c, true);
		break;
	case TCP_CLOSED:
	case TCP_SYN_SENT:
	case TCP_TIME_WAIT:
		break;
	default:	/* RFC 9293 §3.10.5 */
		tcp_send_rst(c);
		break;
	}
	tcp_free(c);
}

/* ---- options and status ---- */

int tcp_setopt(struct tcp_conn *c, enum tcp_opt opt, uint32_t val)
{
	uint64_t now = c->n->now;

	switch (opt) {
	case TCP_OPT_NODELAY:
		if (val)
			c->flags |= TCF_NODELAY;
		else
			c->flags &= ~(uint32_t)TCF_NODELAY;
		if (val && c->state != TCP_LISTEN)
			tcp_output(c);
		return 0;
	case TCP_OPT_KEEPALIVE:
		if (val > UINT32_MAX / 1000)
			val = UINT32_MAX / 1000;
		c->keep_ms = val * 1000;
		if (val && c->state > TCP_LISTEN)	/* not on a CLOSED one */
			tcp_timer_set(c, TCP_T_KEEP, (c->last_rx > now ? c->last_rx : now) + c->keep_ms);
		return 0;
	case TCP_OPT_IDLE_TIMEOUT:
		c->idle_ms = val;
		if (val && c->state > TCP_LISTEN)
			tcp_timer_set(c, TCP_T_IDLE, c->last_progress + val);
		return 0;
	}
	return B_EINVAL;
}

int tcp_get_info(const struct tcp_conn *c, struct tcp_info *out)
{
	set_mem(out, 0, sizeof(*out));
	out->state = c->state;
	out->local_ip = c->lip;
	out->remote_ip = c->rip;
	out->local_port = c->lport;
	out->remote_port = c->rport;
	out->srtt_ms = c->srtt8 / 8;
	out->rto_ms = c->rto;
	out->cwnd = c->cwnd;
	out->ssthresh = c->ssthresh;
	out->snd_wnd = c->snd_wnd;
	out->rcv_wnd = c->state >= TCP_SYN_RECEIVED ? tcp_rcv_space(c) : 0;
	out->mss = c->mss;
	out->bytes_sent = c->bytes_sent;
	out->bytes_received = c->bytes_received;
	out->retransmits = c->retransmits;
	return 0;
}

void tcp_count_states(const struct net *n, unsigned counts[TCP_TIME_WAIT + 1])
{
	const struct tcp_state *ts = n->tcp;

	set_mem(counts, 0, sizeof(unsigned) * (TCP_TIME_WAIT + 1));
	for (unsigned i = 0; i < ts->nconns; i++)
		if (ts->conns[i].flags & TCF_USED)
			counts[ts->conns[i].state]++;
}

