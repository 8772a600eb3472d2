/*
 * fileround [NAME] [BYTES]: a file's round trip through stdio and the
 * BMFS disk. Writes BYTES (default 300000) pseudo-random bytes to NAME
 * (default fileround.dat) with fwrite in uneven pieces, then text lines
 * with fprintf; reads it all back with fread and fgets, compares, checks
 * the size stat() reports, and deletes the file. One line per step;
 * exit code 0 when the bytes came back identical, 1 if not, 2 on an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LINES	20

static unsigned char *pattern(size_t n)
{
	unsigned char *p = malloc(n);
	unsigned x = 12345;

	for (size_t i = 0; p && i < n; i++) {
		x = x * 1103515245 + 12345;	/* a fixed sequence: the same each run */
		p[i] = x >> 16;
	}
	return p;
}

static int fail(const char *what, const char *name)
{
	printf("fileround: %s %s: %s\n", what, name, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "fileround.dat";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 300000;
	unsigned char *out = pattern(n), *in = malloc(n + 1);
	char line[80], want[80];
	size_t done = 0, got;
	struct stat st;
	int bad = 0;
	FILE *f;

	if (!out || !in)
		return fail("malloc", "buffers");
	f = fopen(name, "w");
	if (!f)
		return fail("fopen (write)", name);
	for (size_t piece = 1; done < n; piece = piece * 3 + 7) {
		size_t k = piece < n - done ? piece : n - done;
		if (fwrite(out + done, 1, k, f) != k)
			return fail("fwrite", name);
		done += k;
	}
	for (int i = 0; i < LINES; i++)
		fprintf(f, "line %d of %d: %.3f\n", i, LINES, i / 7.0);
	if (fclose(f))
		return fail("fclose", name);
	printf("fileround: wrote %zu bytes and %d lines to %s\n", n, LINES, name);

	if (stat(name, &st))
		return fail("stat", name);
	f = fopen(name, "r");
	if (!f)
		return fail("fopen (read)", name);
	got = fread(in, 1, n, f);
	bad += got != n || memcmp(in, out, n) != 0;
	for (int i = 0; i < LINES; i++) {
		snprintf(want, sizeof(want), "line %d of %d: %.3f\n", i, LINES, i / 7.0);
		bad += !fgets(line, sizeof(line), f) || strcmp(line, want) != 0;
	}
	bad += fgetc(f) != EOF || !feof(f);
	fclose(f);
	printf("fileround: read back %zu bytes, stat size %lld: %s\n", got,
	       (long long)st.st_size, bad ? "DIFFERENT" : "identical");
	if (remove(name))
		return fail("remove", name);
	printf("fileround: removed %s; fopen again: %s\n", name,
	       fopen(name, "r") ? "still there" : strerror(errno));
	return bad ? 1 : 0;
}
