/*
 * Answering one request: what a complete head means (RFC 9110, RFC 9112),
 * which route or file answers it, the response head, and writing it all
 * out through cfg.write as far as the transport takes it.
 *
 * A response is a head in c->head and a body that is one of: the site's
 * own bytes (zero-copy), a route's buffered body in c->buf, a static
 * error text, or a generator's chunks, made HTTP_BODY_BUF at a time in
 * c->buf. A HEAD request gets the same head, body left off (§9.3.2).
 *
 * Which errors close the connection: those after which we can no longer
 * trust where the next request starts, or that mean the peer is broken:
 * 400, 408, 414, 431, 505, and 501 for a Transfer-Encoding (RFC 9112
 * §6.1, §6.3). 404, 405 and 501 for an unknown method keep it, their
 * framing being sound. A request's content (Content-Length) is dropped
 * unread up to cfg.body_discard_max; beyond that the connection closes
 * after the response.
 */
#include "http_impl.h"
#include <pith/error.h>

#define TEXT_PLAIN	"text/plain; charset=utf-8"
#define SEND_MAX	(1u << 30)	/* per write call: fits the long it returns */
#define FIELD_MAX	128		/* an app-given type or ETag, at most */

/* ---- what the head means ------------------------------------------------ */

/* 0, or the status for a head that is well-formed but unacceptable. */
static int head_status(struct http_conn *c)
{
	const struct http_req *r = &c->req;

	if (r->te_seen) {
		c->close_after = true;
		return r->cl_seen ? 400 : 501;	/* RFC 9112 §6.1: smuggling; §6.3 */
	}
	if (r->version == 11 && r->host_count == 0) {
		c->close_after = true;
		return 400;			/* RFC 9112 §3.2 */
	}
	if (r->method == HTTP_M_UNKNOWN)
		return 501;			/* RFC 9110 §9.1 */
	if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD)
		return 405;			/* RFC 9110 §15.5.6 */
	return 0;
}

/* RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
static void decide_persistence(struct http_conn *c)
{
	const struct http_req *r = &c->req;
	bool keep = r->version == 11 ? !r->close : r->keep_alive && !r->close;

	if (!keep || c->served >= c->srv->cfg.max_requests)
		c->close_after = true;
	if (r->cl_seen && r->content_length > c->srv->cfg.body_discard_max)
		c->close_after = true;
	else if (r->cl_seen)
		c->discard = r->content_length;
}

/* ---- the head ------------------------------------------------------------- */

/* An app-given field value goes out only if it is printable and short:
 * a CR or LF in it would split the head. */
static bool safe_value(const char *s)
{
	size_t n = http_str_len(s, FIELD_MAX + 1);

	if (n == 0 || n > FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] < 0x20 || (uint8_t)s[i] >= 0x7f)
			return false;
	return true;
}

static void field(struct http_out *o, const char *name, const char *value)
{
	http_out_str(o, name);
	http_out_str(o, ": ");
	http_out_str(o, value);
	http_out_str(o, "\r\n");
}

static void date_field(struct http_out *o, struct http_server *s)
{
	uint64_t now;

	if (!s->cfg.unix_time)
		return;
	now = s->cfg.unix_time(s->cfg.time_ctx);
	if (now != s->date_s) {
		http_format_date(now, s->date);
		s->date_s = now;
	}
	field(o, "Date", s->date);
}

struct head_info {
	int status;
	const char *type;
	uint64_t length;
	const char *etag;	/* or NULL */
	bool no_store;
};

/* Writes the head into c->head; its length, 0 if it did not fit. */
static size_t build_head(struct http_conn *c, const struct head_info *h)
{
	struct http_out o;

	http_out_init(&o, c->head, sizeof(c->head));
	http_out_str(&o, "HTTP/1.1 ");	/* RFC 9110 §6.2: our highest 1.x */
	http_out_u64(&o, (uint64_t)h->status);
	http_out_str(&o, " ");
	http_out_str(&o, http_reason(h->status));
	http_out_str(&o, "\r\nServer: Pith\r\n");
	date_field(&o, c->srv);
	field(&o, "Content-Type", safe_value(h->type) ? h->type : "application/octet-stream");
	http_out_str(&o, "Content-Length: ");
	http_out_u64(&o, h->length);
	http_out_str(&o, "\r\n");
	if (h->etag)
		field(&o, "ETag", h->etag);
	if (h->no_store)
		field(&o, "Cache-Control", "no-store");
	if (h->status == 405)
		field(&o, "Allow", "GET, HEAD");	/* RFC 9110 §15.5.6: MUST */
	if (c->close_after)
		field(&o, "Connection", "close");
	else if (c->req.version == 10)
		field(&o, "Connection", "keep-alive");
	http_out_str(&o, "\r\n");
	return o.full ? 0 : o.len;
}

/* Starts a response: head built, body attached by the caller. */
static bool start(struct http_conn *c, const struct head_info *h)
{
	struct http_tx *t = &c->tx;
	struct http_stats *st = &c->srv->stats;

	set_mem(t, 0, sizeof(*t));
	t->head_len = build_head(c, h);
	if (t->head_len == 0)
		return false;
	t->active = true;
	st->requests++;
	st->responses[h->status / 100 - 1]++;
	return true;
}

/* ---- the responses -------------------------------------------------------- */

void http_reply_error(struct http_conn *c, int status)
{
	const char *body = http_error_body(status);
	struct head_info h = { status, TEXT_PLAIN, http_str_len(body, 64), NULL, false };

	if (status != 404 && status != 405 && !(status == 501 && !c->req.te_seen))
		c->close_after = true;
	if (!start(c, &h))
		return;	/* our own fields always fit: not reached */
	if (c->req.method != HTTP_M_HEAD) {
		c->tx.body = (const uint8_t *)body;
		c->tx.body_len = h.length;
	}
}

static int reply_route(struct http_conn *c, const struct http_route *rt, bool head)
{
	struct http_body b = { .buf = c->buf, .cap = sizeof(c->buf), .head = head };
	int err = rt->handler(c->srv, rt->ctx, &b);

	if (err == B_ENOENT)
		return 404;
	if (err != 0 || b.len > b.cap || (b.gen && b.len))
		return 500;
	struct head_info h = { 200, b.type, b.gen ? b.gen_len : b.len, NULL, b.no_store };
	if (!b.type || !start(c, &h))
		return 500;
	if (head)
		return 0;
	c->tx.body = b.gen ? NULL : c->buf;
	c->tx.body_len = h.length;
	c->tx.gen = b.gen;
	c->tx.gen_ctx = b.gen_ctx;
	return 0;
}

/* A file, or 304 when If-None-Match names its ETag (RFC 9110 §13.1.2,
 * §15.4.5: same fields, Content-Length the 200's). */
static int reply_file(struct http_conn *c, const struct http_file *f, const char *path,
		      size_t len, bool head)
{
	const struct http_req *r = &c->req;
	const char *etag = f->etag && safe_value(f->etag) ? f->etag : NULL;
	struct head_info h = { 200, f->type, f->len, etag, false };

	if (!h.type)
		h.type = http_mime_type(path, len);
	if (etag && r->inm_len > 0 && !r->inm_over && http_inm_match(r->inm, r->inm_len, etag)) {
		h.status = 304;
		head = true;
	}
	if (!start(c, &h))
		return 500;
	if (!head) {
		c->tx.body = f->data;
		c->tx.body_len = f->len;
	}
	return 0;
}

/* A route or a file for the cleaned path; 0 or an error status. The path
 * lives in c->buf until a route's handler may overwrite it. */
static int reply_target(struct http_conn *c, bool head)
{
	const struct http_config *cfg = &c->srv->cfg;
	char *path = (char *)c->buf;
	struct http_file f;
	size_t len;
	int status = http_path_clean(c->req.target, c->req.target_len, path, sizeof(c->buf),
				     &len);

	if (status != 0)
		return status;
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct http_route *rt = &cfg->routes[i];

		if (http_str_len(rt->path, len + 1) == len && same_mem(rt->path, path, len))
			return reply_route(c, rt, head);
	}
	if (!cfg->lookup || cfg->lookup(cfg->site, path, len, &f) != 0)
		return 404;
	return reply_file(c, &f, path, len, head);
}

/* A complete, well-formed head: answer it. */
void http_reply_request(struct http_conn *c)
{
	int status;

	c->served++;
	decide_persistence(c);
	status = head_status(c);
	if (status == 0)
		status = reply_target(c, c->req.method == HTTP_M_HEAD);
	if (status != 0)
		http_reply_error(c, status);
}

/* ---- writing it out ---------------------------------------------------------- */

/* One write call; false when the transport took nothing or broke. */
static bool write_some(struct http_conn *c, const void *p, size_t n, bool more,
		       uint64_t now, size_t *took)
{
	long k = c->srv->cfg.write(c->io, p, n, more);

	if (k < 0 || (size_t)k > n) {
		c->next = HTTP_NEXT_ABORT;
		return false;
	}
	if (k == 0)
		return false;
	c->srv->stats.bytes_sent += (uint64_t)k;
	c->tx_progress_ms = now;
	*took = (size_t)k;
	return true;
}

/* The next body bytes to write: the file's, or a fresh generated chunk. */
static size_t body_run(struct http_conn *c, const uint8_t **p)
{
	struct http_tx *t = &c->tx;
	uint64_t left = t->body_len - t->body_off;

	if (!t->gen) {
		*p = t->body + t->body_off;
		return left < SEND_MAX ? (size_t)left : SEND_MAX;
	}
	if (t->chunk_off == t->chunk_len) {
		t->chunk_len = left < sizeof(c->buf) ? (size_t)left : sizeof(c->buf);
		t->chunk_off = 0;
		t->gen(t->gen_ctx, t->body_off, c->buf, t->chunk_len);
	}
	*p = c->buf + t->chunk_off;
	return t->chunk_len - t->chunk_off;
}

/* Writes what the transport takes. True once the whole response is out. */
bool http_reply_flush(struct http_conn *c, uint64_t now)
{
	struct http_tx *t = &c->tx;
	const uint8_t *p;
	size_t n, k;

	while (t->head_off < t->head_len) {
		n = t->head_len - t->head_off;
		if (!write_some(c, c->head + t->head_off, n, t->body_len > 0, now, &k))
			return false;
		t->head_off += k;
	}
	while (t->body_off < t->body_len) {
		n = body_run(c, &p);
		if (!write_some(c, p, n, t->body_off + n < t->body_len, now, &k))
			return false;
		t->body_off += k;
		if (t->gen)
			t->chunk_off += k;
	}
	t->active = false;
	return true;
}
