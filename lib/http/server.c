/*
 * The server and its connections: the loop that takes request bytes,
 * answers complete heads in order (pipelining, RFC 9112 §9.3.2), and the
 * three timers.
 *
 * A connection is always in one of these situations:
 *   writing   a response is not all out (c->tx.active); no input is read,
 *             so a client that pipelines faster than it reads is held
 *             back by its own TCP window (send timer: no progress in
 *             send_timeout_ms -> abort)
 *   reading   a request has begun (c->req.started); header timer: the
 *             head must be complete header_timeout_ms after its first
 *             byte, else 408 and close (slowloris)
 *   idle      neither; idle timer: idle_timeout_ms -> close, silently
 *             (RFC 9112 §9.5)
 * plus dropping a request's content (c->discard) between the last two.
 * Once next is CLOSE or ABORT the connection is over: input is taken and
 * ignored, calls change nothing.
 */
#include "http_impl.h"
#include <pith/error.h>

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

int http_server_init(struct http_server *s, const struct http_config *cfg)
{
	struct http_config *c = &s->cfg;

	if (!cfg || !cfg->write || (cfg->nroutes && !cfg->routes))
		return B_EINVAL;
	set_mem(s, 0, sizeof(*s));
	*c = *cfg;
	c->line_max = or_default(c->line_max, HTTP_LINE_MAX);
	c->header_max = or_default(c->header_max, HTTP_HEADER_MAX);
	c->fields_max = or_default(c->fields_max, HTTP_FIELDS_MAX);
	c->header_timeout_ms = or_default(c->header_timeout_ms, HTTP_HEADER_TIMEOUT_MS);
	c->idle_timeout_ms = or_default(c->idle_timeout_ms, HTTP_IDLE_TIMEOUT_MS);
	c->send_timeout_ms = or_default(c->send_timeout_ms, HTTP_SEND_TIMEOUT_MS);
	c->max_requests = or_default(c->max_requests, HTTP_MAX_REQUESTS);
	if (c->body_discard_max == 0)
		c->body_discard_max = HTTP_BODY_DISCARD_MAX;
	s->date_s = UINT64_MAX;
	return 0;
}

void http_conn_init(struct http_conn *c, struct http_server *s, void *io, uint64_t now_ms)
{
	set_mem(c, 0, sizeof(*c));
	c->srv = s;
	c->io = io;
	c->next = HTTP_NEXT_OPEN;
	c->idle_since_ms = now_ms;
	http_req_reset(&c->req);
	s->stats.conns_open++;
	s->stats.conns_total++;
}

void http_conn_fini(struct http_conn *c)
{
	if (c->srv)
		c->srv->stats.conns_open--;
	c->srv = NULL;
	c->next = HTTP_NEXT_ABORT;
}

enum http_next http_conn_next(const struct http_conn *c)
{
	return (enum http_next)c->next;
}

/* True once at least ms have passed since t (clock going back: not yet). */
static bool expired(uint64_t now, uint64_t t, uint32_t ms)
{
	return now >= t && now - t >= ms;
}

/* Writes the current response on; then, if it asked for it, closes. */
static bool flush(struct http_conn *c, uint64_t now)
{
	if (c->tx.active) {
		if (!http_reply_flush(c, now))
			return false;
		c->idle_since_ms = now;
	}
	if (c->next != HTTP_NEXT_OPEN)
		return false;
	if (c->close_after) {
		c->next = HTTP_NEXT_CLOSE;
		return false;
	}
	return true;
}

static void answer(struct http_conn *c, int status, uint64_t now)
{
	if (status == HTTP_PARSE_DONE)
		http_reply_request(c);
	else
		http_reply_error(c, status);
	http_req_reset(&c->req);
	c->idle_since_ms = now;
	c->tx_progress_ms = now;
}

/* Takes bytes of the stream: content to drop, or the next head. */
static size_t take(struct http_conn *c, const uint8_t *p, size_t n, uint64_t now)
{
	const struct http_config *cfg = &c->srv->cfg;
	struct http_limits lim = { cfg->line_max, cfg->header_max, cfg->fields_max };
	size_t used;
	int st;

	if (c->discard > 0) {
		used = c->discard < n ? (size_t)c->discard : n;
		c->discard -= used;
		return used;
	}
	if (!c->req.started)
		c->req_start_ms = now;
	st = http_parse(&c->req, &lim, p, n, &used);
	if (st != HTTP_PARSE_MORE)
		answer(c, st, now);
	return used;
}

/* 408 once a begun head is late (RFC 9110 §15.5.9). */
static void check_header_timer(struct http_conn *c, uint64_t now)
{
	if (!c->tx.active && c->req.started &&
	    expired(now, c->req_start_ms, c->srv->cfg.header_timeout_ms))
		answer(c, 408, now);
}

size_t http_conn_input(struct http_conn *c, const void *p, size_t n, uint64_t now_ms)
{
	size_t used = 0;

	if (c->next != HTTP_NEXT_OPEN)
		return n;
	check_header_timer(c, now_ms);
	/* Each turn answers a head, drops content, or ends: take() always
	 * uses at least one byte or completes a response. */
	while (flush(c, now_ms) && used < n)
		used += take(c, (const uint8_t *)p + used, n - used, now_ms);
	return c->next == HTTP_NEXT_OPEN ? used : n;
}

enum http_next http_conn_writable(struct http_conn *c, uint64_t now_ms)
{
	if (c->next == HTTP_NEXT_OPEN)
		flush(c, now_ms);
	return (enum http_next)c->next;
}

/* The peer sends no more: finish the response under way, then close. A
 * head cut short gets no answer. */
enum http_next http_conn_eof(struct http_conn *c, uint64_t now_ms)
{
	c->eof = true;
	c->close_after = true;
	if (c->next == HTTP_NEXT_OPEN)
		flush(c, now_ms);
	return (enum http_next)c->next;
}

enum http_next http_conn_poll(struct http_conn *c, uint64_t now_ms)
{
	const struct http_config *cfg;

	if (c->next != HTTP_NEXT_OPEN)
		return (enum http_next)c->next;
	cfg = &c->srv->cfg;
	if (c->tx.active) {
		if (expired(now_ms, c->tx_progress_ms, cfg->send_timeout_ms))
			c->next = HTTP_NEXT_ABORT;
		return (enum http_next)c->next;
	}
	check_header_timer(c, now_ms);
	if (c->tx.active || c->close_after) {
		flush(c, now_ms);
		return (enum http_next)c->next;
	}
	if (!c->req.started && expired(now_ms, c->idle_since_ms, cfg->idle_timeout_ms))
		c->next = HTTP_NEXT_CLOSE;
	return (enum http_next)c->next;
}

static uint64_t after(uint64_t t, uint32_t ms)
{
	return t + ms < t ? UINT64_MAX : t + ms;
}

uint64_t http_conn_deadline(const struct http_conn *c)
{
	const struct http_config *cfg;

	if (c->next != HTTP_NEXT_OPEN || !c->srv)
		return UINT64_MAX;
	cfg = &c->srv->cfg;
	if (c->tx.active)
		return after(c->tx_progress_ms, cfg->send_timeout_ms);
	if (c->req.started)
		return after(c->req_start_ms, cfg->header_timeout_ms);
	return after(c->idle_since_ms, cfg->idle_timeout_ms);
}
