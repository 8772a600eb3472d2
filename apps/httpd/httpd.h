/*
 * httpd: the web server, lib/http over lib/net's TCP on a Pith NIC.
 * main.c parses the arguments, plans memory and runs the loop; site.c
 * finds the files (a BMFS disk's www/ files, or the compiled-in site);
 * conn.c glues each TCP connection to an HTTP connection; status.c fills
 * the /status page.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <http/http.h>
#include <net/net.h>
#include <net/port_pith.h>

/* A bump allocator over the program's heap: httpd's memory is planned at
 * start and never freed. */
struct arena {
	uint8_t *next;
	size_t left;
};
/* 16-aligned, not zeroed (zeroing tens of MiB of buffers at start cost a
 * third of a second under TCG); NULL when out. */
void *arena_take(struct arena *a, size_t bytes);

/* Strings without a libc (a loaded program has none). */
static inline size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
static inline bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* site.c: fills *site from drive 0's files named www/NAME (site=disk), or the
 * compiled-in site ("demo" or "bench"). Returns the file count, or a
 * negative error for a disk that cannot be read. */
long site_load(struct http_site *site, const char *which, struct arena *a);

/* One stack with its HTTP server and connection slots. With cores=N the
 * server runs N of them on one NIC, each owning the TCP connections its
 * flow hash picks (lib/net/port_pith.h, docs/NETWORK.md "Cores"). */
struct slot;
struct shard {
	struct pith_net pn;
	struct http_server srv;
	struct slot *slots, *free_list;
	unsigned nslots, nopen;
	uint64_t next_deadline;		/* earliest HTTP timeout of its slots */
};

/* conn.c */
int conns_alloc(struct shard *sh, unsigned count, struct arena *a);
/* lib/http's transport (struct http_config's write). */
long conn_write(void *io, const void *p, size_t n, bool more);
int conns_listen(struct shard *sh, uint16_t port, unsigned backlog);
/* HTTP timeouts, cheap when none is due; returns when next to call (ms). */
uint64_t conns_timers(struct shard *sh, uint64_t now_ms);

/* status.c */
void status_fill(void *ctx, struct http_status_info *info);
void status_init(struct shard *shards, unsigned n, uint64_t heap_bytes, uint64_t heap_used);

#endif
