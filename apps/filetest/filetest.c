/*
 * filetest [DRIVE]: the file calls from a program. Creates a file,
 * writes a pattern at two offsets, reads it back, checks the size, the
 * listing and the errors for a duplicate and a missing file, then deletes
 * it. One line per check ("ok ..." or "FAIL ..."); the exit code is the
 * number of failures. Needs a drive holding a BMFS (`make image`).
 */
#include <stdint.h>
#include <pith/file.h>
#include "../common/out.h"

#define NAME	"filetest.tmp"
#define LEN	10000			/* crosses a sector boundary, not a whole one */

static uint8_t wbuf[LEN], rbuf[LEN];
static const uint8_t zeros[100];
static int failures;

static void check(int ok, const char *what, long got)
{
	out_str(ok ? "ok   " : "FAIL ");
	out_str(what);
	if (!ok) {
		out_str(": got ");
		out_i64(got);
	}
	out_str("\n");
	failures += !ok;
}

/* Whether the directory lists name. */
static int listed(const char *name, unsigned drive)
{
	struct b_file_info fi;
	unsigned cursor = 0;

	while (b_file_list(&cursor, &fi, drive) == 1) {
		int i = 0;
		while (name[i] && fi.name[i] == name[i])
			i++;
		if (name[i] == 0 && fi.name[i] == 0)
			return 1;
	}
	return 0;
}

static int same(const uint8_t *a, const uint8_t *b, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned drive = argc > 1 ? (unsigned)(argv[1][0] - '0') : 0;
	struct b_file_info fi = { 0 };
	long r;

	for (unsigned i = 0; i < LEN; i++)
		wbuf[i] = (uint8_t)(i * 7 + i / 256);
	b_file_delete(NAME, drive);		/* left over from a failed run */

	r = b_file_create(NAME, 3 * 1024 * 1024, drive);
	check(r == 0, "create " NAME, r);
	r = b_file_create(NAME, 1, drive);
	check(r == B_EEXIST, "create again: B_EEXIST", r);
	check(listed(NAME, drive), "listed", 0);
	r = b_file_write(NAME, wbuf, LEN, 0, drive);
	check(r == LEN, "write 10000 bytes at 0", r);
	r = b_file_write(NAME, wbuf, LEN, 2 * 1024 * 1024 - 100, drive);
	check(r == LEN, "write 10000 bytes across the first 2 MiB block", r);
	r = b_file_stat(NAME, &fi, drive);
	check(r == 0 && fi.size == 2 * 1024 * 1024 - 100 + LEN, "size", (long)fi.size);
	check(fi.reserved >= 3 * 1024 * 1024, "reserved", (long)fi.reserved);
	r = b_file_read(NAME, rbuf, LEN, 0, drive);
	check(r == LEN && same(wbuf, rbuf, LEN), "read back at 0", r);
	r = b_file_read(NAME, rbuf, LEN, 2 * 1024 * 1024 - 100, drive);
	check(r == LEN && same(wbuf, rbuf, LEN), "read back across the block", r);
	r = b_file_read(NAME, rbuf, 100, 4000, drive);
	check(r == 100 && same(wbuf + 4000, rbuf, 100), "read 100 at 4000", r);
	r = b_file_read(NAME, rbuf, 100, 1024 * 1024, drive);
	check(r == 100 && same(rbuf, zeros, 100), "the gap reads as zeros", r);
	r = b_file_delete(NAME, drive);
	check(r == 0, "delete", r);
	check(!listed(NAME, drive), "gone from the listing", 0);
	r = b_file_read(NAME, rbuf, 1, 0, drive);
	check(r == B_ENOENT, "read after delete: B_ENOENT", r);

	out_str("filetest: ");
	out_u64(failures);
	out_str(" failed\n");
	return failures;
}
