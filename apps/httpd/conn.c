/*
 * One HTTP connection per TCP connection: lib/net's events drive
 * lib/http's connection object. Requests are read zero-copy from the TCP
 * receive buffer (tcp_peek), and responses go straight into the send
 * buffer (tcp_write), file bodies from the site's own bytes.
 *
 * Each stack (struct shard) has its own fixed pool of slots; a connection
 * that arrives when none is free is reset. Everything here runs in the
 * stack's own context (its task, or the loop with one stack), so nothing
 * is shared between cores.
 */
#include "httpd.h"

struct slot {
	struct http_conn http;
	struct tcp_conn *tcp;		/* NULL: free */
	struct shard *sh;
	struct slot *next_free;
};

static void on_accepted(struct tcp_conn *c, void *arg);
static void on_readable(struct tcp_conn *c, void *arg);
static void on_writable(struct tcp_conn *c, void *arg);
static void on_closed(struct tcp_conn *c, int err, void *arg);

static const struct tcp_events listener_events = {
	.accepted = on_accepted,
};
static const struct tcp_events conn_events = {
	.readable = on_readable,
	.writable = on_writable,
	.closed = on_closed,
};

/* lib/http's transport: the TCP send buffer. */
long conn_write(void *io, const void *p, size_t n, bool more)
{
	struct slot *s = io;

	return tcp_write(s->tcp, p, n, more ? TCP_WRITE_MORE : 0);
}

static uint64_t now_of(const struct slot *s)
{
	return net_now(s->sh->pn.net);
}

static void slot_free(struct slot *s)
{
	http_conn_fini(&s->http);
	s->tcp = NULL;
	s->next_free = s->sh->free_list;
	s->sh->free_list = s;
	s->sh->nopen--;
}

static void note_deadline(struct slot *s)
{
	uint64_t d = http_conn_deadline(&s->http);

	if (d < s->sh->next_deadline)
		s->sh->next_deadline = d;
}

/* Carries out what lib/http decided; false if the slot is gone. */
static bool act(struct slot *s, enum http_next next)
{
	if (next == HTTP_NEXT_OPEN) {
		note_deadline(s);
		return true;
	}
	struct tcp_conn *c = s->tcp;
	slot_free(s);
	if (next == HTTP_NEXT_CLOSE)
		tcp_close(c);
	else
		tcp_abort(c);
	return false;
}

/* Offers every received byte to lib/http until it stops taking them
 * (a response is blocked) or none are left; then the FIN, if any. */
static void feed(struct slot *s)
{
	uint64_t now = now_of(s);
	const void *p;
	size_t n;

	while ((n = tcp_peek(s->tcp, &p)) > 0) {
		size_t k = http_conn_input(&s->http, p, n, now);
		tcp_consume(s->tcp, k);
		if (http_conn_next(&s->http) != HTTP_NEXT_OPEN || k < n)
			break;
	}
	enum http_next next = http_conn_next(&s->http);
	if (next == HTTP_NEXT_OPEN && tcp_readable(s->tcp) == 0 && tcp_peer_closed(s->tcp))
		next = http_conn_eof(&s->http, now);
	act(s, next);
}

static void on_accepted(struct tcp_conn *c, void *arg)
{
	struct shard *sh = arg;
	struct slot *s = sh->free_list;

	if (!s) {
		tcp_abort(c);
		return;
	}
	sh->free_list = s->next_free;
	sh->nopen++;
	s->tcp = c;
	http_conn_init(&s->http, &sh->srv, s, net_now(sh->pn.net));
	tcp_setopt(c, TCP_OPT_NODELAY, 1);	/* responses end with a push */
	tcp_set_events(c, &conn_events, s);
	note_deadline(s);
	if (tcp_readable(c) || tcp_peer_closed(c))
		feed(s);
}

static void on_readable(struct tcp_conn *c, void *arg)
{
	(void)c;
	feed(arg);
}

static void on_writable(struct tcp_conn *c, void *arg)
{
	struct slot *s = arg;

	(void)c;
	if (act(s, http_conn_writable(&s->http, now_of(s))))
		feed(s);	/* a blocked pipeline may move on now */
}

static void on_closed(struct tcp_conn *c, int err, void *arg)
{
	(void)c;
	(void)err;
	slot_free(arg);
}

int conns_alloc(struct shard *sh, unsigned count, struct arena *a)
{
	sh->slots = arena_take(a, count * sizeof *sh->slots);
	if (!sh->slots)
		return B_ENOMEM;
	sh->nslots = count;
	sh->next_deadline = UINT64_MAX;
	for (unsigned i = count; i-- > 0;) {
		sh->slots[i].tcp = NULL;
		sh->slots[i].sh = sh;
		sh->slots[i].next_free = sh->free_list;
		sh->free_list = &sh->slots[i];
	}
	return 0;
}

int conns_listen(struct shard *sh, uint16_t port, unsigned backlog)
{
	return tcp_listen(sh->pn.net, port, backlog, &listener_events, sh) ? 0 : B_EADDRINUSE;
}

/* Runs lib/http's timeouts (header, idle, send) when the earliest is due:
 * one pass over the slots then, none otherwise. */
uint64_t conns_timers(struct shard *sh, uint64_t now_ms)
{
	if (now_ms < sh->next_deadline)
		return sh->next_deadline;
	sh->next_deadline = UINT64_MAX;
	for (unsigned i = 0; i < sh->nslots; i++) {
		struct slot *s = &sh->slots[i];
		if (!s->tcp)
			continue;
		if (http_conn_deadline(&s->http) <= now_ms)
			act(s, http_conn_poll(&s->http, now_ms));
		else
			note_deadline(s);
	}
	return sh->next_deadline;
}
