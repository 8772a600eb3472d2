/*
 * The network driver's self-test, run inside Pith as a unikernel program.
 * tests/system/test_net.py boots it with virtio-net devices whose QEMU
 * `-netdev dgram` backends lead to tests/system/ethpeer.py (a host-side
 * reflector) or to a second Pith running `nettest echo`.
 *
 * argv is a list of modes, run in order, each with optional numbers:
 *   sizes        one frame of every size 60..1514 on interface 0: sent with
 *                b_net_tx, its reflection read with b_net_rx (copying)
 *   flood N W    N frames (sizes cycling through 60..1514) with at most W
 *                unanswered: sent with b_net_tx_burst, read with
 *                b_net_rx_zc and b_net_rx_release; none may be lost
 *   badargs      every documented refusal, then frames still round-trip
 *   cores N      N frames sent from core 0 while a task on another core
 *                receives them (b_net_rx and b_net_rx_zc in turn)
 *   hold         every receive buffer held (b_net_rx_zc, no release) while
 *                more frames come: the held ones stay intact, and the
 *                waiting ones arrive once they are released
 *   irq          b_net_set_callback: the callback runs while the program
 *                spins and while it halts, and stops when turned off
 *   multi N      N interfaces: the count, distinct MACs, a round trip on each
 *   echo         reflects every frame on interface 0 until a quit frame
 *                (the peer of another Pith)
 * Unless echoing, it ends by sending a quit frame on each interface it used
 * and waiting for its reflection, so the peer knows the run is over.
 *
 * Test frames: every byte follows from the header, so both ends check
 * whole frames byte for byte.
 *    0  destination: broadcast from the tester; the tester's MAC in a reply
 *    6  source MAC
 *   12  ethertype 0x88b5 (IEEE Std 802 local experimental ethertype 1)
 *   14  kind: 'D' data, 'Q' quit
 *   15  interface number
 *   16  sequence number, 32 bits big-endian: per interface, +1 a frame sent
 *   20  frame length, 16 bits big-endian
 *   22  ramp: byte 22+i is (seq * 7 + length + interface * 31 + i) mod 256
 * A reflector swaps in the addresses (destination = the frame's source,
 * source = its own MAC) and keeps every other byte.
 *
 * Output: "nettest: if N ..." per interface first, then one
 * "nettest: NAME ok" or "nettest: NAME FAIL: why" line per check,
 * "nettest: stats N ..." per interface used, and "nettest: done, F failed";
 * the exit code is F (at most 61; 62 for bad arguments).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pith/app.h>
#include <pith/net.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../common/out.h"

#define ETHERTYPE	0x88b5
#define OFF_KIND	14
#define OFF_IFACE	15
#define OFF_SEQ		16
#define OFF_LEN		20
#define HDR_LEN		22
#define KIND_DATA	'D'
#define KIND_QUIT	'Q'
#define SIZE_MIN	60	/* the smallest Ethernet frame, FCS excluded */
#define SIZE_SPAN	(B_NET_FRAME_MAX - SIZE_MIN + 1)
#define MS		1000000ull
#define REPLY_NS	(2000 * MS)	/* a reflection later than this is lost */
#define TX_WAIT_NS	(2000 * MS)	/* longest wait for a transmit slot */
#define ECHO_IDLE_NS	(30000 * MS)
#define ECHO_LINGER_US	200000	/* before power-off, for the last frame to leave */
#define BURST_MAX	32
#define WINDOW_MAX	256
/* Unanswered frames in a flood. The reflections wait in QEMU's UDP socket
 * (the host's default 208 KiB receive buffer, ~2.6 KiB a full frame) while
 * QEMU's main loop is busy: 128 overflow it (the host counts UdpRcvbufErrors
 * and the frames are lost before the NIC); 64 stay well inside. */
#define WINDOW_DEFAULT	64
#define IRQ_FRAMES	8
#define HOLD_EXTRA	8	/* frames sent while every buffer is held */
#define EXIT_MAX	61
#define EXIT_USAGE	62

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static unsigned nifaces;
static uint8_t my_mac[B_NET_MAX][6];
static uint8_t peer_mac[B_NET_MAX][6];
static bool peer_known[B_NET_MAX];
static bool used[B_NET_MAX];
static uint32_t next_seq[B_NET_MAX];
static bool echoing;

/* What this program counted, to hold against b_net_stats. */
static struct tally {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t bad_frames;	/* refused frames: tx_errors must count them */
	uint64_t bad_arrays;	/* bursts refused for a NULL array: may count */
} tally[B_NET_MAX];

static uint8_t ramp[512 + B_NET_RX_MAX];
static uint8_t txbuf[B_NET_RX_MAX];
static uint8_t rxbuf[B_NET_RX_MAX];
static uint8_t burstbuf[BURST_MAX][B_NET_FRAME_MAX];
static int failures;
static unsigned bad_offset;	/* where frame_check found a difference */
static char namebuf[32];

/* ---- small helpers ------------------------------------------------------ */

static void copy(uint8_t *d, const uint8_t *s, unsigned long n)
{
	while (n--)
		*d++ = *s++;
}

/* The first differing offset, or n when equal. Eight bytes at a time. */
static unsigned long diff_at(const uint8_t *a, const uint8_t *b, unsigned long n)
{
	unsigned long i = 0;
	uint64_t x, y;

	for (; i + 8 <= n; i += 8) {
		__builtin_memcpy(&x, a + i, 8);
		__builtin_memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	for (; i < n; i++)
		if (a[i] != b[i])
			return i;
	return n;
}

static bool same(const uint8_t *a, const uint8_t *b, unsigned long n)
{
	return diff_at(a, b, n) == n;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void out_mac(const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	char s[18];

	for (int i = 0; i < 6; i++) {
		s[i * 3] = hex[m[i] >> 4];
		s[i * 3 + 1] = hex[m[i] & 15];
		s[i * 3 + 2] = i < 5 ? ':' : 0;
	}
	out_str(s);
}

/* "prefix" followed by n, in a static buffer: a check's name per interface. */
static const char *name_n(const char *prefix, unsigned n)
{
	unsigned i = 0;

	while (prefix[i] && i < sizeof(namebuf) - 4) {
		namebuf[i] = prefix[i];
		i++;
	}
	namebuf[i++] = (char)('0' + n % 10);
	namebuf[i] = 0;
	return namebuf;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffull / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > 0xffffffffull)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* ---- check lines ---------------------------------------------------------- */

static void fail_start(const char *name)
{
	out_str("nettest: ");
	out_str(name);
	out_str(" FAIL: ");
	failures++;
}

static void check(const char *name, bool ok, const char *why)
{
	if (ok) {
		out_str("nettest: ");
		out_str(name);
		out_str(" ok\n");
		return;
	}
	fail_start(name);
	out_str(why);
	out_str("\n");
}

static void check_code(const char *name, long got, long want)
{
	if (got == want) {
		check(name, true, "");
		return;
	}
	fail_start(name);
	out_str("returned ");
	out_i64(got);
	out_str(", expected ");
	out_i64(want);
	out_str("\n");
}

/* A failed frame check: which frame, what differed. */
static void fail_frame(const char *name, const char *why, uint32_t seq,
		       unsigned len, long got)
{
	fail_start(name);
	out_str(why);
	out_str(" (seq ");
	out_u64(seq);
	out_str(", length ");
	out_u64(len);
	out_str(", got ");
	out_i64(got);
	if (bad_offset) {
		out_str(", first difference at byte ");
		out_u64(bad_offset);
	}
	out_str(")\n");
}

/* ---- test frames ---------------------------------------------------------- */

static unsigned ramp_start(uint32_t seq, unsigned len, unsigned iface)
{
	return (seq * 7 + len + iface * 31) & 0xff;
}

/* Fills f with the test frame (kind, seq, len) from interface iface. */
static void make_frame(uint8_t *f, unsigned iface, uint8_t kind, uint32_t seq,
		       unsigned len)
{
	copy(f, broadcast, 6);
	copy(f + 6, my_mac[iface], 6);
	put16(f + 12, ETHERTYPE);
	if (len < HDR_LEN)
		return;
	f[OFF_KIND] = kind;
	f[OFF_IFACE] = (uint8_t)iface;
	put32(f + OFF_SEQ, seq);
	put16(f + OFF_LEN, len);
	copy(f + HDR_LEN, ramp + ramp_start(seq, len, iface), len - HDR_LEN);
}

/* The source of a reply: the peer's MAC, learned from the first reply. */
static bool peer_source(const uint8_t *src, unsigned iface)
{
	if (peer_known[iface])
		return same(src, peer_mac[iface], 6);
	if ((src[0] & 1) || same(src, (const uint8_t *)"\0\0\0\0\0\0", 6))
		return false;
	copy(peer_mac[iface], src, 6);
	peer_known[iface] = true;
	out_str("nettest: peer ");
	out_u64(iface);
	out_str(" ");
	out_mac(src);
	out_str("\n");
	return true;
}

/* NULL when f (n bytes) is the reflection of make_frame(iface, kind, seq,
 * len): addressed to this interface, from the peer, every other byte as
 * sent. Else why (bad_offset set for a payload difference). */
static const char *frame_check(const uint8_t *f, long n, unsigned iface,
			       uint8_t kind, uint32_t seq, unsigned len)
{
	unsigned long at;

	bad_offset = 0;
	if (n != (long)len)
		return "wrong length";
	if (!same(f, my_mac[iface], 6))
		return "not addressed to this interface";
	if (!peer_source(f + 6, iface))
		return "source is not the peer";
	if (get16(f + 12) != ETHERTYPE)
		return "wrong ethertype";
	if (len < HDR_LEN)
		return NULL;
	if (f[OFF_KIND] != kind || f[OFF_IFACE] != iface)
		return "wrong kind or interface";
	if (get32(f + OFF_SEQ) != seq)
		return "another frame (lost, repeated or reordered)";
	if (get16(f + OFF_LEN) != len)
		return "wrong length field";
	at = diff_at(f + HDR_LEN, ramp + ramp_start(seq, len, iface), len - HDR_LEN);
	if (at != len - HDR_LEN) {
		bad_offset = HDR_LEN + at;
		return "payload differs";
	}
	return NULL;
}

/* True if f (n bytes) is a well-formed test frame from anyone. */
static bool frame_valid(const uint8_t *f, long n)
{
	unsigned len = (unsigned)n;

	if (n < HDR_LEN || get16(f + 12) != ETHERTYPE || get16(f + OFF_LEN) != len)
		return false;
	return same(f + HDR_LEN,
		    ramp + ramp_start(get32(f + OFF_SEQ), len, f[OFF_IFACE]),
		    len - HDR_LEN);
}

/* ---- sending and receiving, counted --------------------------------------- */

/* b_net_tx, waiting up to TX_WAIT_NS while every slot is busy. */
static long send_raw(const void *f, unsigned len, unsigned iface)
{
	uint64_t end = b_time_ns() + TX_WAIT_NS;
	long r;

	while ((r = b_net_tx(f, len, iface)) == B_EAGAIN && b_time_ns() < end)
		;
	if (r == (long)len) {
		tally[iface].tx_frames++;
		tally[iface].tx_bytes += len;
	}
	return r;
}

/* Builds and sends the next test frame; its sequence number in *seq. */
static long send_test(unsigned iface, uint8_t kind, unsigned len, uint32_t *seq)
{
	long r;

	*seq = next_seq[iface];
	make_frame(txbuf, iface, kind, *seq, len);
	r = send_raw(txbuf, len, iface);
	if (r == (long)len)
		next_seq[iface]++;
	return r;
}

static void count_rx(unsigned iface, long n)
{
	if (n > 0) {
		tally[iface].rx_frames++;
		tally[iface].rx_bytes += (uint64_t)n;
	}
}

/* The next frame, copied into rxbuf; waits up to timeout. 0 if none came. */
static long recv_copy(unsigned iface, uint64_t timeout_ns)
{
	uint64_t end = b_time_ns() + timeout_ns;
	long n;

	do
		n = b_net_rx(rxbuf, iface);
	while (n == 0 && b_time_ns() < end);
	count_rx(iface, n);
	return n;
}

/* The next frame, zero-copy; waits up to timeout. 0 if none came. */
static long recv_zc(unsigned iface, void **frame, uint64_t timeout_ns)
{
	uint64_t end = b_time_ns() + timeout_ns;
	long n;

	do
		n = b_net_rx_zc(iface, frame);
	while (n == 0 && b_time_ns() < end);
	count_rx(iface, n);
	return n;
}

/* One round trip of a len-byte data frame. NULL if the reflection is
 * exact; else why, after printing the check's FAIL line. */
static const char *ping(const char *name, unsigned iface, unsigned len, bool zc)
{
	uint32_t seq;
	void *zframe;
	long n, r = send_test(iface, KIND_DATA, len, &seq);
	const char *why;
	int rel = 0;

	bad_offset = 0;

	if (r != (long)len) {
		fail_start(name);
		out_str("b_net_tx returned ");
		out_i64(r);
		out_str("\n");
		return "tx";
	}
	if (zc) {
		n = recv_zc(iface, &zframe, REPLY_NS);
		why = n > 0 ? frame_check(zframe, n, iface, KIND_DATA, seq, len) : NULL;
		if (n > 0)
			rel = b_net_rx_release(iface, zframe);
	} else {
		n = recv_copy(iface, REPLY_NS);
		why = n > 0 ? frame_check(rxbuf, n, iface, KIND_DATA, seq, len) : NULL;
	}
	if (n <= 0)
		why = n == 0 ? "no reflection within 2 s" : "receive call failed";
	else if (!why && rel != 0)
		why = "b_net_rx_release refused the frame";
	if (why)
		fail_frame(name, why, seq, len, n);
	return why;
}

/* A check that one round trip is exact. */
static void roundtrip(const char *name, unsigned iface, unsigned len, bool zc)
{
	if (!ping(name, iface, len, zc))
		check(name, true, "");
}

/* ---- modes ---------------------------------------------------------------- */

static void mode_sizes(void)
{
	unsigned done = 0;

	for (unsigned len = SIZE_MIN; len <= B_NET_FRAME_MAX; len++) {
		if (ping("sizes", 0, len, false))
			break;
		done++;
	}
	if (done == SIZE_SPAN)
		check("sizes", true, "");
	out_str("nettest: sizes ");
	out_u64(done);
	out_str(" of ");
	out_u64(SIZE_SPAN);
	out_str(" round trips exact\n");
}

static unsigned flood_len(uint32_t i)
{
	return SIZE_MIN + (i * 37) % SIZE_SPAN;
}

/* Queues up to room frames (numbered from seq0 + sent) with one burst.
 * Returns how many went, or the burst's error. */
static long flood_send(uint32_t seq0, uint32_t sent, unsigned room)
{
	const void *frames[BURST_MAX];
	uint16_t lens[BURST_MAX];
	long r;

	if (room > BURST_MAX)
		room = BURST_MAX;
	for (unsigned k = 0; k < room; k++) {
		lens[k] = (uint16_t)flood_len(sent + k);
		make_frame(burstbuf[k], 0, KIND_DATA, seq0 + sent + k, lens[k]);
		frames[k] = burstbuf[k];
	}
	r = b_net_tx_burst(frames, lens, room, 0);
	for (long k = 0; k < r; k++) {
		tally[0].tx_frames++;
		tally[0].tx_bytes += lens[k];
	}
	next_seq[0] += r > 0 ? (uint32_t)r : 0;
	return r;
}

/* Takes every reflection waiting; checks each in order. Returns how many,
 * or -1 after a failure (reported). */
static long flood_recv(uint32_t seq0, uint32_t got)
{
	long taken = 0, n;
	void *f;

	while ((n = b_net_rx_zc(0, &f)) > 0) {
		uint32_t i = got + (uint32_t)taken;
		const char *why = frame_check(f, n, 0, KIND_DATA, seq0 + i, flood_len(i));

		count_rx(0, n);
		if (b_net_rx_release(0, f) != 0 && !why)
			why = "b_net_rx_release refused the frame";
		if (why) {
			fail_frame("flood", why, seq0 + i, flood_len(i), n);
			return -1;
		}
		taken++;
	}
	if (n < 0) {
		fail_start("flood");
		out_str("b_net_rx_zc returned ");
		out_i64(n);
		out_str("\n");
		return -1;
	}
	return taken;
}

/* count frames, at most window unanswered (and no more than the receive
 * ring holds, so the device never runs out of buffers). */
static void mode_flood(uint32_t count, uint32_t window)
{
	uint32_t seq0 = next_seq[0], sent = 0, got = 0;
	uint64_t t0, last, ns, bytes = 0;
	struct b_net_info info;
	long r;

	if (b_net_info(0, &info) == 0 && info.rx_ring && window > info.rx_ring)
		window = info.rx_ring;
	t0 = last = b_time_ns();

	while (got < count) {
		uint32_t room = window - (sent - got);

		if (room > count - sent)
			room = count - sent;
		if (room > 0) {
			r = flood_send(seq0, sent, room);
			if (r < 0) {
				fail_start("flood");
				out_str("b_net_tx_burst returned ");
				out_i64(r);
				out_str("\n");
				return;
			}
			sent += (uint32_t)r;
		}
		r = flood_recv(seq0, got);
		if (r < 0)
			return;
		for (long k = 0; k < r; k++)
			bytes += flood_len(got + (uint32_t)k);
		got += (uint32_t)r;
		if (r > 0) {
			last = b_time_ns();
		} else if (b_time_ns() - last > REPLY_NS) {
			fail_start("flood");
			out_str("lost frames: no reflection for 2 s with ");
			out_u64(sent - got);
			out_str(" outstanding; sent ");
			out_u64(sent);
			out_str(", reflected ");
			out_u64(got);
			out_str("\n");
			return;
		}
	}
	ns = b_time_ns() - t0;
	check("flood", true, "");
	out_str("nettest: flood ");
	out_u64(count);
	out_str(" frames ");
	out_u64(bytes);
	out_str(" bytes each way in ");
	out_u64(ns / MS);
	out_str(" ms, window ");
	out_u64(window);
	out_str(", ");
	out_u64(ns ? count * 1000000000ull / ns : 0);
	out_str(" frames/s\n");
}

static void *held[WINDOW_MAX + HOLD_EXTRA];
static long held_len[WINDOW_MAX + HOLD_EXTRA];

/* Takes (and keeps) every frame waiting, up to max in all. */
static unsigned hold_waiting(unsigned have, unsigned max)
{
	long n;

	while (have < max && (n = b_net_rx_zc(0, &held[have])) > 0) {
		count_rx(0, n);
		held_len[have++] = n;
	}
	return have;
}

/* Checks held frames from..to-1 (frame k has sequence number seq0 + k). */
static const char *hold_check(unsigned from, unsigned to, uint32_t seq0)
{
	for (unsigned k = from; k < to; k++)
		if (frame_check(held[k], held_len[k], 0, KIND_DATA, seq0 + k, flood_len(k)))
			return "a held frame changed or is not the one sent";
	return NULL;
}

/* Frames from b_net_rx_zc stay the program's until released: hold every
 * receive buffer, make more frames arrive, check the held ones are intact;
 * after the release, the frames that waited for buffers must arrive. */
static void mode_hold(void)
{
	struct b_net_info info;
	uint32_t seq0 = next_seq[0], seq;
	unsigned ring, have = 0, k;
	const char *why = NULL;

	if (b_net_info(0, &info) != 0 || info.rx_ring == 0) {
		check("hold-intact", false, "b_net_info failed");
		return;
	}
	ring = info.rx_ring < WINDOW_MAX ? info.rx_ring : WINDOW_MAX;
	for (k = 0; k < ring && !why; k++) {
		if (send_test(0, KIND_DATA, flood_len(k), &seq) != flood_len(k))
			why = "b_net_tx failed";
		else if ((held_len[have] = recv_zc(0, &held[have], REPLY_NS)) <= 0)
			why = "no reflection while filling the ring";
		else
			have++;
	}
	for (k = ring; k < ring + HOLD_EXTRA && !why; k++)
		if (send_test(0, KIND_DATA, flood_len(k), &seq) != flood_len(k))
			why = "b_net_tx failed";
	b_delay_us(300000);
	have = hold_waiting(have, ring + HOLD_EXTRA);
	if (!why)
		why = hold_check(0, have, seq0);
	check("hold-intact", !why, why);
	out_str("nettest: hold ");
	out_u64(have);
	out_str(" frames held, ring ");
	out_u64(ring);
	out_str("\n");
	bool released = true;
	for (k = 0; k < have; k++)
		released &= b_net_rx_release(0, held[k]) == 0;
	check("hold-release", released, "b_net_rx_release refused a held frame");
	for (k = have; k < ring + HOLD_EXTRA && !why; k++) {
		held_len[k] = recv_zc(0, &held[k], REPLY_NS);
		if (held_len[k] <= 0) {
			why = "frames that waited for a buffer never came";
			break;
		}
		why = hold_check(k, k + 1, seq0);
		if (b_net_rx_release(0, held[k]) != 0 && !why)
			why = "b_net_rx_release refused a frame";
	}
	check("hold-resume", !why, why);
}

/* `cores`: core 0 sends while a task on another core receives. */
static struct {
	uint32_t seq0, count;
	uint32_t got;		/* reflections checked; written by the receiver */
	volatile bool stop;
	const char *why;
	long bad_len;
	unsigned core;
} xc;
static uint8_t xc_rxbuf[B_NET_RX_MAX];

static void cores_receiver(void *arg)
{
	uint64_t last = b_time_ns();
	uint32_t got = 0;
	void *zf;
	long n;

	(void)arg;
	xc.core = b_smp_id();
	while (got < xc.count && !xc.stop && !xc.why) {
		bool zc = got & 1;	/* both receive calls, in turn */
		const uint8_t *f = xc_rxbuf;

		n = zc ? b_net_rx_zc(0, &zf) : b_net_rx(xc_rxbuf, 0);
		if (n == 0 && b_time_ns() - last > REPLY_NS)
			xc.why = "lost frames: no reflection for 2 s";
		if (n < 0)
			xc.why = "receive call failed";
		if (n <= 0)
			continue;
		count_rx(0, n);
		if (zc)
			f = zf;
		xc.why = frame_check(f, n, 0, KIND_DATA, xc.seq0 + got, flood_len(got));
		xc.bad_len = n;
		if (zc && b_net_rx_release(0, zf) != 0 && !xc.why)
			xc.why = "b_net_rx_release refused the frame";
		__atomic_store_n(&xc.got, ++got, __ATOMIC_RELEASE);
		last = b_time_ns();
	}
	xc.stop = true;
}

/* count frames: sent from core 0 (at most WINDOW_DEFAULT unanswered),
 * received and checked by a task on another core, at the same time. */
static void mode_cores(uint32_t count)
{
	uint32_t sent = 0, seq;
	uint64_t t0 = b_time_ns();

	if (b_smp_numcores() < 2) {
		check("cores", false, "needs a second core (-smp 2)");
		return;
	}
	xc.seq0 = next_seq[0];
	xc.count = count;
	if (b_smp_enqueue(cores_receiver, NULL) != 0) {
		check("cores", false, "b_smp_enqueue failed");
		return;
	}
	while (sent < count && !xc.stop) {
		if (sent - __atomic_load_n(&xc.got, __ATOMIC_ACQUIRE) >= WINDOW_DEFAULT) {
			__builtin_ia32_pause();
			continue;
		}
		if (send_test(0, KIND_DATA, flood_len(sent), &seq) != flood_len(sent))
			xc.why = "b_net_tx failed";
		sent++;
	}
	b_smp_wait();
	if (xc.why) {
		fail_frame("cores", xc.why, xc.seq0 + xc.got - 1, flood_len(xc.got - 1),
			   xc.bad_len);
		return;
	}
	check("cores", xc.got == count && xc.core != 0,
	      "the receiver stopped early or ran on core 0");
	out_str("nettest: cores ");
	out_u64(count);
	out_str(" frames sent on core 0, received on core ");
	out_u64(xc.core);
	out_str(" in ");
	out_u64((b_time_ns() - t0) / MS);
	out_str(" ms\n");
}

/* Each refusal; tx_errors must count those on a real interface. */
static void badargs_calls(unsigned iface)
{
	static uint8_t notours[B_NET_RX_MAX];
	const void *frames[2] = { txbuf, txbuf };
	const void *nullframes[2] = { NULL, txbuf };
	uint16_t lens[2] = { SIZE_MIN, SIZE_MIN }, shortlens[2] = { 13, SIZE_MIN };
	void *zf;

	make_frame(txbuf, iface, KIND_DATA, next_seq[iface], SIZE_MIN);
	check_code("tx-iface-count", b_net_tx(txbuf, SIZE_MIN, nifaces), B_ENODEV);
	check_code("tx-iface-99", b_net_tx(txbuf, SIZE_MIN, 99), B_ENODEV);
	check_code("tx-null", b_net_tx(NULL, SIZE_MIN, iface), B_EFAULT);
	check_code("tx-len-13", b_net_tx(txbuf, 13, iface), B_EINVAL);
	check_code("tx-len-0", b_net_tx(txbuf, 0, iface), B_EINVAL);
	check_code("tx-len-1515", b_net_tx(txbuf, B_NET_FRAME_MAX + 1, iface), B_EINVAL);
	check_code("tx-len-huge", b_net_tx(txbuf, ~0ul, iface), B_EINVAL);
	check_code("tx-len-2^32+60", b_net_tx(txbuf, (1ul << 32) + SIZE_MIN, iface), B_EINVAL);
	tally[iface].bad_frames += 6;
	check_code("burst-n-0", b_net_tx_burst(frames, lens, 0, iface), 0);
	check_code("burst-null-frames", b_net_tx_burst(NULL, lens, 2, iface), B_EFAULT);
	check_code("burst-null-lens", b_net_tx_burst(frames, NULL, 2, iface), B_EFAULT);
	tally[iface].bad_arrays += 2;
	check_code("burst-null-entry", b_net_tx_burst(nullframes, lens, 2, iface), B_EFAULT);
	check_code("burst-len-13", b_net_tx_burst(frames, shortlens, 2, iface), B_EINVAL);
	check_code("burst-iface-99", b_net_tx_burst(frames, lens, 2, 99), B_ENODEV);
	tally[iface].bad_frames += 2;
	check_code("rx-null", b_net_rx(NULL, iface), B_EFAULT);
	check_code("rx-iface-99", b_net_rx(rxbuf, 99), B_ENODEV);
	check_code("rx-iface-count", b_net_rx(rxbuf, nifaces), B_ENODEV);
	check_code("rxzc-null", b_net_rx_zc(iface, NULL), B_EFAULT);
	check_code("rxzc-iface-99", b_net_rx_zc(99, &zf), B_ENODEV);
	check_code("release-never-handed-out", b_net_rx_release(iface, notours + 64), B_EINVAL);
	check_code("release-null", b_net_rx_release(iface, NULL), B_EINVAL);
	check_code("info-null", b_net_info(iface, NULL), B_EFAULT);
	check_code("info-iface-99", b_net_info(99, (struct b_net_info *)notours), B_ENODEV);
	check_code("info-iface-count", b_net_info(nifaces, (struct b_net_info *)notours), B_ENODEV);
	check_code("stats-null", b_net_stats(iface, NULL), B_EFAULT);
	check_code("stats-iface-99", b_net_stats(99, (struct b_net_stats *)notours), B_ENODEV);
	check_code("status-iface-99", (long)b_net_status(99), 0);
	check_code("status-iface-count", (long)b_net_status(nifaces), 0);
}

/* A frame from b_net_rx_zc released twice, and a pointer inside it. */
static void badargs_release(unsigned iface)
{
	uint32_t seq;
	void *f = NULL;
	long n;

	if (send_test(iface, KIND_DATA, SIZE_MIN, &seq) != SIZE_MIN) {
		check("release-twice", false, "b_net_tx failed");
		return;
	}
	n = recv_zc(iface, &f, REPLY_NS);
	if (n <= 0) {
		check("release-twice", false, "no reflection to release");
		return;
	}
	check("release-frame", !frame_check(f, n, iface, KIND_DATA, seq, SIZE_MIN),
	      "the reflection differs");
	check_code("release-inside", b_net_rx_release(iface, (uint8_t *)f + 1), B_EINVAL);
	check("release-iface-99", b_net_rx_release(99, f) < 0,
	      "another interface's release took the frame");
	check_code("release-first", b_net_rx_release(iface, f), 0);
	check_code("release-twice", b_net_rx_release(iface, f), B_EINVAL);
}

/* The smallest frame the API takes: a bare 14-byte header. */
static void badargs_min(unsigned iface)
{
	long n;

	make_frame(txbuf, iface, KIND_DATA, 0, B_NET_FRAME_MIN);
	check_code("tx-len-14", send_raw(txbuf, B_NET_FRAME_MIN, iface), B_NET_FRAME_MIN);
	n = recv_copy(iface, REPLY_NS);
	if (n != B_NET_FRAME_MIN)
		fail_frame("tx-len-14-roundtrip", "no 14-byte reflection", 0,
			   B_NET_FRAME_MIN, n);
	else
		check("tx-len-14-roundtrip",
		      !frame_check(rxbuf, n, iface, KIND_DATA, 0, B_NET_FRAME_MIN),
		      "the reflection differs");
}

/* tx_errors within what this program's refused calls allow. */
static bool tx_errors_ok(uint64_t errors, const struct tally *t)
{
	return errors >= t->bad_frames && errors <= t->bad_frames + t->bad_arrays;
}

static void mode_badargs(void)
{
	struct b_net_stats s0, s1;
	unsigned iface = 0;
	struct tally t0 = tally[iface], d;

	b_net_stats(iface, &s0);
	badargs_calls(iface);
	b_net_stats(iface, &s1);
	check_code("bad-sent-nothing", (long)(s1.tx_frames - s0.tx_frames), 0);
	d.bad_frames = tally[iface].bad_frames - t0.bad_frames;
	d.bad_arrays = tally[iface].bad_arrays - t0.bad_arrays;
	if (tx_errors_ok(s1.tx_errors - s0.tx_errors, &d)) {
		check("bad-tx-errors", true, "");
	} else {
		fail_start("bad-tx-errors");
		out_str("tx_errors grew by ");
		out_u64(s1.tx_errors - s0.tx_errors);
		out_str(", expected ");
		out_u64(d.bad_frames);
		out_str(" refused frames (+ up to ");
		out_u64(d.bad_arrays);
		out_str(" bursts with NULL arrays)\n");
	}
	/* A pointer that cannot be right: non-canonical, never mapped. */
	check_code("tx-bad-pointer",
		   b_net_tx((const void *)0xdead000000000000ull, SIZE_MIN, iface), B_EFAULT);
	tally[iface].bad_frames++;
	badargs_release(iface);
	badargs_min(iface);
	roundtrip("after-copy-60", iface, SIZE_MIN, false);
	roundtrip("after-copy-1514", iface, B_NET_FRAME_MAX, false);
	roundtrip("after-zc-60", iface, SIZE_MIN, true);
	roundtrip("after-zc-1514", iface, B_NET_FRAME_MAX, true);
}

static volatile uint32_t callbacks;

static void on_frames(void)
{
	callbacks++;
}

static bool interrupts_enabled(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & (1u << 9);
}

/* Frames arrive while the program spins without polling: the callback runs. */
static void irq_spin(void)
{
	uint32_t c0 = callbacks, seq[IRQ_FRAMES];
	uint64_t end;
	const char *why = NULL;
	long n = 0;
	unsigned k;

	for (k = 0; k < IRQ_FRAMES; k++)
		if (send_test(0, KIND_DATA, SIZE_MIN + k * 100, &seq[k]) != SIZE_MIN + k * 100) {
			check("irq-callback-spin", false, "b_net_tx failed");
			return;
		}
	end = b_time_ns() + 5000 * MS;
	while (callbacks == c0 && b_time_ns() < end)
		__builtin_ia32_pause();
	check("irq-callback-spin", callbacks != c0,
	      "no callback within 5 s of frames arriving while the program spun");
	bad_offset = 0;
	for (k = 0; k < IRQ_FRAMES && !why; k++) {
		n = recv_copy(0, REPLY_NS);
		why = n > 0 ? frame_check(rxbuf, n, 0, KIND_DATA, seq[k], SIZE_MIN + k * 100)
			    : "reflection missing";
	}
	if (why)
		fail_frame("irq-frames-polled", why, seq[k - 1], SIZE_MIN + (k - 1) * 100, n);
	else
		check("irq-frames-polled", true, "");
}

/* A frame arrives while the program halts: the interrupt wakes it and the
 * callback runs. The test's timeout catches an interrupt that never comes. */
static void irq_halt(void)
{
	uint32_t c0 = callbacks, seq;

	if (!interrupts_enabled()) {
		check("irq-callback-halt", false, "interrupts are off (IF=0) in app_main");
		return;
	}
	if (send_test(0, KIND_DATA, 333, &seq) != 333) {
		check("irq-callback-halt", false, "b_net_tx failed");
		return;
	}
	out_str("nettest: irq halting until the callback runs\n");
	__asm__ volatile("cli" ::: "memory");
	while (callbacks == c0)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	__asm__ volatile("sti" ::: "memory");
	check("irq-callback-halt", true, "");
	check("irq-halt-frame", recv_copy(0, REPLY_NS) == 333 &&
	      !frame_check(rxbuf, 333, 0, KIND_DATA, seq, 333), "the reflection differs");
}

static void mode_irq(void)
{
	struct b_net_info info;
	struct b_net_stats s0, s1;
	uint32_t c0;

	check_code("irq-info", b_net_info(0, &info), 0);
	check("irq-capable", info.irq == 1, "b_net_info: irq is 0");
	check_code("irq-set", b_net_set_callback(on_frames), 0);
	check("irq-enabled", interrupts_enabled(), "interrupts are off (IF=0) in app_main");
	b_net_stats(0, &s0);
	irq_spin();
	irq_halt();
	b_net_stats(0, &s1);
	check("irq-counted", s1.interrupts > s0.interrupts,
	      "b_net_stats: interrupts did not grow");
	check_code("irq-unset", b_net_set_callback(NULL), 0);
	c0 = callbacks;
	roundtrip("irq-off-roundtrip", 0, SIZE_MIN, false);
	b_delay_us(100000);
	check("irq-callback-off", callbacks == c0, "the callback ran after it was turned off");
	out_str("nettest: irq callback ran ");
	out_u64(callbacks);
	out_str(" times, ");
	out_u64(s1.interrupts);
	out_str(" interrupts\n");
}

/* Each interface's interrupt reaches the callback (its own MSI-X vector
 * or I/O APIC line): a frame arriving on it alone makes the callback run. */
static void multi_irq(void)
{
	const char *why = b_net_set_callback(on_frames) ? "b_net_set_callback failed" : NULL;

	for (unsigned i = 0; i < nifaces && !why; i++) {
		uint32_t c0 = callbacks, seq;
		uint64_t end = b_time_ns() + 5000 * MS;

		if (send_test(i, KIND_DATA, SIZE_MIN, &seq) != SIZE_MIN)
			why = "b_net_tx failed";
		while (!why && callbacks == c0 && b_time_ns() < end)
			__builtin_ia32_pause();
		if (!why && callbacks == c0)
			why = "no callback within 5 s of a frame arriving on this interface";
		if (!why && frame_check(rxbuf, recv_copy(i, REPLY_NS), i, KIND_DATA, seq,
					SIZE_MIN))
			why = "the reflection differs";
		check(name_n("multi-callback-", i), !why, why);
	}
	b_net_set_callback(NULL);
}

static void mode_multi(uint32_t want)
{
	static const unsigned lens[] = { SIZE_MIN, 61, 1000, B_NET_FRAME_MAX };
	bool distinct = true;

	check_code("multi-count", nifaces, want);
	for (unsigned i = 0; i < nifaces; i++)
		for (unsigned j = i + 1; j < nifaces; j++)
			distinct &= !same(my_mac[i], my_mac[j], 6);
	check("multi-distinct-macs", distinct, "two interfaces share a MAC");
	for (unsigned i = 0; i < nifaces; i++) {
		bool ok = true;

		used[i] = true;
		for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]) && ok; k++)
			ok = !ping(name_n("multi-roundtrip-", i), i, lens[k], k & 1);
		if (ok)
			check(name_n("multi-roundtrip-", i), true, "");
	}
	multi_irq();
}

/* Reflects every frame on interface 0 until a quit frame (reflected too). */
static void mode_echo(void)
{
	uint64_t idle_end = b_time_ns() + ECHO_IDLE_NS, echoed = 0, invalid = 0;
	const char *why = NULL;
	bool quit = false;
	void *zf;
	long n;

	echoing = true;
	out_str("nettest: echo ready\n");
	while (!quit && !why) {
		n = b_net_rx_zc(0, &zf);
		if (n == 0) {
			if (b_time_ns() > idle_end)
				why = "no frame for 30 s";
			continue;
		}
		if (n < B_NET_FRAME_MIN) {
			why = n < 0 ? "b_net_rx_zc failed" : "a frame under 14 bytes";
			break;
		}
		count_rx(0, n);
		const uint8_t *f = zf;
		copy(txbuf, f + 6, 6);
		copy(txbuf + 6, my_mac[0], 6);
		copy(txbuf + 12, f + 12, (unsigned long)n - 12);
		invalid += !frame_valid(f, n);
		quit = n >= HDR_LEN && get16(f + 12) == ETHERTYPE && f[OFF_KIND] == KIND_QUIT;
		if (b_net_rx_release(0, zf) != 0)
			why = "b_net_rx_release refused a frame";
		else if (send_raw(txbuf, (unsigned)n, 0) != n)
			why = "b_net_tx failed";
		echoed++;
		idle_end = b_time_ns() + ECHO_IDLE_NS;
	}
	/* b_net_tx hands a frame to the device, which sends it later; power-off
	 * right now could end QEMU before the quit's reflection leaves. */
	b_delay_us(ECHO_LINGER_US);
	check("echo", !why, why);
	check("echo-frames-valid", invalid == 0, "a frame was not a well-formed test frame");
	out_str("nettest: echoed ");
	out_u64(echoed);
	out_str(" frames\n");
}

/* ---- start and end -------------------------------------------------------- */

/* Prints what b_net_info and b_net_status say of iface; checks they agree. */
static void describe(unsigned i)
{
	struct b_net_info info;
	uint64_t status = b_net_status(i), mac = 0;
	int r = b_net_info(i, &info);

	if (r != 0) {
		check_code(name_n("info-", i), r, 0);
		return;
	}
	copy(my_mac[i], info.mac, 6);
	for (int k = 0; k < 6; k++)
		mac = mac << 8 | info.mac[k];
	out_str("nettest: if ");
	out_u64(i);
	out_str(" mac ");
	out_mac(info.mac);
	out_str(" status ");
	out_u64(status);
	out_str(" transport ");
	info.transport[5] = 0;
	out_str(info.transport);
	out_str(" mtu ");
	out_u64(info.mtu);
	out_str(" link ");
	out_u64(info.link_up);
	out_str(" irq ");
	out_u64(info.irq);
	out_str(" rx_ring ");
	out_u64(info.rx_ring);
	out_str(" tx_ring ");
	out_u64(info.tx_ring);
	out_str("\n");
	check(name_n("info-", i), status == mac && mac != 0 && info.mtu == 1500 &&
	      info.link_up == 1 && info.rx_ring > 0 && info.tx_ring > 0,
	      "status differs from the MAC, or mtu, link or rings are wrong");
}

/* Sends a quit frame and waits for its reflection: the peer may stop. */
static void quit(unsigned iface)
{
	uint32_t seq;
	long n;
	const char *why = "b_net_tx failed";

	if (send_test(iface, KIND_QUIT, SIZE_MIN, &seq) == SIZE_MIN) {
		n = recv_copy(iface, REPLY_NS);
		why = n > 0 ? frame_check(rxbuf, n, iface, KIND_QUIT, seq, SIZE_MIN)
			    : "no reflection of the quit frame";
	}
	check(name_n("quit-", iface), !why, why);
}

/* Prints b_net_stats and holds them against what this program counted. */
static void report_stats(unsigned i)
{
	struct b_net_stats s;
	struct tally *t = &tally[i];

	if (b_net_stats(i, &s) != 0) {
		check(name_n("counters-", i), false, "b_net_stats failed");
		return;
	}
	out_str("nettest: stats ");
	out_u64(i);
	const char *names[] = { "tx_frames", "tx_bytes", "tx_drops", "tx_errors",
		"rx_frames", "rx_bytes", "rx_drops", "rx_errors", "interrupts" };
	const uint64_t vals[] = { s.tx_frames, s.tx_bytes, s.tx_drops, s.tx_errors,
		s.rx_frames, s.rx_bytes, s.rx_drops, s.rx_errors, s.interrupts };
	for (unsigned k = 0; k < 9; k++) {
		out_str(" ");
		out_str(names[k]);
		out_str(" ");
		out_u64(vals[k]);
	}
	out_str("\n");
	check(name_n("counters-", i),
	      s.tx_frames == t->tx_frames && s.tx_bytes == t->tx_bytes &&
	      s.rx_frames == t->rx_frames && s.rx_bytes == t->rx_bytes &&
	      tx_errors_ok(s.tx_errors, t) && s.rx_drops == 0 && s.rx_errors == 0,
	      "b_net_stats differ from the frames this program sent and took");
	if (s.tx_frames != t->tx_frames || s.rx_frames != t->rx_frames) {
		out_str("nettest: counted tx_frames ");
		out_u64(t->tx_frames);
		out_str(" tx_bytes ");
		out_u64(t->tx_bytes);
		out_str(" rx_frames ");
		out_u64(t->rx_frames);
		out_str(" rx_bytes ");
		out_u64(t->rx_bytes);
		out_str("\n");
	}
}

/* Runs argv's modes in order. false for a word it does not know. */
static bool run_modes(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *m = argv[i];
		uint32_t a = 0, b = 0;
		bool has_a = i + 1 < argc && parse_u32(argv[i + 1], &a);
		bool has_b = has_a && i + 2 < argc && parse_u32(argv[i + 2], &b);

		i += has_a + has_b;
		if (streq(m, "sizes")) {
			mode_sizes();
		} else if (streq(m, "flood")) {
			if (!has_b || b < 1 || b > WINDOW_MAX)
				b = WINDOW_DEFAULT;
			mode_flood(has_a ? a : 100000, b);
		} else if (streq(m, "badargs")) {
			mode_badargs();
		} else if (streq(m, "cores")) {
			mode_cores(has_a ? a : 10000);
		} else if (streq(m, "hold")) {
			mode_hold();
		} else if (streq(m, "irq")) {
			mode_irq();
		} else if (streq(m, "multi")) {
			mode_multi(has_a ? a : B_NET_MAX);
		} else if (streq(m, "echo")) {
			mode_echo();
		} else {
			out_str("nettest: unknown mode ");
			out_str(m);
			out_str(" (sizes, flood N W, cores N, hold, badargs, irq, multi N, echo)\n");
			return false;
		}
	}
	return true;
}

int app_main(int argc, char **argv)
{
	for (unsigned i = 0; i < sizeof(ramp); i++)
		ramp[i] = (uint8_t)i;
	nifaces = b_net_count();
	out_str("nettest: ");
	out_u64(nifaces);
	out_str(" interfaces\n");
	check("count", nifaces >= 1 && nifaces <= B_NET_MAX, "no interface, or too many");
	if (nifaces < 1 || nifaces > B_NET_MAX)
		goto out;
	for (unsigned i = 0; i < nifaces; i++)
		describe(i);
	used[0] = true;
	if (!run_modes(argc, argv))
		return EXIT_USAGE;
	for (unsigned i = 0; i < nifaces && !echoing; i++)
		if (used[i])
			quit(i);
	for (unsigned i = 0; i < nifaces; i++)
		if (used[i])
			report_stats(i);
out:
	out_str("nettest: done, ");
	out_u64(failures);
	out_str(" failed\n");
	return failures > EXIT_MAX ? EXIT_MAX : failures;
}
