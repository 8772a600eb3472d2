/*
 * netbench.c - raw Ethernet frames in the Linux guest: the twin of Pith's
 * bench/pith/netbench, talking to the host's peer (bench/netpeer.py) through
 * a virtio-net NIC, eth0. Frames are frame.h's: 64 bytes, EtherType 0x88B5,
 * sent and received on an AF_PACKET raw socket bound to eth0 and that
 * EtherType (no IP, no protocol stack: the shortest path Linux offers a
 * program short of a kernel-bypass driver).
 *
 *   netbench SAMPLES BLAST_MS
 *
 * - ping-pong: FRAME_PING_WARMUP untimed, then SAMPLES timed round trips,
 *   one frame in flight: stamp, send, poll the socket without blocking
 *   (MSG_DONTWAIT: no sleep and wake-up in the way) until the peer's
 *   reflection of that sequence number arrives, stamp. A ping not back
 *   within FRAME_PING_TIMEOUT_MS is counted lost; after
 *   FRAME_PING_LOST_MAX losses the ping-pong stops.
 * - blast: for BLAST_MS, FRAME_BURST frames per sendmmsg call, as fast as
 *   the socket takes them (a full socket buffer blocks the call: that is
 *   the NIC's pace); the peer counts what arrives.
 *
 * Output (ticks of the TSC; tsc_hz turns them into time):
 *   net pingpong_p50_ticks=T pingpong_p99_ticks=T samples=N lost=L
 *   net blast_frames=N blast_ticks=T burst=B
 *   net tsc_hz=HZ
 * Exit status 0; 1 if eth0 or the socket cannot be had.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "stats.h"
#include "tsc_linux.h"

#define MAX_SAMPLES 100000u

static uint64_t rtt[MAX_SAMPLES];

/* Opens the raw socket on eth0 and reads its MAC; returns the fd or -1. */
static int open_eth0(uint8_t mac[6])
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(FRAME_ETHERTYPE));

	if (fd < 0) {
		perror("netbench: socket");
		return -1;
	}
	strcpy(ifr.ifr_name, "eth0");
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		perror("netbench: eth0");
		close(fd);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(FRAME_ETHERTYPE);
	sll.sll_ifindex = (int)if_nametoindex("eth0");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("netbench: bind");
		close(fd);
		return -1;
	}
	return fd;
}

/* One round trip of ping seq: its ticks, or 0 if it was lost. */
static uint64_t ping(int fd, uint8_t *f, uint32_t seq, uint64_t timeout)
{
	uint8_t in[2048];
	uint64_t t0, t1;
	ssize_t n;

	frame_set_seq(f, seq);
	t0 = quantum_tsc();
	if (send(fd, f, FRAME_LEN, 0) != FRAME_LEN)
		return 0;
	for (;;) {
		n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		t1 = quantum_tsc();
		if (n > 0 && frame_is_pong(in, n, seq))
			return t1 > t0 ? t1 - t0 : 1;
		if (t1 - t0 > timeout)
			return 0;
	}
}

static void pingpong(int fd, const uint8_t mac[6], uint32_t samples,
		     uint64_t hz)
{
	uint8_t f[FRAME_LEN];
	uint64_t timeout = hz / 1000 * FRAME_PING_TIMEOUT_MS;
	uint32_t got = 0, lost = 0, seq = 0;

	frame_fill(f, mac, FRAME_PING, 0);
	for (uint32_t i = 0; i < FRAME_PING_WARMUP; i++)
		ping(fd, f, seq++, timeout);
	for (uint32_t i = 0; i < samples && lost < FRAME_PING_LOST_MAX; i++) {
		uint64_t t = ping(fd, f, seq++, timeout);

		if (t)
			rtt[got++] = t;
		else
			lost++;
	}
	stats_sort(rtt, got);
	printf("net pingpong_p50_ticks=%llu pingpong_p99_ticks=%llu samples=%u lost=%u\n",
	       (unsigned long long)(got ? stats_percentile(rtt, got, 50) : 0),
	       (unsigned long long)(got ? stats_percentile(rtt, got, 99) : 0),
	       got, lost);
}

/* FRAME_BURST frames per sendmmsg for ms milliseconds. */
static void blast(int fd, const uint8_t mac[6], uint64_t ms, uint64_t hz)
{
	static uint8_t f[FRAME_BURST][FRAME_LEN];
	struct mmsghdr msg[FRAME_BURST];
	struct iovec iov[FRAME_BURST];
	uint64_t sent = 0, t0, t1, end;

	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < FRAME_BURST; i++) {
		frame_fill(f[i], mac, FRAME_BLAST, 0);
		iov[i] = (struct iovec){ f[i], FRAME_LEN };
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = quantum_tsc();
	end = t0 + hz / 1000 * ms;
	do {
		int n, done = 0;

		for (int i = 0; i < FRAME_BURST; i++)
			frame_set_seq(f[i], (uint32_t)(sent + i));
		while (done < FRAME_BURST) {
			n = sendmmsg(fd, msg + done, FRAME_BURST - done, 0);
			if (n > 0)
				done += n;	/* ENOBUFS (-1): try again */
		}
		sent += FRAME_BURST;
		t1 = quantum_tsc();
	} while (t1 < end);
	printf("net blast_frames=%llu blast_ticks=%llu burst=%d\n",
	       (unsigned long long)sent, (unsigned long long)(t1 - t0),
	       FRAME_BURST);
}

int main(int argc, char **argv)
{
	uint32_t samples = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
	uint64_t blast_ms = argc > 2 ? strtoull(argv[2], NULL, 10) : 3000;
	uint8_t mac[6];
	uint64_t hz;
	int fd;

	if (samples > MAX_SAMPLES)
		samples = MAX_SAMPLES;
	fd = open_eth0(mac);
	if (fd < 0)
		return 1;
	hz = tsc_hz();
	pingpong(fd, mac, samples, hz);
	blast(fd, mac, blast_ms, hz);
	printf("net tsc_hz=%llu\n", (unsigned long long)hz);
	return 0;
}
