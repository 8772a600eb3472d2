/*
 * lib/http's inside: the calls its files make into each other. Programs
 * use http.h; nothing here is API.
 *
 * A request flows: server.c offers bytes to parse.c (syntax, limits),
 * then checks the head's meaning, cleans the target with path.c, finds a
 * route or a file, and writes the response head with out.c's bounded
 * writer (response.c).
 */
#ifndef PITH_LIB_HTTP_IMPL_H
#define PITH_LIB_HTTP_IMPL_H

#include "http.h"

#define copy_mem(d, s, n)	__builtin_memcpy((d), (s), (n))
#define set_mem(d, c, n)	__builtin_memset((d), (c), (n))
#define same_mem(a, b, n)	(__builtin_memcmp((a), (b), (n)) == 0)

/* RFC 9110 §9: the methods we know; GET and HEAD are the ones we allow. */
enum http_method {
	HTTP_M_UNKNOWN, HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT,
	HTTP_M_DELETE, HTTP_M_PATCH, HTTP_M_OPTIONS, HTTP_M_CONNECT, HTTP_M_TRACE,
};

/* ---- parse.c: one request head, byte by byte ---- */
struct http_limits {
	uint32_t line_max, header_max, fields_max;
};
#define HTTP_PARSE_MORE		0	/* every byte taken, head not complete */
#define HTTP_PARSE_DONE		1	/* the head ended at *used */
/* Otherwise http_parse returns the status code to answer with. */
void http_req_reset(struct http_req *r);
int http_parse(struct http_req *r, const struct http_limits *lim, const uint8_t *p,
	       size_t n, size_t *used);

/* ---- path.c: request-target to a file path ---- */
/* Cleans r->target into out (NUL-terminated, < cap): 0, or 400 / 414. */
int http_path_clean(const char *target, size_t len, char *out, size_t cap, size_t *out_len);

/* ---- out.c: a bounded writer; once full it stays full ---- */
struct http_out {
	char *p;
	size_t cap, len;
	bool full;
};
void http_out_init(struct http_out *o, void *buf, size_t cap);
void http_out_mem(struct http_out *o, const void *s, size_t n);
void http_out_str(struct http_out *o, const char *s);
void http_out_u64(struct http_out *o, uint64_t v);
void http_out_u64_width(struct http_out *o, uint64_t v, unsigned width);	/* zero-padded */
size_t http_str_len(const char *s, size_t max);

/* ---- response.c ---- */
const char *http_reason(int status);
/* The body we send with an error status: "404 Not Found\n". */
const char *http_error_body(int status);
/* IMF-fixdate (RFC 9110 §5.6.7) for Unix seconds into out (>= 30 bytes). */
void http_format_date(uint64_t unix_s, char *out);
/* Whether an If-None-Match value names etag (weak comparison, §13.1.2). */
bool http_inm_match(const char *inm, size_t len, const char *etag);

/* ---- reply.c: answering a request ---- */
/* A complete head in c->req: starts its response (c->tx). */
void http_reply_request(struct http_conn *c);
/* Starts an error response; most close the connection after. */
void http_reply_error(struct http_conn *c, int status);
/* Writes what the transport takes; true once the response is all out. */
bool http_reply_flush(struct http_conn *c, uint64_t now);

/* ---- status.c ---- */
void http_status_from_server(const struct http_server *s, struct http_status_info *info);

#endif
