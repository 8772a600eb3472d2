/*
 * TCP test helpers (lib_tcpt.c) on top of the sim harness (sim.h): one
 * peer at SIM_PEER_IP:TCPT_PEER_PORT talking to the stack's port, with
 * the peer's sequence numbers tracked so a test writes only what it
 * means:
 *
 *     struct tcpt t;
 *     tcpt_init(&t, NULL);
 *     tcpt_open_passive(&t, 1460, 7);     listener, SYN, SYN-ACK, ACK
 *     tcpt_send(&t, TCPT_A, "hi", 2);     the peer sends "hi"
 *     tcp_read(t.c, buf, sizeof(buf));
 *     tcpt_expect(&t, &p, SIM_ACK);       the next frame, checked
 *     tcpt_free(&t);
 *
 * Callbacks of struct tcp_events count into the struct tcpt (arg).
 */
#ifndef PITH_TESTS_NET_TCPT_H
#define PITH_TESTS_NET_TCPT_H

#include "sim.h"
#include "tcp_impl.h"

#define TCPT_PORT	80	/* the stack's */
#define TCPT_PEER_PORT	40000
#define TCPT_A		SIM_ACK
#define TCPT_WIN	65535
#define TCPT_PEER_ISS	1000000u

struct tcpt {
	struct sim s;
	struct tcp_conn *l, *c;
	uint16_t port, pport;		/* the stack's, the peer's */
	uint32_t pseq;			/* the peer's next sequence number */
	uint32_t pack;			/* what the peer acknowledges (our next) */
	uint16_t pwin;			/* the window the peer advertises */
	uint32_t iss;			/* the stack's ISS */
	/* callback counts */
	unsigned accepted, connected, readable, writable, closed;
	int err;
	struct tcp_conn *last;		/* the connection of the last callback */
	/* what a callback does: read everything / close / abort */
	bool read_all, close_on_fin, abort_on_readable;
	uint8_t rx[131072];
	size_t rx_len;
};

extern const struct tcp_events tcpt_events;

void tcpt_init(struct tcpt *t, const struct net_config *cfg);
/* The same with another random seed (0: SIM_SEED). */
void tcpt_init_seed(struct tcpt *t, const struct net_config *cfg, uint64_t seed);
void tcpt_free(struct tcpt *t);
/* A raw segment from the peer (options as bytes, padded by the builder). */
void tcpt_seg(struct tcpt *t, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	      const void *opt, size_t optlen, const void *data, size_t len);
/* A segment at the peer's pseq/pack/pwin; moves pseq by its length. */
void tcpt_send(struct tcpt *t, uint8_t flags, const void *data, size_t len);
/* Next frame (ARP skipped): a TCP segment to the peer, exactly these flags. */
void tcpt_expect(struct tcpt *t, struct sim_pkt *p, uint8_t flags);
/* No frame waits (ARP requests are answered and skipped). */
void tcpt_expect_none(struct tcpt *t);
/* Next frame: a data segment (ACK, maybe PSH/FIN), its payload length. */
size_t tcpt_expect_data(struct tcpt *t, struct sim_pkt *p);
/* tcp_listen on t->port with tcpt_events and backlog. */
void tcpt_listen(struct tcpt *t, unsigned backlog);
/* Listener, SYN (MSS mss, window scale ws if ws >= 0), SYN-ACK, ACK:
 * t->c is the established connection (accepted via the callback). */
void tcpt_open_passive(struct tcpt *t, uint16_t mss, int ws);
/* tcp_connect, SYN, SYN-ACK from the peer (MSS 1460, no WS), ACK. */
void tcpt_open_active(struct tcpt *t);
/* Options for a SYN: MSS, then window scale when ws >= 0; its length. */
size_t tcpt_syn_opts(uint8_t *o, uint16_t mss, int ws);
/* sim_advance in 1 s steps, keeping the peer's ARP entry fresh so no
 * frame waits behind an ARP request. */
void tcpt_advance(struct tcpt *t, uint64_t ms);
/* Pops every frame; how many were TCP data segments. */
unsigned tcpt_drain(struct tcpt *t);

#endif
