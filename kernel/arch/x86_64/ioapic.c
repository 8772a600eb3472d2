/*
 * The I/O APIC (82093AA datasheet §3.2): two registers, an index and a
 * window, and a redirection entry per pin: vector, delivery, polarity,
 * trigger, mask, and the destination core's APIC id in the high half.
 */
#include <stddef.h>
#include "ioapic.h"
#include "../../spinlock.h"

#define IOREGSEL	0x00
#define IOWIN		0x10
#define REG_VERSION	0x01	/* bits 23:16: index of the last redirection entry */
#define REG_REDIR	0x10	/* + 2 * pin: low half, then high half */
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL	(1u << 15)
#define REDIR_MASKED	(1u << 16)

static const struct platform *plat;
static unsigned npins[MAX_IOAPICS];	/* read once at init: find() takes no lock */
static struct spinlock lock;	/* IOREGSEL then IOWIN: one access at a time, all I/O APICs */

static uint32_t reg_read(const struct ioapic *a, uint32_t reg)
{
	*(volatile uint32_t *)(a->base + IOREGSEL) = reg;
	return *(volatile uint32_t *)(a->base + IOWIN);
}

static void reg_write(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(a->base + IOREGSEL) = reg;
	*(volatile uint32_t *)(a->base + IOWIN) = v;
}

static unsigned pins(const struct ioapic *a)
{
	return (reg_read(a, REG_VERSION) >> 16 & 0xff) + 1;
}

/* The I/O APIC serving gsi, with the pin number in *pin; NULL if none. */
static const struct ioapic *find(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; plat && i < plat->nioapics; i++) {
		const struct ioapic *a = &plat->ioapics[i];
		if (gsi >= a->gsi_base && gsi - a->gsi_base < npins[i]) {
			*pin = gsi - a->gsi_base;
			return a;
		}
	}
	return NULL;
}

void ioapic_init(const struct platform *p)
{
	plat = p;
	for (unsigned i = 0; i < p->nioapics && i < MAX_IOAPICS; i++) {
		npins[i] = pins(&p->ioapics[i]);
		for (unsigned pin = 0; pin < npins[i]; pin++)
			reg_write(&p->ioapics[i], REG_REDIR + 2 * pin, REDIR_MASKED);
	}
}

bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level,
		  bool active_low)
{
	unsigned pin;
	const struct ioapic *a = find(gsi, &pin);
	uint64_t flags;

	if (!a)
		return false;
	flags = spin_lock_irqsave(&lock);
	reg_write(a, REG_REDIR + 2 * pin, REDIR_MASKED);
	reg_write(a, REG_REDIR + 2 * pin + 1, apic_id << 24);
	reg_write(a, REG_REDIR + 2 * pin, vector | REDIR_MASKED | (level ? REDIR_LEVEL : 0) |
						  (active_low ? REDIR_ACTIVE_LOW : 0));
	spin_unlock_irqrestore(&lock, flags);
	return true;
}

void ioapic_mask(uint32_t gsi, bool masked)
{
	unsigned pin;
	const struct ioapic *a = find(gsi, &pin);
	uint64_t flags;
	uint32_t v;

	if (!a)
		return;
	flags = spin_lock_irqsave(&lock);
	v = reg_read(a, REG_REDIR + 2 * pin);
	reg_write(a, REG_REDIR + 2 * pin, masked ? v | REDIR_MASKED : v & ~REDIR_MASKED);
	spin_unlock_irqrestore(&lock, flags);
}
