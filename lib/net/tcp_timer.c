/*
 * TCP's timers. Each connection keeps a deadline per timer (t[k], 0 off)
 * and due, a lower bound of them; the stack keeps next_due, a lower bound
 * of every due. Setting a timer only lowers the bounds; stopping one
 * leaves them early, which costs at most one idle pass. So tcp_timer is
 * a compare when nothing is due, and tcp_next_timer is a load.
 *
 * Keepalive and the idle timeout are lazy: their deadline is checked
 * against last_rx / last_progress when it fires and moved on if traffic
 * came meanwhile, so no per-segment timer work is needed.
 *
 *   RTX      RFC 6298 §5: resend from snd_una with the backed-off RTO;
 *            give up after TCP_RTX_MAX tries or TCP_RTX_TIME_MAX
 *            (RFC 1122 §4.2.3.5 R2), B_ETIMEDOUT. SYN: TCP_SYN_RETRIES,
 *            SYN-ACK: TCP_SYNACK_RETRIES (the child is then freed).
 *   PERSIST  RFC 9293 §3.8.6.1: probe a zero window with backoff; a
 *            small open window gets one forced segment (SWS override).
 *            A held connection probes as long as the peer answers
 *            (TCP_RTX_MAX unanswered probes drop it, B_ETIMEDOUT); an
 *            orphan gives up after TCP_ORPHAN_PROBES (else a peer that
 *            keeps its window shut holds the slot forever).
 *   DELACK   RFC 9293 §3.8.6.3: the owed ACK.
 *   KEEP     RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: after keep_ms idle, a
 *            probe every TCP_KEEP_INTVL_MS; TCP_KEEP_PROBES unanswered
 *            ones drop the connection (B_ETIMEDOUT).
 *   IDLE     TCP_OPT_IDLE_TIMEOUT: no new data either way for idle_ms.
 *   LINGER   TIME_WAIT's end; an orphan's FIN_WAIT_2 limit.
 */
#include "tcp_impl.h"

void tcp_timer_set(struct tcp_conn *c, unsigned k, uint64_t when)
{
	struct tcp_state *ts = c->n->tcp;

	if (!when)
		when = 1;
	c->t[k] = when;
	if (when < c->due)
		c->due = when;
	if (when < ts->next_due)
		ts->next_due = when;
}

void tcp_timer_stop(struct tcp_conn *c, unsigned k)
{
	c->t[k] = 0;
}

void tcp_timer_stop_all(struct tcp_conn *c)
{
	for (unsigned k = 0; k < TCP_NTIMERS; k++)
		c->t[k] = 0;
}

bool tcp_timer_on(const struct tcp_conn *c, unsigned k)
{
	return c->t[k] != 0;
}

uint64_t tcp_next_timer(const struct net *n)
{
	return n->tcp ? n->tcp->next_due : UINT64_MAX;
}

static void rtx_syn(struct tcp_conn *c)
{
	unsigned max = c->state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES;

	if (++c->retries > max) {
		c->n->st.tcp_conn_drops++;
		tcp_finish(c, B_ETIMEDOUT);
		return;
	}
	c->rto = c->rto * 2 < TCP_RTO_MAX ? c->rto * 2 : TCP_RTO_MAX;
	c->flags |= TCF_SYN_RTX;
	tcp_send_syn(c);
}

static void rtx_timeout(struct tcp_conn *c)
{
	uint64_t now = c->n->now;

	c->n->st.tcp_timeouts++;
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		rtx_syn(c);
		return;
	}
	if (c->state < TCP_ESTABLISHED)
		return;
	if (c->snd_una == c->snd_max) {	/* tcp_output found no buffer */
		tcp_output(c);
		return;
	}
	if (c->retries == 0)
		c->rtx_since = now;
	if (++c->retries > TCP_RTX_MAX || now - c->rtx_since >= TCP_RTX_TIME_MAX) {
		c->n->st.tcp_conn_drops++;
		tcp_finish(c, B_ETIMEDOUT);
		return;
	}
	tcp_cc_timeout(c);
	tcp_output(c);
	if (!tcp_timer_on(c, TCP_T_RTX))	/* no buffer: try again later */
		tcp_timer_set(c, TCP_T_RTX, now + c->rto);
}

static void persist_timeout(struct tcp_conn *c)
{
	uint64_t d;

	if (c->state < TCP_ESTABLISHED || !seq_lt(c->snd_nxt, c->snd_end) ||
	    c->snd_max != c->snd_una) {
		c->persist_n = 0;
		return;
	}
	if (c->persist_n < 255)
		c->persist_n++;
	if ((c->flags & TCF_ORPHAN) && c->persist_n > TCP_ORPHAN_PROBES) {
		tcp_drop(c, 0);		/* nobody waits for these bytes */
		return;
	}
	if (c->snd_wnd == 0 && c->persist_out >= TCP_RTX_MAX) {
		tcp_drop(c, B_ETIMEDOUT);	/* the peer is gone */
		return;
	}
	d = (uint64_t)tcp_rto_base(c) << (c->persist_n < 10 ? c->persist_n : 10);
	tcp_timer_set(c, TCP_T_PERSIST, c->n->now + (d < TCP_PERSIST_MAX ? d : TCP_PERSIST_MAX));
	if (c->snd_wnd == 0) {
		c->persist_out++;
		tcp_send_probe(c);
		return;
	}
	c->flags |= TCF_FORCE;
	tcp_output(c);
	c->flags &= ~(uint32_t)TCF_FORCE;
}

static void keep_timeout(struct tcp_conn *c)
{
	uint64_t now = c->n->now;

	if (!c->keep_ms || c->state == TCP_LISTEN || c->state == TCP_TIME_WAIT)
		return;
	if (c->state < TCP_ESTABLISHED) {
		tcp_timer_set(c, TCP_T_KEEP, now + c->keep_ms);
		return;
	}
	if (c->keep_probes == 0 && now < c->last_rx + c->keep_ms) {
		tcp_timer_set(c, TCP_T_KEEP, c->last_rx + c->keep_ms);
		return;
	}
	if (c->keep_probes >= TCP_KEEP_PROBES) {
		tcp_drop(c, B_ETIMEDOUT);
		return;
	}
	tcp_send_probe(c);
	c->keep_probes++;
	tcp_timer_set(c, TCP_T_KEEP, now + TCP_KEEP_INTVL_MS);
}

static void idle_timeout(struct tcp_conn *c)
{
	uint64_t until = c->last_progress + c->idle_ms;

	if (!c->idle_ms || c->state == TCP_LISTEN || c->state == TCP_TIME_WAIT)
		return;
	if (c->n->now < until) {
		tcp_timer_set(c, TCP_T_IDLE, until);
		return;
	}
	tcp_drop(c, B_ETIMEDOUT);
}

static void linger_timeout(struct tcp_conn *c)
{
	if (c->state == TCP_TIME_WAIT || (c->state == TCP_FIN_WAIT_2 && (c->flags & TCF_ORPHAN)))
		tcp_finish(c, 0);
}

static void delack_timeout(struct tcp_conn *c)
{
	if (c->state >= TCP_ESTABLISHED && c->rcv_acked != c->rcv_nxt)
		tcp_send_ack(c);
}

static void run(struct tcp_conn *c, unsigned k)
{
	switch (k) {
	case TCP_T_RTX:
		rtx_timeout(c);
		break;
	case TCP_T_PERSIST:
		persist_timeout(c);
		break;
	case TCP_T_DELACK:
		delack_timeout(c);
		break;
	case TCP_T_KEEP:
		keep_timeout(c);
		break;
	case TCP_T_IDLE:
		idle_timeout(c);
		break;
	default:
		linger_timeout(c);
		break;
	}
}

/* Runs c's expired timers (each may end c) and recomputes its due. */
static void conn_timers(struct tcp_conn *c, uint64_t now)
{
	uint32_t gen = c->gen;
	uint64_t due = UINT64_MAX;

	for (unsigned k = 0; k < TCP_NTIMERS; k++) {
		if (!c->t[k] || c->t[k] > now)
			continue;
		c->t[k] = 0;
		run(c, k);
		if (c->gen != gen || !(c->flags & TCF_USED))
			return;
	}
	for (unsigned k = 0; k < TCP_NTIMERS; k++)
		if (c->t[k] && c->t[k] < due)
			due = c->t[k];
	c->due = due;
}

void tcp_timer(struct net *n)
{
	struct tcp_state *ts = n->tcp;
	uint64_t now = n->now, next = UINT64_MAX;

	if (!ts || now < ts->next_due)
		return;
	ts->next_due = UINT64_MAX;	/* timers set meanwhile lower it again */
	for (unsigned i = 0; i < ts->nconns; i++) {
		struct tcp_conn *c = &ts->conns[i];

		if ((c->flags & TCF_USED) && c->due <= now)
			conn_timers(c, now);
		if ((c->flags & TCF_USED) && c->due < next)
			next = c->due;
	}
	if (next < ts->next_due)
		ts->next_due = next;
}
