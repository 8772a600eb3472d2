/*
 * lib/net on a Pith NIC: the one bridge from the stack to the Pith API
 * (include/pith/net.h, time.h, system.h). A program starts a stack on an
 * interface, then loops:
 *
 *     while (running) {
 *             if (!pith_net_poll(&p))     frames, timers, transmit
 *                     pith_net_idle(&p);  halt until a frame or a tick
 *     }
 *
 * Frames are read in place from the driver's buffers (b_net_rx_zc) and
 * given back after net_input; transmits go out in bursts (b_net_tx_burst).
 * Only the core that called pith_net_start may drive the stack: the
 * callbacks that wake it run on core 0.
 */
#ifndef PITH_LIB_NET_PORT_PITH_H
#define PITH_LIB_NET_PORT_PITH_H

#include "net.h"

#define PITH_NET_RX_BATCH	64	/* frames per poll before timers run again */
#define PITH_NET_SHARDS_MAX	16
#define PITH_SHARD_RING		256	/* > the driver's 128 receive buffers */
#define PITH_SHARD_COPY		64	/* an ARP frame, copied to every stack */

/* A received frame waiting for its stack: a driver buffer (frame, to be
 * released) or, for ARP, a copy every stack gets (frame == NULL). */
struct pith_shard_slot {
	void *frame;
	uint16_t len;
	uint8_t copy[PITH_SHARD_COPY];
};

struct pith_net {
	struct net *net;
	unsigned iface;
	struct net_port port;

	/* Sharded mode only (pith_net_add_shard): frames steered to this
	 * stack by the receiving core, which the task that owns the stack
	 * takes (single producer, single consumer). */
	volatile uint32_t head, tail;
	volatile uint32_t scheduled;	/* 1 while its task is queued or running */
	uint64_t next_ms;		/* when its timers are next due */
	/* The program's work after each batch, in the stack's task (e.g.
	 * HTTP timeouts); returns when it next needs a call (ms). */
	uint64_t (*work)(struct pith_net *p, void *arg);
	void *work_arg;
	uint64_t tasks, ring_drops;
	struct pith_shard_slot *ring;	/* PITH_SHARD_RING slots */
};

/* Fills cfg's MAC and MTU from the interface, builds the stack in mem and
 * turns on the network and 100 Hz timer callbacks that end
 * pith_net_idle. 0, B_ENODEV (no such NIC), B_ENOMEM (mem too small),
 * B_EINVAL (bad config). */
int pith_net_start(struct pith_net *p, unsigned iface, struct net_config *cfg,
		   void *mem, size_t len);
/* One round: up to PITH_NET_RX_BATCH frames into the stack, the timers,
 * the transmit burst. Returns the frames handled. */
unsigned pith_net_poll(struct pith_net *p);
/* Halts the core until a frame or the next timer tick (at most 10 ms). */
void pith_net_idle(struct pith_net *p);
/* ---- several stacks on one NIC, spread over the cores (docs/NETWORK.md,
 * "Cores") ----
 * Stack 0 is pith_net_start's; each further one shares its NIC and
 * address (cfg is stack 0's with secondary set). The receiving core (the
 * one that called pith_net_start) runs pith_net_poll_shards: it steers
 * each frame to its stack's ring (net_flow_shard) and queues a task for
 * every stack with frames waiting or timers due; the task, on whichever
 * core is free, runs that stack alone, so no stack is ever entered by two
 * cores at once and none needs a lock. ring: PITH_SHARD_RING slots; stack
 * 0 needs one too (set its ring field before the first round). */
int pith_net_add_shard(struct pith_net *p, const struct pith_net *first,
		       struct net_config *cfg, void *mem, size_t len,
		       struct pith_shard_slot *ring);
/* One round on the receiving core; returns the frames steered. Between
 * rounds the core may run tasks itself (b_smp_run) or idle. */
unsigned pith_net_poll_shards(struct pith_net *const *stacks, unsigned n);

/* Turns the callbacks off. */
void pith_net_stop(struct pith_net *p);
uint64_t pith_net_now_ms(void);

#endif
