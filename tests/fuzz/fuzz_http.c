/*
 * lib/http's connection on arbitrary bytes: the input's first 8 bytes seed
 * a generator that picks how the rest is split into reads, how much the
 * transport takes each round (often nothing), and how far the clock moves
 * between reads; the rest is the request stream.
 *
 * Oracles besides the sanitizers: input never claims more bytes than it
 * was given; every response stream starts "HTTP/1.1 "; the bytes the
 * server counts are the bytes the transport took; the connection ends up
 * closed within a bounded number of steps once the peer stops and the
 * clock runs; and afterwards a fresh connection on the same server still
 * gets 200 for a plain GET.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

struct io {
	uint64_t budget;	/* bytes the transport takes this round */
	uint64_t taken;
	char first[10];		/* the stream's first bytes */
};

static long io_write(void *ctx, const void *p, size_t n, bool more)
{
	struct io *io = ctx;
	size_t k = n < io->budget ? n : (size_t)io->budget;

	(void)more;
	for (size_t i = 0; i < k && io->taken + i < 9; i++)
		io->first[io->taken + i] = ((const char *)p)[i];
	io->budget -= k;
	io->taken += k;
	return (long)k;
}

static uint64_t rng;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint8_t page[] = "<p>fuzz</p>\n";
static const struct http_file files[] = {
	{ "/index.html", page, sizeof(page) - 1, NULL, "\"abc\"" },
	{ "/a/b.css", page, 3, "text/css", NULL },
};
static const struct http_site site = { files, 2 };
static const struct http_route routes[] = {
	{ "/status", http_status_html, NULL },
	{ "/status.json", http_status_json, NULL },
	{ "/1m.bin", http_testfile_1m, NULL },
};

static void setup(struct http_server *s)
{
	struct http_config cfg = {
		.write = io_write, .lookup = http_site_lookup, .site = (void *)&site,
		.routes = routes, .nroutes = 3, .max_requests = 50,
	};

	CHECK(http_server_init(s, &cfg) == 0);
}

static uint64_t pick_budget(void)
{
	switch (next_rand() % 4) {
	case 0:
		return 0;
	case 1:
		return 1 + next_rand() % 8;
	case 2:
		return next_rand() % 4096;
	default:
		return UINT64_MAX;
	}
}

/* Feeds the stream; returns the clock at the end. */
static uint64_t feed(struct http_conn *c, struct io *io, const uint8_t *p, size_t n)
{
	uint64_t now = 0;
	size_t off = 0;

	for (unsigned steps = 0; off < n && steps < 100000; steps++) {
		size_t len = 1 + next_rand() % (next_rand() % 4 ? 16 : 2048);

		if (len > n - off)
			len = n - off;
		now += next_rand() % 4 ? 0 : next_rand() % 3000;
		http_conn_poll(c, now);
		size_t k = http_conn_input(c, p + off, len, now);
		CHECK(k <= len);
		off += k;
		io->budget = pick_budget();
		http_conn_writable(c, now);
		if (http_conn_next(c) != HTTP_NEXT_OPEN)
			break;
	}
	return now;
}

/* The peer stops; the clock runs; the connection must end. */
static void finish(struct http_conn *c, struct io *io, uint64_t now, bool eof)
{
	unsigned rounds = 0;

	if (eof)
		http_conn_eof(c, now);
	while (http_conn_next(c) == HTTP_NEXT_OPEN) {
		io->budget = 65536;
		http_conn_writable(c, now);
		now += 1000;
		http_conn_poll(c, now);
		CHECK(++rounds < 100000);	/* 50 x 1 MiB at 64 KiB a round */
	}
}

static void still_answers(struct http_server *s)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct http_conn *c = malloc(sizeof(*c));
	struct io io = { .budget = UINT64_MAX };

	CHECK(c);
	http_conn_init(c, s, &io, 0);
	CHECK(http_conn_input(c, get, sizeof(get) - 1, 0) == sizeof(get) - 1);
	CHECK(memcmp(io.first, "HTTP/1.1 200", 9) == 0);
	http_conn_fini(c);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_server s;
	struct http_conn *c = malloc(sizeof(*c));
	struct io io = { .budget = UINT64_MAX };
	uint64_t now;

	if (size < 8 || !c) {
		free(c);
		return 0;
	}
	memcpy(&rng, data, 8);
	rng |= 1;
	setup(&s);
	http_conn_init(c, &s, &io, 0);
	now = feed(c, &io, data + 8, size - 8);
	finish(c, &io, now, next_rand() % 2);
	CHECK(io.taken == s.stats.bytes_sent);
	CHECK(io.taken == 0 || io.taken < 9 || memcmp(io.first, "HTTP/1.1 ", 9) == 0);
	http_conn_fini(c);
	free(c);
	CHECK(s.stats.conns_open == 0);
	still_answers(&s);
	return 0;
}
