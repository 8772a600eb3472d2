/*
 * A virtio 1.x device, whichever transport carries it (virtio 1.1 §4.1
 * PCI, §4.2 MMIO). The transport files (virtio_pci.c, virtio_mmio.c) find
 * devices and fill in a struct virtio_dev with their register accessors;
 * the device drivers (virtio_net.c, virtio_blk.c) see only this header and
 * virtq.h. Initialisation follows §3.1.1 step by step in virtio_start.
 */
#ifndef PITH_VIRTIO_H
#define PITH_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "virtq.h"

/* Device ids (§5). */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLK		2

/* Device status bits (§2.1). */
#define VIRTIO_ACKNOWLEDGE	1
#define VIRTIO_DRIVER		2
#define VIRTIO_DRIVER_OK	4
#define VIRTIO_FEATURES_OK	8
#define VIRTIO_NEEDS_RESET	64
#define VIRTIO_FAILED		128

/* Device-independent feature bits (§6). */
#define VIRTIO_F_EVENT_IDX	(1ull << 29)
#define VIRTIO_F_VERSION_1	(1ull << 32)

#define VIRTIO_NO_VECTOR	0xffff	/* §4.1.4.3: no MSI-X vector */

struct virtio_dev;

/* What differs between the transports. */
struct virtio_ops {
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t s);
	uint64_t (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t f);
	/* Largest size queue idx takes; 0 if the queue does not exist. */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t idx);
	/* Gives the device queue idx's rings and size, routes its interrupt
	 * (irq: whether it should interrupt at all) and enables it. Returns
	 * where to write idx to notify the device, or NULL on failure. */
	volatile uint16_t *(*queue_enable)(struct virtio_dev *d, uint16_t idx,
					   const struct virtq *q, bool irq);
	/* Routes the device's interrupt to handler(arg), masked, and sets
	 * d->vector; false if it cannot. */
	bool (*irq_route)(struct virtio_dev *d, void (*handler)(void *), void *arg);
	/* Masks or unmasks the device's interrupt at its controller. */
	void (*irq_mask)(struct virtio_dev *d, bool masked);
	/* In the handler: clears the device's interrupt; true if it was ours. */
	bool (*irq_ack)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_ops *ops;
	const char *transport;		/* "pci" or "mmio" */
	uint32_t type;			/* VIRTIO_ID_* */
	volatile uint8_t *cfg;		/* device-specific configuration */
	volatile uint8_t *regs;		/* pci: common configuration; mmio: the window */
	volatile uint8_t *isr;		/* pci: ISR status byte */
	volatile uint8_t *notify;	/* pci: notification area */
	uint32_t notify_mult;
	void *bus;			/* pci: struct pci_dev; mmio: NULL */
	uint32_t gsi;			/* its I/O APIC input; 0 for MSI-X or none */
	uint64_t features;		/* negotiated */
	uint8_t vector;			/* CPU vector of its interrupt, 0 if none */
	bool notify32;			/* mmio: registers take 32-bit accesses only (§4.2.2.2) */
	bool irq_level;
};

/* Resets d and negotiates: the device must offer VERSION_1 and every
 * feature in need; of want, what it offers is taken. Returns the features
 * in force, or 0 after setting FAILED (reported by name). */
uint64_t virtio_start(struct virtio_dev *d, uint64_t need, uint64_t want, const char *name);
/* Allocates and enables queue idx with at most size entries (the device
 * may offer fewer). 0, or B_ENODEV/B_ENOMEM. *notify gets the address to
 * notify the queue through. */
int virtio_queue(struct virtio_dev *d, uint16_t idx, uint16_t size, struct virtq *q,
		 bool irq, volatile uint16_t **notify);
/* DRIVER_OK: the device may now use the queues. */
void virtio_ready(struct virtio_dev *d);
/* Routes d's interrupt to handler(arg) on the boot core; false if the
 * transport or the vector table cannot. Starts masked. */
bool virtio_irq(struct virtio_dev *d, void (*handler)(void *), void *arg);

/* Tells the device queue idx has new buffers, at the address virtio_queue gave. */
static inline void virtio_notify(struct virtio_dev *d, volatile uint16_t *at, uint16_t idx)
{
	if (d->notify32)
		*(volatile uint32_t *)at = idx;
	else
		*at = idx;
}

/* Device-specific configuration: reads are plain loads (x86 orders them). */
static inline uint8_t virtio_cfg8(struct virtio_dev *d, unsigned off) { return d->cfg[off]; }
static inline uint16_t virtio_cfg16(struct virtio_dev *d, unsigned off)
{
	return *(volatile uint16_t *)(d->cfg + off);
}
static inline uint32_t virtio_cfg32(struct virtio_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(d->cfg + off);
}
static inline uint64_t virtio_cfg64(struct virtio_dev *d, unsigned off)
{	/* two halves, as the spec allows (§4.1.3.1, §4.2.2.2) */
	return virtio_cfg32(d, off) | (uint64_t)virtio_cfg32(d, off + 4) << 32;
}

/* The transports: find every virtio device and hand each to the drivers
 * through virtio_attach (virtio.c). */
struct platform;
void virtio_pci_probe(const struct platform *p);
void virtio_mmio_probe(const struct platform *p, const char *cmdline);
void virtio_attach(struct virtio_dev *d);

#endif
