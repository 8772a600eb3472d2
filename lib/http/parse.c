/*
 * The request head parser (RFC 9112 §2-§6), one byte at a time, so a head
 * may arrive split anywhere and nothing needs buffering but what a
 * response depends on: the method, the target's path, the version and a
 * few fields (Host, Content-Length, Transfer-Encoding, Connection,
 * If-None-Match). Every other field line is checked for syntax and
 * dropped.
 *
 * Strict where RFC 9112 lets a server choose, since a lenient parser in
 * front of another one is how requests get smuggled:
 *   - lines end in CRLF; a bare LF (§2.2 lets us accept it) or bare CR -> 400
 *   - exactly one SP between request-line parts (§3) -> else 400
 *   - whitespace before a field's colon (§5.1) -> 400
 *   - obs-fold, a field line starting with SP/HTAB (§5.2) -> 400
 *   - NUL or other controls in a field value (§5.5) -> 400
 *   - a second Content-Length, or one that is not 1*DIGIT (§6.3) -> 400
 *   - a second Host (§3.2) -> 400
 * Limits: the request line (line_max -> 414), the target's path
 * (HTTP_TARGET_MAX -> 414), the header section (header_max -> 431) and
 * its field lines (fields_max -> 431). Up to BLANK_LINES_MAX empty lines
 * before a request are skipped (§2.2).
 */
#include "http_impl.h"

#define BLANK_LINES_MAX	4

enum parse_state {
	P_START, P_START_LF, P_METHOD, P_TARGET, P_VERSION, P_LINE_LF,
	P_FIELD_START, P_NAME, P_OWS, P_VALUE, P_FIELD_LF, P_END_LF, P_FAILED,
};

/* The fields a response depends on. */
enum field {
	F_OTHER, F_HOST, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_CONNECTION,
	F_IF_NONE_MATCH,
};

static const struct {
	const char *name;
	uint8_t id;
} fields[] = {
	{ "host", F_HOST },
	{ "content-length", F_CONTENT_LENGTH },
	{ "transfer-encoding", F_TRANSFER_ENCODING },
	{ "connection", F_CONNECTION },
	{ "if-none-match", F_IF_NONE_MATCH },
};

static const struct {
	const char *name;
	uint8_t id;
} methods[] = {
	{ "GET", HTTP_M_GET }, { "HEAD", HTTP_M_HEAD }, { "POST", HTTP_M_POST },
	{ "PUT", HTTP_M_PUT }, { "DELETE", HTTP_M_DELETE }, { "PATCH", HTTP_M_PATCH },
	{ "OPTIONS", HTTP_M_OPTIONS }, { "CONNECT", HTTP_M_CONNECT },
	{ "TRACE", HTTP_M_TRACE },
};

/* ---- character classes ---------------------------------------------------- */

static bool is_digit(uint8_t ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(uint8_t ch)
{
	return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
}

/* RFC 9110 §5.6.2: tchar. */
static bool is_tchar(uint8_t ch)
{
	if (is_digit(ch) || is_alpha(ch))
		return true;
	for (const char *s = "!#$%&'*+-.^_`|~"; *s; s++)
		if (ch == (uint8_t)*s)
			return true;
	return false;
}

/* RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside. */
static bool is_field_char(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || (ch >= 0x21 && ch != 0x7f);
}

/* RFC 9112 §3.2 / RFC 3986: visible ASCII; '#' never reaches a server. */
static bool is_target_char(uint8_t ch)
{
	return ch >= 0x21 && ch <= 0x7e && ch != '#';
}

/* RFC 3986 §3.2.2-3.2.3: reg-name, IP-literal and port characters. */
static bool is_host_char(uint8_t ch)
{
	if (is_digit(ch) || is_alpha(ch))
		return true;
	for (const char *s = "-._~!$&'()*+,;=:[]%"; *s; s++)
		if (ch == (uint8_t)*s)
			return true;
	return false;
}

static uint8_t lower(uint8_t ch)
{
	return is_alpha(ch) ? (uint8_t)(ch | 0x20) : ch;
}

static bool is_ws(uint8_t ch)
{
	return ch == ' ' || ch == '\t';
}

/* ---- the request line (RFC 9112 §3) ------------------------------------------ */

static void method_end(struct http_req *r)
{
	r->method = HTTP_M_UNKNOWN;
	if (r->method_len > HTTP_METHOD_MAX)
		return;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = http_str_len(methods[i].name, HTTP_METHOD_MAX);

		if (n == r->method_len && same_mem(methods[i].name, r->method_tok, n))
			r->method = methods[i].id;
	}
}

/* RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
 * Another 1.x is read as 1.1 (RFC 9110 §6.2); another major is 505. */
static int version_end(struct http_req *r)
{
	const char *v = r->ver;

	if (r->ver_len != 8 || !same_mem(v, "HTTP/", 5) || !is_digit((uint8_t)v[5]) ||
	    v[6] != '.' || !is_digit((uint8_t)v[7]))
		return 400;
	if (v[5] != '1')
		return 505;
	r->version = v[7] == '0' ? 10 : 11;
	return 0;
}

static int target_byte(struct http_req *r, uint8_t ch)
{
	if (!is_target_char(ch))
		return 400;
	if (ch == '?')
		r->in_query = true;
	if (r->in_query)
		return 0;
	if (r->target_len >= HTTP_TARGET_MAX)
		return 414;
	r->target[r->target_len++] = (char)ch;
	return 0;
}

/* One byte of the request line; 0 or the status to answer with. */
static int line_byte(struct http_req *r, uint8_t ch)
{
	switch (r->state) {
	case P_START:
		if (ch == '\r') {
			r->state = P_START_LF;
			return ++r->sub > BLANK_LINES_MAX ? 400 : 0;
		}
		if (!is_tchar(ch))
			return 400;
		r->state = P_METHOD;
		/* fall through */
	case P_METHOD:
		if (ch == ' ' && r->method_len > 0) {
			method_end(r);
			r->state = P_TARGET;
			return 0;
		}
		if (!is_tchar(ch))
			return 400;
		if (r->method_len < HTTP_METHOD_MAX)
			r->method_tok[r->method_len] = (char)ch;
		if (r->method_len <= HTTP_METHOD_MAX)
			r->method_len++;	/* saturates: longer is unknown */
		return 0;
	case P_START_LF:
		r->state = P_START;
		return ch == '\n' ? 0 : 400;
	case P_TARGET:
		if (ch == ' ' && r->target_len + r->in_query > 0) {
			r->state = P_VERSION;
			return 0;
		}
		return target_byte(r, ch);
	case P_VERSION:
		if (ch == '\r') {
			r->state = P_LINE_LF;
			return version_end(r);
		}
		if (r->ver_len >= sizeof(r->ver))
			return 400;
		r->ver[r->ver_len++] = (char)ch;
		return 0;
	default: /* P_LINE_LF */
		r->state = P_FIELD_START;
		return ch == '\n' ? 0 : 400;
	}
}

/* ---- field lines (RFC 9112 §5, RFC 9110 §5) ------------------------------------ */

static int name_end(struct http_req *r)
{
	r->field = F_OTHER;
	r->sub = 0;
	r->tok_len = 0;
	if (r->name_len > sizeof(r->name))
		return 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t n = http_str_len(fields[i].name, sizeof(r->name));

		if (n == r->name_len && same_mem(fields[i].name, r->name, n))
			r->field = fields[i].id;
	}
	switch (r->field) {
	case F_HOST:
		return ++r->host_count > 1 ? 400 : 0;			/* RFC 9112 §3.2 */
	case F_CONTENT_LENGTH:
		if (r->cl_seen)
			return 400;					/* RFC 9112 §6.3 */
		r->cl_seen = true;
		return 0;
	case F_TRANSFER_ENCODING:
		r->te_seen = true;
		return 0;
	default:
		return 0;
	}
}

/* RFC 9110 §8.6: Content-Length = 1*DIGIT; no sign, no list, no spaces
 * inside. sub: 0 before the digits, 1 in them, 2 in trailing OWS. */
static int content_length_byte(struct http_req *r, uint8_t ch)
{
	if (is_ws(ch) && r->sub == 1) {
		r->sub = 2;
		return 0;
	}
	if (is_ws(ch) && r->sub == 2)
		return 0;
	if (!is_digit(ch) || r->sub == 2)
		return 400;
	if (r->content_length > (UINT64_MAX >> 2) / 10)
		return 400;	/* past any length we could ever count */
	r->content_length = r->content_length * 10 + (uint64_t)(ch - '0');
	r->sub = 1;
	return 0;
}

/* RFC 9110 §7.6.1: Connection = #token; we look for "close" and
 * "keep-alive" (RFC 9112 §9.3). */
static void connection_token(struct http_req *r)
{
	if (r->tok_len == 5 && same_mem(r->tok, "close", 5))
		r->close = true;
	if (r->tok_len == 10 && same_mem(r->tok, "keep-alive", 10))
		r->keep_alive = true;
	r->tok_len = 0;
}

static int connection_byte(struct http_req *r, uint8_t ch)
{
	if (ch == ',' || is_ws(ch)) {
		connection_token(r);
		return 0;
	}
	if (!is_tchar(ch))
		return 400;
	if (r->tok_len < sizeof(r->tok))
		r->tok[r->tok_len] = (char)lower(ch);
	if (r->tok_len < 255)
		r->tok_len++;
	return 0;
}

/* RFC 9110 §7.2: Host = uri-host [ ":" port ]; sub 1: trailing OWS. */
static int host_byte(struct http_req *r, uint8_t ch)
{
	if (is_ws(ch)) {
		r->sub = 1;
		return 0;
	}
	return is_host_char(ch) && r->sub == 0 ? 0 : 400;
}

static int value_byte(struct http_req *r, uint8_t ch)
{
	switch (r->field) {
	case F_HOST:
		return host_byte(r, ch);
	case F_CONTENT_LENGTH:
		return content_length_byte(r, ch);
	case F_CONNECTION:
		return connection_byte(r, ch);
	case F_IF_NONE_MATCH:
		if (r->inm_len < HTTP_INM_MAX)
			r->inm[r->inm_len++] = (char)ch;
		else
			r->inm_over = true;
		return 0;
	default:
		return 0;
	}
}

static int field_end(struct http_req *r)
{
	switch (r->field) {
	case F_CONTENT_LENGTH:
		return r->sub == 0 ? 400 : 0;	/* empty */
	case F_CONNECTION:
		connection_token(r);
		return 0;
	case F_IF_NONE_MATCH:
		while (r->inm_len > 0 && is_ws((uint8_t)r->inm[r->inm_len - 1]))
			r->inm_len--;
		return 0;
	default:
		return 0;
	}
}

/* One byte of the header section; 0, HTTP_PARSE_DONE or a status. */
static int field_byte(struct http_req *r, uint8_t ch)
{
	switch (r->state) {
	case P_FIELD_START:
		if (ch == '\r') {
			r->state = P_END_LF;
			return 0;
		}
		if (!is_tchar(ch))
			return 400;	/* obs-fold, bare LF, junk */
		r->fields++;	/* http_parse checks the limit */
		r->state = P_NAME;
		r->name_len = 0;
		/* fall through */
	case P_NAME:
		if (ch == ':') {
			r->state = P_OWS;
			return name_end(r);
		}
		if (!is_tchar(ch))
			return 400;
		if (r->name_len < sizeof(r->name))
			r->name[r->name_len] = (char)lower(ch);
		if (r->name_len <= sizeof(r->name))
			r->name_len++;
		return 0;
	case P_OWS:
		if (is_ws(ch))
			return 0;
		r->state = P_VALUE;
		/* fall through */
	case P_VALUE:
		if (ch == '\r') {
			r->state = P_FIELD_LF;
			return 0;
		}
		return is_field_char(ch) ? value_byte(r, ch) : 400;
	case P_FIELD_LF:
		r->state = P_FIELD_START;
		return ch == '\n' ? field_end(r) : 400;
	case P_END_LF:
		return ch == '\n' ? HTTP_PARSE_DONE : 400;
	default: /* P_FAILED */
		return 400;
	}
}

/* ---- the driver ------------------------------------------------------------------- */

void http_req_reset(struct http_req *r)
{
	set_mem(r, 0, sizeof(*r));
	r->state = P_START;
}

/*
 * Feeds n bytes. Returns HTTP_PARSE_MORE with *used = n when the head is
 * still incomplete, HTTP_PARSE_DONE with *used = the bytes up to and
 * including the head's last LF, or a status code (400, 414, 431, 505)
 * with *used counting the byte that failed. Called again after a status
 * it answers 400. r->started tells whether any byte of a request came
 * (the empty lines a client may send after a body are none).
 */
int http_parse(struct http_req *r, const struct http_limits *lim, const uint8_t *p,
	       size_t n, size_t *used)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n && err == 0; i++) {
		if (r->state < P_FIELD_START) {
			err = line_byte(r, p[i]);
			if (err == 0 && ++r->line_len > lim->line_max)
				err = 414;
		} else {
			err = field_byte(r, p[i]);
			if (err != 400 && ++r->head_len > lim->header_max)
				err = 431;
			else if (err == 0 && r->fields > lim->fields_max)
				err = 431;
		}
		if (r->state > P_START_LF)
			r->started = true;	/* not by empty lines alone (§2.2) */
	}
	*used = i;
	if (err == 0)
		return HTTP_PARSE_MORE;
	if (err != HTTP_PARSE_DONE)
		r->state = P_FAILED;
	return err;
}
