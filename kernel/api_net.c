/*
 * The network calls (include/pith/net.h): every argument is checked here,
 * then the driver (drivers/virtio_net.c) does the work.
 */
#include <pith/net.h>
#include "mem.h"
#include "drivers/virtio_net.h"

/* 0 if frame/len may be sent on nic, else the error (counted on a NIC). */
static int check_frame(const void *frame, unsigned long len, unsigned nic)
{
	int r = 0;

	if (nic >= vnet_count())
		return B_ENODEV;
	if (!frame || (len <= B_NET_FRAME_MAX && !mem_program_readable(frame, len)))
		r = B_EFAULT;
	else if (len < B_NET_FRAME_MIN || len > B_NET_FRAME_MAX)
		r = B_EINVAL;
	if (r)
		vnet_count_tx_error(nic);
	return r;
}

long b_net_tx(const void *frame, unsigned long len, unsigned iface)
{
	uint16_t l = (uint16_t)len;
	int r = check_frame(frame, len, iface);

	if (r)
		return r;
	return vnet_tx(iface, &frame, &l, 1) ? (long)len : B_EAGAIN;
}

#define BURST_CHUNK	32	/* frames checked and copied per driver call */

/* The program's arrays are read once: each frame's pointer and length are
 * copied, then checked, so another core cannot change them in between. */
long b_net_tx_burst(const void *const *frames, const uint16_t *lens, unsigned n,
		    unsigned iface)
{
	const void *f[BURST_CHUNK];
	uint16_t l[BURST_CHUNK];
	unsigned done = 0;
	int r = 0;

	if (iface >= vnet_count())
		return B_ENODEV;
	if (!n)
		return 0;
	if (!frames || !lens || !mem_program_readable(frames, (uint64_t)n * sizeof(*frames)) ||
	    !mem_program_readable(lens, (uint64_t)n * sizeof(*lens)))
		return B_EFAULT;
	while (done < n && !r) {
		unsigned k = 0, sent;
		for (; k < BURST_CHUNK && done + k < n; k++) {
			f[k] = frames[done + k];
			l[k] = lens[done + k];
			if ((r = check_frame(f[k], l[k], iface)))
				break;
		}
		sent = k ? vnet_tx(iface, f, l, k) : 0;
		done += sent;
		if (sent < k)
			break;		/* the slots ran out */
	}
	return done ? (long)done : r ? r : B_EAGAIN;
}

long b_net_rx_zc(unsigned iface, void **frame)
{
	if (iface >= vnet_count())
		return B_ENODEV;
	if (!frame || !mem_program_range(frame, sizeof(*frame)))
		return B_EFAULT;
	return vnet_rx_take(iface, frame);
}

int b_net_rx_release(unsigned iface, void *frame)
{
	if (iface >= vnet_count())
		return B_ENODEV;
	return vnet_rx_give(iface, frame) ? 0 : B_EINVAL;
}

long b_net_rx(void *mem, unsigned iface)
{
	void *frame;
	long len;

	if (iface >= vnet_count())
		return B_ENODEV;
	if (!mem || !mem_program_range(mem, B_NET_RX_MAX))
		return B_EFAULT;
	len = vnet_rx_take(iface, &frame);
	if (len > 0) {
		__builtin_memcpy(mem, frame, (unsigned long)len);
		vnet_rx_give(iface, frame);
	}
	return len;
}

unsigned b_net_count(void) { return vnet_count(); }

int b_net_info(unsigned iface, struct b_net_info *out)
{
	if (iface >= vnet_count())
		return B_ENODEV;
	if (!out || !mem_program_range(out, sizeof(*out)))
		return B_EFAULT;
	vnet_info(iface, out);
	return 0;
}

uint64_t b_net_status(unsigned iface)
{
	struct b_net_info in;
	uint64_t mac = 0;

	if (iface >= vnet_count())
		return 0;
	vnet_info(iface, &in);
	for (int i = 0; i < 6; i++)
		mac = mac << 8 | in.mac[i];
	return mac;
}

int b_net_stats(unsigned iface, struct b_net_stats *out)
{
	if (iface >= vnet_count())
		return B_ENODEV;
	if (!out || !mem_program_range(out, sizeof(*out)))
		return B_EFAULT;
	vnet_stats(iface, out);
	return 0;
}

int b_net_set_callback(void (*fn)(void))
{
	return vnet_set_callback(fn) ? 0 : B_ENODEV;
}
