/*
 * httpd: serves a static site over HTTP/1.1 (docs/NETWORK.md).
 *
 *   httpd [ip=A.B.C.D/N gw=A.B.C.D dns=A.B.C.D] [port=80] [nic=0]
 *         [site=disk|demo|bench] [conns=N] [sndbuf=BYTES] [rcvbuf=BYTES]
 *         [cores=N]
 *
 * Without ip= the address comes from DHCP. The site is drive 0's www/
 * files when the disk has www/index.html (or site=disk), else the
 * compiled-in one. Console: "httpd: address ..." once the address is
 * known, "httpd: serving N files on port P" once listening. In a loaded
 * program, `q` on the console stops the server (back to the Monitor).
 * Linked into the kernel image, it runs until the machine stops.
 *
 * cores=N (N > 1) runs N stacks on the NIC, each owning the connections
 * its flow hash picks, each driven by a work-queue task on whichever core
 * is free (docs/NETWORK.md, "Cores"); conns= is then per stack. With one
 * (the default) the boot core runs the stack inline.
 */
#include <pith/app.h>
#include <pith/console.h>
#include <pith/program.h>
#include <pith/smp.h>
#include <pith/time.h>
#include <net/port_pith.h>
#include "../common/out.h"
#include "httpd.h"

#define CONNS_MAX		1024
#define SLOT_BYTES		(sizeof(struct http_conn) + 64)	/* conn.c's struct slot */
#define STACK_SLACK		256	/* arena_take's alignment, per stack */
#define DEFAULT_SNDBUF		32768
#define DEFAULT_RCVBUF		8192
#define BACKLOG			128
#define ADDR_WAIT_MS		30000	/* DHCP's first DORA, with retries */

struct options {
	struct net_config cfg;
	uint16_t port;
	unsigned nic, conns, cores;
	const char *site;
	int bad;
};

void *arena_take(struct arena *a, size_t bytes)
{
	size_t pad = (16 - ((uintptr_t)a->next & 15)) & 15;

	if (bytes + pad > a->left)
		return NULL;
	void *p = a->next + pad;
	a->next += pad + bytes;
	a->left -= pad + bytes;
	return p;
}

static void say(const char *s)
{
	out_str("httpd: ");
	out_str(s);
}

static void out_ip(net_ip4 ip)
{
	char buf[16];

	net_format_ip4(ip, buf);
	out_str(buf);
}

/* "key=" prefix match: the value after it, or NULL. */
static const char *arg_value(const char *arg, const char *key)
{
	while (*key && *arg == *key)
		arg++, key++;
	return *key ? NULL : arg;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* "A.B.C.D/N" into ip and netmask. */
static bool parse_cidr(const char *s, net_ip4 *ip, net_ip4 *mask)
{
	char buf[16];
	size_t i = 0;
	uint32_t bits = 24;

	while (s[i] && s[i] != '/' && i < sizeof buf - 1) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = 0;
	if (s[i] == '/' && !parse_u32(s + i + 1, 32, &bits))
		return false;
	if ((s[i] && s[i] != '/') || net_parse_ip4(buf, ip) < 0 || bits == 0)
		return false;
	*mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	return true;
}

static void parse_arg(struct options *o, const char *a)
{
	const char *v;
	uint32_t n;

	if ((v = arg_value(a, "ip=")))
		o->bad |= !parse_cidr(v, &o->cfg.ip, &o->cfg.netmask);
	else if ((v = arg_value(a, "gw=")))
		o->bad |= net_parse_ip4(v, &o->cfg.gateway) < 0;
	else if ((v = arg_value(a, "dns=")))
		o->bad |= net_parse_ip4(v, &o->cfg.dns) < 0;
	else if ((v = arg_value(a, "port=")) && parse_u32(v, 65535, &n) && n)
		o->port = (uint16_t)n;
	else if ((v = arg_value(a, "nic=")) && parse_u32(v, 3, &n))
		o->nic = n;
	else if ((v = arg_value(a, "conns=")) && parse_u32(v, CONNS_MAX, &n) && n)
		o->conns = n;
	else if ((v = arg_value(a, "cores=")) && parse_u32(v, PITH_NET_SHARDS_MAX, &n) && n)
		o->cores = n;
	else if ((v = arg_value(a, "sndbuf=")) && parse_u32(v, 1u << 20, &n))
		o->cfg.tcp_sndbuf = n;
	else if ((v = arg_value(a, "rcvbuf=")) && parse_u32(v, 1u << 20, &n))
		o->cfg.tcp_rcvbuf = n;
	else if ((v = arg_value(a, "site=")) &&
		 (str_eq(v, "disk") || str_eq(v, "demo") || str_eq(v, "bench")))
		o->site = v;
	else {
		say("unknown argument: ");
		out_str(a);
		out_str("\n");
		o->bad = 1;
	}
}

/* TCP slots for conns connections: + the listener and connections in
 * TIME_WAIT (recycled when full). */
static uint16_t tcp_slots(unsigned conns)
{
	return (uint16_t)(conns + conns / 4 + 2);
}

/* The heap o->cores stacks of conns connections each take: the stack
 * (net_mem_size: every TCP slot with its buffers, frames, ARP,
 * reassembly, UDP), the HTTP slots and the steering ring. */
static size_t plan_bytes(const struct options *o, unsigned conns)
{
	struct net_config c = o->cfg;

	c.tcp_conns = tcp_slots(conns);
	return o->cores * (net_mem_size(&c) + conns * SLOT_BYTES +
			   PITH_SHARD_RING * sizeof(struct pith_shard_slot) + STACK_SLACK);
}

/* Connection slots per stack for the memory left after the site: the
 * most that fit, up to CONNS_MAX. */
static unsigned plan_conns(const struct options *o, size_t left)
{
	unsigned lo = 0, hi = CONNS_MAX;

	if (o->conns)
		return o->conns;
	while (lo < hi) {
		unsigned mid = (lo + hi + 1) / 2;

		if (plan_bytes(o, mid) <= left)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static uint64_t unix_time(void *ctx)
{
	(void)ctx;
	return b_time_wall_ns() / 1000000000ull;
}

static const struct http_route routes[] = {
	{ "/status", http_status_html, NULL },
	{ "/status.json", http_status_json, NULL },
	{ "/1m.bin", http_testfile_1m, NULL },
};

static struct shard shards[PITH_NET_SHARDS_MAX];
static struct pith_net *stacks[PITH_NET_SHARDS_MAX];

static unsigned prefix_len(net_ip4 mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static int wait_address(struct pith_net *p)
{
	uint64_t until = pith_net_now_ms() + ADDR_WAIT_MS;
	struct net_ifinfo ifi;

	for (;;) {
		net_ifinfo(p->net, &ifi);
		if (ifi.state != NET_ADDR_NONE)
			break;
		if (pith_net_now_ms() >= until)
			return B_ETIMEDOUT;
		if (!pith_net_poll(p))
			pith_net_idle(p);
	}
	say("address ");
	out_ip(ifi.ip);
	out_str("/");
	out_u64(prefix_len(ifi.netmask));
	out_str(" gw ");
	out_ip(ifi.gateway);
	out_str(ifi.state == NET_ADDR_DHCP ? " (dhcp)\n" : " (static)\n");
	return 0;
}

/* The loop with one stack: frames, timers, HTTP timeouts; halt when
 * idle. A loaded program stops on `q` from the console. */
static void serve(struct shard *sh)
{
	for (;;) {
		if (!pith_net_poll(&sh->pn)) {
			if (b_input() == 'q')
				return;
			pith_net_idle(&sh->pn);
		}
		conns_timers(sh, net_now(sh->pn.net));
	}
}

/* A stack's work after each batch in its task: the HTTP timeouts. */
static uint64_t shard_work(struct pith_net *p, void *arg)
{
	return conns_timers(arg, net_now(p->net));
}

/* The loop with several: steer frames, help run the stacks' tasks, halt
 * when there was nothing to do; then wait for the tasks to finish. */
static void serve_sharded(unsigned n)
{
	for (;;) {
		unsigned got = pith_net_poll_shards(stacks, n);
		int ran = b_smp_run();
		if (!got && !ran) {
			if (b_input() == 'q')
				break;
			pith_net_idle(stacks[0]);
		}
	}
	b_smp_wait();
}

/* Stacks 1..n-1, once stack 0 has the address they share. */
static int start_more(const struct options *o, unsigned n, struct arena *a)
{
	for (unsigned k = 1; k < n; k++) {
		struct net_config cfg = o->cfg;
		size_t need = net_mem_size(&cfg);
		void *mem = arena_take(a, need);
		struct pith_shard_slot *ring = arena_take(a, PITH_SHARD_RING * sizeof *ring);
		if (!mem || !ring)
			return B_ENOMEM;
		int e = pith_net_add_shard(&shards[k].pn, &shards[0].pn, &cfg, mem, need, ring);
		if (e < 0)
			return e;
	}
	for (unsigned k = 0; k < n; k++) {
		shards[k].pn.work = shard_work;
		shards[k].pn.work_arg = &shards[k];
		stacks[k] = &shards[k].pn;
	}
	shards[0].pn.ring = arena_take(a, PITH_SHARD_RING * sizeof *shards[0].pn.ring);
	return shards[0].pn.ring ? 0 : B_ENOMEM;
}

static int fail(const char *what, long err)
{
	say(what);
	out_str(": error ");
	out_i64(err);
	out_str("\n");
	return 1;
}

int main(int argc, char **argv)
{
	/* UDP carries only DHCP and DNS here, both through callbacks: a few
	 * sockets with no queue to speak of, and datagrams reassembled up to
	 * 4 KiB, instead of lib/net's general-purpose 512 KiB of queues. */
	struct options o = { .port = 80, .cores = 1, .cfg = { .hostname = "pith",
		.tcp_sndbuf = DEFAULT_SNDBUF, .tcp_rcvbuf = DEFAULT_RCVBUF,
		.tcp_backlog_max = BACKLOG, .udp_socks = 4, .udp_queue = 1,
		.reasm_max = 4096 } };
	struct http_site site;
	struct arena a;
	void *heap;
	uint64_t heap_bytes;
	int e;

	for (int i = 1; i < argc; i++)
		parse_arg(&o, argv[i]);
	if (o.bad)
		return 2;
	if (o.cores > b_smp_numcores())
		o.cores = b_smp_numcores();
	if (b_heap(&heap, &heap_bytes) < 0)
		return fail("heap", B_ENOMEM);
	a = (struct arena){ heap, heap_bytes };

	long files = site_load(&site, o.site, &a);
	if (files < 0)
		return fail("site", files);
	struct http_config hc = {
		.write = conn_write, .lookup = http_site_lookup, .site = &site,
		.routes = routes, .nroutes = sizeof routes / sizeof routes[0],
		.status_fill = status_fill, .unix_time = unix_time,
	};
	unsigned conns = plan_conns(&o, a.left);
	if (conns < 2)
		return fail("memory for connections", B_ENOMEM);
	for (unsigned k = 0; k < o.cores; k++) {
		if ((e = http_server_init(&shards[k].srv, &hc)) < 0)
			return fail("http", e);
		if ((e = conns_alloc(&shards[k], conns, &a)) < 0)
			return fail("memory for connections", e);
	}
	o.cfg.tcp_conns = tcp_slots(conns);
	size_t need = net_mem_size(&o.cfg);
	void *mem0 = arena_take(&a, need);
	if (!mem0)
		return fail("memory for the stack", B_ENOMEM);
	if ((e = pith_net_start(&shards[0].pn, o.nic, &o.cfg, mem0, need)) < 0)
		return fail("network", e);
	if ((e = wait_address(&shards[0].pn)) < 0)
		return fail("no address (DHCP)", e);
	if (o.cores > 1 && (e = start_more(&o, o.cores, &a)) < 0)
		return fail("more stacks", e);
	status_init(shards, o.cores, heap_bytes, heap_bytes - a.left);
	for (unsigned k = 0; k < o.cores; k++)
		if ((e = conns_listen(&shards[k], o.port, BACKLOG)) < 0)
			return fail("listen", e);
	say("serving ");
	out_u64((uint64_t)files);
	out_str(" files on port ");
	out_u64(o.port);
	if (o.cores > 1) {
		out_str(" with ");
		out_u64(o.cores);
		out_str(" stacks");
	}
	out_str("\n");
	if (o.cores > 1)
		serve_sharded(o.cores);
	else
		serve(&shards[0]);
	pith_net_stop(&shards[0].pn);
	return 0;
}

/* Unikernel mode calls app_main; a loaded program's _start calls main. */
int app_main(int argc, char **argv)
{
	return main(argc, argv);
}
