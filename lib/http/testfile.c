/*
 * /1m.bin: a 1 MiB test file generated on demand, so downloads can be
 * checked byte for byte without storing it. Byte i is
 * ((i * 2654435761) mod 2^32) >> 24 (Knuth's multiplicative hash: every
 * byte value, no short period). Served as a generated body: the server
 * asks for HTTP_BODY_BUF bytes at a time.
 */
#include "http_impl.h"

uint8_t http_testfile_byte(uint64_t i)
{
	return (uint8_t)((uint32_t)(i * 2654435761u) >> 24);
}

static void testfile_gen(void *ctx, uint64_t off, uint8_t *dst, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		dst[i] = http_testfile_byte(off + i);
}

int http_testfile_1m(struct http_server *s, void *ctx, struct http_body *b)
{
	(void)s;
	(void)ctx;
	b->type = "application/octet-stream";
	b->gen = testfile_gen;
	b->gen_ctx = NULL;
	b->gen_len = HTTP_TESTFILE_LEN;
	return 0;
}
