/*
 * mime.c, site.c and testfile.c: content types by extension, table
 * lookup, entity-tags (the same FNV-1a tools/mksite.py computes), and
 * If-None-Match's list matching; and the C tools/mksite.py writes.
 */
#include "http_test.h"
#include <unistd.h>

static const char *type(const char *path)
{
	return http_mime_type(path, strlen(path));
}

static void test_mime(void **state)
{
	(void)state;
	assert_string_equal(type("/index.html"), "text/html; charset=utf-8");
	assert_string_equal(type("/INDEX.HTM"), "text/html; charset=utf-8");
	assert_string_equal(type("/s.Css"), "text/css; charset=utf-8");
	assert_string_equal(type("/a.js"), "text/javascript; charset=utf-8");
	assert_string_equal(type("/a.json"), "application/json");
	assert_string_equal(type("/a.PNG"), "image/png");
	assert_string_equal(type("/a.jpg"), "image/jpeg");
	assert_string_equal(type("/a.jpeg"), "image/jpeg");
	assert_string_equal(type("/a.gif"), "image/gif");
	assert_string_equal(type("/a.svg"), "image/svg+xml");
	assert_string_equal(type("/favicon.ico"), "image/x-icon");
	assert_string_equal(type("/a.txt"), "text/plain; charset=utf-8");
	assert_string_equal(type("/a.wasm"), "application/wasm");
	assert_string_equal(type("/a.woff2"), "font/woff2");
	assert_string_equal(type("/a.pdf"), "application/pdf");
	assert_string_equal(type("/a.bin"), "application/octet-stream");
	assert_string_equal(type("/noext"), "application/octet-stream");
	assert_string_equal(type("/dir.html/noext"), "application/octet-stream");
	assert_string_equal(type("/a."), "application/octet-stream");
	assert_string_equal(type("/a.htmlx"), "application/octet-stream");
	assert_string_equal(type("/a.verylongextension"), "application/octet-stream");
	assert_string_equal(type(""), "application/octet-stream");
	assert_string_equal(type(".html"), "text/html; charset=utf-8");
}

static void test_lookup(void **state)
{
	struct http_file f;

	(void)state;
	assert_int_equal(http_site_lookup(&site, "/a/b.txt", 8, &f), 0);
	assert_ptr_equal(f.data, b_txt);
	assert_int_equal(f.len, 4);
	assert_int_equal(http_site_lookup(&site, "/a/b.tx", 7, &f), B_ENOENT);
	assert_int_equal(http_site_lookup(&site, "/a/b.txtx", 9, &f), B_ENOENT);
	assert_int_equal(http_site_lookup(&site, "", 0, &f), B_ENOENT);
}

/* FNV-1a 64: offset basis for "", and the published value for "a". */
static void test_etag(void **state)
{
	char tag[HTTP_ETAG_MAX];

	(void)state;
	http_etag("", 0, tag);
	assert_string_equal(tag, "\"cbf29ce484222325\"");
	http_etag("a", 1, tag);
	assert_string_equal(tag, "\"af63dc4c8601ec8c\"");
	http_etag("foobar", 6, tag);
	assert_string_equal(tag, "\"85944171f73967e8\"");
}

static bool inm(const char *value, const char *etag)
{
	return http_inm_match(value, strlen(value), etag);
}

static void test_inm(void **state)
{
	(void)state;
	assert_true(inm("\"x\"", "\"x\""));
	assert_true(inm("W/\"x\"", "\"x\""));
	assert_true(inm("\"x\"", "W/\"x\""));
	assert_true(inm("\"a\", \"b\",\"x\"", "\"x\""));
	assert_true(inm(",,\"x\"", "\"x\""));
	assert_true(inm("*", "\"x\""));
	assert_false(inm("\"y\"", "\"x\""));
	assert_false(inm("x", "\"x\""));
	assert_false(inm("\"x", "\"x\""));
	assert_false(inm("\"xx\"", "\"x\""));
	assert_false(inm("", "\"x\""));
	assert_false(inm("**", "\"x\""));
	assert_false(inm("W/", "\"x\""));
	assert_false(inm("\"a\" junk \"x\"", "\"x\""));
}

/* An app's own tag may be longer than http_etag's (a SHA-1 here): it is
 * compared whole, not cut at HTTP_ETAG_MAX. */
static void test_inm_long_etag(void **state)
{
	const char *sha = "\"0123456789abcdef0123456789abcdef01234567\"";

	(void)state;
	assert_true(inm(sha, sha));
	assert_true(inm("W/\"0123456789abcdef0123456789abcdef01234567\"", sha));
	assert_false(inm("\"0123456789abcdef0123456\"", sha));
	assert_false(inm("\"0123456789abcdef0123456789abcdef0123456\"", sha));
}

/* A comment line mksite wrote is one whole comment: no "*" "/" inside
 * ends it early, no "/" "*" inside nests one (-Werror=comment). */
static bool comment_closed(const char *line)
{
	size_t n = strlen(line);
	const char *end = strstr(line + 2, "*/");

	return end == line + n - 2 && !strstr(line + 2, "/*");
}

/* tools/mksite.py on names holding '*' ("a*" / "x.txt", "b" / "*y.txt"):
 * the C it writes keeps each comment closed, and gives the files the
 * type and tag lib/http would. Run from the tree's top (as make does);
 * skipped elsewhere. */
static void test_mksite(void **state)
{
	char dir[] = "/tmp/test_mksite.XXXXXX";
	char cmd[256], path[128], line[512], tag[HTTP_ETAG_MAX], hex[17];
	bool seen = false;
	FILE *f;

	(void)state;
	if (access("tools/mksite.py", R_OK) != 0 || system("python3 -c '' 2>/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/s/a*' '%s/s/b' && printf 'hi\\n' > '%s/s/a*/x.txt'"
		 " && printf 'yo\\n' > '%s/s/b/*y.txt'", dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "python3 tools/mksite.py '%s/s' '%s/out.c' s", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/out.c", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	http_etag("yo\n", 3, tag);
	memcpy(hex, tag + 1, 16);	/* the C string escapes the quotes */
	hex[16] = '\0';
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "/*", 2) == 0)
			assert_true(comment_closed(line));
		if (strstr(line, "{ \"/b/*y.txt\"")) {
			assert_non_null(strstr(line, http_mime_type("/b/*y.txt", 9)));
			assert_non_null(fgets(line, sizeof(line), f));
			assert_non_null(strstr(line, hex));
			seen = true;
		}
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_true(seen);
}

static void test_testfile(void **state)
{
	struct http_body b = { 0 };
	uint8_t chunk[100];

	(void)state;
	assert_int_equal(http_testfile_1m(NULL, NULL, &b), 0);
	assert_int_equal(b.gen_len, 1048576);
	assert_string_equal(b.type, "application/octet-stream");
	b.gen(b.gen_ctx, 1048476, chunk, sizeof(chunk));
	for (uint64_t i = 0; i < sizeof(chunk); i++)
		assert_int_equal(chunk[i], (uint8_t)(((1048476 + i) * 2654435761ull % (1ull << 32)) >> 24));
	assert_int_equal(http_testfile_byte(0), 0);
	assert_int_equal(http_testfile_byte(2), (uint8_t)((2 * 2654435761ull & 0xffffffff) >> 24));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_inm),
		cmocka_unit_test(test_inm_long_etag),
		cmocka_unit_test(test_mksite),
		cmocka_unit_test(test_testfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
