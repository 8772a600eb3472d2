/*
 * path.c on arbitrary request-targets. Oracles: an accepted path starts
 * with '/', fits the buffer with its NUL, and has no "//", no "." or ".."
 * segment and no control byte, so it cannot name anything outside the
 * site; a refusal is 400 or 414.
 */
#include <stdint.h>
#include <string.h>
#include "http_impl.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

static bool has_segment(const char *p, size_t n, const char *seg)
{
	size_t k = strlen(seg);

	for (size_t i = 0; i + 1 + k <= n; i++)
		if (p[i] == '/' && memcmp(p + i + 1, seg, k) == 0 &&
		    (i + 1 + k == n || p[i + 1 + k] == '/'))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[HTTP_PATH_MAX];
	size_t len = 0;
	int st = http_path_clean((const char *)data, size, out, sizeof(out), &len);

	if (st != 0) {
		CHECK(st == 400 || st == 414);
		return 0;
	}
	CHECK(len < sizeof(out) && out[len] == '\0' && out[0] == '/');
	CHECK(strlen(out) == len);
	for (size_t i = 0; i < len; i++)
		CHECK((uint8_t)out[i] >= 0x20 && out[i] != 0x7f);
	CHECK(strstr(out, "//") == NULL);
	CHECK(!has_segment(out, len, "."));
	CHECK(!has_segment(out, len, ".."));
	return 0;
}
