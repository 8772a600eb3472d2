/*
 * frame.h - the raw Ethernet frames of the network benchmark, shared by both
 * sides (bench/guest/netbench.c in the Linux guest, bench/pith/netbench in
 * Pith) and matched byte for byte by the host's peer, bench/netpeer.py.
 *
 * Every frame is FRAME_LEN bytes from the destination MAC on (no FCS: the
 * 60-byte Ethernet minimum plus 4), with the IEEE 802 local experimental
 * EtherType 0x88B5, so no protocol stack on either side claims it:
 *
 *   0  destination MAC   (FRAME_PEER_MAC to the peer; the guest's MAC back)
 *   6  source MAC        (the guest's; FRAME_PEER_MAC on a reflected frame)
 *  12  EtherType 0x88B5
 *  14  magic "PBN1"
 *  18  kind: FRAME_PING (the peer sends it back) or FRAME_BLAST (counted)
 *  19  0
 *  20  sequence number, 32 bits little-endian
 *  24  zeros up to FRAME_LEN
 *
 * The peer reflects a ping by swapping the MACs (its own as the source), so
 * the guest's NIC takes it as unicast to itself, and counts blast frames.
 * Freestanding: <stdint.h> only.
 */
#ifndef PITH_BENCH_FRAME_H
#define PITH_BENCH_FRAME_H

#include <stdint.h>

#define FRAME_LEN		64
#define FRAME_ETHERTYPE		0x88B5	/* IEEE 802 local experimental 1 */
#define FRAME_PING		'P'
#define FRAME_BLAST		'B'
#define FRAME_OFF_KIND		18
#define FRAME_OFF_SEQ		20

/* The measurements both twins make (their command-line arguments pick the
 * sample count and the blast time; run.py gives both sides the same). */
#define FRAME_PING_WARMUP	100	/* untimed round trips first */
#define FRAME_PING_TIMEOUT_MS	100	/* a ping not back by then is lost */
#define FRAME_PING_LOST_MAX	50	/* the ping-pong gives up after so many */
#define FRAME_BURST		32	/* blast frames handed over per call */

static const uint8_t frame_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t frame_magic[4] = { 'P', 'B', 'N', '1' };

static inline void frame_set_seq(uint8_t *f, uint32_t seq)
{
	f[FRAME_OFF_SEQ] = (uint8_t)seq;
	f[FRAME_OFF_SEQ + 1] = (uint8_t)(seq >> 8);
	f[FRAME_OFF_SEQ + 2] = (uint8_t)(seq >> 16);
	f[FRAME_OFF_SEQ + 3] = (uint8_t)(seq >> 24);
}

/* Fills f[0..FRAME_LEN) with a frame of this kind from mac to the peer. */
static inline void frame_fill(uint8_t *f, const uint8_t mac[6], uint8_t kind,
			      uint32_t seq)
{
	for (int i = 0; i < FRAME_LEN; i++)
		f[i] = 0;
	for (int i = 0; i < 6; i++) {
		f[i] = frame_peer_mac[i];
		f[6 + i] = mac[i];
	}
	f[12] = FRAME_ETHERTYPE >> 8;
	f[13] = FRAME_ETHERTYPE & 0xFF;
	for (int i = 0; i < 4; i++)
		f[14 + i] = frame_magic[i];
	f[FRAME_OFF_KIND] = kind;
	frame_set_seq(f, seq);
}

/* 1 if f[0..len) is the peer's reflection of ping seq, else 0. */
static inline int frame_is_pong(const uint8_t *f, long len, uint32_t seq)
{
	if (len < FRAME_LEN || f[12] != (FRAME_ETHERTYPE >> 8) ||
	    f[13] != (FRAME_ETHERTYPE & 0xFF) || f[FRAME_OFF_KIND] != FRAME_PING)
		return 0;
	for (int i = 0; i < 6; i++)
		if (f[6 + i] != frame_peer_mac[i])
			return 0;	/* not from the peer (e.g. our own copy) */
	for (int i = 0; i < 4; i++)
		if (f[14 + i] != frame_magic[i])
			return 0;
	return ((uint32_t)f[FRAME_OFF_SEQ] | (uint32_t)f[FRAME_OFF_SEQ + 1] << 8 |
		(uint32_t)f[FRAME_OFF_SEQ + 2] << 16 |
		(uint32_t)f[FRAME_OFF_SEQ + 3] << 24) == seq;
}

#endif
