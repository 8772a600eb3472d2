/*
 * From a request-target to the path of a file in the site.
 *
 * The target is origin-form ("/a/b", RFC 9112 §3.2.1) or absolute-form
 * ("http://host/a/b", §3.2.2, which a server MUST accept: we keep its
 * path). The query was already dropped by the parser. Then, in this
 * order, so no encoding can smuggle a ".." past the check:
 *   1. percent-decode (RFC 3986 §2.1): '%' not followed by two hex digits
 *      -> 400; a decoded NUL or other control -> 400; "%2f" becomes '/'
 *   2. remove dot segments and empty segments (RFC 3986 §5.2.4), except
 *      that a ".." above the root is refused (400) rather than dropped
 *   3. a path naming a directory ("/", "/docs/", ".../.") gets
 *      "index.html" appended
 * The result is what the site's lookup sees: it starts with '/', has no
 * "." or ".." segment, no "//", no NUL, and cannot leave the site.
 */
#include "http_impl.h"

#define INDEX		"index.html"
#define INDEX_LEN	10

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)(ch | 0x20);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static bool starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = http_str_len(prefix, 16);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != prefix[i])
			return false;
	return true;
}

/* absolute-form: skips "http://authority"; the path left may be empty. */
static int skip_scheme(const char **t, size_t *len)
{
	size_t skip;

	if (starts_with_ci(*t, *len, "http://"))
		skip = 7;
	else if (starts_with_ci(*t, *len, "https://"))
		skip = 8;
	else
		return 400;	/* asterisk-form, authority-form, junk */
	while (skip < *len && (*t)[skip] != '/')
		skip++;
	*t += skip;
	*len -= skip;
	return 0;
}

/* Step 1: decodes t into out as '/' + path; *n its length. */
static int decode(const char *t, size_t len, char *out, size_t room, size_t *n)
{
	size_t w = 0;

	out[w++] = '/';
	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)t[i];

		if (ch == '%') {
			if (len - i < 3)
				return 400;
			int hi = hex_value(t[i + 1]);
			int lo = hex_value(t[i + 2]);

			if (hi < 0 || lo < 0)
				return 400;
			ch = hi << 4 | lo;
			i += 2;
		}
		if (ch < 0x20 || ch == 0x7f)
			return 400;	/* %00 and other controls */
		if (w >= room)
			return 414;
		out[w++] = (char)ch;
	}
	*n = w;
	return 0;
}

/* Step 2 and 3, in place: w never passes the segment being read. */
static int normalize(char *out, size_t n, size_t *out_len)
{
	size_t w = 0, i = 0;
	bool dir = true;

	while (i < n) {
		while (i < n && out[i] == '/')
			i++;
		size_t s = i;
		while (i < n && out[i] != '/')
			i++;
		size_t len = i - s;

		if (len == 0 || (len == 1 && out[s] == '.')) {
			dir = true;
		} else if (len == 2 && out[s] == '.' && out[s + 1] == '.') {
			if (w == 0)
				return 400;	/* above the root */
			do
				w--;
			while (w > 0 && out[w] != '/');
			dir = true;
		} else {
			out[w++] = '/';
			for (size_t k = 0; k < len; k++)
				out[w++] = out[s + k];
			dir = false;
		}
	}
	if (dir) {
		out[w++] = '/';
		copy_mem(out + w, INDEX, INDEX_LEN);
		w += INDEX_LEN;
	}
	out[w] = '\0';
	*out_len = w;
	return 0;
}

/*
 * Cleans target[0..len) into out (cap bytes). Returns 0 with *out_len set
 * and out NUL-terminated, 400 for a target we refuse, 414 when the path
 * does not fit.
 */
int http_path_clean(const char *target, size_t len, char *out, size_t cap, size_t *out_len)
{
	size_t n;
	int err;

	if (cap < INDEX_LEN + 3)
		return 414;
	if (len == 0 || target[0] != '/') {
		err = skip_scheme(&target, &len);
		if (err)
			return err;
	}
	if (len > 0 && target[0] == '/') {
		target++;
		len--;
	}
	/* Room for "/index.html" appended and the NUL. */
	err = decode(target, len, out, cap - INDEX_LEN - 2, &n);
	if (err)
		return err;
	return normalize(out, n, out_len);
}
