/*
 * Output and parsing for the Monitor, without a libc: strings, decimal and
 * hex numbers, byte counts, error names; numbers typed as decimal or 0x hex.
 * Each out_* is one b_output call.
 */
#include <pith/console.h>
#include <pith/error.h>
#include "monitor.h"
#include "../common/out.h"

static const struct {
	long code;
	const char *name, *text;
} errors[] = {
	{ B_ENOENT, "ENOENT", "no such file" },
	{ B_EIO, "EIO", "the device reported an error" },
	{ B_ENOEXEC, "ENOEXEC", "not a program Pith can load" },
	{ B_EAGAIN, "EAGAIN", "busy, try again" },
	{ B_ENOMEM, "ENOMEM", "too large for the program area" },
	{ B_EFAULT, "EFAULT", "bad address" },
	{ B_EBUSY, "EBUSY", "busy: a program is running" },
	{ B_EEXIST, "EEXIST", "the file exists" },
	{ B_ENODEV, "ENODEV", "no such drive or device" },
	{ B_EINVAL, "EINVAL", "invalid argument" },
	{ B_ENOSPC, "ENOSPC", "no space" },
	{ B_EROFS, "EROFS", "the drive is read-only" },
	{ B_ERANGE, "ERANGE", "out of range" },
	{ B_EDEADLK, "EDEADLK", "it would wait for itself" },
	{ B_ENAMETOOLONG, "ENAMETOOLONG", "name too long" },
	{ B_ECORRUPT, "ECORRUPT", "no valid BMFS on the drive" },
	{ B_EFAULTED, "EFAULTED", "the program faulted" },
};

void out_s(const char *s)
{
	b_output(s, str_len(s));
}

void out_nl(void)
{
	b_output("\n", 1);
}

void out_u(uint64_t v)
{
	out_u64(v);	/* apps/common/out.h: the samples' one decimal printer */
}

void out_pad(uint64_t v, unsigned width)
{
	uint64_t t = v;
	unsigned digits = 1;

	while (t >= 10) {
		t /= 10;
		digits++;
	}
	if (width > digits)
		out_chars(' ', width - digits);
	out_u(v);
}

void fmt_hex(char *dst, uint64_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		dst[i] = "0123456789abcdef"[v & 15];
}

void out_hex(uint64_t v)
{
	char buf[18] = "0x";
	int digits = 1;

	while (digits < 16 && v >> (4 * digits))
		digits++;
	fmt_hex(buf + 2, v, digits);
	b_output(buf, 2 + digits);
}

void out_bytes(uint64_t bytes)
{
	if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0) {
		out_u(bytes >> 20);
		out_s(" MiB");
	} else if (bytes >= (1ull << 20)) {
		out_u(bytes >> 20);
		out_s(" MiB (");
		out_u(bytes);
		out_s(" bytes)");
	} else if (bytes >= 1024 && bytes % 1024 == 0) {
		out_u(bytes >> 10);
		out_s(" KiB");
	} else {
		out_u(bytes);
		out_s(" bytes");
	}
}

void out_chars(char c, unsigned n)
{
	char buf[32];

	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = c;
	for (; n > sizeof(buf); n -= sizeof(buf))
		b_output(buf, sizeof(buf));
	b_output(buf, n);
}

void out_err(long err)
{
	for (unsigned i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (errors[i].code == err) {
			out_s(errors[i].text);
			out_s(" (");
			out_s(errors[i].name);
			out_s(")");
			return;
		}
	}
	out_s("error -");
	out_u((uint64_t)-err);
}

void usage(const char *text)
{
	out_s("usage: ");
	out_s(text);
	out_nl();
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits of base 10 or 16 (at most 16 hex digits); false on anything else. */
static bool parse_base(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int d;

	if (!*s)
		return false;
	for (; *s; s++) {
		d = hex_digit(*s);
		if (d < 0 || (unsigned)d >= base || v > (max - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_base(s + 2, 16, max, out);
	return parse_base(s, 10, max, out);
}

bool parse_hex(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return parse_base(s, 16, UINT64_MAX, out);
}

bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

unsigned str_len(const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	return n;
}

void str_copy(char *dst, const char *src, unsigned size)
{
	unsigned i = 0;

	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}
