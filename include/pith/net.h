/*
 * Raw Ethernet frames on the machine's NICs (virtio-net over PCI or MMIO).
 * Interfaces are numbered 0 .. b_net_count()-1 in the order they were
 * found. A frame is what goes on the wire from the destination MAC on,
 * without the FCS: 14 to B_NET_FRAME_MAX bytes. Every call may be made
 * from any core and from tasks; calls on one interface are serialised by
 * the driver.
 */
#ifndef PITH_NET_API_H
#define PITH_NET_API_H

#include <stdint.h>
#include <pith/error.h>

#define B_NET_MAX		4	/* interfaces the kernel drives */
#define B_NET_FRAME_MIN		14	/* an Ethernet header */
#define B_NET_FRAME_MAX		1514	/* header + 1500-byte MTU, no FCS */
#define B_NET_RX_MAX		1518	/* received frames may carry a VLAN tag */

/* Sends one frame of len bytes (copied: frame is free again on return).
 * Returns len; B_ENODEV unknown iface, B_EFAULT NULL or bad frame pointer,
 * B_EINVAL len outside 14..B_NET_FRAME_MAX, B_EAGAIN every transmit slot
 * busy (nothing sent: try again). */
long b_net_tx(const void *frame, unsigned long len, unsigned iface);
/* Sends n frames with one notification of the device. Returns how many
 * were queued from the start of the list (fewer than n when the ring
 * filled: the rest were not sent), or an error for the first frame as
 * b_net_tx (then none was sent). */
long b_net_tx_burst(const void *const *frames, const uint16_t *lens, unsigned n,
		    unsigned iface);

/* BareMetal's form: copies the next received frame into mem, which has
 * room for B_NET_RX_MAX bytes, and returns its length; 0 when none is
 * waiting. B_ENODEV, B_EFAULT as above. */
long b_net_rx(void *mem, unsigned iface);
/* Zero-copy receive: *frame points at the next received frame inside the
 * driver's buffer, which stays the program's (the device cannot reuse it)
 * until b_net_rx_release. Returns the length; 0 when none is waiting. */
long b_net_rx_zc(unsigned iface, void **frame);
/* Gives a buffer from b_net_rx_zc back to the device. 0; B_EINVAL for a
 * pointer that is not a frame this interface handed out and not yet got
 * back (a second release is refused). */
int b_net_rx_release(unsigned iface, void *frame);

unsigned b_net_count(void);

struct b_net_info {
	uint8_t mac[6];
	uint16_t mtu;		/* 1500 unless the device says otherwise */
	uint8_t link_up;	/* 1 up, 0 down (devices without status: 1) */
	uint8_t irq;		/* 1 if interrupts reach the program's callback */
	char transport[6];	/* "pci" or "mmio" */
	uint16_t rx_ring, tx_ring;	/* buffers posted for receive; transmit slots */
};
/* 0, B_ENODEV, B_EFAULT (NULL out). */
int b_net_info(unsigned iface, struct b_net_info *out);
/* BareMetal's NET_STATUS: the MAC as a 48-bit number (first byte in bits
 * 40-47), or 0 for an unknown interface. */
uint64_t b_net_status(unsigned iface);

struct b_net_stats {
	uint64_t tx_frames, tx_bytes;	/* handed to the device */
	uint64_t tx_drops;		/* refused for lack of a transmit slot */
	uint64_t tx_errors;		/* refused as bad arguments, or the device
					 * broke the transmit ring's rules */
	uint64_t rx_frames, rx_bytes;	/* handed to the program */
	uint64_t rx_drops;		/* received but discarded (too long, bad) */
	uint64_t rx_errors;		/* the device broke the receive ring's rules */
	uint64_t interrupts;
};
int b_net_stats(unsigned iface, struct b_net_stats *out);

/* BareMetal's CALLBACK_NETWORK: fn() is called on core 0 from the
 * interrupt when frames arrive on any interface (FPU state is saved around
 * it); frames it leaves unread are reported again with the next arrival. NULL turns the callback off; polling b_net_rx works either way. 0, or
 * B_ENODEV when no interface can interrupt. */
int b_net_set_callback(void (*fn)(void));

#endif
