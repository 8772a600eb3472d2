/*
 * What every virtio device goes through, whatever its transport: the
 * initialisation sequence of virtio 1.1 §3.1.1, queue set-up (§2.6) and
 * the hand-off from transport to driver.
 */
#include <pith/error.h>
#include "virtio.h"
#include "virtio_net.h"
#include "virtio_blk.h"
#include "../mem.h"
#include "../printf.h"
#include "../smp.h"

uint64_t virtio_start(struct virtio_dev *d, uint64_t need, uint64_t want, const char *name)
{
	const struct virtio_ops *o = d->ops;
	uint64_t offered;

	o->set_status(d, 0);			/* 1. reset */
	for (int i = 0; i < 1000 && o->get_status(d); i++)
		;				/* §4.1.4.3.2: wait for 0 */
	o->set_status(d, VIRTIO_ACKNOWLEDGE);	/* 2. we saw it */
	o->set_status(d, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);	/* 3. we can drive it */
	offered = o->get_features(d);		/* 4. negotiate */
	need |= VIRTIO_F_VERSION_1;
	if ((offered & need) != need) {
		kprintf("%s: %s device lacks features %#lx; not used\n", name, d->transport,
			(unsigned long)(need & ~offered));
		goto fail;
	}
	d->features = offered & (need | want);
	o->set_features(d, d->features);
	o->set_status(d, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | VIRTIO_FEATURES_OK);	/* 5. */
	if (!(o->get_status(d) & VIRTIO_FEATURES_OK)) {	/* 6. it agreed? */
		kprintf("%s: %s device refused features %#lx; not used\n", name,
			d->transport, (unsigned long)d->features);
		goto fail;
	}
	return d->features;
fail:
	o->set_status(d, VIRTIO_FAILED);
	return 0;
}

int virtio_queue(struct virtio_dev *d, uint16_t idx, uint16_t size, struct virtq *q,
		 bool irq, volatile uint16_t **notify)
{
	uint16_t max = d->ops->queue_max(d, idx);
	struct virtq_slot *slots;
	void *mem;

	if (!max)
		return B_ENODEV;
	while (size > max)	/* our sizes are powers of 2, as split queues must be */
		size >>= 1;
	mem = mem_alloc_dma(virtq_bytes(size) + (uint64_t)size * sizeof(*slots));
	if (!mem)
		return B_ENOMEM;
	slots = (struct virtq_slot *)((uint8_t *)mem + ((virtq_bytes(size) + 15) & ~15ul));
	if (virtq_init(q, mem, size, slots, d->features & VIRTIO_F_EVENT_IDX) < 0)
		return B_ENODEV;
	virtq_want_interrupts(q, irq);
	*notify = d->ops->queue_enable(d, idx, q, irq);
	return *notify ? 0 : B_ENODEV;
}

void virtio_ready(struct virtio_dev *d)
{
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_DRIVER_OK);
}

bool virtio_irq(struct virtio_dev *d, void (*handler)(void *), void *arg)
{
	return d->ops->irq_route(d, handler, arg);
}

void virtio_attach(struct virtio_dev *d)
{
	if (d->type == VIRTIO_ID_NET)
		virtio_net_attach(d);
	else if (d->type == VIRTIO_ID_BLK)
		virtio_blk_attach(d);
}
