/*
 * Shared by lib/http's unit tests (included, not linked: the Makefile
 * builds test_X.c alone with lib/http): a transport that records what the
 * server writes and takes at most `budget` bytes until the test refills
 * it, a small site, the routes, and a driver that feeds a request stream
 * in chunks of a given size, honouring backpressure.
 */
#ifndef HTTP_TEST_H
#define HTTP_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <cmocka.h>
#include <pith/error.h>
#include "http.h"
#include "http_impl.h"

#define UNLIMITED	((size_t)-1)
/* Not every test uses every helper. */
#define HELPER		static __attribute__((unused))

struct cap {
	char *buf;
	size_t len, size;
	size_t refill;		/* bytes per round; UNLIMITED */
	size_t budget;		/* left in this round */
	long fail;		/* when non-zero, every write returns it */
	unsigned calls;
};

HELPER long cap_write(void *io, const void *p, size_t n, bool more)
{
	struct cap *t = io;
	size_t k = n < t->budget ? n : t->budget;

	(void)more;
	t->calls++;
	if (t->fail)
		return t->fail;
	if (t->len + k + 1 > t->size) {
		t->size = (t->len + k + 1) * 2;
		t->buf = realloc(t->buf, t->size);
		assert_non_null(t->buf);
	}
	memcpy(t->buf + t->len, p, k);
	t->len += k;
	t->buf[t->len] = '\0';
	if (t->refill != UNLIMITED)
		t->budget -= k;
	return (long)k;
}

/* ---- the site ---- */
HELPER const uint8_t index_html[] = "<h1>hi</h1>\n";
HELPER const uint8_t style_css[] = "h1{color:red}\n";
HELPER const uint8_t b_txt[] = "bee\n";
HELPER char index_etag[HTTP_ETAG_MAX];
HELPER struct http_file site_files[] = {
	{ "/index.html", index_html, sizeof(index_html) - 1, "text/html; charset=utf-8", index_etag },
	{ "/style.css", style_css, sizeof(style_css) - 1, NULL, NULL },
	{ "/a/b.txt", b_txt, sizeof(b_txt) - 1, NULL, NULL },
	{ "/sub/index.html", b_txt, sizeof(b_txt) - 1, NULL, NULL },
};
HELPER struct http_site site = { site_files, 4 };

HELPER int fail_handler(struct http_server *s, void *ctx, struct http_body *b)
{
	(void)s, (void)ctx, (void)b;
	return B_EIO;
}

HELPER int gone_handler(struct http_server *s, void *ctx, struct http_body *b)
{
	(void)s, (void)ctx, (void)b;
	return B_ENOENT;
}

HELPER void test_status_fill(void *ctx, struct http_status_info *info)
{
	(void)ctx;
	info->name = "Pith";
	info->version = "test \"1\" <b>";
	info->cores = 2;
	info->uptime_ms = 93784005;
	info->mem_total = 128u << 20;
	info->mem_free = 100u << 20;
	info->nic_count = 4;
	for (unsigned i = 0; i < 4; i++) {
		info->nics[i].name = i == 0 ? "eth0" : NULL;
		info->nics[i].rx_frames = UINT64_MAX;
		info->nics[i].tx_bytes = 123456789012345ull;
	}
	for (unsigned i = 0; i < HTTP_TCP_STATES; i++)
		info->tcp_states[i] = 4000000000u;
}

HELPER const struct http_route routes[] = {
	{ "/status", http_status_html, NULL },
	{ "/status.json", http_status_json, NULL },
	{ "/1m.bin", http_testfile_1m, NULL },
	{ "/fail", fail_handler, NULL },
	{ "/gone", gone_handler, NULL },
};

HELPER void server_setup(struct http_server *s, const struct http_config *over)
{
	struct http_config cfg = { 0 };

	if (over)
		cfg = *over;
	cfg.write = cap_write;
	cfg.lookup = http_site_lookup;
	cfg.site = &site;
	cfg.routes = routes;
	cfg.nroutes = sizeof(routes) / sizeof(routes[0]);
	cfg.status_fill = test_status_fill;
	http_etag(index_html, sizeof(index_html) - 1, index_etag);
	assert_int_equal(http_server_init(s, &cfg), 0);
}

/* Lets the transport take another round and the connection go on. */
HELPER void refill(struct http_conn *c, struct cap *t, uint64_t now)
{
	t->budget = t->refill;
	http_conn_writable(c, now);
}

/* Feeds p[0..n) in chunks, re-offering what was not taken after each
 * refill, then lets the last response out. Returns the bytes taken. */
HELPER size_t feed_at(struct http_conn *c, struct cap *t, const void *p, size_t n,
		      size_t chunk, uint64_t now)
{
	const uint8_t *b = p;
	size_t off = 0;
	unsigned long guard = 0;

	while (off < n && http_conn_next(c) == HTTP_NEXT_OPEN) {
		size_t len = n - off < chunk ? n - off : chunk;
		size_t k = http_conn_input(c, b + off, len, now);

		assert_true(k <= len);
		off += k;
		if (k < len)
			refill(c, t, now);
		assert_true(++guard < 100000000ul);
	}
	while (c->tx.active && http_conn_next(c) == HTTP_NEXT_OPEN) {
		refill(c, t, now);
		assert_true(++guard < 100000000ul);
	}
	return off;
}

struct run {
	struct http_server srv;
	struct http_conn conn;
	struct cap out;
};

/* A fresh server and connection whose transport takes `round` bytes a round. */
HELPER struct run *run_new(size_t round, const struct http_config *over)
{
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	server_setup(&r->srv, over);
	r->out.refill = r->out.budget = round;
	http_conn_init(&r->conn, &r->srv, &r->out, 0);
	return r;
}

HELPER void run_free(struct run *r)
{
	http_conn_fini(&r->conn);
	assert_int_equal(r->srv.stats.conns_open, 0);
	free(r->out.buf);
	free(r);
}

/* The whole output for a request stream fed in one go, as a string. */
HELPER char *answer(const char *req, size_t n, size_t chunk, size_t round, int *next)
{
	struct run *r = run_new(round, NULL);
	char *s;

	feed_at(&r->conn, &r->out, req, n, chunk, 0);
	if (next)
		*next = http_conn_next(&r->conn);
	s = strdup(r->out.buf ? r->out.buf : "");
	run_free(r);
	return s;
}

/* The status of the i-th response in a stream (-1: malformed, 0: none);
 * bodies are skipped by Content-Length unless the requests were HEAD. */
HELPER int nth_status_head(const char *s, int i, bool head)
{
	const char *p = s;

	for (int k = 0; p && *p; k++) {
		const char *end = strstr(p, "\r\n\r\n");
		const char *cl = strstr(p, "Content-Length: ");
		int status = atoi(p + 9);

		if (!end || strncmp(p, "HTTP/1.1 ", 9) != 0)
			return -1;
		if (k == i)
			return status;
		p = end + 4;
		if (cl && cl < end && status != 304 && !head)
			p += strtoul(cl + 16, NULL, 10);
	}
	return 0;
}

HELPER int nth_status(const char *s, int i)
{
	return nth_status_head(s, i, false);
}

HELPER int count_responses(const char *s)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
		n++;
	return n;
}

#endif
