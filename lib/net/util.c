/*
 * Dotted-quad IPv4 addresses (RFC 1123 §2.1's "#.#.#.#"): exactly four
 * decimal parts 0..255 separated by dots, nothing before or after. We do
 * not take inet_aton's shorthand ("10.1", hex, octal): a leading zero is
 * allowed only as the whole part ("0"), so "010" cannot mean 8.
 */
#include "net_impl.h"

#define PART_DIGITS	3

/* One part at *s: its value, *s moved past it; -1 if malformed. */
static int parse_part(const char **s)
{
	const char *p = *s;
	int v = 0, k = 0;

	while (k < PART_DIGITS && p[k] >= '0' && p[k] <= '9') {
		v = v * 10 + (p[k] - '0');
		k++;
	}
	if (k == 0 || (k > 1 && p[0] == '0') || v > 255 || (p[k] >= '0' && p[k] <= '9'))
		return -1;
	*s = p + k;
	return v;
}

int net_parse_ip4(const char *s, net_ip4 *out)
{
	net_ip4 ip = 0;

	if (!s || !out)
		return B_EINVAL;
	for (int i = 0; i < 4; i++) {
		int v = parse_part(&s);

		if (v < 0 || *s != (i < 3 ? '.' : '\0'))
			return B_EINVAL;
		ip = ip << 8 | (net_ip4)v;
		s++;
	}
	*out = ip;
	return 0;
}

static int put_dec(char *buf, unsigned v)
{
	int k = 0;

	if (v >= 100)
		buf[k++] = (char)('0' + v / 100);
	if (v >= 10)
		buf[k++] = (char)('0' + v / 10 % 10);
	buf[k++] = (char)('0' + v % 10);
	return k;
}

int net_format_ip4(net_ip4 ip, char *buf)
{
	int k = 0;

	for (int i = 3; i >= 0; i--) {
		k += put_dec(buf + k, (ip >> (8 * i)) & 0xff);
		if (i)
			buf[k++] = '.';
	}
	buf[k] = '\0';
	return k;
}
