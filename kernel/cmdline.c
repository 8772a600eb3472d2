/* Command-line words; see cmdline.h. */
#include "cmdline.h"
#include "string.h"

/* Finds the next word at or after *p; returns its length (0 at the end). */
static size_t next_word(const char **p)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s;
	return n;
}

static size_t key_len(const char *w, size_t n)
{
	size_t k = 0;
	while (k < n && w[k] != '=')
		k++;
	return k;
}

static const char *find(const char *cmdline, const char *key, size_t *wlen)
{
	size_t klen = strlen(key), n;

	for (const char *p = cmdline; (n = next_word(&p)) != 0; p += n) {
		if (key_len(p, n) == klen && !strncmp(p, key, klen)) {
			*wlen = n;
			return p;
		}
	}
	return NULL;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	size_t n;
	return find(cmdline, key, &n) != NULL;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t n, klen = strlen(key), vlen;
	const char *w = find(cmdline, key, &n);

	if (!w || n == klen || size == 0)
		return false;	/* absent, or a bare key with no value */
	vlen = n - klen - 1;
	if (vlen > size - 1)
		vlen = size - 1;
	memcpy(buf, w + klen + 1, vlen);
	buf[vlen] = '\0';
	return true;
}

void cmdline_check(const char *cmdline, const char *const known[],
		   void (*unknown)(const char *word, size_t len))
{
	size_t n;

	for (const char *p = cmdline; (n = next_word(&p)) != 0; p += n) {
		size_t k = key_len(p, n), i;
		for (i = 0; known[i]; i++)
			if (strlen(known[i]) == k && !strncmp(p, known[i], k))
				break;
		if (!known[i])
			unknown(p, n);
	}
}
