/*
 * virtio over MMIO (virtio 1.1 §4.2), the transport of microvm and
 * Firecracker-style VMs. Windows come from the DSDT (acpi.c) and from
 * "virtio_mmio.device=SIZE@BASE:IRQ" words on the command line, which QEMU
 * adds when ACPI is off. Only version 2 (virtio 1.x) windows are driven;
 * QEMU's legacy (version 1) mode is refused by name. Interrupts: one line
 * per device through the I/O APIC, acknowledged in InterruptACK.
 */
#include "virtio.h"
#include "platform.h"
#include "../printf.h"
#include "../irq.h"
#include "../string.h"
#include "../arch/x86_64/ioapic.h"
#include "../arch/x86_64/paging.h"

/* Registers (§4.2.2). */
#define MMIO_MAGIC		0x000	/* "virt" */
#define MMIO_VERSION		0x004
#define MMIO_DEVICE_ID		0x008
#define MMIO_DEVICE_FEATURES	0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES	0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL		0x030
#define MMIO_QUEUE_NUM_MAX	0x034
#define MMIO_QUEUE_NUM		0x038
#define MMIO_QUEUE_READY	0x044
#define MMIO_QUEUE_NOTIFY	0x050
#define MMIO_INTERRUPT_STATUS	0x060
#define MMIO_INTERRUPT_ACK	0x064
#define MMIO_STATUS		0x070
#define MMIO_QUEUE_DESC		0x080
#define MMIO_QUEUE_DRIVER	0x090
#define MMIO_QUEUE_DEVICE	0x0a0
#define MMIO_CONFIG		0x100
#define MMIO_MAGIC_VALUE	0x74726976
#define MMIO_WINDOW_MIN		0x200
#define CMDLINE_KEY		"virtio_mmio.device="

static struct virtio_dev devs[MAX_VIRTIO_MMIO];
static unsigned ndevs;

static volatile uint32_t *reg(struct virtio_dev *d, unsigned off)
{
	return (volatile uint32_t *)(d->regs + off);
}

static uint8_t get_status(struct virtio_dev *d) { return (uint8_t)*reg(d, MMIO_STATUS); }
static void set_status(struct virtio_dev *d, uint8_t s) { *reg(d, MMIO_STATUS) = s; }

static uint64_t get_features(struct virtio_dev *d)
{
	uint64_t f;

	*reg(d, MMIO_DEVICE_FEATURES_SEL) = 0;
	f = *reg(d, MMIO_DEVICE_FEATURES);
	*reg(d, MMIO_DEVICE_FEATURES_SEL) = 1;
	return f | (uint64_t)*reg(d, MMIO_DEVICE_FEATURES) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	*reg(d, MMIO_DRIVER_FEATURES_SEL) = 0;
	*reg(d, MMIO_DRIVER_FEATURES) = (uint32_t)f;
	*reg(d, MMIO_DRIVER_FEATURES_SEL) = 1;
	*reg(d, MMIO_DRIVER_FEATURES) = (uint32_t)(f >> 32);
}

static uint16_t queue_max(struct virtio_dev *d, uint16_t idx)
{
	uint32_t max;

	*reg(d, MMIO_QUEUE_SEL) = idx;
	max = *reg(d, MMIO_QUEUE_NUM_MAX);
	return max > VIRTQ_SIZE_MAX ? VIRTQ_SIZE_MAX : (uint16_t)max;
}

static void write64(struct virtio_dev *d, unsigned off, const void *p)
{
	*reg(d, off) = (uint32_t)(uint64_t)p;
	*reg(d, off + 4) = (uint32_t)((uint64_t)p >> 32);
}

static volatile uint16_t *queue_enable(struct virtio_dev *d, uint16_t idx,
				       const struct virtq *q, bool irq)
{
	(void)irq;	/* one line for all queues: the rings' flags decide */
	*reg(d, MMIO_QUEUE_SEL) = idx;
	*reg(d, MMIO_QUEUE_NUM) = q->size;
	write64(d, MMIO_QUEUE_DESC, q->desc);
	write64(d, MMIO_QUEUE_DRIVER, q->avail);
	write64(d, MMIO_QUEUE_DEVICE, q->used);
	*reg(d, MMIO_QUEUE_READY) = 1;
	return (volatile uint16_t *)reg(d, MMIO_QUEUE_NOTIFY);
}

static bool irq_route(struct virtio_dev *d, void (*handler)(void *), void *arg)
{
	const struct mmio_window *w = d->bus;

	d->vector = irq_route_gsi(w->gsi, w->level, w->active_low, handler, arg);
	return d->vector != 0;
}

static void irq_mask(struct virtio_dev *d, bool masked) { ioapic_mask(d->gsi, masked); }

static bool irq_ack(struct virtio_dev *d)
{
	uint32_t s = *reg(d, MMIO_INTERRUPT_STATUS);

	*reg(d, MMIO_INTERRUPT_ACK) = s;	/* the line drops before the EOI */
	return s != 0;
}

static const struct virtio_ops mmio_ops = {
	get_status, set_status, get_features, set_features, queue_max, queue_enable,
	irq_route, irq_mask, irq_ack,
};

static struct mmio_window windows[MAX_VIRTIO_MMIO];

/* Probes one window; hands a virtio 1.x device in it to its driver. */
static void probe(const struct mmio_window *w)
{
	volatile uint32_t *r = (volatile uint32_t *)w->base;
	struct virtio_dev *d = &devs[ndevs];

	if (w->size < MMIO_WINDOW_MIN || !paging_is_mapped(w->base) ||
	    !paging_is_mapped(w->base + w->size - 1) || r[MMIO_MAGIC / 4] != MMIO_MAGIC_VALUE) {
		kprintf("virtio: no device at mmio %#lx\n", (unsigned long)w->base);
		return;
	}
	if (!r[MMIO_DEVICE_ID / 4])
		return;				/* an empty slot */
	if (r[MMIO_VERSION / 4] != 2) {
		kprintf("virtio: mmio %#lx is legacy (version %u): not driven\n",
			(unsigned long)w->base, r[MMIO_VERSION / 4]);
		return;
	}
	*d = (struct virtio_dev){ .ops = &mmio_ops, .transport = "mmio", .type = r[MMIO_DEVICE_ID / 4] };
	d->regs = (volatile uint8_t *)w->base;
	d->cfg = d->regs + MMIO_CONFIG;
	d->bus = (void *)w;
	d->gsi = w->gsi;
	d->notify32 = true;
	ndevs++;
	virtio_attach(d);
}

/* Adds w unless a window at the same base is already listed. */
static unsigned add_window(unsigned n, const struct mmio_window *w)
{
	for (unsigned i = 0; i < n; i++)
		if (windows[i].base == w->base)
			return n;
	if (n < MAX_VIRTIO_MMIO)
		windows[n++] = *w;
	return n;
}

void virtio_mmio_probe(const struct platform *p, const char *cmdline)
{
	unsigned n = 0;
	size_t klen = strlen(CMDLINE_KEY);

	for (unsigned i = 0; i < p->nmmio; i++)
		n = add_window(n, &p->mmio[i]);
	for (const char *s = cmdline; *s; s++) {
		struct mmio_window w;
		if ((s != cmdline && s[-1] != ' ') || strncmp(s, CMDLINE_KEY, klen))
			continue;
		if (platform_parse_mmio_arg(s + klen, &w))
			n = add_window(n, &w);
		else
			kprintf("virtio: cannot read '%.40s'\n", s);
	}
	/* Highest address first: QEMU gives the first -device the top window. */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && windows[j - 1].base < windows[j].base; j--) {
			struct mmio_window t = windows[j];
			windows[j] = windows[j - 1];
			windows[j - 1] = t;
		}
	for (unsigned i = 0; i < n; i++)
		probe(&windows[i]);
}
