/*
 * virtio over PCI, the modern interface (virtio 1.1 §4.1). The device's
 * registers are found through vendor-specific capabilities, each naming a
 * BAR and an offset: common configuration, notifications, the ISR byte and
 * the device configuration. Interrupts: MSI-X entry 0 for everything the
 * driver wants to hear about; without MSI-X the device is polled.
 */
#include "virtio.h"
#include "pci.h"
#include "../mem.h"
#include "../printf.h"
#include "../irq.h"
#include "../smp.h"
#include "../arch/x86_64/ioapic.h"
#include "../arch/x86_64/paging.h"

#define VENDOR_VIRTIO		0x1af4
#define DEVICE_TRANSITIONAL	0x1000	/* 0x1000..0x103f: id in the subsystem id */
#define DEVICE_MODERN		0x1040	/* + device id (§4.1.2.1) */

/* Capability layout and types (§4.1.4). */
#define CAP_CFG_TYPE		3
#define CAP_BAR			4
#define CAP_OFFSET		8
#define CAP_LENGTH		12
#define CAP_NOTIFY_MULT		16
#define CFG_COMMON		1
#define CFG_NOTIFY		2
#define CFG_ISR			3
#define CFG_DEVICE		4

/* struct virtio_pci_common_cfg (§4.1.4.3). */
#define COMMON_DFSELECT		0
#define COMMON_DF		4
#define COMMON_GFSELECT		8
#define COMMON_GF		12
#define COMMON_MSIX		16
#define COMMON_STATUS		20
#define COMMON_Q_SELECT		22
#define COMMON_Q_SIZE		24
#define COMMON_Q_MSIX		26
#define COMMON_Q_ENABLE		28
#define COMMON_Q_NOFF		30
#define COMMON_Q_DESC		32
#define COMMON_Q_DRIVER		40
#define COMMON_Q_DEVICE		48

#define MAX_VIRTIO_PCI		(MAX_NICS + MAX_DRIVES)

static struct virtio_dev devs[MAX_VIRTIO_PCI];
static const struct platform *plat;
static unsigned ndevs;

static volatile uint8_t *reg8(struct virtio_dev *d, unsigned off) { return d->regs + off; }
static volatile uint16_t *reg16(struct virtio_dev *d, unsigned off)
{
	return (volatile uint16_t *)(d->regs + off);
}
static volatile uint32_t *reg32(struct virtio_dev *d, unsigned off)
{
	return (volatile uint32_t *)(d->regs + off);
}

static uint8_t get_status(struct virtio_dev *d) { return *reg8(d, COMMON_STATUS); }
static void set_status(struct virtio_dev *d, uint8_t s) { *reg8(d, COMMON_STATUS) = s; }

static uint64_t get_features(struct virtio_dev *d)
{
	uint64_t f;

	*reg32(d, COMMON_DFSELECT) = 0;
	f = *reg32(d, COMMON_DF);
	*reg32(d, COMMON_DFSELECT) = 1;
	return f | (uint64_t)*reg32(d, COMMON_DF) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	*reg32(d, COMMON_GFSELECT) = 0;
	*reg32(d, COMMON_GF) = (uint32_t)f;
	*reg32(d, COMMON_GFSELECT) = 1;
	*reg32(d, COMMON_GF) = (uint32_t)(f >> 32);
}

static uint16_t queue_max(struct virtio_dev *d, uint16_t idx)
{
	*reg16(d, COMMON_Q_SELECT) = idx;
	return *reg16(d, COMMON_Q_SIZE);
}

static void write64(struct virtio_dev *d, unsigned off, const void *p)
{
	*reg32(d, off) = (uint32_t)(uint64_t)p;
	*reg32(d, off + 4) = (uint32_t)((uint64_t)p >> 32);
}

static volatile uint16_t *queue_enable(struct virtio_dev *d, uint16_t idx,
				       const struct virtq *q, bool irq)
{
	uint16_t vec = irq && d->vector && !d->gsi ? 0 : VIRTIO_NO_VECTOR;

	*reg16(d, COMMON_Q_SELECT) = idx;
	*reg16(d, COMMON_Q_SIZE) = q->size;
	write64(d, COMMON_Q_DESC, q->desc);
	write64(d, COMMON_Q_DRIVER, q->avail);
	write64(d, COMMON_Q_DEVICE, q->used);
	*reg16(d, COMMON_Q_MSIX) = vec;
	if (*reg16(d, COMMON_Q_MSIX) != vec && !d->gsi)	/* §4.1.5.1.3: read back */
		return NULL;
	*reg16(d, COMMON_Q_ENABLE) = 1;
	return (volatile uint16_t *)(d->notify + *reg16(d, COMMON_Q_NOFF) * d->notify_mult);
}

/* MSI-X entry 0 where the device has MSI-X; else its INTx line through the
 * I/O APIC, found from the Interrupt Line the firmware wrote (an ISA IRQ,
 * which QEMU's PIIX3 and ICH9 also raise at that I/O APIC input). */
static bool irq_route(struct virtio_dev *d, void (*handler)(void *), void *arg)
{
	const struct pci_dev *p = d->bus;
	uint8_t line = pci_read8(p->bus, p->dev, p->fn, PCI_INTERRUPT_LINE);
	bool level, low;

	*reg16(d, COMMON_MSIX) = VIRTIO_NO_VECTOR;	/* no config-change interrupts */
	if (p->cap_msix) {
		d->vector = irq_alloc(handler, arg);
		if (!d->vector || !pci_msix_route(p, 0, d->vector, smp_cpu(0)->apic_id))
			d->vector = 0;	/* nothing will ever arrive: say so */
		return d->vector != 0;
	}
	if (!pci_read8(p->bus, p->dev, p->fn, PCI_INTERRUPT_PIN) || line == 0 || line >= 16)
		return false;
	d->gsi = platform_isa_gsi(plat, line, &level, &low);
	d->vector = irq_route_gsi(d->gsi, level, low, handler, arg);
	return d->vector != 0;
}

static void irq_mask(struct virtio_dev *d, bool masked)
{
	if (d->gsi)
		ioapic_mask(d->gsi, masked);
	else
		pci_msix_mask(d->bus, 0, masked);
}

/* MSI-X: nothing to clear. INTx: reading the ISR byte clears it (§4.1.4.5). */
static bool irq_ack(struct virtio_dev *d) { return !d->gsi || (*d->isr & 1); }

static const struct virtio_ops pci_ops = {
	get_status, set_status, get_features, set_features, queue_max, queue_enable,
	irq_route, irq_mask, irq_ack,
};

/* The address a capability points at, or NULL if its BAR is unusable. */
static volatile uint8_t *cap_addr(const struct pci_dev *p, uint8_t cap)
{
	uint8_t bar = pci_read8(p->bus, p->dev, p->fn, cap + CAP_BAR);
	uint64_t base = pci_bar(p, bar);
	uint32_t off = pci_read32(p->bus, p->dev, p->fn, cap + CAP_OFFSET);
	uint32_t len = pci_read32(p->bus, p->dev, p->fn, cap + CAP_LENGTH);

	if (!base || !paging_is_mapped(base + off) || !paging_is_mapped(base + off + len - 1))
		return NULL;
	return (volatile uint8_t *)(base + off);
}

/* Fills d's register pointers from p's capabilities; false if one is missing. */
static bool find_caps(const struct pci_dev *p, struct virtio_dev *d)
{
	for (uint8_t c = pci_find_cap(p, PCI_CAP_VENDOR, 0); c;
	     c = pci_find_cap(p, PCI_CAP_VENDOR, c)) {
		uint8_t type = pci_read8(p->bus, p->dev, p->fn, c + CAP_CFG_TYPE);
		volatile uint8_t **slot = type == CFG_COMMON ? &d->regs :
					  type == CFG_NOTIFY ? &d->notify :
					  type == CFG_ISR ? &d->isr :
					  type == CFG_DEVICE ? &d->cfg : NULL;
		if (!slot || *slot)	/* §4.1.4: the first of each type is preferred */
			continue;
		*slot = cap_addr(p, c);
		if (type == CFG_NOTIFY)
			d->notify_mult = pci_read32(p->bus, p->dev, p->fn, c + CAP_NOTIFY_MULT);
	}
	return d->regs && d->notify && d->isr && d->cfg;
}

void virtio_pci_probe(const struct platform *p_)
{
	plat = p_;
	for (unsigned i = 0; i < pci_count() && ndevs < MAX_VIRTIO_PCI; i++) {
		const struct pci_dev *p = pci_get(i);
		struct virtio_dev *d = &devs[ndevs];
		uint32_t type;

		if (p->vendor != VENDOR_VIRTIO || p->device < DEVICE_TRANSITIONAL ||
		    p->device > DEVICE_MODERN + 0x3f)
			continue;
		type = p->device >= DEVICE_MODERN ? p->device - DEVICE_MODERN :
			pci_read16(p->bus, p->dev, p->fn, PCI_SUBSYSTEM_ID);
		*d = (struct virtio_dev){ .ops = &pci_ops, .transport = "pci", .type = type };
		d->bus = (void *)p;
		if (!find_caps(p, d)) {
			kprintf("virtio: pci %02x:%02x.%u has no usable modern interface\n",
				p->bus, p->dev, p->fn);
			continue;
		}
		pci_enable(p);
		ndevs++;
		virtio_attach(d);
	}
}
