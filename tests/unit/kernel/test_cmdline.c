/*
 * kernel/cmdline.c on the host: words separated by spaces or tabs, each
 * "key" or "key=value"; a key matches whole, never as a prefix; the first
 * word with the key wins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cmdline.h"

#define VALUE_MAX 32
#define WORDS_MAX 8

/* ---- cmdline_has --------------------------------------------------------- */

static void test_has_finds_bare_key_and_key_with_value(void **state)
{
	(void)state;
	assert_true(cmdline_has("quiet then=shutdown", "quiet"));
	assert_true(cmdline_has("quiet then=shutdown", "then"));
}

static void test_has_misses_absent_key(void **state)
{
	(void)state;
	assert_false(cmdline_has("quiet then=shutdown", "loud"));
	assert_false(cmdline_has("quiet then=shutdown", "shutdown"));	/* a value, not a key */
}

static void test_has_never_matches_a_prefix(void **state)
{
	(void)state;
	assert_false(cmdline_has("faults=1", "fault"));
	assert_false(cmdline_has("faultinject", "fault"));
	assert_false(cmdline_has("fault", "faults"));
	assert_true(cmdline_has("faults=1 fault", "fault"));
}

static void test_has_on_empty_or_blank_cmdline(void **state)
{
	(void)state;
	assert_false(cmdline_has("", "quiet"));
	assert_false(cmdline_has(" \t  \t", "quiet"));
}

/* ---- cmdline_get --------------------------------------------------------- */

static void test_get_copies_value(void **state)
{
	char v[VALUE_MAX];

	(void)state;
	assert_true(cmdline_get("quiet then=shutdown smp=4", "then", v, sizeof(v)));
	assert_string_equal(v, "shutdown");
	assert_true(cmdline_get("quiet then=shutdown smp=4", "smp", v, sizeof(v)));
	assert_string_equal(v, "4");
}

static void test_get_skips_keys_that_only_share_a_prefix(void **state)
{
	char v[VALUE_MAX];

	(void)state;
	assert_true(cmdline_get("faults=1 fault=2", "fault", v, sizeof(v)));
	assert_string_equal(v, "2");
	assert_false(cmdline_get("faults=1", "fault", v, sizeof(v)));
}

static void test_get_keeps_equals_signs_inside_the_value(void **state)
{
	char v[VALUE_MAX];

	(void)state;
	assert_true(cmdline_get("root=UUID=ab-cd", "root", v, sizeof(v)));
	assert_string_equal(v, "UUID=ab-cd");
}

static void test_get_cuts_value_to_buffer(void **state)
{
	char v[8];

	(void)state;
	memset(v, 'X', sizeof(v));
	assert_true(cmdline_get("name=abcdefghij x=1", "name", v, 4));
	assert_string_equal(v, "abc");
	assert_memory_equal(v + 4, "XXXX", 4);	/* nothing past size */
}

static void test_get_with_size_one_gives_empty_string(void **state)
{
	char v[4] = "XYZ";

	(void)state;
	assert_true(cmdline_get("name=abc", "name", v, 1));
	assert_string_equal(v, "");
}

static void test_get_with_size_zero_writes_nothing(void **state)
{
	(void)state;
	cmdline_get("name=abc", "name", NULL, 0);	/* must not touch the buffer */
}

static void test_get_bare_key_has_no_value(void **state)
{
	char v[VALUE_MAX] = "untouched";

	(void)state;
	assert_false(cmdline_get("quiet smp=2", "quiet", v, sizeof(v)));
	assert_string_equal(v, "untouched");
}

static void test_get_empty_value(void **state)
{
	char v[VALUE_MAX] = "untouched";

	(void)state;
	assert_true(cmdline_get("a=1 name= b=2", "name", v, sizeof(v)));
	assert_string_equal(v, "");
}

static void test_get_absent_key(void **state)
{
	char v[VALUE_MAX] = "untouched";

	(void)state;
	assert_false(cmdline_get("a=1 b=2", "c", v, sizeof(v)));
	assert_false(cmdline_get("", "c", v, sizeof(v)));
	assert_string_equal(v, "untouched");
}

static void test_get_splits_on_tabs_and_repeated_spaces(void **state)
{
	const char *line = "\t  a=1 \t\t b=two\t\tc=3  ";
	char v[VALUE_MAX];

	(void)state;
	assert_true(cmdline_get(line, "a", v, sizeof(v)));
	assert_string_equal(v, "1");
	assert_true(cmdline_get(line, "b", v, sizeof(v)));
	assert_string_equal(v, "two");
	assert_true(cmdline_get(line, "c", v, sizeof(v)));
	assert_string_equal(v, "3");
}

static void test_get_first_match_wins(void **state)
{
	char v[VALUE_MAX];

	(void)state;
	assert_true(cmdline_get("x=1 x=2", "x", v, sizeof(v)));
	assert_string_equal(v, "1");
	/* The first x is bare, so there is no value even though a later one has. */
	assert_false(cmdline_get("x x=2", "x", v, sizeof(v)));
}

/* ---- cmdline_check ------------------------------------------------------- */

static struct {
	unsigned n;
	const char *word[WORDS_MAX];
	size_t len[WORDS_MAX];
} seen;

static void record_unknown(const char *word, size_t len)
{
	assert_true(seen.n < WORDS_MAX);
	seen.word[seen.n] = word;
	seen.len[seen.n++] = len;
}

static int reset_seen(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	return 0;
}

/* The i-th unknown word must be exactly want, and point into line. */
static void expect_unknown(unsigned i, const char *line, const char *want)
{
	assert_true(i < seen.n);
	assert_int_equal(seen.len[i], strlen(want));
	assert_memory_equal(seen.word[i], want, seen.len[i]);
	assert_true(seen.word[i] >= line && seen.word[i] + seen.len[i] <= line + strlen(line));
}

static const char *const known[] = { "quiet", "then", "fault", NULL };

static void test_check_reports_exact_unknown_words(void **state)
{
	const char *line = "quiet  bogus=1\tthen=shutdown zz then";

	(void)state;
	cmdline_check(line, known, record_unknown);
	assert_int_equal(seen.n, 2);
	expect_unknown(0, line, "bogus=1");
	expect_unknown(1, line, "zz");
}

static void test_check_prefix_of_known_key_is_unknown(void **state)
{
	const char *line = "faults=1 fault quie";

	(void)state;
	cmdline_check(line, known, record_unknown);
	assert_int_equal(seen.n, 2);
	expect_unknown(0, line, "faults=1");
	expect_unknown(1, line, "quie");
}

static void test_check_all_known_reports_nothing(void **state)
{
	(void)state;
	cmdline_check(" quiet\tthen=x  fault=", known, record_unknown);
	assert_int_equal(seen.n, 0);
}

static void test_check_empty_cmdline_reports_nothing(void **state)
{
	(void)state;
	cmdline_check("", known, record_unknown);
	cmdline_check(" \t ", known, record_unknown);
	assert_int_equal(seen.n, 0);
}

static void test_check_empty_known_list_reports_every_word(void **state)
{
	static const char *const none[] = { NULL };
	const char *line = "a b=1 c";

	(void)state;
	cmdline_check(line, none, record_unknown);
	assert_int_equal(seen.n, 3);
	expect_unknown(0, line, "a");
	expect_unknown(1, line, "b=1");
	expect_unknown(2, line, "c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has_finds_bare_key_and_key_with_value),
		cmocka_unit_test(test_has_misses_absent_key),
		cmocka_unit_test(test_has_never_matches_a_prefix),
		cmocka_unit_test(test_has_on_empty_or_blank_cmdline),
		cmocka_unit_test(test_get_copies_value),
		cmocka_unit_test(test_get_skips_keys_that_only_share_a_prefix),
		cmocka_unit_test(test_get_keeps_equals_signs_inside_the_value),
		cmocka_unit_test(test_get_cuts_value_to_buffer),
		cmocka_unit_test(test_get_with_size_one_gives_empty_string),
		cmocka_unit_test(test_get_with_size_zero_writes_nothing),
		cmocka_unit_test(test_get_bare_key_has_no_value),
		cmocka_unit_test(test_get_empty_value),
		cmocka_unit_test(test_get_absent_key),
		cmocka_unit_test(test_get_splits_on_tabs_and_repeated_spaces),
		cmocka_unit_test(test_get_first_match_wins),
		cmocka_unit_test_setup(test_check_reports_exact_unknown_words, reset_seen),
		cmocka_unit_test_setup(test_check_prefix_of_known_key_is_unknown, reset_seen),
		cmocka_unit_test_setup(test_check_all_known_reports_nothing, reset_seen),
		cmocka_unit_test_setup(test_check_empty_cmdline_reports_nothing, reset_seen),
		cmocka_unit_test_setup(test_check_empty_known_list_reports_every_word, reset_seen),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
