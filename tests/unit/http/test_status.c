/*
 * status.c: the JSON is valid (checked by a small RFC 8259 parser here,
 * not by trusting the renderer) and has the keys scripts rely on; the
 * HTML is escaped; a buffer too small gives 0, never a cut-off page.
 */
#include "http_test.h"

/* ---- a JSON checker (RFC 8259), depth-capped ---- */
struct js {
	const char *p, *end;
};

static bool js_value(struct js *j, int depth);

static void js_ws(struct js *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) && *j->p)
		j->p++;
}

static bool js_lit(struct js *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool js_string(struct js *j)
{
	if (j->p >= j->end || *j->p++ != '"')
		return false;
	while (j->p < j->end && *j->p != '"') {
		unsigned char ch = (unsigned char)*j->p++;

		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			if (j->p >= j->end || !strchr("\"\\/bfnrtu", *j->p) || !*j->p)
				return false;
			if (*j->p++ == 'u') {
				for (int i = 0; i < 4; i++)
					if (j->p >= j->end || !isxdigit((unsigned char)*j->p++))
						return false;
			}
		}
	}
	return j->p < j->end && *j->p++ == '"';
}

static bool js_number(struct js *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || !isdigit((unsigned char)*j->p))
		return false;
	if (*j->p == '0' && j->p + 1 < j->end && isdigit((unsigned char)j->p[1]))
		return false;	/* no leading zeros */
	while (j->p < j->end && isdigit((unsigned char)*j->p))
		j->p++;
	return j->p > s;
}

static bool js_members(struct js *j, int depth, char close, bool object)
{
	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return false;
			js_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!js_value(j, depth + 1))
			return false;
		js_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool js_value(struct js *j, int depth)
{
	if (depth > 32)
		return false;
	js_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		j->p++;
		return js_members(j, depth, '}', true);
	case '[':
		j->p++;
		return js_members(j, depth, ']', false);
	case '"':
		return js_string(j);
	case 't':
		return js_lit(j, "true");
	case 'f':
		return js_lit(j, "false");
	case 'n':
		return js_lit(j, "null");
	default:
		return js_number(j);
	}
}

static bool json_valid(const char *s, size_t n)
{
	struct js j = { s, s + n };

	if (!js_value(&j, 0))
		return false;
	js_ws(&j);
	return j.p == j.end;
}

static void test_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\":[1,-2,{}],\"b\":\"x\\\"\"}", strlen("{\"a\":[1,-2,{}],\"b\":\"x\\\"\"}")));
	assert_false(json_valid("{\"a\":1,}", strlen("{\"a\":1,}")));
	assert_false(json_valid("{\"a\" 1}", strlen("{\"a\" 1}")));
	assert_false(json_valid("[01]", strlen("[01]")));
	assert_false(json_valid("\"\x01\"", strlen("\"\x01\"")));
	assert_false(json_valid("{} x", strlen("{} x")));
}

/* ---- the renderers ---- */

static void full_info(struct http_status_info *info)
{
	memset(info, 0, sizeof(*info));
	test_status_fill(NULL, info);
	info->requests = info->bytes_sent = UINT64_MAX;
	for (int i = 0; i < 5; i++)
		info->responses[i] = UINT64_MAX;
	info->conns_open = info->conns_total = UINT64_MAX;
	for (int i = 0; i < HTTP_STATUS_NICS; i++) {
		struct http_status_nic *n = &info->nics[i];

		n->rx_frames = n->tx_frames = n->rx_bytes = n->tx_bytes = UINT64_MAX;
		n->rx_drops = n->tx_drops = UINT64_MAX;
		n->name = "e\"t\\h\n<0>&\x80zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
	}
	info->name = "P\"ith\\";
	info->version = "\x01\x7f";
	info->uptime_ms = UINT64_MAX;
	info->mem_total = info->mem_free = UINT64_MAX;
	info->cores = UINT32_MAX;
}

static void test_json(void **state)
{
	static const char *keys[] = {
		"\"cores\":", "\"uptime_ms\":", "\"memory\":{\"total\":", "\"nics\":[{\"name\":",
		"\"connections\":{\"closed\":", "\"time_wait\":", "\"requests\":",
		"\"responses\":{\"1xx\":", "\"5xx\":", "\"bytes_sent\":", "\"rx_drops\":",
	};
	struct http_status_info info;
	char buf[HTTP_BODY_BUF + 1];
	size_t n;

	(void)state;
	full_info(&info);
	n = http_status_render_json(&info, buf, HTTP_BODY_BUF);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(json_valid(buf, n));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(strstr(buf, keys[i]));
	assert_non_null(strstr(buf, "\"P\\\"ith\\\\\""));
	assert_non_null(strstr(buf, "\"version\":\"??\""));
	/* empty: no NICs, no strings */
	memset(&info, 0, sizeof(info));
	n = http_status_render_json(&info, buf, HTTP_BODY_BUF);
	buf[n] = '\0';
	assert_true(json_valid(buf, n));
	assert_non_null(strstr(buf, "\"nics\":[]"));
	/* nic_count past the array is clamped */
	info.nic_count = 1000;
	n = http_status_render_json(&info, buf, HTTP_BODY_BUF);
	assert_true(json_valid(buf, n));
}

static void test_html(void **state)
{
	struct http_status_info info;
	char buf[HTTP_BODY_BUF + 1];
	size_t n;

	(void)state;
	full_info(&info);
	n = http_status_render_html(&info, buf, HTTP_BODY_BUF);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "<!DOCTYPE html>"));
	assert_non_null(strstr(buf, "e&quot;t\\h?&lt;0&gt;&amp;?"));
	assert_null(strstr(buf, "<0>"));
	assert_non_null(strstr(buf, "</html>\n"));
}

/* Every buffer size below the full length gives 0, never a partial page. */
static void test_small_buffers(void **state)
{
	struct http_status_info info;
	char buf[HTTP_BODY_BUF];
	size_t full_json, full_html;

	(void)state;
	full_info(&info);
	full_json = http_status_render_json(&info, buf, sizeof(buf));
	full_html = http_status_render_html(&info, buf, sizeof(buf));
	for (size_t cap = 0; cap < full_json; cap++)
		assert_int_equal(http_status_render_json(&info, buf, cap), 0);
	for (size_t cap = 0; cap < full_html; cap++)
		assert_int_equal(http_status_render_html(&info, buf, cap), 0);
	assert_int_equal(http_status_render_json(&info, buf, full_json), full_json);
}

/* The route fills the server's own counters and the app's figures. */
static void test_route(void **state)
{
	struct http_server s;
	uint8_t buf[HTTP_BODY_BUF + 1];
	struct http_body b = { .buf = buf, .cap = HTTP_BODY_BUF };

	(void)state;
	server_setup(&s, NULL);
	s.stats.requests = 42;
	s.stats.responses[3] = 7;
	assert_int_equal(http_status_json(&s, NULL, &b), 0);
	buf[b.len] = '\0';
	assert_true(json_valid((char *)buf, b.len));
	assert_non_null(strstr((char *)buf, "\"requests\":42"));
	assert_non_null(strstr((char *)buf, "\"4xx\":7"));
	assert_non_null(strstr((char *)buf, "\"cores\":2"));
	assert_string_equal(b.type, "application/json");
	assert_true(b.no_store);
	b.cap = 10;
	assert_int_equal(http_status_html(&s, NULL, &b), B_ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
