/*
 * The figures /status and /status.json show: cores, uptime, memory, each
 * NIC's counters (b_net_stats), the TCP connections by state and the HTTP
 * counters, both summed over every stack (lib/http fills in the serving
 * stack's own; with several, the sums replace them). Other stacks'
 * counters are read while their cores may be updating them: each figure
 * is a whole aligned word, so a sum may be a moment old, never torn.
 */
#include <pith/net.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "httpd.h"

static struct shard *shards;
static unsigned nshards;
static uint64_t heap_total, heap_used;

void status_init(struct shard *sh, unsigned n, uint64_t heap_bytes, uint64_t used)
{
	shards = sh;
	nshards = n;
	heap_total = heap_bytes;
	heap_used = used;
}

static void fill_nics(struct http_status_info *info)
{
	static const char *const names[B_NET_MAX] = { "eth0", "eth1", "eth2", "eth3" };

	info->nic_count = 0;
	for (unsigned i = 0; i < b_net_count() && i < HTTP_STATUS_NICS; i++) {
		struct b_net_stats st;
		if (b_net_stats(i, &st) < 0)
			continue;
		struct http_status_nic *nic = &info->nics[info->nic_count++];
		nic->name = names[i];
		nic->rx_frames = st.rx_frames;
		nic->tx_frames = st.tx_frames;
		nic->rx_bytes = st.rx_bytes;
		nic->tx_bytes = st.tx_bytes;
		nic->rx_drops = st.rx_drops;
		nic->tx_drops = st.tx_drops;
	}
}

static void sum_stacks(struct http_status_info *info)
{
	unsigned counts[TCP_TIME_WAIT + 1];

	__builtin_memset(info->tcp_states, 0, sizeof info->tcp_states);
	info->requests = info->bytes_sent = info->conns_open = info->conns_total = 0;
	__builtin_memset(info->responses, 0, sizeof info->responses);
	for (unsigned k = 0; k < nshards; k++) {
		const struct http_stats *st = &shards[k].srv.stats;
		tcp_count_states(shards[k].pn.net, counts);
		for (unsigned s = 0; s < HTTP_TCP_STATES && s <= TCP_TIME_WAIT; s++)
			info->tcp_states[s] += counts[s];
		info->requests += st->requests;
		for (unsigned c = 0; c < 5; c++)
			info->responses[c] += st->responses[c];
		info->bytes_sent += st->bytes_sent;
		info->conns_open += st->conns_open;
		info->conns_total += st->conns_total;
	}
}

void status_fill(void *ctx, struct http_status_info *info)
{
	(void)ctx;
	info->name = "Pith httpd";
	info->version = "0.8";
	info->cores = b_smp_numcores();
	info->uptime_ms = b_time_ns() / 1000000;
	info->mem_total = heap_total;
	info->mem_free = heap_total - heap_used;
	fill_nics(info);
	if (shards)
		sum_stacks(info);
}
