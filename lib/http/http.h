/*
 * lib/http: an HTTP/1.1 origin server for static sites (RFC 9110, RFC 9112),
 * transport-agnostic: it reads bytes the caller offers and writes through a
 * callback, so it runs over lib/net's TCP, or over a test's buffer.
 *
 * A struct http_server holds the configuration (limits, timeouts, the site,
 * the dynamic routes) and the counters /status shows. A struct http_conn is
 * one client connection in caller-provided storage of a fixed size; no
 * call allocates. The caller drives it:
 *
 *   http_conn_input(c, p, n, now)  offers received bytes; returns how many it
 *                                  took (fewer while a response is still
 *                                  blocked: offer the rest again later)
 *   http_conn_writable(c, now)     the transport has room again
 *   http_conn_eof(c, now)          the peer finished sending (FIN)
 *   http_conn_poll(c, now)         timers (http_conn_deadline says when)
 *   http_conn_next(c)              after any of them: keep the connection
 *                                  open, close it (everything was written)
 *                                  or abort it
 *   http_conn_fini(c)              the transport connection is gone
 *
 * Responses leave through cfg.write(io, p, n, more), which returns how many
 * bytes it took (0 .. n; fewer when full) or a negative error. File bodies
 * are written straight from the site's bytes; the status line and header
 * fields from the connection's own buffer.
 *
 * Not thread-safe: a server and its connections belong to one core at a
 * time (run one server per core, or serialize calls).
 *
 * Freestanding: <stdint.h>, <stddef.h>, <stdbool.h> and pith/error.h only.
 */
#ifndef PITH_LIB_HTTP_H
#define PITH_LIB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits (defaults; struct http_config may lower the first five) ---- */
#define HTTP_LINE_MAX		8192u	/* request line bytes -> 414 (RFC 9112 §3: >= 8000) */
#define HTTP_HEADER_MAX		16384u	/* header section bytes -> 431 (RFC 6585 §5) */
#define HTTP_FIELDS_MAX		100u	/* header field lines -> 431 */
#define HTTP_BODY_DISCARD_MAX	65536u	/* request content read and dropped; more: close */
#define HTTP_MAX_REQUESTS	1000u	/* per connection, then Connection: close */
#define HTTP_HEADER_TIMEOUT_MS	10000u	/* first byte to end of request -> 408 */
#define HTTP_IDLE_TIMEOUT_MS	30000u	/* keep-alive with nothing to do -> close */
#define HTTP_SEND_TIMEOUT_MS	30000u	/* response blocked without progress -> abort */

#define HTTP_TARGET_MAX		1024u	/* request-target bytes kept (before '?') -> 414 */
#define HTTP_PATH_MAX		HTTP_TARGET_MAX	/* the cleaned path, "index.html" added */
#define HTTP_METHOD_MAX		16u	/* longer method tokens are unknown -> 501 */
#define HTTP_INM_MAX		256u	/* If-None-Match bytes kept; longer: ignored */
#define HTTP_ETAG_MAX		24u	/* '"' 16 hex digits '"' NUL, from http_etag */
#define HTTP_HEAD_BUF		512u	/* status line and header fields we send */
#define HTTP_BODY_BUF		4096u	/* a dynamic route's body, or a generator's chunk */

/* ---- the site ---- */

/* A file the server may send. Its bytes stay valid and unchanged for as
 * long as the server runs (compiled in, or loaded into RAM once). */
struct http_file {
	const char *path;	/* "/index.html": '/' then the name, NUL-terminated */
	const uint8_t *data;
	size_t len;
	const char *type;	/* MIME type; NULL: by the path's extension */
	const char *etag;	/* quoted entity-tag (http_etag), or NULL: none */
};

/* A table of files, as tools/mksite.py generates it (or the app builds from
 * a disk). http_site_lookup finds a path in one. */
struct http_site {
	const struct http_file *files;
	size_t count;
};

/* ---- dynamic routes ---- */

struct http_server;

/* What a route handler fills in. Either it writes up to cap bytes into buf
 * and sets len (a buffered body), or it sets gen and gen_len (a generated
 * body: gen(gen_ctx, off, dst, n) writes bytes off .. off+n-1 of it; it is
 * called with increasing offsets, n <= HTTP_BODY_BUF, and must be a pure
 * function of the offset). */
struct http_body {
	uint8_t *buf;		/* in: room for the body */
	size_t cap;		/* in: its size (HTTP_BODY_BUF) */
	bool head;		/* in: a HEAD request (the body is not sent) */
	size_t len;		/* out: buffered body length */
	const char *type;	/* out: MIME type (required) */
	bool no_store;		/* out: send Cache-Control: no-store */
	void (*gen)(void *gen_ctx, uint64_t off, uint8_t *dst, size_t n);
	void *gen_ctx;
	uint64_t gen_len;
};

/* A path (exact, after cleaning: "/status") served by a handler before the
 * site is searched. The handler returns 0 (200 OK), B_ENOENT (404) or
 * another negative code (500). */
struct http_route {
	const char *path;
	int (*handler)(struct http_server *s, void *ctx, struct http_body *b);
	void *ctx;
};

/* ---- the live status page (status.c) ---- */
#define HTTP_STATUS_NICS	4
#define HTTP_TCP_STATES		11	/* lib/net's enum tcp_state, in its order */

struct http_status_nic {
	const char *name;	/* "eth0" (escaped on output); NULL: "nic<i>" */
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, rx_drops, tx_drops;
};

/* What /status shows. The server fills the HTTP counters; the app's
 * cfg.status_fill adds the rest on each request. */
struct http_status_info {
	const char *name;	/* "Pith" */
	const char *version;
	unsigned cores;
	uint64_t uptime_ms;
	uint64_t mem_total, mem_free;	/* bytes */
	unsigned nic_count;		/* <= HTTP_STATUS_NICS */
	struct http_status_nic nics[HTTP_STATUS_NICS];
	uint32_t tcp_states[HTTP_TCP_STATES];	/* connections per state */
	uint64_t requests;
	uint64_t responses[5];		/* 1xx .. 5xx */
	uint64_t bytes_sent;
	uint64_t conns_open, conns_total;	/* HTTP connections */
};

/* ---- the server ---- */

struct http_config {
	/* Limits; 0 means the default above. */
	uint32_t line_max, header_max, fields_max;
	uint32_t header_timeout_ms, idle_timeout_ms, send_timeout_ms;
	uint32_t max_requests;
	uint64_t body_discard_max;

	/* The transport (required): takes up to n bytes of a response; more:
	 * further bytes of this response follow at once (TCP_WRITE_MORE).
	 * Returns the bytes taken, 0 when full, negative when broken. */
	long (*write)(void *io, const void *p, size_t n, bool more);

	/* The site: lookup(site, path, len, &file) returns 0 and fills file,
	 * or a negative code (404). path is cleaned, NUL-terminated. NULL:
	 * no files. http_site_lookup over a struct http_site fits here. */
	int (*lookup)(void *site, const char *path, size_t len, struct http_file *out);
	void *site;

	const struct http_route *routes;
	size_t nroutes;

	/* Called by /status and /status.json to add the system's figures. */
	void (*status_fill)(void *ctx, struct http_status_info *info);
	void *status_ctx;

	/* Seconds since 1970 (UTC) for the Date field (RFC 9110 §6.6.1);
	 * NULL: no clock, no Date. */
	uint64_t (*unix_time)(void *ctx);
	void *time_ctx;
};

struct http_stats {
	uint64_t requests;
	uint64_t responses[5];		/* by class: [0] 1xx .. [4] 5xx */
	uint64_t bytes_sent;
	uint64_t conns_open, conns_total;
};

struct http_server {
	struct http_config cfg;		/* with the defaults filled in */
	struct http_stats stats;
	uint64_t date_s;		/* the second date[] shows */
	char date[32];			/* "Sun, 06 Nov 1994 08:49:37 GMT" */
};

/* Copies cfg, filling zero limits with defaults. B_EINVAL without write. */
int http_server_init(struct http_server *s, const struct http_config *cfg);

/* ---- a connection ---- */

enum http_next {
	HTTP_NEXT_OPEN,		/* keep going */
	HTTP_NEXT_CLOSE,	/* all output written: close (FIN) now */
	HTTP_NEXT_ABORT,	/* reset now: transport error or stalled peer */
};

/* A request head as the parser keeps it (parse.c); internal. */
struct http_req {
	uint8_t state;			/* parse.c's enum */
	uint8_t method;			/* enum http_method (http_impl.h) */
	uint8_t version;		/* 10 or 11 */
	uint8_t field;			/* the field line being read */
	uint8_t sub;			/* a field's own little state */
	uint8_t name_len, tok_len, method_len, ver_len;
	uint16_t target_len, inm_len;
	uint32_t line_len, head_len, fields;
	uint32_t host_count;
	uint64_t content_length;
	bool cl_seen, te_seen, close, keep_alive, inm_over, started, in_query;
	char method_tok[HTTP_METHOD_MAX];
	char ver[8];
	char name[20];			/* field name, lowercased, if short */
	char tok[12];			/* a Connection option, lowercased */
	char target[HTTP_TARGET_MAX];	/* before any '?' */
	char inm[HTTP_INM_MAX];		/* If-None-Match value */
};

/* The response being written (server.c); internal. */
struct http_tx {
	size_t head_len, head_off;
	const uint8_t *body;		/* memory body, or NULL */
	uint64_t body_len, body_off;
	void (*gen)(void *gen_ctx, uint64_t off, uint8_t *dst, size_t n);
	void *gen_ctx;
	size_t chunk_len, chunk_off;	/* generated bytes waiting in buf */
	bool active;
};

struct http_conn {
	struct http_server *srv;
	void *io;			/* passed to cfg.write */
	uint8_t next;			/* enum http_next */
	bool close_after;		/* close once this response is out */
	bool eof;			/* the peer sent FIN */
	uint32_t served;		/* requests answered */
	uint64_t req_start_ms;		/* first byte of the current request */
	uint64_t idle_since_ms;		/* last response finished */
	uint64_t tx_progress_ms;	/* last time output moved */
	uint64_t discard;		/* request content still to drop */
	struct http_req req;
	struct http_tx tx;
	uint8_t head[HTTP_HEAD_BUF];
	uint8_t buf[HTTP_BODY_BUF];
};

void http_conn_init(struct http_conn *c, struct http_server *s, void *io, uint64_t now_ms);
/* Takes bytes of the request stream; returns how many (<= n). Answers
 * every complete request it reads, in order. Reads nothing more while a
 * response cannot be written out. */
size_t http_conn_input(struct http_conn *c, const void *p, size_t n, uint64_t now_ms);
enum http_next http_conn_writable(struct http_conn *c, uint64_t now_ms);
enum http_next http_conn_eof(struct http_conn *c, uint64_t now_ms);
enum http_next http_conn_poll(struct http_conn *c, uint64_t now_ms);
enum http_next http_conn_next(const struct http_conn *c);
/* When http_conn_poll next has something to do (absolute ms). */
uint64_t http_conn_deadline(const struct http_conn *c);
void http_conn_fini(struct http_conn *c);

/* ---- helpers for sites and routes ---- */

/* MIME type for a path's extension, case-insensitive (mime.c). */
const char *http_mime_type(const char *path, size_t len);
/* Finds path in a struct http_site (site.c); 0 or B_ENOENT. */
int http_site_lookup(void *site, const char *path, size_t len, struct http_file *out);
/* Writes the strong entity-tag for these bytes, '"' + 16 hex digits of
 * their 64-bit FNV-1a hash + '"', NUL-terminated (tools/mksite.py computes
 * the same). */
void http_etag(const void *data, size_t len, char out[HTTP_ETAG_MAX]);

/* Route handlers: /status (HTML), /status.json (status.c), and a 1 MiB
 * generated test file (testfile.c). ctx is unused. */
int http_status_html(struct http_server *s, void *ctx, struct http_body *b);
int http_status_json(struct http_server *s, void *ctx, struct http_body *b);
int http_testfile_1m(struct http_server *s, void *ctx, struct http_body *b);
#define HTTP_TESTFILE_LEN	(1024u * 1024u)
/* Byte i of the test file: ((i * 2654435761) mod 2^32) >> 24. */
uint8_t http_testfile_byte(uint64_t i);

/* Renders info into buf (status.c); the length, or 0 if cap is too small. */
size_t http_status_render_html(const struct http_status_info *info, char *buf, size_t cap);
size_t http_status_render_json(const struct http_status_info *info, char *buf, size_t cap);

#endif
