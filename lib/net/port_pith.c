/*
 * The port: lib/net over the Pith API (port_pith.h). The only file of
 * lib/net that includes <pith/...> calls, so the rest builds on the host.
 */
#include <cpuid.h>
#include <pith/net.h>
#include <pith/smp.h>
#include <pith/system.h>
#include <pith/time.h>
#include "port_pith.h"

#define CPUID1_ECX_RDRAND	(1u << 30)
#define RDRAND_RETRIES		10	/* Intel's advice: it may fail when drained */

/* Set by the interrupt callbacks, cleared by the polling core: a frame
 * arrived (or a tick passed) since the last poll, so do not halt. */
static volatile int wake;

static void on_event(void)
{
	wake = 1;
}

uint64_t pith_net_now_ms(void)
{
	return b_time_ns() / 1000000;
}

static unsigned port_tx(void *ctx, const void *const *frames, const uint16_t *lens,
			unsigned n)
{
	struct pith_net *p = ctx;
	unsigned done = 0;

	while (done < n) {
		long k = b_net_tx_burst(frames + done, lens + done, n - done, p->iface);
		if (k <= 0)
			break;		/* ring full or refused: the rest are drops */
		done += (unsigned)k;
	}
	return done;
}

static uint64_t splitmix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* RDRAND where the CPU has it; else the TSC and the clock through
 * SplitMix64 (not cryptographic: QEMU's default TCG CPU has no RDRAND;
 * docs/NETWORK.md says what that means for ISNs). */
static uint64_t port_random(void *ctx)
{
	static uint64_t state;
	unsigned a, b, c, d;

	(void)ctx;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & CPUID1_ECX_RDRAND)) {
		for (int i = 0; i < RDRAND_RETRIES; i++) {
			unsigned long long v;
			unsigned char ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				return v ^ splitmix(state += __builtin_ia32_rdtsc());
		}
	}
	state = splitmix(state + 0x9e3779b97f4a7c15ull + __builtin_ia32_rdtsc() + b_time_ns());
	return state;
}

static uint64_t port_now(void *ctx)
{
	(void)ctx;
	return pith_net_now_ms();
}

/* The blocking API's wait: poll, and halt when nothing came. */
static void port_pump(void *ctx, struct net *n, uint64_t until_ms)
{
	struct pith_net *p = ctx;

	(void)n;
	if (pith_net_poll(p) == 0 && pith_net_now_ms() < until_ms)
		pith_net_idle(p);
	pith_net_poll(p);
}

int pith_net_start(struct pith_net *p, unsigned iface, struct net_config *cfg,
		   void *mem, size_t len)
{
	struct b_net_info info;

	if (b_net_info(iface, &info) < 0)
		return B_ENODEV;
	__builtin_memcpy(cfg->mac, info.mac, sizeof cfg->mac);
	if (!cfg->mtu || cfg->mtu > info.mtu)
		cfg->mtu = info.mtu;
	p->iface = iface;
	p->port = (struct net_port){
		.ctx = p, .tx = port_tx, .random = port_random,
		.pump = port_pump, .now_ms = port_now,
	};
	if (len < net_mem_size(cfg))
		return B_ENOMEM;
	p->net = net_create(cfg, &p->port, mem, len, pith_net_now_ms());
	if (!p->net)
		return B_EINVAL;
	b_net_set_callback(on_event);	/* B_ENODEV without interrupts: the tick wakes us */
	b_system(B_SYS_CALLBACK_TIMER, (uint64_t)(uintptr_t)on_event, 0);
	return 0;
}

unsigned pith_net_poll(struct pith_net *p)
{
	unsigned got = 0;
	void *frame;
	long len;

	wake = 0;
	net_poll(p->net, pith_net_now_ms());
	while (got < PITH_NET_RX_BATCH && (len = b_net_rx_zc(p->iface, &frame)) > 0) {
		net_input(p->net, frame, (size_t)len);
		b_net_rx_release(p->iface, frame);
		got++;
	}
	net_flush(p->net);
	return got;
}

/* cli, then sti;hlt: an interrupt between the test of `wake` and the halt
 * is taken only after hlt begins (sti's one-instruction shadow), so it
 * still wakes us. */
void pith_net_idle(struct pith_net *p)
{
	(void)p;
	__asm__ volatile("cli" ::: "memory");
	if (!wake)
		__asm__ volatile("sti; hlt" ::: "memory");
	else
		__asm__ volatile("sti" ::: "memory");
}

/* ---- sharded mode ---- */

int pith_net_add_shard(struct pith_net *p, const struct pith_net *first,
		       struct net_config *cfg, void *mem, size_t len,
		       struct pith_shard_slot *ring)
{
	struct net_ifinfo ifi;

	net_ifinfo(first->net, &ifi);
	__builtin_memcpy(cfg->mac, ifi.mac, sizeof cfg->mac);
	cfg->mtu = ifi.mtu;
	cfg->ip = ifi.ip;
	cfg->netmask = ifi.netmask;
	cfg->gateway = ifi.gateway;
	cfg->dns = ifi.dns;
	cfg->secondary = true;
	if (!cfg->ip)
		return B_EINVAL;	/* stack 0 has no address yet */
	p->iface = first->iface;
	p->port = first->port;
	p->port.ctx = p;
	p->ring = ring;
	if (len < net_mem_size(cfg))
		return B_ENOMEM;
	p->net = net_create(cfg, &p->port, mem, len, pith_net_now_ms());
	return p->net ? 0 : B_EINVAL;
}

/* The receiving core's side of a ring: false when it is full. */
static bool ring_put(struct pith_net *p, void *frame, const void *bytes, uint16_t len)
{
	uint32_t head = p->head;

	if (head - __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE) >= PITH_SHARD_RING)
		return false;
	struct pith_shard_slot *s = &p->ring[head % PITH_SHARD_RING];
	s->frame = frame;
	s->len = len;
	if (!frame)
		__builtin_memcpy(s->copy, bytes, len);
	/* seq_cst, as the consumer's clear of `scheduled` and its look at
	 * head after it: each side stores, then reads the other's word. */
	__atomic_store_n(&p->head, head + 1, __ATOMIC_SEQ_CST);
	return true;
}

static void steer(struct pith_net *const *stacks, unsigned n, void *frame, uint16_t len)
{
	int k = net_flow_shard(frame, len, n);

	if (k == NET_FLOW_ALL && len <= PITH_SHARD_COPY) {
		for (unsigned i = 0; i < n; i++)
			if (!ring_put(stacks[i], NULL, frame, len))
				stacks[i]->ring_drops++;
		b_net_rx_release(stacks[0]->iface, frame);
		return;
	}
	struct pith_net *p = stacks[k < 0 ? 0 : k];
	if (!ring_put(p, frame, NULL, len)) {
		p->ring_drops++;
		b_net_rx_release(p->iface, frame);
	}
}

/* A stack's task: its frames, its timers, the program's work, then the
 * transmit burst; again while frames keep coming. `scheduled` is cleared
 * before the last look at the ring, so a frame steered meanwhile either
 * is seen here or finds the flag clear and queues a new task. */
static void shard_task(void *arg)
{
	struct pith_net *p = arg;

	for (;;) {
		uint64_t now = pith_net_now_ms();
		uint32_t tail = p->tail;
		net_poll(p->net, now);
		while (tail != __atomic_load_n(&p->head, __ATOMIC_ACQUIRE)) {
			struct pith_shard_slot *s = &p->ring[tail % PITH_SHARD_RING];
			net_input(p->net, s->frame ? s->frame : s->copy, s->len);
			if (s->frame)
				b_net_rx_release(p->iface, s->frame);
			__atomic_store_n(&p->tail, ++tail, __ATOMIC_RELEASE);
		}
		/* the work may arm timers (a FIN's retransmission): ask after */
		uint64_t w = p->work ? p->work(p, p->work_arg) : UINT64_MAX;
		uint64_t next = net_next_timer(p->net);
		if (w < next)
			next = w;
		net_flush(p->net);
		p->tasks++;
		__atomic_store_n(&p->next_ms, next, __ATOMIC_RELAXED);
		__atomic_store_n(&p->scheduled, 0, __ATOMIC_SEQ_CST);
		if (p->tail == __atomic_load_n(&p->head, __ATOMIC_SEQ_CST) ||
		    __atomic_exchange_n(&p->scheduled, 1, __ATOMIC_SEQ_CST))
			return;
	}
}

static void schedule(struct pith_net *p)
{
	if (__atomic_exchange_n(&p->scheduled, 1, __ATOMIC_SEQ_CST))
		return;		/* queued or running: it will see the ring */
	if (b_smp_enqueue(shard_task, p) < 0)
		__atomic_store_n(&p->scheduled, 0, __ATOMIC_RELEASE);	/* next round */
}

unsigned pith_net_poll_shards(struct pith_net *const *stacks, unsigned n)
{
	unsigned iface = stacks[0]->iface, got = 0;
	uint64_t now = pith_net_now_ms();
	void *frame;
	long len;

	wake = 0;
	while (got < PITH_NET_RX_BATCH && (len = b_net_rx_zc(iface, &frame)) > 0) {
		steer(stacks, n, frame, (uint16_t)len);
		got++;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pith_net *p = stacks[i];
		if (p->head != p->tail || now >= __atomic_load_n(&p->next_ms, __ATOMIC_RELAXED))
			schedule(p);
	}
	return got;
}

void pith_net_stop(struct pith_net *p)
{
	(void)p;
	b_net_set_callback(0);
	b_system(B_SYS_CALLBACK_TIMER, 0, 0);
}
