/*
 * Content types by file extension (RFC 9110 §8.3), case-insensitive.
 * Text types say their charset: the site's files are UTF-8.
 *
 * tools/mksite.py reads this table (one entry a line, as below) so the
 * compiled-in site and a site from disk get the same types.
 */
#include "http_impl.h"

#define MIME_DEFAULT	"application/octet-stream"
#define EXT_MAX		8	/* the longest extension below, "woff2", fits */

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/x-icon" },
	{ "wasm", "application/wasm" },
	{ "woff2", "font/woff2" },
	{ "pdf", "application/pdf" },
	{ "bin", "application/octet-stream" },
};

/* The extension: what follows the last '.' of the last segment. */
static size_t extension(const char *path, size_t len, const char **ext)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '.' && path[i - 1] != '/')
		i--;
	if (i == 0 || path[i - 1] != '.')
		return 0;
	*ext = path + i;
	return len - i;
}

static bool same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x | 0x20);
		if (x != y)
			return false;
	}
	return true;
}

const char *http_mime_type(const char *path, size_t len)
{
	const char *ext = NULL;
	size_t n = extension(path, len, &ext);

	if (n == 0 || n > EXT_MAX)
		return MIME_DEFAULT;
	for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (http_str_len(mime_types[i].ext, EXT_MAX + 1) == n &&
		    same_ci(ext, mime_types[i].ext, n))
			return mime_types[i].type;
	return MIME_DEFAULT;
}
