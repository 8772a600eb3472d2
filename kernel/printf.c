/*
 * The kernel's formatter. One pass over the format; each conversion turns
 * its argument into digits or a string, then one routine pads and emits it.
 */
#include <stdint.h>
#include <stdbool.h>
#include "printf.h"

#define FIELD_MAX	4096	/* widths and precisions are capped: no overflow */

struct spec {
	bool left;		/* '-': pad on the right */
	bool alt;		/* '#': 0x before hex digits */
	bool zero;		/* '0': pad numbers with zeros */
	int width;
	int prec;		/* -1: none */
	int len;		/* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

struct out {
	void (*put)(void *ctx, char c);
	void *ctx;
	int n;
};

static void emit(struct out *o, char c)
{
	o->put(o->ctx, c);
	o->n++;
}

/* prefix is a sign or "0x"; zeros are a precision's leading zeros. Zero
 * padding from the '0' flag goes between the prefix and the digits too. */
static void emit_padded(struct out *o, const struct spec *s, const char *prefix,
			int zeros, const char *body, int len)
{
	int plen = 0, pad;
	bool zero_fill = s->zero && !s->left;

	while (prefix[plen])
		plen++;
	pad = s->width - len - plen - zeros;
	for (; !zero_fill && !s->left && pad > 0; pad--)
		emit(o, ' ');
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	for (; zero_fill && pad > 0; pad--)
		emit(o, '0');
	for (; zeros > 0; zeros--)
		emit(o, '0');
	for (int i = 0; i < len; i++)
		emit(o, body[i]);
	for (; pad > 0; pad--)
		emit(o, ' ');
}

static uint64_t take_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 2: return va_arg(*ap, unsigned long long);
	case 1: return va_arg(*ap, unsigned long);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t take_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 2: return va_arg(*ap, long long);
	case 1: return va_arg(*ap, long);
	case -1: return (short)va_arg(*ap, int);
	case -2: return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static void emit_number(struct out *o, struct spec *s, uint64_t v,
			unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = sizeof(buf), len;

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	len = sizeof(buf) - i;
	if (s->prec >= 0)
		s->zero = false;
	emit_padded(o, s, prefix, s->prec > len ? s->prec - len : 0, buf + i, len);
}

static void emit_string(struct out *o, struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->prec < 0 || len < s->prec))
		len++;
	s->zero = false;
	emit_padded(o, s, "", 0, str, len);
}

/* Reads flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '#')
			s->alt = true;
		else if (*f == '0')
			s->zero = true;
		else
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);
		if (w < 0) {
			s->left = true;
			w = w < -FIELD_MAX ? FIELD_MAX : -w;	/* -INT_MIN overflows */
		}
		s->width = w;
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		if (s->width < FIELD_MAX)
			s->width = s->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);	/* negative: as if none, as in C */
			s->prec = s->prec < 0 ? -1 : s->prec > FIELD_MAX ? FIELD_MAX : s->prec;
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			if (s->prec < FIELD_MAX)
				s->prec = s->prec * 10 + (*f - '0');
	}
	for (;; f++) {
		if (*f == 'l' || *f == 'z')
			s->len = s->len >= 1 ? 2 : 1;
		else if (*f == 'h')
			s->len = s->len <= -1 ? -2 : -1;
		else
			return f;
	}
}

static void convert(struct out *o, struct spec *s, char c, va_list *ap)
{
	int64_t sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = take_signed(s, ap);
		emit_number(o, s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10,
			    false, sv < 0 ? "-" : "");
		break;
	case 'u':
		emit_number(o, s, take_unsigned(s, ap), 10, false, "");
		break;
	case 'x':
	case 'X':
		emit_number(o, s, take_unsigned(s, ap), 16, c == 'X', s->alt ? "0x" : "");
		break;
	case 'p':
		s->len = 1;
		emit_number(o, s, take_unsigned(s, ap), 16, false, "0x");
		break;
	case 's':
		emit_string(o, s, va_arg(*ap, const char *));
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		emit_padded(o, s, "", 0, &ch, 1);
		break;
	default:	/* '%%' and unknown conversions print themselves */
		emit(o, c);
	}
}

int kvformat(void (*put)(void *ctx, char c), void *ctx, const char *fmt, va_list ap)
{
	struct out o = { put, ctx, 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			emit(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &s, &args);
		if (!*f)
			break;
		convert(&o, &s, *f, &args);
	}
	va_end(args);
	return o.n;
}

struct bufout {
	char *buf;
	size_t size, used;
};

static void put_buf(void *ctx, char c)
{
	struct bufout *b = ctx;
	if (b->used + 1 < b->size)
		b->buf[b->used++] = c;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct bufout b = { buf, size, 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvformat(put_buf, &b, fmt, ap);
	va_end(ap);
	if (size)
		buf[b.used] = '\0';
	return n;
}
