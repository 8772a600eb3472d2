/*
 * The site httpd serves: drive 0's files named www/NAME (served as /NAME),
 * read into RAM once at start so responses come straight from memory; or
 * the compiled-in site (site_demo: apps/httpd/site, site_bench: the
 * benchmark's 612-byte page), which tools/mksite.py generates.
 */
#include <pith/file.h>
#include "httpd.h"

#define WWW_PREFIX	"www/"
#define WWW_PREFIX_LEN	4
#define SITE_FILES_MAX	64		/* a BMFS directory's records */

extern const struct http_site site_demo, site_bench;

static bool is_www(const char *name)
{
	return __builtin_memcmp(name, WWW_PREFIX, WWW_PREFIX_LEN) == 0 && name[WWW_PREFIX_LEN];
}

/* Reads one www/ file into RAM as an http_file. */
static int load_file(struct http_file *f, const struct b_file_info *fi, struct arena *a)
{
	size_t name_len = str_len(fi->name) - WWW_PREFIX_LEN;
	char *path = arena_take(a, name_len + 2);
	uint8_t *data = arena_take(a, fi->size ? fi->size : 1);
	char *etag = arena_take(a, HTTP_ETAG_MAX);

	if (!path || !data || !etag)
		return B_ENOMEM;
	path[0] = '/';
	__builtin_memcpy(path + 1, fi->name + WWW_PREFIX_LEN, name_len + 1);
	long got = b_file_read(fi->name, data, fi->size, 0, 0);
	if (got < 0)
		return (int)got;
	if ((uint64_t)got != fi->size)
		return B_EIO;
	http_etag(data, fi->size, etag);
	*f = (struct http_file){ .path = path, .data = data, .len = fi->size, .etag = etag };
	return 0;
}

static long load_disk(struct http_site *site, struct arena *a)
{
	struct http_file *files = arena_take(a, SITE_FILES_MAX * sizeof *files);
	struct b_file_info fi;
	unsigned cursor = 0;
	size_t count = 0;
	int r;

	if (!files)
		return B_ENOMEM;
	while ((r = b_file_list(&cursor, &fi, 0)) == 1 && count < SITE_FILES_MAX) {
		if (!is_www(fi.name))
			continue;
		int e = load_file(&files[count], &fi, a);
		if (e < 0)
			return e;
		count++;
	}
	if (r < 0)
		return r;
	site->files = files;
	site->count = count;
	return (long)count;
}

static bool disk_has_site(void)
{
	struct b_file_info fi;

	return b_file_stat(WWW_PREFIX "index.html", &fi, 0) == 0;
}

long site_load(struct http_site *site, const char *which, struct arena *a)
{
	bool is = which && str_eq(which, "disk");

	if (is || (!which && disk_has_site()))
		return load_disk(site, a);
	*site = which && str_eq(which, "bench") ? site_bench : site_demo;
	return (long)site->count;
}
