/*
 * TCP's slots: the pool, demux, how a connection ends (the program's
 * calls are in tcp_api.c).
 *
 * Pool: cfg.tcp_conns slots carved at start, each with its send and
 * receive ring; free slots on a list. Demux: connections hash on (remote
 * ip, remote port, local port) with a secret key, chains through hnext;
 * listeners (few) sit on a list of their own.
 *
 * When no slot is free, the oldest orphan in TIME_WAIT is recycled: a
 * peer reusing that 4-tuple would have to wrap a 60 s old sequence space,
 * and under load the slot is worth more to a new connection (documented
 * in docs/NETWORK.md).
 *
 * ISNs, RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), M the 4-microsecond clock (ms * 250), F SipHash-2-4 keyed
 * with 16 bytes from port->random at start.
 */
#include "tcp_impl.h"

#define DEF_CONNS	64
#define DEF_BUF		16384

static unsigned cfg_conns(const struct net_config *cfg)
{
	return cfg->tcp_conns ? cfg->tcp_conns : DEF_CONNS;
}

static uint32_t cfg_buf(uint32_t v)
{
	return v ? v : DEF_BUF;
}

static unsigned hash_size(unsigned conns)
{
	unsigned h = 16;

	while (h < 2 * conns)
		h <<= 1;
	return h;
}

size_t tcp_mem_size(const struct net_config *cfg)
{
	unsigned k = cfg_conns(cfg);

	return NET_ALIGN(sizeof(struct tcp_state)) +
	       NET_ALIGN(k * sizeof(struct tcp_conn)) +
	       NET_ALIGN(hash_size(k) * sizeof(struct tcp_conn *)) +
	       k * (NET_ALIGN(cfg_buf(cfg->tcp_sndbuf)) + NET_ALIGN(cfg_buf(cfg->tcp_rcvbuf)));
}

static bool pow2_buf(uint32_t v)
{
	return v >= 2048 && (v & (v - 1)) == 0;
}

/* RFC 7323 §2.3: the smallest shift that lets the window cover rbuf. */
static uint8_t offer_shift(uint32_t rbuf)
{
	uint8_t s = 0;

	while (s < TCP_WS_MAX && (rbuf >> s) > 65535)
		s++;
	return s;
}

static uint64_t port_random(struct net *n)
{
	return n->port.random ? n->port.random(n->port.ctx) : 0;
}

int tcp_init(struct net *n)
{
	unsigned k = cfg_conns(&n->cfg);
	struct tcp_state *ts = net_arena_take(n, sizeof(*ts));

	if (!ts)
		return B_ENOMEM;
	ts->sbuf_size = cfg_buf(n->cfg.tcp_sndbuf);
	ts->rbuf_size = cfg_buf(n->cfg.tcp_rcvbuf);
	if (!pow2_buf(ts->sbuf_size) || !pow2_buf(ts->rbuf_size))
		return B_EINVAL;
	ts->conns = net_arena_take(n, k * sizeof(struct tcp_conn));
	ts->hash = net_arena_take(n, hash_size(k) * sizeof(struct tcp_conn *));
	if (!ts->conns || !ts->hash)
		return B_ENOMEM;
	ts->nconns = k;
	ts->hmask = hash_size(k) - 1;
	for (unsigned i = k; i-- > 0;) {
		struct tcp_conn *c = &ts->conns[i];

		c->sbuf = net_arena_take_raw(n, ts->sbuf_size);
		c->rbuf = net_arena_take_raw(n, ts->rbuf_size);
		if (!c->sbuf || !c->rbuf)
			return B_ENOMEM;
		c->n = n;
		c->hnext = ts->free;
		ts->free = c;
	}
	uint64_t a = port_random(n), b = port_random(n), p = port_random(n);

	for (int i = 0; i < 8; i++) {
		ts->secret[i] = (uint8_t)(a >> (8 * i));
		ts->secret[8 + i] = (uint8_t)(b >> (8 * i));
	}
	ts->hkey = (uint32_t)(p >> 32);
	ts->next_port = (uint16_t)(TCP_EPHEM_LO + (uint32_t)p % (65536 - TCP_EPHEM_LO));
	ts->rcv_shift = offer_shift(ts->rbuf_size);
	ts->next_due = UINT64_MAX;
	n->tcp = ts;
	return 0;
}

uint32_t tcp_isn(struct net *n, net_ip4 lip, uint16_t lport, net_ip4 rip, uint16_t rport)
{
	uint8_t b[12];

	put32(b, lip);
	put16(b + 4, lport);
	put32(b + 6, rip);
	put16(b + 10, rport);
	return (uint32_t)(n->now * 250) + (uint32_t)siphash24(n->tcp->secret, b, sizeof(b));
}

/* ---- demux ---- */

static unsigned hash_of(const struct tcp_state *ts, net_ip4 rip, uint16_t rport, uint16_t lport)
{
	uint32_t h = (rip ^ ts->hkey) * 0x9e3779b1u;

	h ^= ((uint32_t)rport << 16 | lport) * 0x85ebca6bu;
	return (h ^ h >> 15) & ts->hmask;
}

struct tcp_conn *tcp_lookup(struct net *n, net_ip4 lip, net_ip4 rip, uint16_t lport,
			    uint16_t rport)
{
	struct tcp_state *ts = n->tcp;
	struct tcp_conn *c = ts->hash[hash_of(ts, rip, rport, lport)];

	for (; c; c = c->hnext)
		if (c->rip == rip && c->rport == rport && c->lport == lport && c->lip == lip)
			return c;
	return NULL;
}

struct tcp_conn *tcp_find_listener(struct net *n, uint16_t lport)
{
	for (struct tcp_conn *l = n->tcp->listeners; l; l = l->hnext)
		if (l->lport == lport)
			return l;
	return NULL;
}

void tcp_hash_insert(struct tcp_conn *c)
{
	struct tcp_state *ts = c->n->tcp;
	struct tcp_conn **b = &ts->hash[hash_of(ts, c->rip, c->rport, c->lport)];

	c->hnext = *b;
	*b = c;
	c->flags |= TCF_HASHED;
}

static void unlink_from(struct tcp_conn **p, struct tcp_conn *c)
{
	for (; *p; p = &(*p)->hnext) {
		if (*p == c) {
			*p = c->hnext;
			c->hnext = NULL;
			return;
		}
	}
}

static void tcp_unhash(struct tcp_conn *c)
{
	struct tcp_state *ts = c->n->tcp;

	if (c->flags & TCF_HASHED)
		unlink_from(&ts->hash[hash_of(ts, c->rip, c->rport, c->lport)], c);
	else if (c->state == TCP_LISTEN)
		unlink_from(&ts->listeners, c);
	c->flags &= ~(uint32_t)TCF_HASHED;
}

/* ---- queues ---- */

void tcp_queue_add(struct tcp_queue *q, struct tcp_conn *c)
{
	c->queue = q;
	c->qnext = NULL;
	c->qprev = q->tail;
	if (q->tail)
		q->tail->qnext = c;
	else
		q->head = c;
	q->tail = c;
	q->len++;
}

void tcp_queue_del(struct tcp_conn *c)
{
	struct tcp_queue *q = c->queue;

	if (!q)
		return;
	if (c->qprev)
		c->qprev->qnext = c->qnext;
	else
		q->head = c->qnext;
	if (c->qnext)
		c->qnext->qprev = c->qprev;
	else
		q->tail = c->qprev;
	q->len--;
	c->queue = NULL;
	c->qprev = c->qnext = NULL;
}

/* ---- slots ---- */

struct tcp_conn *tcp_alloc(struct net *n)
{
	struct tcp_state *ts = n->tcp;
	struct tcp_conn *c = ts->free;

	if (!c && ts->time_wait.head) {
		tcp_free(ts->time_wait.head);
		c = ts->free;
	}
	if (!c)
		return NULL;
	ts->free = c->hnext;
	uint8_t *sb = c->sbuf, *rb = c->rbuf;
	uint32_t gen = c->gen;

	set_mem(c, 0, sizeof(*c));
	c->n = n;
	c->sbuf = sb;
	c->rbuf = rb;
	c->gen = gen;
	c->flags = TCF_USED;
	c->due = UINT64_MAX;
	c->rto = TCP_RTO_INIT;
	c->mss = TCP_MSS_DEFAULT;
	c->rcv_mss = TCP_MSS_DEFAULT;
	c->last_rx = c->last_progress = n->now;
	return c;
}

void tcp_free_children(struct tcp_conn *l, bool reset)
{
	struct tcp_queue *qs[2] = { &l->synq, &l->accq };

	for (int i = 0; i < 2; i++) {
		while (qs[i]->head) {
			struct tcp_conn *c = qs[i]->head;

			if (reset)
				tcp_send_rst(c);
			tcp_free(c);
		}
	}
}

void tcp_free(struct tcp_conn *c)
{
	struct tcp_state *ts = c->n->tcp;

	if (c->state == TCP_LISTEN)
		tcp_free_children(c, false);
	tcp_unhash(c);
	tcp_queue_del(c);
	c->listener = NULL;
	c->gen++;
	c->flags = 0;
	c->state = TCP_CLOSED;
	c->hnext = ts->free;
	ts->free = c;
}

bool tcp_hidden(const struct tcp_conn *c)
{
	return c->listener != NULL;
}

void tcp_finish(struct tcp_conn *c, int err)
{
	if ((c->flags & TCF_ORPHAN) || tcp_hidden(c)) {
		tcp_free(c);
		return;
	}
	tcp_unhash(c);
	tcp_queue_del(c);
	tcp_timer_stop_all(c);
	c->state = TCP_CLOSED;
	c->err = err;
	if (c->ev.closed) {
		uint32_t gen = c->gen;

		c->ev.closed(c, err, c->arg);
		if (c->gen == gen)
			tcp_free(c);
	}
	/* without a closed callback the program still holds c: it stays a
	 * CLOSED slot until tcp_close or tcp_abort */
}

void tcp_drop(struct tcp_conn *c, int err)
{
	c->n->st.tcp_conn_drops++;
	if (c->state != TCP_SYN_SENT)
		tcp_send_rst(c);
	tcp_finish(c, err);
}

/* RFC 9293 §3.10.7.4: 2*MSL in TIME_WAIT. A held connection hears
 * closed(0) now; one whose program has no closed callback stays held. */
void tcp_enter_time_wait(struct tcp_conn *c)
{
	tcp_timer_stop_all(c);
	c->state = TCP_TIME_WAIT;
	tcp_timer_set(c, TCP_T_LINGER, c->n->now + TCP_TIME_WAIT_MS);
	if ((c->flags & TCF_ORPHAN) || tcp_hidden(c)) {
		tcp_make_orphan(c);
		return;
	}
	if (c->ev.closed) {
		uint32_t gen = c->gen;

		c->ev.closed(c, 0, c->arg);
		if (c->gen == gen && !(c->flags & TCF_ORPHAN))
			tcp_make_orphan(c);
	}
}

void tcp_make_orphan(struct tcp_conn *c)
{
	c->flags |= TCF_ORPHAN;
	set_mem(&c->ev, 0, sizeof(c->ev));
	c->rb_seq = c->rcv_nxt - ((c->flags & TCF_FIN_RCVD) ? 1 : 0);
	if (c->state == TCP_TIME_WAIT && c->queue != &c->n->tcp->time_wait) {
		tcp_queue_del(c);
		c->listener = NULL;
		tcp_queue_add(&c->n->tcp->time_wait, c);
	}
	if (c->state == TCP_FIN_WAIT_2)
		tcp_timer_set(c, TCP_T_LINGER, c->n->now + TCP_FIN_WAIT_2_MS);
}

bool tcp_fin_acked(const struct tcp_conn *c)
{
	return (c->flags & TCF_FIN_QUEUED) && seq_gt(c->snd_una, c->snd_end);
}

uint32_t tcp_readable_bytes(const struct tcp_conn *c)
{
	uint32_t end = c->rcv_nxt - ((c->flags & TCF_FIN_RCVD) ? 1 : 0);

	if (c->state == TCP_LISTEN || c->state == TCP_SYN_SENT || seq_le(end, c->rb_seq))
		return 0;
	return end - c->rb_seq;
}

void tcp_addr_changed(struct net *n, net_ip4 old_ip)
{
	struct tcp_state *ts = n->tcp;

	for (unsigned i = 0; i < ts->nconns; i++) {
		struct tcp_conn *c = &ts->conns[i];

		/* a callback may end others: each slot is checked as reached */
		if ((c->flags & TCF_USED) && c->state != TCP_LISTEN &&
		    c->state != TCP_CLOSED && c->lip == old_ip)
			tcp_finish(c, B_ECONNRESET);
	}
}
