/*
 * Console output for the sample programs until the C library arrives
 * (newlib, issue "C, C++ and Rust programs"): strings, decimal numbers and
 * fixed-point values, each written whole with one b_output call per piece.
 */
#ifndef APPS_OUT_H
#define APPS_OUT_H

#include <stdint.h>
#include <pith/console.h>

static inline void out_str(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	b_output(s, n);
}

static inline void out_u64(uint64_t v)
{
	char buf[21];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	b_output(buf + i, sizeof(buf) - i);
}

static inline void out_i64(int64_t v)
{
	if (v < 0) {
		out_str("-");
		out_u64(-(uint64_t)v);
	} else {
		out_u64((uint64_t)v);
	}
}

/* v / scale with `digits` decimals, e.g. out_fixed(1234, 1000, 2) = "1.23". */
static inline void out_fixed(uint64_t v, uint64_t scale, int digits)
{
	uint64_t frac = v % scale;

	out_u64(v / scale);
	out_str(".");
	for (int i = 0; i < digits; i++) {
		frac *= 10;
		out_u64(frac / scale % 10);
	}
}

/* "name" then v: one "key=value"-style field of a result line. */
static inline void out_field(const char *name, uint64_t v)
{
	out_str(name);
	out_u64(v);
}

/* argv[i] as a decimal number, or dflt when it is missing or not one. */
static inline uint64_t arg_u64(int argc, char **argv, int i, uint64_t dflt)
{
	uint64_t v = 0;

	if (i >= argc || !argv[i][0])
		return dflt;
	for (const char *s = argv[i]; *s; s++) {
		if (*s < '0' || *s > '9')
			return dflt;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

#endif
