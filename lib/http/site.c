/*
 * A site as a table of files (struct http_site), as tools/mksite.py
 * compiles one in or an app builds one from files loaded into RAM, and
 * the entity-tags (RFC 9110 §8.8.3) both give their files.
 *
 * The tag is a hash of the bytes, so it changes when they do and is the
 * same wherever the same file is served from: '"' + 16 lowercase hex
 * digits of the 64-bit FNV-1a hash + '"'. tools/mksite.py computes the
 * same; a test checks a known value.
 */
#include "http_impl.h"
#include <pith/error.h>

#define FNV64_OFFSET	0xcbf29ce484222325ull	/* FNV-1a, 64-bit parameters */
#define FNV64_PRIME	0x100000001b3ull

/* Linear: sites are a handful of files. Returns 0 or B_ENOENT. */
int http_site_lookup(void *site, const char *path, size_t len, struct http_file *out)
{
	const struct http_site *s = site;

	for (size_t i = 0; i < s->count; i++) {
		const struct http_file *f = &s->files[i];

		if (http_str_len(f->path, len + 1) == len && same_mem(f->path, path, len)) {
			*out = *f;
			return 0;
		}
	}
	return B_ENOENT;
}

void http_etag(const void *data, size_t len, char out[HTTP_ETAG_MAX])
{
	const uint8_t *p = data;
	uint64_t h = FNV64_OFFSET;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	out[0] = '"';
	for (int i = 0; i < 16; i++)
		out[1 + i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 0xf];
	out[17] = '"';
	out[18] = '\0';
}
