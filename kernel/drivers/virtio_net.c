/*
 * virtio-net (virtio 1.1 §5.1): queue 0 receives, queue 1 transmits. No
 * offloads are negotiated, so every frame is one buffer behind a 12-byte
 * struct virtio_net_hdr (§5.1.6: with VERSION_1 it always has num_buffers).
 *
 * Receive: NET_RX_BUFS buffers of NET_BUF_SIZE, each one descriptor the
 * device writes. A used buffer is taken by the program in place and only
 * reposted when the program gives it back (b_net_rx copies, then gives it
 * back at once): the device never writes a buffer the program still reads.
 * Transmit: the frame is copied into a free slot after a zeroed header;
 * finished slots are reclaimed at the next send. A burst is published
 * with one index update and at most one notification.
 * Interrupts (the program's callback) come from the receive queue only.
 */
#include "virtio_net.h"
#include "virtio.h"
#include "../irq.h"
#include "../mem.h"
#include "../printf.h"
#include "../spinlock.h"
#include "../string.h"

#define NET_F_MAC		(1ull << 5)	/* §5.1.3 */
#define NET_F_STATUS		(1ull << 16)
#define NET_CFG_MAC		0		/* §5.1.4 struct virtio_net_config */
#define NET_CFG_STATUS		6
#define NET_S_LINK_UP		1
#define NET_HDR_SIZE		12		/* §5.1.6 with VERSION_1 */
#define NET_BUF_SIZE		1536		/* header + a tagged 1518-byte frame */
#define RXQ			0
#define TXQ			1

_Static_assert(NET_HDR_SIZE + B_NET_RX_MAX <= NET_BUF_SIZE, "rx buffer too small");

struct nic {
	struct virtio_dev *dev;
	struct virtq rx, tx;
	volatile uint16_t *rx_notify, *tx_notify;
	uint8_t *rx_bufs, *tx_bufs;
	bool rx_taken[NET_RX_BUFS];	/* the program holds it */
	uint16_t tx_free[NET_TX_SLOTS];	/* a stack of free slot numbers */
	uint16_t ntx_free;
	uint16_t tx_used_seen;		/* tx.last_used at the last send */
	struct spinlock rx_lock, tx_lock;
	uint8_t mac[6];
	uint16_t mtu;
	struct b_net_stats stats;
};

static struct nic nics[MAX_NICS];
static unsigned nnics;
static void (*callback)(void);

/* Posts rx buffer i for the device to fill (not yet published). */
static void rx_post(struct nic *n, unsigned i)
{
	uint8_t *buf = n->rx_bufs + i * NET_BUF_SIZE;
	struct virtq_buf b = { buf, NET_BUF_SIZE, true };

	n->rx_taken[i] = false;
	virtq_add(&n->rx, &b, 1, buf);	/* cannot fail: a buffer per descriptor */
}

static void rx_publish(struct nic *n)
{
	if (virtq_publish(&n->rx))
		virtio_notify(n->dev, n->rx_notify, RXQ);
}

/* On core 0 with interrupts off. Frames the callback leaves unread are
 * reported again with the next arrival (virtq_rearm). */
static void interrupt(void *arg)
{
	struct nic *n = arg;
	void (*fn)(void) = __atomic_load_n(&callback, __ATOMIC_ACQUIRE);
	uint64_t flags;

	if (!n->dev->ops->irq_ack(n->dev))
		return;
	__atomic_fetch_add(&n->stats.interrupts, 1, __ATOMIC_RELAXED);
	if (fn && !irq_call_program(fn))
		vnet_set_callback(NULL);	/* it faulted: do not call it again */
	flags = spin_lock_irqsave(&n->rx_lock);
	virtq_rearm(&n->rx);
	spin_unlock_irqrestore(&n->rx_lock, flags);
}

static bool setup_queues(struct nic *n)
{
	struct virtio_dev *d = n->dev;
	bool irq = virtio_irq(d, interrupt, n);

	n->rx_bufs = mem_alloc_dma((uint64_t)NET_RX_BUFS * NET_BUF_SIZE);
	n->tx_bufs = mem_alloc_dma((uint64_t)NET_TX_SLOTS * NET_BUF_SIZE);
	if (!n->rx_bufs || !n->tx_bufs ||
	    virtio_queue(d, RXQ, NET_RX_BUFS, &n->rx, irq, &n->rx_notify) < 0 ||
	    virtio_queue(d, TXQ, NET_TX_SLOTS, &n->tx, false, &n->tx_notify) < 0)
		return false;
	for (unsigned i = 0; i < n->rx.size; i++)
		rx_post(n, i);
	for (unsigned i = 0; i < n->tx.size; i++)
		n->tx_free[n->ntx_free++] = (uint16_t)i;
	return true;
}

void virtio_net_attach(struct virtio_dev *d)
{
	struct nic *n = &nics[nnics];

	if (nnics == MAX_NICS) {
		kprintf("net: more than %u NICs; the rest are not used\n", MAX_NICS);
		return;
	}
	*n = (struct nic){ .dev = d, .mtu = 1500 };
	/* Not VIRTIO_NET_F_MTU: an MTU above 1500 would need bigger receive
	 * buffers (§5.1.6.3.1); without it the device keeps to 1500. */
	if (!virtio_start(d, 0, NET_F_MAC | NET_F_STATUS | VIRTIO_F_EVENT_IDX, "net"))
		return;
	if (!setup_queues(n)) {
		kprintf("net: %s device: queues could not be set up\n", d->transport);
		d->ops->set_status(d, VIRTIO_FAILED);
		return;
	}
	if (d->features & NET_F_MAC)
		for (int i = 0; i < 6; i++)
			n->mac[i] = virtio_cfg8(d, NET_CFG_MAC + i);
	else	/* locally administered, unicast (IEEE 802 §8.2) */
		memcpy(n->mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0, (uint8_t)nnics }, 6);
	virtio_ready(d);
	rx_publish(n);
	nnics++;
}

unsigned vnet_count(void) { return nnics; }

/* Publishes new frames: true if the device must be notified. Besides
 * EVENT_IDX's answer, also when frames are in flight and the device has
 * finished none since the last send: QEMU 7.2's virtio-mmio can miss the
 * moment its avail_event says to notify it (seen as a transmit ring that
 * stops for good under host load), and a spare notification costs one
 * exit, while a missed one stops the NIC. tx_lock held. */
static bool tx_publish(struct nic *n)
{
	bool kick = virtq_publish(&n->tx);
	bool stalled = n->ntx_free < n->tx.size && n->tx.last_used == n->tx_used_seen;

	n->tx_used_seen = n->tx.last_used;
	return kick || stalled;
}

/* Returns the slots of frames the device has sent. tx_lock held. */
static void tx_reclaim(struct nic *n)
{
	uint32_t len;
	void *buf;

	while ((buf = virtq_get_used(&n->tx, &len)))
		n->tx_free[n->ntx_free++] = (uint16_t)(((uint8_t *)buf - n->tx_bufs) / NET_BUF_SIZE);
	__atomic_fetch_add(&n->stats.tx_errors, n->tx.bad_used, __ATOMIC_RELAXED);
	n->tx.bad_used = 0;	/* the device broke the transmit ring's rules */
}

unsigned vnet_tx(unsigned nic, const void *const *frames, const uint16_t *lens, unsigned cnt)
{
	struct nic *n = &nics[nic];
	uint64_t flags = spin_lock_irqsave(&n->tx_lock);
	unsigned sent = 0;

	tx_reclaim(n);
	for (; sent < cnt && n->ntx_free; sent++) {
		uint8_t *slot = n->tx_bufs + n->tx_free[--n->ntx_free] * NET_BUF_SIZE;
		struct virtq_buf b = { slot, (uint32_t)(NET_HDR_SIZE + lens[sent]), false };

		memset(slot, 0, NET_HDR_SIZE);
		memcpy(slot + NET_HDR_SIZE, frames[sent], lens[sent]);
		virtq_add(&n->tx, &b, 1, slot);
		n->stats.tx_frames++;
		n->stats.tx_bytes += lens[sent];
	}
	n->stats.tx_drops += cnt - sent;
	if (tx_publish(n) && sent)
		virtio_notify(n->dev, n->tx_notify, TXQ);
	spin_unlock_irqrestore(&n->tx_lock, flags);
	return sent;
}

long vnet_rx_take(unsigned nic, void **frame)
{
	struct nic *n = &nics[nic];
	uint64_t flags = spin_lock_irqsave(&n->rx_lock);
	long got = 0;
	uint8_t *buf;
	uint32_t len;

	while (!got && (buf = virtq_get_used(&n->rx, &len))) {
		unsigned i = (unsigned)((buf - n->rx_bufs) / NET_BUF_SIZE);
		if (len < NET_HDR_SIZE + B_NET_FRAME_MIN || len > NET_HDR_SIZE + B_NET_RX_MAX) {
			n->stats.rx_drops++;	/* a runt or an oversized frame */
			rx_post(n, i);
			continue;
		}
		n->rx_taken[i] = true;
		*frame = buf + NET_HDR_SIZE;
		got = len - NET_HDR_SIZE;
		n->stats.rx_frames++;
		n->stats.rx_bytes += (uint64_t)got;
	}
	n->stats.rx_errors += n->rx.bad_used;
	n->rx.bad_used = 0;
	rx_publish(n);
	spin_unlock_irqrestore(&n->rx_lock, flags);
	return got;
}

bool vnet_rx_give(unsigned nic, void *frame)
{
	struct nic *n = &nics[nic];
	uint8_t *p = (uint8_t *)frame - NET_HDR_SIZE;
	uint64_t off = (uint64_t)(p - n->rx_bufs), flags;
	bool ok;

	if ((uint8_t *)frame < n->rx_bufs + NET_HDR_SIZE || off % NET_BUF_SIZE ||
	    off / NET_BUF_SIZE >= n->rx.size)
		return false;
	flags = spin_lock_irqsave(&n->rx_lock);
	ok = n->rx_taken[off / NET_BUF_SIZE];
	if (ok) {
		rx_post(n, (unsigned)(off / NET_BUF_SIZE));
		rx_publish(n);
	}
	spin_unlock_irqrestore(&n->rx_lock, flags);
	return ok;
}

void vnet_reclaim_all(void)
{
	for (unsigned i = 0; i < nnics; i++) {
		struct nic *n = &nics[i];
		uint64_t flags = spin_lock_irqsave(&n->rx_lock);

		for (unsigned b = 0; b < n->rx.size; b++)
			if (n->rx_taken[b])
				rx_post(n, b);
		rx_publish(n);
		spin_unlock_irqrestore(&n->rx_lock, flags);
	}
}

void vnet_info(unsigned nic, struct b_net_info *out)
{
	struct nic *n = &nics[nic];
	struct virtio_dev *d = n->dev;

	*out = (struct b_net_info){ .mtu = n->mtu, .irq = d->vector != 0,
				    .rx_ring = n->rx.size, .tx_ring = n->tx.size };
	memcpy(out->mac, n->mac, 6);
	out->link_up = !(d->features & NET_F_STATUS) ||
		       (virtio_cfg16(d, NET_CFG_STATUS) & NET_S_LINK_UP);
	memcpy(out->transport, d->transport, strlen(d->transport) + 1);	/* "pci", "mmio" */
}

void vnet_stats(unsigned nic, struct b_net_stats *out) { *out = nics[nic].stats; }
void vnet_count_tx_error(unsigned nic)
{
	__atomic_fetch_add(&nics[nic].stats.tx_errors, 1, __ATOMIC_RELAXED);
}

bool vnet_set_callback(void (*fn)(void))
{
	bool any = false;

	__atomic_store_n(&callback, fn, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < nnics; i++)
		if (nics[i].dev->vector) {
			nics[i].dev->ops->irq_mask(nics[i].dev, !fn);
			any = true;
		}
	return any;
}

void vnet_print(void)
{
	for (unsigned i = 0; i < nnics; i++) {
		struct b_net_info in;
		vnet_info(i, &in);
		kprintf("net    %u %s %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s irq %s\n", i,
			in.transport, in.mac[0], in.mac[1], in.mac[2], in.mac[3], in.mac[4],
			in.mac[5], in.mtu, in.link_up ? "up" : "down",
			!in.irq ? "none" : nics[i].dev->gsi ? "ioapic" : "msix");
	}
}
