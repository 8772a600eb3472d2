/*
 * The "app" lines: the runner plays the program, calling lib/net's TCP and
 * UDP API on the current connection and checking what each call returns
 * and which callbacks ran. Data written is the stack-side pattern
 * (pkt_pattern), so the wire checks can verify every byte sent; data read
 * is checked against the peer-side pattern.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

static int state_index(const char *s, size_t n)
{
	for (int i = 0; i <= TCP_TIME_WAIT; i++)
		if (strlen(state_names[i]) == n && strncmp(state_names[i], s, n) == 0)
			return i;
	return -1;
}

/* ---- callbacks: they only record; lines check ---- */

static void ev_connected(struct tcp_conn *c, void *arg)
{
	struct pkt_conn *pc = arg;

	(void)c;
	if (pc)
		pc->connected = true;
}

static void ev_readable(struct tcp_conn *c, void *arg)
{
	struct pkt_conn *pc = arg;

	(void)c;
	if (pc)
		pc->readable_events++;
}

static void ev_writable(struct tcp_conn *c, void *arg)
{
	struct pkt_conn *pc = arg;

	(void)c;
	if (pc)
		pc->writable_events++;
}

/* c is invalid once this returns (net.h): forget it. */
static void ev_closed(struct tcp_conn *c, int err, void *arg)
{
	struct pkt_conn *pc = arg;

	if (pc && pc->c == c) {
		pc->closed = true;
		pc->closed_err = err;
		pc->c = NULL;
	}
}

static const struct tcp_events conn_events = {
	.connected = ev_connected,
	.readable = ev_readable,
	.writable = ev_writable,
	.closed = ev_closed,
};

/* ---- helpers ---- */

static uint32_t need_u32(struct pkt_run *r, struct pkt_scan *s, const char *what)
{
	uint32_t v;

	if (!scan_u32(s, &v))
		pkt_fail(r, "%s expected", what);
	return v;
}

static struct tcp_conn *need_conn(struct pkt_run *r)
{
	if (!r->cur->c)
		pkt_fail(r, "no open connection on peer port %u (closed: %s)", r->cur->rport,
			 r->cur->closed ? err_name(r->cur->closed_err) : "no");
	return r->cur->c;
}

/* "-> VALUE" after a call: true and *v when present. */
static bool want_result(struct pkt_run *r, struct pkt_scan *s, long *v)
{
	char tok[32];

	scan_ws(s);
	if (s->p[0] != '-' || s->p[1] != '>')
		return false;
	s->p += 2;
	if (!scan_token(s, tok, sizeof(tok)) || parse_err_name(tok, v) != 0)
		pkt_fail(r, "result after -> expected");
	return true;
}

static void check_result(struct pkt_run *r, const char *call, long got, long want)
{
	if (got != want)
		pkt_fail(r, "%s returned %s, want %ld (%s)", call, err_name(got), want,
			 err_name(want));
}

/* "IP:PORT" */
static void need_addr(struct pkt_run *r, struct pkt_scan *s, net_ip4 *ip, uint16_t *port)
{
	char tok[40], *colon;
	long p;

	if (!scan_token(s, tok, sizeof(tok)) || !(colon = strchr(tok, ':')))
		pkt_fail(r, "IP:PORT expected");
	*colon = '\0';
	p = strtol(colon + 1, NULL, 10);
	if (!parse_ip4_mask(tok, ip, NULL) || p < 1 || p > 65535)
		pkt_fail(r, "bad IP:PORT");
	*port = (uint16_t)p;
}

/* ---- TCP ---- */

static void app_listen(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t port = need_u32(r, s, "port"), backlog = 4;

	if (scan_word(s, "backlog") && (!scan_char(s, '=') || !scan_u32(s, &backlog)))
		pkt_fail(r, "backlog=N expected");
	r->listener = tcp_listen(r->n, (uint16_t)port, backlog, &conn_events, NULL);
	if (!r->listener)
		pkt_fail(r, "tcp_listen(%u) failed", port);
	r->default_lport = (uint16_t)port;
	r->cur->lport = (uint16_t)port;
}

static void app_accept(struct pkt_run *r, struct pkt_scan *s)
{
	struct tcp_conn *c;
	struct tcp_info info;
	struct pkt_conn *pc;
	bool none = scan_word(s, "none");

	if (!r->listener)
		pkt_fail(r, "accept without a listener");
	c = tcp_accept(r->listener);
	if (none) {
		if (c)
			pkt_fail(r, "tcp_accept returned a connection, want none");
		return;
	}
	if (!c)
		pkt_fail(r, "tcp_accept returned no connection");
	if (tcp_get_info(c, &info) != 0)
		pkt_fail(r, "tcp_get_info on an accepted connection failed");
	pc = pkt_conn_find(r, info.remote_port, true);
	pc->c = c;
	pc->closed = false;
	if (!pc->lport)
		pc->lport = info.local_port;
	tcp_set_events(c, &conn_events, pc);
}

static void app_connect(struct pkt_run *r, struct pkt_scan *s)
{
	net_ip4 ip;
	uint16_t port;
	struct pkt_conn *pc;

	need_addr(r, s, &ip, &port);
	pc = pkt_conn_find(r, port, true);
	pc->lport = 0;
	pc->isn_known = false;
	pc->closed = pc->connected = false;
	pc->rd_off = pc->wr_off = 0;
	r->cur = pc;
	pc->c = tcp_connect(r->n, ip, port, &conn_events, pc);
	if (!pc->c)
		pkt_fail(r, "tcp_connect failed");
}

static void app_write(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t len = need_u32(r, s, "length");
	unsigned flags = scan_word(s, "more") ? TCP_WRITE_MORE : 0;
	long want = len, got;
	uint8_t *buf = malloc(len ? len : 1);

	want_result(r, s, &want);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pkt_pattern(true, r->cur->wr_off + i);
	got = tcp_write(need_conn(r), buf, len, flags);
	free(buf);
	if (got > 0)
		r->cur->wr_off += (uint64_t)got;
	check_result(r, "tcp_write", got, want);
}

static void app_read(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t cap = need_u32(r, s, "length");
	long want = cap, got;
	uint8_t *buf = malloc(cap ? cap : 1);

	want_result(r, s, &want);
	got = tcp_read(need_conn(r), buf, cap);
	for (long i = 0; i < got; i++) {
		if (buf[i] != pkt_pattern(false, r->cur->rd_off + (uint64_t)i)) {
			free(buf);
			pkt_fail(r, "byte %ld read (stream offset %llu) is wrong", i,
				 (unsigned long long)(r->cur->rd_off + (uint64_t)i));
		}
	}
	free(buf);
	if (got > 0)
		r->cur->rd_off += (uint64_t)got;
	check_result(r, "tcp_read", got, want);
}

static void app_shutdown(struct pkt_run *r, struct pkt_scan *s)
{
	long want = 0;

	want_result(r, s, &want);
	check_result(r, "tcp_shutdown", tcp_shutdown(need_conn(r)), want);
}

/* The program gives the connection up: no more callbacks for it. */
static void app_close(struct pkt_run *r, struct pkt_scan *s)
{
	struct tcp_conn *c = need_conn(r);
	long want = 0;

	want_result(r, s, &want);
	r->cur->c = NULL;
	check_result(r, "tcp_close", tcp_close(c), want);
}

static void app_abort(struct pkt_run *r, struct pkt_scan *s)
{
	struct tcp_conn *c = need_conn(r);

	(void)s;
	r->cur->c = NULL;
	tcp_abort(c);
}

static void app_close_listener(struct pkt_run *r, struct pkt_scan *s)
{
	(void)s;
	if (!r->listener)
		pkt_fail(r, "no listener");
	tcp_close(r->listener);
	r->listener = NULL;
}

/* "closed ECONNRESET": the closed callback ran with that error. */
static void app_closed(struct pkt_run *r, struct pkt_scan *s)
{
	char tok[32];
	long want;

	if (!scan_token(s, tok, sizeof(tok)) || parse_err_name(tok, &want) != 0)
		pkt_fail(r, "error name or 0 expected");
	if (!r->cur->closed)
		pkt_fail(r, "the closed callback has not run");
	check_result(r, "the closed callback", r->cur->closed_err, want);
}

static void app_open(struct pkt_run *r, struct pkt_scan *s)
{
	(void)s;
	need_conn(r);
}

static void app_connected(struct pkt_run *r, struct pkt_scan *s)
{
	(void)s;
	if (!r->cur->connected)
		pkt_fail(r, "the connected callback has not run");
}

static void app_readable(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t want = need_u32(r, s, "byte count");

	check_result(r, "tcp_readable", (long)tcp_readable(need_conn(r)), want);
}

static void app_eof(struct pkt_run *r, struct pkt_scan *s)
{
	bool want = !scan_word(s, "no");

	if (tcp_peer_closed(need_conn(r)) != want)
		pkt_fail(r, "tcp_peer_closed is %s", want ? "false" : "true");
}

static void app_state(struct pkt_run *r, struct pkt_scan *s)
{
	struct tcp_info info;
	char tok[32];
	int st;

	if (!scan_token(s, tok, sizeof(tok)) || (st = state_index(tok, strlen(tok))) < 0)
		pkt_fail(r, "state name expected");
	if (tcp_get_info(need_conn(r), &info) != 0)
		pkt_fail(r, "tcp_get_info failed");
	if (info.state != st)
		pkt_fail(r, "state is %s, want %s",
			 info.state <= TCP_TIME_WAIT ? state_names[info.state] : "?", tok);
}

/* "states TIME_WAIT=1 ESTABLISHED=0": tcp_count_states. */
static void app_states(struct pkt_run *r, struct pkt_scan *s)
{
	unsigned counts[TCP_TIME_WAIT + 1];
	char tok[40], *eq;
	int st;

	tcp_count_states(r->n, counts);
	while (scan_token(s, tok, sizeof(tok))) {
		eq = strchr(tok, '=');
		if (!eq || (st = state_index(tok, (size_t)(eq - tok))) < 0)
			pkt_fail(r, "STATE=N expected, got %s", tok);
		if (counts[st] != strtoul(eq + 1, NULL, 10))
			pkt_fail(r, "%u connections in %s, want %s", counts[st], state_names[st],
				 eq + 1);
	}
}

/* The tcp_info fields an "info" line may check. */
static const struct {
	const char *name;
	size_t off, size;
} info_fields[] = {
#define F(name, field) { name, offsetof(struct tcp_info, field), \
			 sizeof(((struct tcp_info *)0)->field) }
	F("mss", mss), F("cwnd", cwnd), F("ssthresh", ssthresh), F("snd_wnd", snd_wnd),
	F("rcv_wnd", rcv_wnd), F("rto", rto_ms), F("srtt", srtt_ms),
	F("retransmits", retransmits), F("bytes_sent", bytes_sent),
	F("bytes_received", bytes_received),
#undef F
};

static uint64_t info_value(const struct tcp_info *i, size_t k)
{
	const uint8_t *p = (const uint8_t *)i + info_fields[k].off;
	uint32_t v32;
	uint64_t v64;

	if (info_fields[k].size == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v64, p, 8);
	return v64;
}

/* "info mss=536 snd_wnd=4000": fields of tcp_get_info. */
static void app_info(struct pkt_run *r, struct pkt_scan *s)
{
	struct tcp_info info;
	char tok[40], *eq;
	size_t k, n = sizeof(info_fields) / sizeof(info_fields[0]);
	uint64_t got;

	if (tcp_get_info(need_conn(r), &info) != 0)
		pkt_fail(r, "tcp_get_info failed");
	while (scan_token(s, tok, sizeof(tok))) {
		if (!(eq = strchr(tok, '=')))
			pkt_fail(r, "FIELD=N expected");
		*eq = '\0';
		for (k = 0; k < n && strcmp(tok, info_fields[k].name) != 0; k++)
			;
		if (k == n)
			pkt_fail(r, "unknown info field %s", tok);
		got = info_value(&info, k);
		if (got != strtoull(eq + 1, NULL, 10))
			pkt_fail(r, "info %s is %llu, want %s", tok, (unsigned long long)got, eq + 1);
	}
}

static void app_setopt(struct pkt_run *r, struct pkt_scan *s)
{
	enum tcp_opt opt;
	uint32_t v;

	if (scan_word(s, "nodelay"))
		opt = TCP_OPT_NODELAY;
	else if (scan_word(s, "keepalive"))
		opt = TCP_OPT_KEEPALIVE;
	else if (scan_word(s, "idle"))
		opt = TCP_OPT_IDLE_TIMEOUT;
	else
		pkt_fail(r, "nodelay|keepalive|idle expected");
	v = need_u32(r, s, "value");
	check_result(r, "tcp_setopt", tcp_setopt(need_conn(r), opt, v), 0);
}

/* ---- UDP: one socket, in queue mode ---- */

static void app_udp_open(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t port = need_u32(r, s, "port");

	r->udp = udp_open(r->n, (uint16_t)port, NULL, NULL);
	if (!r->udp)
		pkt_fail(r, "udp_open(%u) failed", port);
}

static void app_udp_send(struct pkt_run *r, struct pkt_scan *s)
{
	net_ip4 ip;
	uint16_t port;
	uint32_t len;
	long want, got;
	uint8_t *buf;

	need_addr(r, s, &ip, &port);
	len = need_u32(r, s, "length");
	want = len;
	want_result(r, s, &want);
	if (!r->udp)
		pkt_fail(r, "no UDP socket");
	buf = malloc(len ? len : 1);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pkt_pattern(true, i);
	got = udp_sendto(r->udp, ip, port, buf, len);
	free(buf);
	check_result(r, "udp_sendto", got, want);
}

static void app_udp_recv(struct pkt_run *r, struct pkt_scan *s)
{
	uint32_t cap = need_u32(r, s, "length");
	long want = cap, got;
	uint8_t buf[2048];
	net_ip4 src;
	uint16_t sport;

	want_result(r, s, &want);
	if (!r->udp || cap > sizeof(buf))
		pkt_fail(r, "no UDP socket, or length over 2048");
	got = udp_recvfrom(r->udp, buf, cap, &src, &sport);
	for (long i = 0; i < got; i++)
		if (buf[i] != pkt_pattern(false, (uint64_t)i))
			pkt_fail(r, "datagram byte %ld is wrong", i);
	if (got >= 0 && src != r->peer_ip)
		pkt_fail(r, "datagram not from the peer");
	check_result(r, "udp_recvfrom", got, want);
}

static void app_udp_close(struct pkt_run *r, struct pkt_scan *s)
{
	(void)s;
	if (r->udp)
		udp_close(r->udp);
	r->udp = NULL;
}

static const struct {
	const char *name;
	void (*fn)(struct pkt_run *r, struct pkt_scan *s);
} cmds[] = {
	{ "listen", app_listen }, { "accept", app_accept }, { "connect", app_connect },
	{ "write", app_write }, { "read", app_read }, { "shutdown", app_shutdown },
	{ "close", app_close }, { "abort", app_abort },
	{ "close-listener", app_close_listener }, { "closed", app_closed },
	{ "expect-closed", app_closed }, { "open", app_open },
	{ "connected", app_connected }, { "readable", app_readable }, { "eof", app_eof },
	{ "state", app_state }, { "states", app_states }, { "info", app_info },
	{ "setopt", app_setopt }, { "udp-open", app_udp_open },
	{ "udp-send", app_udp_send }, { "udp-recv", app_udp_recv },
	{ "udp-close", app_udp_close },
};

void app_line(struct pkt_run *r, struct pkt_scan *s)
{
	char cmd[32];

	if (!scan_token(s, cmd, sizeof(cmd)))
		pkt_fail(r, "app command expected");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmd, cmds[i].name) == 0) {
			cmds[i].fn(r, s);
			if (!scan_end(s))
				pkt_fail(r, "unexpected text after app %s", cmd);
			return;
		}
	}
	pkt_fail(r, "unknown app command %s", cmd);
}
