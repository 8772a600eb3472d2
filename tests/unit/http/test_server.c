/*
 * lib/http end to end on the host: request streams in, response streams
 * out, through http_test.h's recording transport. Every status code the
 * server uses, keep-alive and close for 1.0 and 1.1, pipelining under
 * arbitrary splits and a transport that takes a byte at a time, the
 * smuggling and syntax cases RFC 9112 names, paths that try to leave the
 * site, and the three timers.
 */
#include "http_test.h"

#define H11	" HTTP/1.1\r\nHost: x\r\n"

struct req_case {
	const char *req;
	size_t len;		/* sizeof: requests may hold a NUL */
	int status;
	enum http_next next;	/* after the response */
};

static void check_cases(const struct req_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int next = -1;
		char *out = answer(cases[i].req, cases[i].len, UNLIMITED, UNLIMITED, &next);

		if (nth_status(out, 0) != cases[i].status || next != (int)cases[i].next)
			print_error("case %zu: %s\n-> %s (next %d)\n", i, cases[i].req, out, next);
		assert_int_equal(nth_status(out, 0), cases[i].status);
		assert_int_equal(count_responses(out), 1);
		assert_int_equal(next, cases[i].next);
		assert_non_null(strstr(out, "\r\nContent-Length: "));
		assert_non_null(strstr(out, "\r\nContent-Type: "));
		assert_non_null(strstr(out, "\r\nServer: Pith\r\n"));
		free(out);
	}
}

#define CASES(a)	check_cases((a), sizeof(a) / sizeof((a)[0]))
#define C(req, status, next)	{ req, sizeof(req) - 1, status, next }

static void test_get_index(void **state)
{
	int next;
	char *out = answer("GET /" H11 "\r\n", strlen("GET /" H11 "\r\n"), UNLIMITED, UNLIMITED,
			   &next);
	char want[512];

	(void)state;
	snprintf(want, sizeof(want),
		 "HTTP/1.1 200 OK\r\nServer: Pith\r\nContent-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: 12\r\nETag: %s\r\n\r\n<h1>hi</h1>\n", index_etag);
	assert_string_equal(out, want);
	assert_int_equal(next, HTTP_NEXT_OPEN);
	free(out);
}

static void test_head_same_length_no_body(void **state)
{
	const char *req = "HEAD /index.html" H11 "\r\n";
	char *out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);

	(void)state;
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(out, "Content-Length: 12\r\n"));
	assert_int_equal(strlen(strstr(out, "\r\n\r\n")), 4);	/* nothing after the head */
	free(out);
	req = "HEAD /nope" H11 "\r\n";
	out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);
	assert_non_null(strstr(out, "HTTP/1.1 404 Not Found\r\n"));
	assert_non_null(strstr(out, "Content-Length: 14\r\n"));
	assert_int_equal(strlen(strstr(out, "\r\n\r\n")), 4);
	free(out);
}

static void test_mime_from_path(void **state)
{
	const char *req = "GET /style.css" H11 "\r\n";
	char *out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);

	(void)state;
	assert_non_null(strstr(out, "Content-Type: text/css; charset=utf-8\r\n"));
	assert_null(strstr(out, "ETag"));
	free(out);
}

/* RFC 9110 §13.1.2, §15.4.5 */
static void test_if_none_match(void **state)
{
	const char *forms[] = { "%s", "W/%s", "\"zz\", %s", "  \"a\",W/%s  ", "*" };
	char req[512];

	(void)state;
	server_setup(&(struct http_server){ 0 }, NULL);	/* computes index_etag */
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char inm[128];

		snprintf(inm, sizeof(inm), forms[i], index_etag);
		snprintf(req, sizeof(req), "GET /" H11 "If-None-Match: %s\r\n\r\n", inm);
		char *out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);

		assert_int_equal(nth_status(out, 0), 304);
		assert_non_null(strstr(out, "Content-Length: 12\r\n"));
		assert_non_null(strstr(out, index_etag));
		assert_int_equal(strlen(strstr(out, "\r\n\r\n")), 4);
		free(out);
	}
	snprintf(req, sizeof(req), "GET /" H11 "If-None-Match: \"0000\"\r\n\r\n");
	char *out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);
	assert_int_equal(nth_status(out, 0), 200);
	free(out);
}

/* An app's own ETag, longer than http_etag's (a SHA-1): 304 as well. */
static void test_if_none_match_long_etag(void **state)
{
	static const char sha[] = "\"0123456789abcdef0123456789abcdef01234567\"";
	static const struct http_file file = { "/f.txt", b_txt, 4, NULL, sha };
	static const struct http_site one = { &file, 1 };
	const char *req = "GET /f.txt" H11
			  "If-None-Match: W/\"0123456789abcdef0123456789abcdef01234567\"\r\n\r\n";
	struct run *r = run_new(UNLIMITED, NULL);

	(void)state;
	r->srv.cfg.site = (void *)&one;
	feed_at(&r->conn, &r->out, req, strlen(req), UNLIMITED, 0);
	assert_int_equal(nth_status(r->out.buf, 0), 304);
	assert_non_null(strstr(r->out.buf, sha));
	assert_int_equal(strlen(strstr(r->out.buf, "\r\n\r\n")), 4);
	run_free(r);
}

static void test_statuses(void **state)
{
	static const struct req_case cases[] = {
		C("GET /nope" H11 "\r\n", 404, HTTP_NEXT_OPEN),
		C("GET /gone" H11 "\r\n", 404, HTTP_NEXT_OPEN),
		C("GET /fail" H11 "\r\n", 500, HTTP_NEXT_CLOSE),
		C("POST /" H11 "Content-Length: 0\r\n\r\n", 405, HTTP_NEXT_OPEN),
		C("PUT /" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("DELETE /" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("PATCH /" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("OPTIONS *" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("CONNECT x:443" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("TRACE /" H11 "\r\n", 405, HTTP_NEXT_OPEN),
		C("BREW /" H11 "\r\n", 501, HTTP_NEXT_OPEN),
		C("get /" H11 "\r\n", 501, HTTP_NEXT_OPEN),	/* RFC 9110 §9.1: case-sensitive */
		C("GETGETGETGETGETGETGET /" H11 "\r\n", 501, HTTP_NEXT_OPEN),
		C("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, HTTP_NEXT_CLOSE),
		C("GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505, HTTP_NEXT_CLOSE),
		C("GET / HTTP/3.1\r\n", 505, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 200, HTTP_NEXT_OPEN),	/* RFC 9110 §6.2 */
		C("GET / HTTP/1\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / http/1.1\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.10\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* HTTP/0.9 */
		C("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /  HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C(" GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\nHost: x\n\n", 400, HTTP_NEXT_CLOSE),	/* bare LF */
		C("GET / HTTP/1.1\r\nHost: x\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* bare CR */
		C("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /#x HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("\r\n\r\nGET /" H11 "\r\n", 200, HTTP_NEXT_OPEN),	/* RFC 9112 §2.2 */
		C("\r\n\r\n\r\n\r\n\r\nGET /" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("\n", 400, HTTP_NEXT_CLOSE),
	};

	(void)state;
	CASES(cases);
}

static void test_field_syntax(void **state)
{
	static const struct req_case cases[] = {
		C("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* §5.1 */
		C("GET /" H11 "X-A: 1\r\n  folded\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* §5.2 */
		C("GET /" H11 "X-A: 1\r\n\tfolded\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* §2.2 */
		C("GET /" H11 "X-A: a\0b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "X-A: a\x01" "b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "NoColon\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 ": empty-name\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "X(A): 1\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "X-A: caf\xc3\xa9\r\n\r\n", 200, HTTP_NEXT_OPEN),	/* obs-text */
		C("GET /" H11 "X-A:\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /" H11 "X-A: \t v \t\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET / HTTP/1.1\r\n\r\n", 400, HTTP_NEXT_CLOSE),	/* no Host, §3.2 */
		C("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.1\r\nHost: [::1]:8080  \r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET / HTTP/1.1\r\nHost:\r\n\r\n", 200, HTTP_NEXT_OPEN),	/* RFC 9110 §7.2 */
		C("GET / HTTP/1.1\r\nhOsT: x\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET / HTTP/1.0\r\n\r\n", 200, HTTP_NEXT_CLOSE),
	};

	(void)state;
	CASES(cases);
}

/* RFC 9112 §6.1, §6.3; RFC 9110 §8.6 */
static void test_smuggling(void **state)
{
	static const struct req_case cases[] = {
		C("GET /" H11 "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Transfer-Encoding: gzip\r\n\r\n", 501, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 1\r\nContent-Length: 1\r\n\r\nab", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 1, 1\r\n\r\nab", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: -1\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: +1\r\n\r\na", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 1 2\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 0x10\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length:\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 99999999999999999999999\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length: 18446744073709551616\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Content-Length:  2 \t\r\n\r\nab", 200, HTTP_NEXT_OPEN),
		C("GET /" H11 "Content-Length: 0000\r\n\r\n", 200, HTTP_NEXT_OPEN),
		/* more than we drop unread: answered, then closed */
		C("GET /" H11 "Content-Length: 65537\r\n\r\n", 200, HTTP_NEXT_CLOSE),
	};

	(void)state;
	CASES(cases);
}

/* Content on a GET is dropped and the next request read after it. */
static void test_body_discarded(void **state)
{
	const char *body = "GET /nope HTTP/1.1\r\n\r\nxxxx";
	char req[256];
	char *out;

	(void)state;
	snprintf(req, sizeof(req), "GET /style.css" H11 "Content-Length: %zu\r\n\r\n%s"
		 "GET /a/b.txt" H11 "\r\n", strlen(body), body);
	out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);
	assert_int_equal(count_responses(out), 2);
	assert_int_equal(nth_status(out, 0), 200);
	assert_int_equal(nth_status(out, 1), 200);
	assert_non_null(strstr(out, "bee\n"));
	free(out);
}

/* RFC 9112 §9.3 */
static void test_persistence(void **state)
{
	static const struct req_case cases[] = {
		C("GET /" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /" H11 "Connection: close\r\n\r\n", 200, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Connection: Upgrade, CLOSE\r\n\r\n", 200, HTTP_NEXT_CLOSE),
		C("GET /" H11 "Connection: closed\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /" H11 "Connection: keep-alive\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET / HTTP/1.0\r\n\r\n", 200, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 200, HTTP_NEXT_OPEN),
		C("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 200, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.0\r\nConnection: a b\r\n\r\n", 200, HTTP_NEXT_CLOSE),
		C("GET / HTTP/1.0\r\nConnection: a/b\r\n\r\n", 400, HTTP_NEXT_CLOSE),
	};
	const char *req = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	char *out;

	(void)state;
	CASES(cases);
	out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);
	assert_non_null(strstr(out, "\r\nConnection: keep-alive\r\n"));
	free(out);
	req = "GET /" H11 "Connection: close\r\n\r\nGET /" H11 "\r\n";
	out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);
	assert_non_null(strstr(out, "\r\nConnection: close\r\n"));
	assert_int_equal(count_responses(out), 1);
	free(out);
}

static void test_max_requests(void **state)
{
	struct http_config cfg = { .max_requests = 3 };
	struct run *r = run_new(UNLIMITED, &cfg);
	const char *req = "GET /" H11 "\r\n";
	char all[256] = "";

	(void)state;
	for (int i = 0; i < 5; i++)
		strcat(all, req);
	assert_int_equal(feed_at(&r->conn, &r->out, all, strlen(all), UNLIMITED, 0), strlen(all));
	assert_int_equal(count_responses(r->out.buf), 3);
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_CLOSE);
	/* only the third says so */
	assert_null(strstr(r->out.buf, "Connection: close\r\n\r\n<h1>hi</h1>\nHTTP"));
	assert_non_null(strstr(r->out.buf, "Connection: close\r\n\r\n<h1>hi</h1>\n"));
	run_free(r);
}

/* ---- limits -------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t times, const char *tail)
{
	size_t u = strlen(unit);
	char *s = malloc(strlen(head) + u * times + strlen(tail) + 1);
	char *p = s;

	assert_non_null(s);
	p = stpcpy(p, head);
	for (size_t i = 0; i < times; i++, p += u)
		memcpy(p, unit, u);
	strcpy(p, tail);
	return s;
}

static void expect(const char *req, int status, enum http_next next)
{
	struct req_case c = { req, strlen(req), status, next };

	check_cases(&c, 1);
}

static void test_limits(void **state)
{
	char *s;

	(void)state;
	s = repeat("GET /", "a", 9000, H11 "\r\n");
	expect(s, 414, HTTP_NEXT_CLOSE);
	free(s);
	s = repeat("GET /", "a", HTTP_TARGET_MAX, H11 "\r\n");	/* path over our cap */
	expect(s, 414, HTTP_NEXT_CLOSE);
	free(s);
	s = repeat("GET /?", "a", 8000, H11 "\r\n");	/* a long query is fine */
	expect(s, 200, HTTP_NEXT_OPEN);
	free(s);
	s = repeat("GET /", "a", 1000, H11 "\r\n");
	expect(s, 404, HTTP_NEXT_OPEN);
	free(s);
	s = repeat("GET /" H11, "X-A: 1\r\n", 99, "\r\n");	/* Host + 99 = 100 */
	expect(s, 200, HTTP_NEXT_OPEN);
	free(s);
	s = repeat("GET /" H11, "X-A: 1\r\n", 100, "\r\n");
	expect(s, 431, HTTP_NEXT_CLOSE);
	free(s);
	s = repeat("GET /" H11 "X-Big: ", "b", 17000, "\r\n\r\n");
	expect(s, 431, HTTP_NEXT_CLOSE);
	free(s);
	s = repeat("GET /" H11 "X-Big: ", "b", 16000, "\r\n\r\n");
	expect(s, 200, HTTP_NEXT_OPEN);
	free(s);
	s = repeat("GET /" H11 "If-None-Match: ", "\"x\", ", 100, "\"y\"\r\n\r\n");
	expect(s, 200, HTTP_NEXT_OPEN);	/* too long to keep: ignored */
	free(s);
}

/* An endless header line: answered 431 once past the limit, the rest dropped. */
static void test_endless_header(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *start = "GET /" H11 "X-Endless: ";
	char junk[4096];

	(void)state;
	memset(junk, 'z', sizeof(junk));
	feed_at(&r->conn, &r->out, start, strlen(start), UNLIMITED, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(http_conn_input(&r->conn, junk, sizeof(junk), 0), sizeof(junk));
	assert_int_equal(nth_status(r->out.buf, 0), 431);
	assert_int_equal(count_responses(r->out.buf), 1);
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_CLOSE);
	run_free(r);
}

/* ---- paths ------------------------------------------------------------------------ */

static void test_paths(void **state)
{
	static const struct req_case cases[] = {
		C("GET /../index.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /a/../../index.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%2e%2e/index.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%2E%2e%2findex.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /a/..%2f..%2fetc/passwd" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /.%2e/x" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%00" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /index.html%00.txt" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%zz" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%4" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /%0a" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET index.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET /a/../index.html" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /a/%2e%2e/style.css" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /./index.html" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET //index.html" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /%69ndex.html" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /a%2fb.txt" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /index.html?a=../../x&b=%00" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /?" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /sub/" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /sub/." H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET /sub" H11 "\r\n", 404, HTTP_NEXT_OPEN),
		C("GET http://x/style.css" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET HTTPS://x:1" H11 "\r\n", 200, HTTP_NEXT_OPEN),
		C("GET http://x/../index.html" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
		C("GET ftp://x/" H11 "\r\n", 400, HTTP_NEXT_CLOSE),
	};

	(void)state;
	CASES(cases);
}

/* ---- streams: pipelining, splits and backpressure ---------------------------------- */

static const char pipeline[] =
	"GET /" H11 "\r\n"
	"HEAD /style.css" H11 "\r\n"
	"GET /nope" H11 "\r\n"
	"GET /a/b.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	"POST /" H11 "Content-Length: 4\r\n\r\nbody"
	"GET /status.json" H11 "\r\n"
	"GET /1m.bin" H11 "\r\n"
	"GET /style.css" H11 "Connection: close\r\n\r\n"
	"GET /never" H11 "\r\n";

static char *stream_out(size_t chunk, size_t round, size_t *len)
{
	struct run *r = run_new(round, NULL);
	char *s;

	feed_at(&r->conn, &r->out, pipeline, sizeof(pipeline) - 1, chunk, 0);
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_CLOSE);
	assert_int_equal(r->srv.stats.bytes_sent, r->out.len);
	*len = r->out.len;
	s = malloc(*len + 1);
	memcpy(s, r->out.buf, *len + 1);
	run_free(r);
	return s;
}

static void test_pipelining_splits(void **state)
{
	size_t ref_len, len;
	char *ref = stream_out(UNLIMITED, UNLIMITED, &ref_len);
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 1000 };
	static const size_t rounds[] = { 1, 5, 4096, 70000 };

	(void)state;
	assert_true(ref_len > HTTP_TESTFILE_LEN);
	assert_int_equal(nth_status(ref, 0), 200);
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 4; j++) {
			if (rounds[j] == 1 && chunks[i] != 1)
				continue;	/* 1 MiB at a byte a round: once is enough */
			char *s = stream_out(chunks[i], rounds[j], &len);

			assert_int_equal(len, ref_len);
			assert_memory_equal(s, ref, len);
			free(s);
		}
	}
	free(ref);
}

/* The pipeline's responses, in order, 1m.bin's bytes exact. */
static void test_pipeline_content(void **state)
{
	size_t len;
	char *s = stream_out(UNLIMITED, UNLIMITED, &len);
	const char *p;

	(void)state;
	assert_int_equal(count_responses(s), 7);	/* up to 1m.bin's first NUL */
	p = strstr(s, "HTTP/1.1 405");
	assert_non_null(p);
	assert_non_null(strstr(p, "Allow: GET, HEAD\r\n"));
	p = strstr(s, "Content-Length: 1048576\r\n");
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	for (size_t i = 0; i < HTTP_TESTFILE_LEN; i++)
		if ((uint8_t)p[i] != (uint8_t)((uint32_t)(i * 2654435761u) >> 24))
			fail_msg("1m.bin byte %zu", i);
	assert_int_equal(http_testfile_byte(1), 0x9e);
	assert_true(strstr(p + HTTP_TESTFILE_LEN, "HTTP/1.1 200 OK") == p + HTTP_TESTFILE_LEN);
	assert_null(strstr(p + HTTP_TESTFILE_LEN, "never"));
	free(s);
}

/* While a response is blocked, no more input is taken. */
static void test_backpressure(void **state)
{
	struct run *r = run_new(0, NULL);
	const char *two = "GET /" H11 "\r\nGET /" H11 "\r\n";
	size_t first = strlen(two) / 2;

	(void)state;
	assert_int_equal(http_conn_input(&r->conn, two, strlen(two), 0), first);
	assert_int_equal(http_conn_input(&r->conn, two + first, strlen(two) - first, 0), 0);
	r->out.refill = UNLIMITED;
	refill(&r->conn, &r->out, 0);
	assert_int_equal(count_responses(r->out.buf), 1);
	assert_int_equal(http_conn_input(&r->conn, two + first, strlen(two) - first, 0),
			 strlen(two) - first);
	assert_int_equal(count_responses(r->out.buf), 2);
	run_free(r);
}

static void test_transport_error(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *req = "GET /" H11 "\r\n";

	(void)state;
	r->out.fail = B_EPIPE;
	assert_int_equal(http_conn_input(&r->conn, req, strlen(req), 0), strlen(req));
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_ABORT);
	assert_int_equal(http_conn_poll(&r->conn, 1), HTTP_NEXT_ABORT);
	run_free(r);
}

/* ---- timers --------------------------------------------------------------------------- */

static void test_header_timeout(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *part = "GET / HTTP/1.1\r\nHost: x\r\n";

	(void)state;
	assert_int_equal(http_conn_input(&r->conn, part, strlen(part), 1000), strlen(part));
	assert_int_equal(http_conn_deadline(&r->conn), 11000);
	assert_int_equal(http_conn_poll(&r->conn, 10999), HTTP_NEXT_OPEN);
	assert_null(r->out.buf);
	assert_int_equal(http_conn_poll(&r->conn, 11000), HTTP_NEXT_CLOSE);
	assert_int_equal(nth_status(r->out.buf, 0), 408);
	assert_non_null(strstr(r->out.buf, "Connection: close\r\n"));
	run_free(r);
}

/* Slowloris: a byte a second keeps nothing alive past the header timer. */
static void test_slowloris(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *slow = "GET / HTTP/1.1\r\nHost: x\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	uint64_t t = 0;

	(void)state;
	for (size_t i = 0; i < strlen(slow) && http_conn_next(&r->conn) == HTTP_NEXT_OPEN; i++) {
		t += 1000;
		http_conn_poll(&r->conn, t);
		http_conn_input(&r->conn, slow + i, 1, t);
	}
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_CLOSE);
	assert_int_equal(nth_status(r->out.buf, 0), 408);
	assert_true(t <= 12000);
	run_free(r);
}

static void test_idle_timeout(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *req = "GET /" H11 "\r\n";
	size_t len;

	(void)state;
	assert_int_equal(http_conn_deadline(&r->conn), 30000);
	feed_at(&r->conn, &r->out, req, strlen(req), UNLIMITED, 500);
	len = r->out.len;
	assert_int_equal(http_conn_deadline(&r->conn), 30500);
	assert_int_equal(http_conn_poll(&r->conn, 30499), HTTP_NEXT_OPEN);
	assert_int_equal(http_conn_poll(&r->conn, 30500), HTTP_NEXT_CLOSE);
	assert_int_equal(r->out.len, len);	/* silently */
	run_free(r);
}

/* The CRLF an old client sends after a body (RFC 9112 §2.2) starts no
 * request: the idle timer runs, not the header timer (no 408). */
static void test_blank_line_idle(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *req = "POST /" H11 "Content-Length: 2\r\n\r\nab\r\n";
	size_t len;

	(void)state;
	feed_at(&r->conn, &r->out, req, strlen(req), UNLIMITED, 0);
	len = r->out.len;
	assert_int_equal(http_conn_deadline(&r->conn), 30000);
	assert_int_equal(http_conn_poll(&r->conn, 10000), HTTP_NEXT_OPEN);
	assert_int_equal(http_conn_poll(&r->conn, 30000), HTTP_NEXT_CLOSE);
	assert_int_equal(r->out.len, len);	/* no 408 */
	assert_int_equal(count_responses(r->out.buf), 1);
	run_free(r);
}

static void test_send_timeout(void **state)
{
	struct run *r = run_new(0, NULL);
	const char *req = "GET /1m.bin" H11 "\r\n";

	(void)state;
	http_conn_input(&r->conn, req, strlen(req), 0);
	r->out.budget = 100;
	http_conn_writable(&r->conn, 5000);
	assert_int_equal(http_conn_deadline(&r->conn), 35000);
	assert_int_equal(http_conn_poll(&r->conn, 34999), HTTP_NEXT_OPEN);
	assert_int_equal(http_conn_poll(&r->conn, 35000), HTTP_NEXT_ABORT);
	run_free(r);
}

/* ---- the end of input ------------------------------------------------------------------ */

static void test_eof(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *part = "GET / HTTP/1.1\r\nHo";
	const char *req = "GET /1m.bin" H11 "\r\n";

	(void)state;
	http_conn_input(&r->conn, part, strlen(part), 0);
	assert_int_equal(http_conn_eof(&r->conn, 0), HTTP_NEXT_CLOSE);
	assert_null(r->out.buf);
	run_free(r);

	r = run_new(1000, NULL);
	http_conn_input(&r->conn, req, strlen(req), 0);
	assert_int_equal(http_conn_eof(&r->conn, 0), HTTP_NEXT_OPEN);
	while (http_conn_next(&r->conn) == HTTP_NEXT_OPEN)
		refill(&r->conn, &r->out, 0);
	assert_int_equal(http_conn_next(&r->conn), HTTP_NEXT_CLOSE);
	assert_true(r->out.len > HTTP_TESTFILE_LEN);
	run_free(r);
}

/* After an error the connection takes input and says nothing more. */
static void test_after_close(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *bad = "GET / HTTP/1.1\r\nHost : x\r\n\r\nGET /" H11 "\r\n";
	size_t len;

	(void)state;
	assert_int_equal(http_conn_input(&r->conn, bad, strlen(bad), 0), strlen(bad));
	len = r->out.len;
	assert_int_equal(http_conn_input(&r->conn, bad, strlen(bad), 0), strlen(bad));
	assert_int_equal(http_conn_poll(&r->conn, 100000), HTTP_NEXT_CLOSE);
	assert_int_equal(http_conn_writable(&r->conn, 100000), HTTP_NEXT_CLOSE);
	assert_int_equal(r->out.len, len);
	assert_int_equal(count_responses(r->out.buf), 1);
	run_free(r);
}

/* ---- counters, Date, status ------------------------------------------------------------ */

static void test_counters(void **state)
{
	struct run *r = run_new(UNLIMITED, NULL);
	const char *reqs = "GET /" H11 "\r\nGET /nope" H11 "\r\nGET /fail" H11 "\r\n";

	(void)state;
	assert_int_equal(r->srv.stats.conns_open, 1);
	assert_int_equal(r->srv.stats.conns_total, 1);
	feed_at(&r->conn, &r->out, reqs, strlen(reqs), UNLIMITED, 0);
	assert_int_equal(r->srv.stats.requests, 3);
	assert_int_equal(r->srv.stats.responses[1], 1);
	assert_int_equal(r->srv.stats.responses[3], 1);
	assert_int_equal(r->srv.stats.responses[4], 1);
	assert_int_equal(r->srv.stats.bytes_sent, r->out.len);
	run_free(r);
}

static uint64_t fixed_time(void *ctx)
{
	return *(uint64_t *)ctx;
}

/* RFC 9110 §5.6.7's own example, and a leap day. */
static void test_date(void **state)
{
	uint64_t t = 784111777;
	struct http_config cfg = { .unix_time = fixed_time, .time_ctx = &t };
	struct run *r = run_new(UNLIMITED, &cfg);
	const char *req = "GET /" H11 "\r\n";
	char d[32];

	(void)state;
	feed_at(&r->conn, &r->out, req, strlen(req), UNLIMITED, 0);
	assert_non_null(strstr(r->out.buf, "\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	run_free(r);
	http_format_date(951782400, d);
	assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 GMT");
	http_format_date(0, d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_format_date(4133980799ull, d);
	assert_string_equal(d, "Fri, 31 Dec 2100 23:59:59 GMT");
}

static void test_status_pages(void **state)
{
	const char *req = "GET /status" H11 "\r\nHEAD /status.json" H11 "\r\n";
	char *out = answer(req, strlen(req), UNLIMITED, UNLIMITED, NULL);

	(void)state;
	assert_int_equal(nth_status(out, 0), 200);
	assert_non_null(strstr(out, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(out, "http-equiv=\"refresh\""));
	assert_non_null(strstr(out, "test &quot;1&quot; &lt;b&gt;"));
	assert_non_null(strstr(out, "<td>eth0</td>"));
	assert_non_null(strstr(out, "<td>nic1</td>"));
	assert_non_null(strstr(out, "1 d 02:03:04"));
	assert_non_null(strstr(out, "100.0 MiB free of 128.0 MiB"));
	assert_non_null(strstr(out, "Content-Type: application/json\r\n"));
	free(out);
}

static void test_server_init(void **state)
{
	struct http_server s;
	struct http_config cfg = { 0 };

	(void)state;
	assert_int_equal(http_server_init(&s, &cfg), B_EINVAL);
	cfg.write = cap_write;
	cfg.nroutes = 1;
	assert_int_equal(http_server_init(&s, &cfg), B_EINVAL);
	cfg.nroutes = 0;
	assert_int_equal(http_server_init(&s, &cfg), 0);
	assert_int_equal(s.cfg.line_max, HTTP_LINE_MAX);
	assert_int_equal(s.cfg.idle_timeout_ms, HTTP_IDLE_TIMEOUT_MS);
	assert_int_equal(s.cfg.body_discard_max, HTTP_BODY_DISCARD_MAX);
	/* no site, no routes: everything is 404 */
	struct cap out = { .refill = UNLIMITED, .budget = UNLIMITED };
	struct http_conn *c = calloc(1, sizeof(*c));
	const char *req = "GET /" H11 "\r\n";

	http_conn_init(c, &s, &out, 0);
	http_conn_input(c, req, strlen(req), 0);
	assert_int_equal(nth_status(out.buf, 0), 404);
	http_conn_fini(c);
	free(c);
	free(out.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_index),
		cmocka_unit_test(test_head_same_length_no_body),
		cmocka_unit_test(test_mime_from_path),
		cmocka_unit_test(test_if_none_match),
		cmocka_unit_test(test_if_none_match_long_etag),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_field_syntax),
		cmocka_unit_test(test_smuggling),
		cmocka_unit_test(test_body_discarded),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_max_requests),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_endless_header),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_pipelining_splits),
		cmocka_unit_test(test_pipeline_content),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_transport_error),
		cmocka_unit_test(test_header_timeout),
		cmocka_unit_test(test_slowloris),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_blank_line_idle),
		cmocka_unit_test(test_send_timeout),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_after_close),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_status_pages),
		cmocka_unit_test(test_server_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
