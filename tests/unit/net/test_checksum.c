/*
 * checksum.c (RFC 1071) and util.c's address parsing: the RFC's example,
 * every length and alignment against a naive sum, chaining, the pseudo
 * header; strict dotted quads.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net_impl.h"

/* The slow obvious checksum, for comparison. */
static uint16_t naive(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
static void test_rfc1071_example(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(cksum_fold(cksum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
}

static void test_lengths_and_alignments(void **state)
{
	uint8_t buf[300];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len++)
			assert_int_equal(cksum_fold(cksum_add(0, buf + off, len)),
					 naive(buf + off, len));
	memset(buf, 0xff, sizeof(buf));	/* carries everywhere */
	assert_int_equal(cksum_fold(cksum_add(0, buf, 299)), naive(buf, 299));
}

static void test_chaining(void **state)
{
	uint8_t buf[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i * 37 + 1);
	/* even first pieces chain exactly */
	assert_int_equal(cksum_fold(cksum_add(cksum_add(0, buf, 20), buf + 20, 43)),
			 naive(buf, 63));
	/* a buffer holding its own checksum sums to zero */
	buf[10] = buf[11] = 0;
	uint16_t c = cksum_fold(cksum_add(0, buf, 64));
	buf[10] = (uint8_t)(c >> 8);
	buf[11] = (uint8_t)c;
	assert_int_equal(cksum_fold(cksum_add(0, buf, 64)), 0);
}

static void test_pseudo(void **state)
{
	uint8_t ph[12] = { 10, 0, 2, 15, 192, 168, 1, 1, 0, 17, 0x01, 0x00 };

	(void)state;
	assert_int_equal(cksum_fold(cksum_pseudo(NET_IP4(10, 0, 2, 15),
						 NET_IP4(192, 168, 1, 1), 17, 256)),
			 naive(ph, sizeof(ph)));
}

static void test_parse_ip4(void **state)
{
	static const char *bad[] = {
		"", "1", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
		" 1.2.3.4", "1.2.3.4 ", "1..2.3", "01.2.3.4", "1.2.3.04", "a.b.c.d",
		"1.2.3.-4", "1.2.3.4x", "99999999999.1.1.1", "1.2.3.1000", "0x1.2.3.4",
		"1,2,3,4", ".1.2.3",
	};
	net_ip4 ip = 7;

	(void)state;
	assert_int_equal(net_parse_ip4("10.0.2.15", &ip), 0);
	assert_int_equal(ip, NET_IP4(10, 0, 2, 15));
	assert_int_equal(net_parse_ip4("255.255.255.255", &ip), 0);
	assert_int_equal(ip, 0xffffffffu);
	assert_int_equal(net_parse_ip4("0.0.0.0", &ip), 0);
	assert_int_equal(ip, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip = 7;
		assert_int_equal(net_parse_ip4(bad[i], &ip), B_EINVAL);
		assert_int_equal(ip, 7);
	}
	assert_int_equal(net_parse_ip4(NULL, &ip), B_EINVAL);
}

static void test_format_ip4(void **state)
{
	char buf[16];
	net_ip4 back;

	(void)state;
	assert_int_equal(net_format_ip4(NET_IP4(10, 0, 2, 15), buf), 9);
	assert_string_equal(buf, "10.0.2.15");
	assert_int_equal(net_format_ip4(0xffffffffu, buf), 15);
	assert_string_equal(buf, "255.255.255.255");
	assert_int_equal(net_format_ip4(0, buf), 7);
	assert_string_equal(buf, "0.0.0.0");
	for (uint32_t x = 1; x < 0xff000000u; x = x * 3 + 101) {
		net_format_ip4(x, buf);
		assert_int_equal(net_parse_ip4(buf, &back), 0);
		assert_int_equal(back, x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_lengths_and_alignments),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_pseudo),
		cmocka_unit_test(test_parse_ip4),
		cmocka_unit_test(test_format_ip4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
