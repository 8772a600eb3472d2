/*
 * How fast TCP may send: the retransmission timeout from measured round
 * trips (RFC 6298) and the congestion window (RFC 5681 slow start,
 * congestion avoidance, fast retransmit; RFC 6582 NewReno fast recovery).
 *
 * RTT: one segment is timed at a time and never one that was
 * retransmitted (Karn, RFC 6298 §3): tcp_out.c starts the timing,
 * tcp_in.c takes the sample, any retransmission cancels it.
 * Fixed point: srtt8 = SRTT * 8, rttvar4 = RTTVAR * 4, in ms.
 *
 * Deviation: RTO's floor is 200 ms (Linux's), not RFC 6298 §2.4's 1 s;
 * RFC 6298 §4 allows the choice, and a LAN's round trips are far below.
 */
#include "tcp_impl.h"

#define RTO_G		1		/* RFC 6298 §2: our clock ticks in ms */
#define CWND_MAX	(1u << 30)	/* far beyond any window: no overflow */

static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)); RFC 5681 §3.1: one
 * MSS when the SYN had to be retransmitted. */
void tcp_cc_init(struct tcp_conn *c)
{
	if (c->flags & TCF_SYN_RTX)
		c->cwnd = c->mss;
	else
		c->cwnd = min32(10u * c->mss, max32(2u * c->mss, 14600));
	c->ssthresh = CWND_MAX;		/* RFC 5681 §3.1: arbitrarily high */
	c->recover = c->iss;		/* RFC 6582 §3.2 step 1 */
}

uint32_t tcp_rto_base(const struct tcp_conn *c)
{
	uint32_t rto;

	if (!c->srtt8)
		return TCP_RTO_INIT;
	rto = c->srtt8 / 8 + max32(RTO_G, c->rttvar4);	/* RFC 6298 §2.3 */
	return min32(max32(rto, TCP_RTO_MIN), TCP_RTO_MAX);
}

/* RFC 6298 §2.2 and §2.3, with alpha 1/8 and beta 1/4. */
void tcp_rtt_sample(struct tcp_conn *c, uint32_t r)
{
	if (r > TCP_RTO_MAX)
		r = TCP_RTO_MAX;
	if (!c->srtt8) {
		c->srtt8 = r * 8;
		c->rttvar4 = r * 2;
	} else {
		uint32_t srtt = c->srtt8 / 8;
		uint32_t dev = srtt > r ? srtt - r : r - srtt;

		c->rttvar4 = c->rttvar4 - c->rttvar4 / 4 + dev;
		c->srtt8 = c->srtt8 - c->srtt8 / 8 + r;
	}
	if (!c->srtt8)
		c->srtt8 = 1;	/* 0 means "no sample yet" */
	c->rto = tcp_rto_base(c);
}

static uint32_t flight(const struct tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

/* RFC 5681 §3.1 equation (4): half the flight, at least two segments. */
static uint32_t half_flight(const struct tcp_conn *c)
{
	return max32(flight(c) / 2, 2u * c->mss);
}

/* New data acknowledged (acked bytes; snd_una already moved). */
void tcp_cc_ack(struct tcp_conn *c, uint32_t acked)
{
	if (c->flags & TCF_RECOVERY) {
		if (seq_ge(c->snd_una, c->recover)) {
			/* RFC 6582 §3.2 step 3: full ACK, deflate */
			c->cwnd = min32(c->ssthresh, max32(flight(c), c->mss) + c->mss);
			c->flags &= ~(uint32_t)TCF_RECOVERY;
			c->dupacks = 0;
			return;
		}
		/* step 4: partial ACK, retransmit the next hole, deflate by
		 * what was acked and add back one MSS */
		tcp_rexmit_first(c);
		c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
		if (acked >= c->mss)
			c->cwnd += c->mss;
		c->cwnd = max32(c->cwnd, c->mss);
		return;
	}
	c->dupacks = 0;
	if (c->cwnd < c->ssthresh)
		c->cwnd += min32(acked, c->mss);		/* RFC 5681 (2) */
	else
		c->cwnd += max32(1, c->mss * c->mss / c->cwnd);	/* RFC 5681 (3) */
	c->cwnd = min32(c->cwnd, CWND_MAX);
}

/* A duplicate ACK (RFC 5681 §2's definition checked by the caller). */
void tcp_cc_dupack(struct tcp_conn *c)
{
	if (c->dupacks < 255)
		c->dupacks++;
	if (c->flags & TCF_RECOVERY) {
		c->cwnd = min32(c->cwnd + c->mss, CWND_MAX);	/* RFC 6582 step 4 */
		return;
	}
	/* RFC 6582 §3.2 step 2: only when the ACK covers more than recover,
	 * else this is the tail of a loss already handled */
	if (c->dupacks != 3 || !seq_gt(c->snd_una, c->recover))
		return;
	c->ssthresh = half_flight(c);
	c->recover = c->snd_max;
	c->flags |= TCF_RECOVERY;
	c->n->st.tcp_fast_retrans++;
	tcp_rexmit_first(c);
	c->cwnd = c->ssthresh + 3u * c->mss;		/* RFC 5681 §3.2 step 4 */
}

/* The retransmission timer expired (RFC 5681 §3.1, RFC 6298 §5.5-5.6,
 * RFC 6582 §4 for recover). */
void tcp_cc_timeout(struct tcp_conn *c)
{
	if (c->retries == 1)	/* once per loss, not again per backoff */
		c->ssthresh = half_flight(c);
	c->cwnd = c->mss;
	c->recover = c->snd_max;
	c->dupacks = 0;
	c->flags &= ~(uint32_t)(TCF_RECOVERY | TCF_TIMING);
	c->snd_nxt = c->snd_una;	/* go back: resend from the oldest */
	c->rto = min32(c->rto * 2, TCP_RTO_MAX);
}
