/*
 * TCP test helpers: see tcpt.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tcpt.h"

static void ev_accepted(struct tcp_conn *c, void *arg)
{
	struct tcpt *t = arg;

	t->accepted++;
	t->last = c;
	t->c = c;
}

static void ev_connected(struct tcp_conn *c, void *arg)
{
	struct tcpt *t = arg;

	t->connected++;
	t->last = c;
}

static void ev_readable(struct tcp_conn *c, void *arg)
{
	struct tcpt *t = arg;

	t->readable++;
	t->last = c;
	if (t->abort_on_readable) {
		tcp_abort(c);
		if (t->c == c)
			t->c = NULL;
		return;
	}
	if (t->read_all) {
		long k;

		while ((k = tcp_read(c, t->rx + t->rx_len, sizeof(t->rx) - t->rx_len)) > 0)
			t->rx_len += (size_t)k;
	}
	if (t->close_on_fin && tcp_peer_closed(c)) {
		tcp_close(c);
		if (t->c == c)
			t->c = NULL;
	}
}

static void ev_writable(struct tcp_conn *c, void *arg)
{
	struct tcpt *t = arg;

	t->writable++;
	t->last = c;
}

static void ev_closed(struct tcp_conn *c, int err, void *arg)
{
	struct tcpt *t = arg;

	t->closed++;
	t->err = err;
	t->last = c;
	if (t->c == c)
		t->c = NULL;
}

const struct tcp_events tcpt_events = {
	.accepted = ev_accepted,
	.connected = ev_connected,
	.readable = ev_readable,
	.writable = ev_writable,
	.closed = ev_closed,
};

void tcpt_init(struct tcpt *t, const struct net_config *cfg)
{
	tcpt_init_seed(t, cfg, 0);
}

void tcpt_init_seed(struct tcpt *t, const struct net_config *cfg, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->s.seed = seed;	/* 0: SIM_SEED */
	sim_init(&t->s, cfg);
	sim_learn_arp(&t->s, SIM_PEER_IP, sim_peer_mac);
	sim_quiet(&t->s);
	t->port = TCPT_PORT;
	t->pport = TCPT_PEER_PORT;
	t->pseq = TCPT_PEER_ISS;
	t->pwin = TCPT_WIN;
}

void tcpt_free(struct tcpt *t)
{
	sim_free(&t->s);
}

void tcpt_seg(struct tcpt *t, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	      const void *opt, size_t optlen, const void *data, size_t len)
{
	sim_tcp(&t->s, SIM_PEER_IP, t->pport, SIM_IP, t->port, seq, ack, flags, win, opt,
		optlen, data, len);
}

void tcpt_send(struct tcpt *t, uint8_t flags, const void *data, size_t len)
{
	tcpt_seg(t, flags, t->pseq, (flags & SIM_ACK) ? t->pack : 0, t->pwin, NULL, 0, data,
		 len);
	t->pseq += (uint32_t)len + ((flags & SIM_SYN) ? 1 : 0) + ((flags & SIM_FIN) ? 1 : 0);
}

/* The next frame that is not an ARP request (those are answered, so a
 * long wait that let the ARP entry expire changes nothing). */
static bool next_frame(struct tcpt *t, struct sim_pkt *p)
{
	while (sim_next(&t->s, p)) {
		if (p->type != ETHERTYPE_ARP)
			return true;
		if (p->arp_op == 1)
			sim_arp_reply(&t->s, sim_peer_mac, p->arp_tpa, SIM_IP);
	}
	return false;
}

void tcpt_expect_none(struct tcpt *t)
{
	struct sim_pkt p;

	if (next_frame(t, &p))
		fail_msg("unexpected frame: type %#x proto %u flags %#x seq %u ack %u len %zu",
			 p.type, p.proto, p.flags, p.seq, p.ack, p.data_len);
}

void tcpt_expect(struct tcpt *t, struct sim_pkt *p, uint8_t flags)
{
	assert_true(next_frame(t, p));
	assert_int_equal(p->type, ETHERTYPE_IP4);
	assert_int_equal(p->proto, IP_PROTO_TCP);
	assert_true(p->ip_cksum_ok);
	assert_true(p->l4_cksum_ok);
	assert_int_equal(p->dst, SIM_PEER_IP);
	assert_int_equal(p->dport, t->pport);
	assert_int_equal(p->flags, flags);
	if (t->port)	/* 0: an active open's port, not known yet */
		assert_int_equal(p->sport, t->port);
}

size_t tcpt_expect_data(struct tcpt *t, struct sim_pkt *p)
{
	assert_true(next_frame(t, p));
	assert_int_equal(p->proto, IP_PROTO_TCP);
	assert_true(p->l4_cksum_ok);
	assert_int_equal(p->dport, t->pport);
	assert_true(p->flags & SIM_ACK);
	assert_false(p->flags & (SIM_SYN | SIM_RST));
	return p->data_len;
}

size_t tcpt_syn_opts(uint8_t *o, uint16_t mss, int ws)
{
	size_t k = 0;

	o[k++] = 2;
	o[k++] = 4;
	o[k++] = (uint8_t)(mss >> 8);
	o[k++] = (uint8_t)mss;
	if (ws >= 0) {
		o[k++] = 1;
		o[k++] = 3;
		o[k++] = 3;
		o[k++] = (uint8_t)ws;
	}
	return k;
}

void tcpt_listen(struct tcpt *t, unsigned backlog)
{
	t->l = tcp_listen(t->s.n, t->port, backlog, &tcpt_events, t);
	assert_non_null(t->l);
}

void tcpt_open_passive(struct tcpt *t, uint16_t mss, int ws)
{
	struct sim_pkt p;
	uint8_t o[8];

	if (!t->l)
		tcpt_listen(t, 8);
	tcpt_seg(t, SIM_SYN, t->pseq, 0, t->pwin, o, tcpt_syn_opts(o, mss, ws), NULL, 0);
	t->pseq++;
	tcpt_expect(t, &p, SIM_SYN | SIM_ACK);
	assert_int_equal(p.ack, t->pseq);
	t->iss = p.seq;
	t->pack = p.seq + 1;
	t->accepted = 0;
	tcpt_send(t, SIM_ACK, NULL, 0);
	assert_int_equal(t->accepted, 1);
	assert_non_null(t->c);
	assert_int_equal(t->c->state, TCP_ESTABLISHED);
	tcpt_expect_none(t);
}

void tcpt_open_active(struct tcpt *t)
{
	struct sim_pkt p;
	uint8_t o[8];

	t->c = tcp_connect(t->s.n, SIM_PEER_IP, t->pport, &tcpt_events, t);
	assert_non_null(t->c);
	t->port = 0;
	tcpt_expect(t, &p, SIM_SYN);
	t->port = p.sport;
	t->iss = p.seq;
	t->pack = p.seq + 1;
	tcpt_seg(t, SIM_SYN | SIM_ACK, t->pseq, t->pack, t->pwin, o, tcpt_syn_opts(o, 1460, -1),
		 NULL, 0);
	t->pseq++;
	assert_int_equal(t->connected, 1);
	tcpt_expect(t, &p, SIM_ACK);
	assert_int_equal(p.ack, t->pseq);
	assert_int_equal(t->c->state, TCP_ESTABLISHED);
}

void tcpt_advance(struct tcpt *t, uint64_t ms)
{
	while (ms) {
		uint64_t k = ms < 1000 ? ms : 1000;

		sim_learn_arp(&t->s, SIM_PEER_IP, sim_peer_mac);
		sim_advance(&t->s, k);
		ms -= k;
	}
}

unsigned tcpt_drain(struct tcpt *t)
{
	struct sim_pkt p;
	unsigned k = 0;

	while (next_frame(t, &p))
		if (p.proto == IP_PROTO_TCP && p.data_len)
			k++;
	return k;
}
