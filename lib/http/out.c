/*
 * A bounded writer for response heads and the status page: appends
 * strings and numbers into a fixed buffer and, rather than overflow,
 * marks itself full and ignores the rest. Callers check o->full once at
 * the end. (No snprintf here: lib/http is freestanding.)
 */
#include "http_impl.h"

void http_out_init(struct http_out *o, void *buf, size_t cap)
{
	o->p = buf;
	o->cap = cap;
	o->len = 0;
	o->full = false;
}

void http_out_mem(struct http_out *o, const void *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	copy_mem(o->p + o->len, s, n);
	o->len += n;
}

/* The length of s, at most max (a cap, so a missing NUL cannot run on). */
size_t http_str_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Strings we put in output are ours or the app's; none is near 64 KiB. */
void http_out_str(struct http_out *o, const char *s)
{
	http_out_mem(o, s, http_str_len(s, 65536));
}

/* Decimal, at least width digits (zero-padded). */
void http_out_u64_width(struct http_out *o, uint64_t v, unsigned width)
{
	char d[20];
	unsigned n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width && n < sizeof(d))
		d[sizeof(d) - 1 - n++] = '0';
	http_out_mem(o, d + sizeof(d) - n, n);
}

void http_out_u64(struct http_out *o, uint64_t v)
{
	http_out_u64_width(o, v, 1);
}
