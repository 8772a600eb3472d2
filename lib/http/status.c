/*
 * The live status page: struct http_status_info rendered as HTML (for a
 * person: reloads itself every STATUS_REFRESH_S seconds) and as JSON (for
 * scripts; RFC 8259). The server puts in its own counters, the app's
 * cfg.status_fill the rest, on every request.
 *
 * Both fit in HTTP_BODY_BUF with four NICs; the renderers return 0 rather
 * than a cut-off page if they ever do not. Strings from the app are
 * escaped, at most 64 bytes each; bytes outside printable ASCII become '?'.
 */
#include "http_impl.h"
#include <pith/error.h>

#define STATUS_REFRESH_S	"5"
#define MIB			(1024u * 1024u)

/* lib/net's enum tcp_state, in its order. */
static const char *const tcp_state_names[HTTP_TCP_STATES] = {
	"closed", "listen", "syn_sent", "syn_received", "established", "fin_wait_1",
	"fin_wait_2", "close_wait", "closing", "last_ack", "time_wait",
};

static const char *const class_names[5] = { "1xx", "2xx", "3xx", "4xx", "5xx" };

/* ---- escaping ------------------------------------------------------------------- */

static void out_char(struct http_out *o, char ch)
{
	http_out_mem(o, &ch, 1);
}

/* For HTML text and attribute values. */
static void out_html(struct http_out *o, const char *s)
{
	for (size_t i = 0; s && s[i] && i < 64; i++) {
		char ch = s[i];

		if (ch == '&')
			http_out_str(o, "&amp;");
		else if (ch == '<')
			http_out_str(o, "&lt;");
		else if (ch == '>')
			http_out_str(o, "&gt;");
		else if (ch == '"')
			http_out_str(o, "&quot;");
		else
			out_char(o, ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
}

/* A JSON string, quotes included (RFC 8259 §7). */
static void out_json_str(struct http_out *o, const char *s)
{
	out_char(o, '"');
	for (size_t i = 0; s && s[i] && i < 64; i++) {
		char ch = s[i];

		if (ch == '"' || ch == '\\')
			out_char(o, '\\');
		out_char(o, ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
	out_char(o, '"');
}

/* "nic<i>" for a NIC the app left unnamed. */
static void nic_name(unsigned i, char name[8])
{
	copy_mem(name, "nic0", 5);
	name[3] = (char)('0' + i);
}

static unsigned nic_count(const struct http_status_info *info)
{
	return info->nic_count < HTTP_STATUS_NICS ? info->nic_count : HTTP_STATUS_NICS;
}

/* ---- HTML ------------------------------------------------------------------------ */

/* 12.3 MiB */
static void out_mib(struct http_out *o, uint64_t bytes)
{
	http_out_u64(o, bytes / MIB);
	out_char(o, '.');
	http_out_u64(o, bytes % MIB * 10 / MIB);
	http_out_str(o, " MiB");
}

/* 3 d 04:05:06 */
static void out_uptime(struct http_out *o, uint64_t ms)
{
	uint64_t s = ms / 1000;

	http_out_u64(o, s / 86400);
	http_out_str(o, " d ");
	http_out_u64_width(o, s / 3600 % 24, 2);
	out_char(o, ':');
	http_out_u64_width(o, s / 60 % 60, 2);
	out_char(o, ':');
	http_out_u64_width(o, s % 60, 2);
}

static void cell(struct http_out *o, uint64_t v)
{
	http_out_str(o, "<td>");
	http_out_u64(o, v);
	http_out_str(o, "</td>");
}

static void row(struct http_out *o, const char *label, uint64_t v)
{
	http_out_str(o, "<tr><td>");
	http_out_str(o, label);
	http_out_str(o, "</td>");
	cell(o, v);
	http_out_str(o, "</tr>");
}

static void html_nics(struct http_out *o, const struct http_status_info *info)
{
	http_out_str(o, "<h2>Network</h2><table><tr><th>NIC</th><th>rx frames</th><th>rx bytes"
		   "</th><th>rx drops</th><th>tx frames</th><th>tx bytes</th><th>tx drops"
		   "</th></tr>\n");
	for (unsigned i = 0; i < nic_count(info); i++) {
		const struct http_status_nic *n = &info->nics[i];
		char name[8];

		nic_name(i, name);
		http_out_str(o, "<tr><td>");
		out_html(o, n->name ? n->name : name);
		http_out_str(o, "</td>");
		cell(o, n->rx_frames);
		cell(o, n->rx_bytes);
		cell(o, n->rx_drops);
		cell(o, n->tx_frames);
		cell(o, n->tx_bytes);
		cell(o, n->tx_drops);
		http_out_str(o, "</tr>\n");
	}
	http_out_str(o, "</table>\n");
}

static void html_counters(struct http_out *o, const struct http_status_info *info)
{
	http_out_str(o, "<h2>TCP connections</h2><table>");
	for (unsigned i = 0; i < HTTP_TCP_STATES; i++)
		row(o, tcp_state_names[i], info->tcp_states[i]);
	http_out_str(o, "</table>\n<h2>HTTP</h2><table>");
	row(o, "requests", info->requests);
	for (unsigned i = 0; i < 5; i++)
		row(o, class_names[i], info->responses[i]);
	row(o, "bytes sent", info->bytes_sent);
	row(o, "connections open", info->conns_open);
	row(o, "connections total", info->conns_total);
	http_out_str(o, "</table>\n");
}

size_t http_status_render_html(const struct http_status_info *info, char *buf, size_t cap)
{
	struct http_out o;

	http_out_init(&o, buf, cap);
	http_out_str(&o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<meta http-equiv=\"refresh\" content=\"" STATUS_REFRESH_S "\">"
		    "<meta name=\"viewport\" content=\"width=device-width\">"
		    "<title>Status</title>\n<style>body{font:15px/1.5 system-ui,sans-serif;"
		    "max-width:46em;margin:2em auto;padding:0 1em;color:#222}"
		    "table{border-collapse:collapse;margin-bottom:1em}"
		    "td,th{padding:.15em .7em;border-bottom:1px solid #ddd;text-align:right}"
		    "td:first-child,th:first-child{text-align:left}h2{font-size:1.1em}"
		    "</style></head><body>\n<h1>");
	out_html(&o, info->name ? info->name : "Pith");
	out_char(&o, ' ');
	out_html(&o, info->version);
	http_out_str(&o, " status</h1>\n<p>");
	http_out_u64(&o, info->cores);
	http_out_str(&o, " cores &middot; up ");
	out_uptime(&o, info->uptime_ms);
	http_out_str(&o, " &middot; memory ");
	out_mib(&o, info->mem_free);
	http_out_str(&o, " free of ");
	out_mib(&o, info->mem_total);
	http_out_str(&o, "</p>\n");
	html_nics(&o, info);
	html_counters(&o, info);
	http_out_str(&o, "<p>Reloads every " STATUS_REFRESH_S " s &middot; "
		    "<a href=\"/status.json\">JSON</a></p>\n</body></html>\n");
	return o.full ? 0 : o.len;
}

/* ---- JSON ---------------------------------------------------------------------- */

static void key(struct http_out *o, const char *k)
{
	out_char(o, '"');
	http_out_str(o, k);
	http_out_str(o, "\":");
}

static void key_u64(struct http_out *o, const char *k, uint64_t v, bool last)
{
	key(o, k);
	http_out_u64(o, v);
	if (!last)
		out_char(o, ',');
}

static void json_nics(struct http_out *o, const struct http_status_info *info)
{
	key(o, "nics");
	out_char(o, '[');
	for (unsigned i = 0; i < nic_count(info); i++) {
		const struct http_status_nic *n = &info->nics[i];
		char name[8];

		nic_name(i, name);
		http_out_str(o, i ? ",{" : "{");
		key(o, "name");
		out_json_str(o, n->name ? n->name : name);
		out_char(o, ',');
		key_u64(o, "rx_frames", n->rx_frames, false);
		key_u64(o, "rx_bytes", n->rx_bytes, false);
		key_u64(o, "rx_drops", n->rx_drops, false);
		key_u64(o, "tx_frames", n->tx_frames, false);
		key_u64(o, "tx_bytes", n->tx_bytes, false);
		key_u64(o, "tx_drops", n->tx_drops, true);
		out_char(o, '}');
	}
	http_out_str(o, "],");
}

size_t http_status_render_json(const struct http_status_info *info, char *buf, size_t cap)
{
	struct http_out o;

	http_out_init(&o, buf, cap);
	out_char(&o, '{');
	key(&o, "name");
	out_json_str(&o, info->name ? info->name : "Pith");
	out_char(&o, ',');
	key(&o, "version");
	out_json_str(&o, info->version);
	out_char(&o, ',');
	key_u64(&o, "cores", info->cores, false);
	key_u64(&o, "uptime_ms", info->uptime_ms, false);
	key(&o, "memory");
	out_char(&o, '{');
	key_u64(&o, "total", info->mem_total, false);
	key_u64(&o, "free", info->mem_free, true);
	http_out_str(&o, "},");
	json_nics(&o, info);
	key(&o, "connections");
	out_char(&o, '{');
	for (unsigned i = 0; i < HTTP_TCP_STATES; i++)
		key_u64(&o, tcp_state_names[i], info->tcp_states[i], i + 1 == HTTP_TCP_STATES);
	http_out_str(&o, "},");
	key_u64(&o, "requests", info->requests, false);
	key(&o, "responses");
	out_char(&o, '{');
	for (unsigned i = 0; i < 5; i++)
		key_u64(&o, class_names[i], info->responses[i], i == 4);
	http_out_str(&o, "},");
	key_u64(&o, "bytes_sent", info->bytes_sent, false);
	key(&o, "http_connections");
	out_char(&o, '{');
	key_u64(&o, "open", info->conns_open, false);
	key_u64(&o, "total", info->conns_total, true);
	http_out_str(&o, "}}\n");
	return o.full ? 0 : o.len;
}

/* ---- the route handlers ---------------------------------------------------------- */

void http_status_from_server(const struct http_server *s, struct http_status_info *info)
{
	const struct http_stats *st = &s->stats;

	set_mem(info, 0, sizeof(*info));
	info->requests = st->requests;
	for (unsigned i = 0; i < 5; i++)
		info->responses[i] = st->responses[i];
	info->bytes_sent = st->bytes_sent;
	info->conns_open = st->conns_open;
	info->conns_total = st->conns_total;
}

static int status_body(struct http_server *s, struct http_body *b, bool json)
{
	struct http_status_info info;

	http_status_from_server(s, &info);
	if (s->cfg.status_fill)
		s->cfg.status_fill(s->cfg.status_ctx, &info);
	b->len = json ? http_status_render_json(&info, (char *)b->buf, b->cap)
		      : http_status_render_html(&info, (char *)b->buf, b->cap);
	b->type = json ? "application/json" : "text/html; charset=utf-8";
	b->no_store = true;	/* live figures: never from a cache */
	return b->len ? 0 : B_ENOSPC;
}

int http_status_html(struct http_server *s, void *ctx, struct http_body *b)
{
	(void)ctx;
	return status_body(s, b, false);
}

int http_status_json(struct http_server *s, void *ctx, struct http_body *b)
{
	(void)ctx;
	return status_body(s, b, true);
}
