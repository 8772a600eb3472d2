/*
 * The check lines: each check prints "blktest: NAME ok" or "blktest: NAME
 * FAIL: why", where why is the note the failing path wrote (what a call
 * returned and what was wanted, which word of which sector was wrong).
 */
#include <pith/error.h>
#include "../common/out.h"
#include "blktest.h"

int failures;

/* A line being built: the failure note of the current check, a name. */
struct text {
	char s[240];
	unsigned len;
};

static struct text note;

static void text_str(struct text *t, const char *s)
{
	while (*s && t->len < sizeof(t->s) - 1)
		t->s[t->len++] = *s++;
	t->s[t->len] = 0;
}

static void text_u64(struct text *t, uint64_t v)
{
	char d[21];
	int i = sizeof(d) - 1;

	d[i] = 0;
	do {
		d[--i] = (char)('0' + v % 10);
	} while (v /= 10);
	text_str(t, d + i);
}

void why_str(const char *s)
{
	text_str(&note, s);
}

void why_u64(uint64_t v)
{
	text_u64(&note, v);
}

void why_hex(uint64_t v)
{
	char d[19] = "0x";

	for (int i = 0; i < 16; i++)
		d[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	d[18] = 0;
	why_str(d);
}

static const char *err_name(long r)
{
	switch (r) {
	case B_EIO: return "B_EIO";
	case B_EAGAIN: return "B_EAGAIN";
	case B_ENOMEM: return "B_ENOMEM";
	case B_EFAULT: return "B_EFAULT";
	case B_ENODEV: return "B_ENODEV";
	case B_EINVAL: return "B_EINVAL";
	case B_EROFS: return "B_EROFS";
	case B_ERANGE: return "B_ERANGE";
	case B_EDEADLK: return "B_EDEADLK";
	default: return 0;
	}
}

void why_result(long r)
{
	if (r < 0 && err_name(r)) {
		why_str(err_name(r));
	} else if (r < 0) {
		why_str("-");
		why_u64(-(uint64_t)r);
	} else {
		why_u64((uint64_t)r);
	}
}

/* Prints the check's line; a failure carries the note made since the last
 * check. Clears the note either way. */
void check(const char *name, bool ok)
{
	out_str("blktest: ");
	out_str(name);
	if (ok) {
		out_str(" ok\n");
	} else {
		while (note.len && (note.s[note.len - 1] == ' ' || note.s[note.len - 1] == ';'))
			note.s[--note.len] = 0;		/* the last "; " */
		out_str(" FAIL: ");
		out_str(note.len ? note.s : "(no detail)");
		out_str("\n");
		failures++;
	}
	note.len = 0;
	note.s[0] = 0;
}

/* True if r is want; otherwise notes "call returned r, want want". */
bool expect(const char *call, long r, long want)
{
	if (r == want)
		return true;
	why_str(call);
	why_str(" returned ");
	why_result(r);
	why_str(", want ");
	why_result(want);
	why_str("; ");
	return false;
}

/* expect() for calls where either of two codes is right. */
bool expect2(const char *call, long r, long want, long or_want)
{
	if (r == want || r == or_want)
		return true;
	expect(call, r, want);
	why_str("or ");
	why_result(or_want);
	why_str("; ");
	return false;
}

/* A check name with a number or two in it: "read-multi-65", "write-7:3". */
const char *named(const char *prefix, uint64_t a, const char *sep, uint64_t b)
{
	static struct text name;

	name.len = 0;
	text_str(&name, prefix);
	text_u64(&name, a);
	if (sep) {
		text_str(&name, sep);
		text_u64(&name, b);
	}
	return name.s;
}
