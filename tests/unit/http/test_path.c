/*
 * path.c alone: the cleaned path for each target, and what is refused.
 * Whatever the target, an accepted path starts with '/', holds no "." or
 * ".." segment, no "//" and no control byte.
 */
#include "http_test.h"

static void clean_ok(const char *target, const char *want)
{
	char out[HTTP_PATH_MAX];
	size_t len = 0;

	assert_int_equal(http_path_clean(target, strlen(target), out, sizeof(out), &len), 0);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
}

static void clean_err(const char *target, int status)
{
	char out[HTTP_PATH_MAX];
	size_t len = 0;

	assert_int_equal(http_path_clean(target, strlen(target), out, sizeof(out), &len), status);
}

static void test_clean(void **state)
{
	(void)state;
	clean_ok("/", "/index.html");
	clean_ok("/a", "/a");
	clean_ok("/a/", "/a/index.html");
	clean_ok("//a///b", "/a/b");
	clean_ok("/a/./b/.", "/a/b/index.html");
	clean_ok("/a/b/../c", "/a/c");
	clean_ok("/a/..", "/index.html");
	clean_ok("/a/b/%2e%2E/c", "/a/c");
	clean_ok("/%41%62", "/Ab");
	clean_ok("/a%2fb", "/a/b");
	clean_ok("/...", "/...");
	clean_ok("/.hidden", "/.hidden");
	clean_ok("/caf%C3%A9", "/caf\xc3\xa9");
	clean_ok("http://host", "/index.html");
	clean_ok("HTTP://host:80/x/../y", "/y");
	clean_ok("https://h/a/", "/a/index.html");
}

static void test_refused(void **state)
{
	(void)state;
	clean_err("/..", 400);
	clean_err("/../", 400);
	clean_err("/a/../..", 400);
	clean_err("/%2e%2e", 400);
	clean_err("/%2e%2e%2f%2e%2e", 400);
	clean_err("/a%2f..%2f..", 400);
	clean_err("/%00", 400);
	clean_err("/%1f", 400);
	clean_err("/%7F", 400);
	clean_err("/%", 400);
	clean_err("/%a", 400);
	clean_err("/%ag", 400);
	clean_err("/%g0", 400);
	clean_err("", 400);
	clean_err("*", 400);
	clean_err("a/b", 400);
	clean_err("ftp://h/", 400);
	clean_err("http:/h/", 400);
}

static void test_too_long(void **state)
{
	char t[HTTP_PATH_MAX + 8];
	char out[64];
	size_t len;

	(void)state;
	memset(t, 'a', sizeof(t));
	t[0] = '/';
	/* the room "index.html" would need is kept even when it is not */
	assert_int_equal(http_path_clean(t, 64 - 12, out, sizeof(out), &len), 0);
	assert_int_equal(http_path_clean(t, 64 - 11, out, sizeof(out), &len), 414);
	assert_int_equal(http_path_clean(t, sizeof(t), out, sizeof(out), &len), 414);
	assert_int_equal(http_path_clean(t, 3, out, 12, &len), 414);
}

/* Every short target over a small alphabet: accepted ones are clean. */
static void test_exhaustive(void **state)
{
	static const char alpha[] = "/.%2eF0a";
	char t[7], out[64];
	size_t len, n = sizeof(alpha) - 1, total = 1;

	(void)state;
	for (int i = 0; i < 6; i++)
		total *= n;
	for (size_t k = 0; k < total; k++) {
		size_t v = k;

		t[0] = '/';
		for (int i = 1; i < 7; i++, v /= n)
			t[i] = alpha[v % n];
		if (http_path_clean(t, 7, out, sizeof(out), &len) != 0)
			continue;
		assert_int_equal(strlen(out), len);
		assert_int_equal(out[0], '/');
		assert_null(strstr(out, "//"));
		assert_null(strstr(out, "/./"));
		assert_null(strstr(out, "/../"));
		assert_false(len >= 2 && strcmp(out + len - 2, "/.") == 0);
		assert_false(len >= 3 && strcmp(out + len - 3, "/..") == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
