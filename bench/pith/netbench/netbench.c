/*
 * Raw Ethernet frames on Pith: the twin of bench/guest/netbench.c (an
 * AF_PACKET socket in Linux), with the same frames (bench/guest/frame.h),
 * the same host peer (bench/netpeer.py) and the same output lines.
 *
 *   netbench SAMPLES BLAST_MS        (the words after "--")
 *
 * - ping-pong: stamp, b_net_tx one frame, poll b_net_rx_zc until the
 *   peer's reflection of that sequence number arrives, stamp. One frame in
 *   flight; lost after FRAME_PING_TIMEOUT_MS, and the ping-pong stops
 *   after FRAME_PING_LOST_MAX losses.
 * - blast: for BLAST_MS, FRAME_BURST frames per b_net_tx_burst (one
 *   notification of the device each), as fast as the ring takes them; the
 *   peer counts what arrives.
 *
 * Interface 0, polled from core 0; the other cores stay idle. The driver's
 * counters follow on a "net pith" line, to see what it dropped.
 */
#include <stdint.h>
#include <pith/app.h>
#include <pith/net.h>
#include <pith/time.h>
#include "../../guest/frame.h"
#include "../../guest/quantum.h"
#include "../../guest/stats.h"
#include "../../../apps/common/out.h"

#define MAX_SAMPLES 100000u

static uint64_t rtt[MAX_SAMPLES];
static uint8_t blast_frame[FRAME_BURST][FRAME_LEN];

/* Sends one frame, retrying while every transmit slot is busy. */
static long tx_one(const uint8_t *f)
{
	long r;

	while ((r = b_net_tx(f, FRAME_LEN, 0)) == B_EAGAIN)
		;
	return r;
}

/* One round trip of ping seq: its ticks, or 0 if it was lost. */
static uint64_t ping(uint8_t *f, uint32_t seq, uint64_t timeout)
{
	uint64_t t0, t1;
	void *in;
	long n;

	frame_set_seq(f, seq);
	t0 = quantum_tsc();
	if (tx_one(f) != FRAME_LEN)
		return 0;
	for (;;) {
		n = b_net_rx_zc(0, &in);
		t1 = quantum_tsc();
		if (n > 0) {
			int match = frame_is_pong(in, n, seq);

			b_net_rx_release(0, in);
			if (match)
				return t1 > t0 ? t1 - t0 : 1;
		}
		if (t1 - t0 > timeout)
			return 0;
	}
}

static void pingpong(const uint8_t mac[6], uint32_t samples)
{
	static uint8_t f[FRAME_LEN];
	uint64_t timeout = b_tsc_hz() / 1000 * FRAME_PING_TIMEOUT_MS;
	uint32_t got = 0, lost = 0, seq = 0;

	frame_fill(f, mac, FRAME_PING, 0);
	for (uint32_t i = 0; i < FRAME_PING_WARMUP; i++)
		ping(f, seq++, timeout);
	for (uint32_t i = 0; i < samples && lost < FRAME_PING_LOST_MAX; i++) {
		uint64_t t = ping(f, seq++, timeout);

		if (t)
			rtt[got++] = t;
		else
			lost++;
	}
	stats_sort(rtt, got);
	out_field("net pingpong_p50_ticks=", got ? stats_percentile(rtt, got, 50) : 0);
	out_field(" pingpong_p99_ticks=", got ? stats_percentile(rtt, got, 99) : 0);
	out_field(" samples=", got);
	out_field(" lost=", lost);
	out_str("\n");
}

/* FRAME_BURST frames per b_net_tx_burst for ms milliseconds. */
static void blast(const uint8_t mac[6], uint64_t ms)
{
	const void *ptr[FRAME_BURST];
	uint16_t len[FRAME_BURST];
	uint64_t sent = 0, t0, t1, end;
	long err = 0;

	for (int i = 0; i < FRAME_BURST; i++) {
		frame_fill(blast_frame[i], mac, FRAME_BLAST, 0);
		ptr[i] = blast_frame[i];
		len[i] = FRAME_LEN;
	}
	t0 = quantum_tsc();
	end = t0 + b_tsc_hz() / 1000 * ms;
	do {
		unsigned done = 0;

		for (int i = 0; i < FRAME_BURST; i++)
			frame_set_seq(blast_frame[i], (uint32_t)(sent + i));
		while (done < FRAME_BURST && !err) {
			long n = b_net_tx_burst(ptr + done, len + done,
						FRAME_BURST - done, 0);
			if (n > 0)
				done += (unsigned)n;
			else if (n != 0 && n != B_EAGAIN)
				err = n;	/* not "ring full": give up */
		}
		sent += done;
		t1 = quantum_tsc();
	} while (t1 < end && !err);
	out_field("net blast_frames=", sent);
	out_field(" blast_ticks=", t1 - t0);
	out_field(" burst=", FRAME_BURST);
	if (err) {
		out_str(" error=");
		out_i64(err);
	}
	out_str("\n");
}

static void driver_stats(void)
{
	struct b_net_stats s;

	if (b_net_stats(0, &s) != 0)
		return;
	out_field("net pith tx_frames=", s.tx_frames);
	out_field(" tx_drops=", s.tx_drops);
	out_field(" tx_errors=", s.tx_errors);
	out_field(" rx_frames=", s.rx_frames);
	out_field(" rx_drops=", s.rx_drops);
	out_field(" rx_errors=", s.rx_errors);
	out_field(" interrupts=", s.interrupts);
	out_str("\n");
}

int app_main(int argc, char **argv)
{
	uint64_t samples = arg_u64(argc, argv, 1, 10000);
	uint64_t blast_ms = arg_u64(argc, argv, 2, 3000);
	struct b_net_info info;

	if (samples > MAX_SAMPLES)
		samples = MAX_SAMPLES;
	if (b_net_count() == 0 || b_net_info(0, &info) != 0) {
		out_str("net error=no-interface\n");
		return 1;
	}
	pingpong(info.mac, (uint32_t)samples);
	blast(info.mac, blast_ms);
	driver_stats();
	out_field("net tsc_hz=", b_tsc_hz());
	out_str("\n");
	return 0;
}
