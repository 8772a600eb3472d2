/*
 * PCI enumeration. Configuration space is reached through ECAM (PCIe base
 * spec §7.2.2: base + bus << 20 | dev << 15 | fn << 12) when the MCFG gives
 * one, else through configuration mechanism #1 (PCI Local Bus spec 3.0
 * §3.2.2.3.2: address to 0xcf8, data at 0xcfc). The scan follows bridges
 * from bus 0 instead of probing all 256 buses: each probe is a VM exit, and
 * 8,192 of them would cost milliseconds of boot under emulation.
 */
#include "pci.h"
#include "../param.h"
#include "../printf.h"
#include "../spinlock.h"
#include "../arch/x86_64/cpu.h"

#define CONFIG_ADDRESS		0xcf8
#define CONFIG_DATA		0xcfc
#define CONFIG_ENABLE		0x80000000u
#define LEGACY_SPACE		256
#define ECAM_SPACE		4096
#define HEADER_MULTIFUNCTION	0x80
#define HEADER_BRIDGE		0x01
#define CLASS_BRIDGE		0x06
#define SUBCLASS_PCI_BRIDGE	0x04
#define CAPS_MAX		48	/* (256 - 64) / 4: more is a loop */

static uint64_t ecam;		/* 0: legacy ports */
static uint8_t ecam_last_bus;
static struct pci_dev devs[MAX_PCI_DEVICES];
static unsigned ndevs;
static bool truncated;
static uint8_t buses_seen[256 / 8];
static struct spinlock ports_lock;	/* the 0xcf8/0xcfc pair is one shared register */

static volatile uint32_t *ecam_word(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (volatile uint32_t *)(ecam + ((uint64_t)bus << 20 | (uint64_t)dev << 15 |
					     (uint64_t)fn << 12 | (off & ~3u)));
}

/* Whether (bus, off) can be reached at all with the access method in use. */
bool pci_reachable(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (dev > 31 || fn > 7)
		return false;
	if (ecam)
		return bus <= ecam_last_bus && off < ECAM_SPACE;
	return off < LEGACY_SPACE;
}

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (!pci_reachable(bus, dev, fn, off))
		return UINT32_MAX;
	uint64_t flags;
	uint32_t v;

	if (ecam)
		return *ecam_word(bus, dev, fn, off);
	flags = spin_lock_irqsave(&ports_lock);
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
	v = inl(CONFIG_DATA);
	spin_unlock_irqrestore(&ports_lock, flags);
	return v;
}

void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	uint64_t flags;

	if (!pci_reachable(bus, dev, fn, off))
		return;
	if (ecam) {
		*ecam_word(bus, dev, fn, off) = v;
		return;
	}
	flags = spin_lock_irqsave(&ports_lock);
	outl(CONFIG_ADDRESS, CONFIG_ENABLE | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
	outl(CONFIG_DATA, v);
	spin_unlock_irqrestore(&ports_lock, flags);
}

uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (uint16_t)(pci_read32(bus, dev, fn, off) >> (off & 2) * 8);
}

uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (uint8_t)(pci_read32(bus, dev, fn, off) >> (off & 3) * 8);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from)
{
	uint8_t off;

	if (!(pci_read16(d->bus, d->dev, d->fn, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	off = from ? pci_read8(d->bus, d->dev, d->fn, from + 1) :
		     pci_read8(d->bus, d->dev, d->fn, PCI_CAP_PTR);
	for (int n = 0; n < CAPS_MAX && off >= 0x40; n++) {
		off &= ~3;	/* the low two bits are reserved (spec §6.7) */
		if (pci_read8(d->bus, d->dev, d->fn, off) == id)
			return off;
		off = pci_read8(d->bus, d->dev, d->fn, off + 1);
	}
	return 0;
}

static void scan_bus(uint8_t bus, int depth);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, int depth)
{
	uint32_t id = pci_read32(bus, dev, fn, PCI_VENDOR);
	uint32_t class = pci_read32(bus, dev, fn, PCI_CLASS_REV);
	struct pci_dev *d;

	if (ndevs == MAX_PCI_DEVICES) {
		truncated = true;
		return;
	}
	d = &devs[ndevs++];
	*d = (struct pci_dev){ bus, dev, fn, (uint16_t)id, (uint16_t)(id >> 16),
			       (uint8_t)(class >> 24), (uint8_t)(class >> 16),
			       (uint8_t)(class >> 8), 0, 0, 0 };
	d->cap_msi = pci_find_cap(d, PCI_CAP_MSI, 0);
	d->cap_msix = pci_find_cap(d, PCI_CAP_MSIX, 0);
	d->cap_pcie = pci_find_cap(d, PCI_CAP_PCIE, 0);
	if (d->class == CLASS_BRIDGE && d->subclass == SUBCLASS_PCI_BRIDGE &&
	    (pci_read8(bus, dev, fn, PCI_HEADER_TYPE) & 0x7f) == HEADER_BRIDGE)
		scan_bus(pci_read8(bus, dev, fn, PCI_SECONDARY_BUS), depth + 1);
}

static void scan_bus(uint8_t bus, int depth)
{
	/* Firmware numbers buses; a bad numbering must not loop us. */
	if (depth > PCI_BRIDGE_DEPTH_MAX || (buses_seen[bus / 8] & 1 << bus % 8))
		return;
	buses_seen[bus / 8] |= 1 << bus % 8;
	for (uint8_t dev = 0; dev < 32; dev++) {
		if ((uint16_t)pci_read32(bus, dev, 0, PCI_VENDOR) == 0xffff)
			continue;
		bool multi = pci_read8(bus, dev, 0, PCI_HEADER_TYPE) & HEADER_MULTIFUNCTION;
		for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
			if ((uint16_t)pci_read32(bus, dev, fn, PCI_VENDOR) != 0xffff)
				add_function(bus, dev, fn, depth);
	}
}

void pci_init(const struct platform *p)
{
	if (p->mcfg_base) {
		ecam = p->mcfg_base;
		ecam_last_bus = p->mcfg_bus_last;
	}
	scan_bus(0, 0);
}

unsigned pci_count(void) { return ndevs; }

const struct pci_dev *pci_get(unsigned i)
{
	return i < ndevs ? &devs[i] : NULL;
}

void pci_print(void)
{
	if (!ndevs)
		return;
	kprintf("pci    %u functions via %s%s\n", ndevs, ecam ? "ecam" : "ports 0xcf8/0xcfc",
		truncated ? " (more not tracked)" : "");
	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		kprintf("pci    %02x:%02x.%u %04x:%04x class %02x.%02x.%02x%s%s%s\n", d->bus,
			d->dev, d->fn, d->vendor, d->device, d->class, d->subclass, d->progif,
			d->cap_pcie ? " pcie" : "", d->cap_msi ? " msi" : "",
			d->cap_msix ? " msix" : "");
	}
}

#define BAR_IO			0x1
#define BAR_TYPE_64		0x4	/* bits 2:1 = 10b */
#define MSIX_CONTROL		2	/* capability offsets, PCI spec 3.0 §6.8.2 */
#define MSIX_TABLE		4
#define MSIX_ENABLE		0x8000
#define MSIX_FUNCTION_MASK	0x4000
#define MSIX_ENTRY_SIZE		16
#define MSIX_VECTOR_MASKED	1
#define MSI_ADDRESS		0xfee00000u	/* SDM vol. 3A §10.11.1 */

uint64_t pci_bar(const struct pci_dev *d, unsigned bar)
{
	uint32_t lo, hi = 0;

	if (bar > 5)
		return 0;
	lo = pci_read32(d->bus, d->dev, d->fn, PCI_BAR0 + 4 * bar);
	if (lo & BAR_IO)
		return 0;
	if ((lo & 6) == BAR_TYPE_64 && bar < 5)
		hi = pci_read32(d->bus, d->dev, d->fn, PCI_BAR0 + 4 * bar + 4);
	return ((uint64_t)hi << 32 | lo) & ~0xfull;
}

void pci_enable(const struct pci_dev *d)
{
	uint32_t cmd = pci_read32(d->bus, d->dev, d->fn, PCI_COMMAND);

	pci_write32(d->bus, d->dev, d->fn, PCI_COMMAND,
		    (cmd & 0xffff) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* Table entry `entry`, or NULL when it does not exist. */
static volatile uint32_t *msix_entry(const struct pci_dev *d, unsigned entry)
{
	uint32_t ctl, table;
	uint64_t bar;

	if (!d->cap_msix)
		return NULL;
	ctl = pci_read16(d->bus, d->dev, d->fn, d->cap_msix + MSIX_CONTROL);
	table = pci_read32(d->bus, d->dev, d->fn, d->cap_msix + MSIX_TABLE);
	bar = pci_bar(d, table & 7);
	if (entry > (ctl & 0x7ff) || !bar)
		return NULL;
	return (volatile uint32_t *)(bar + (table & ~7u) + entry * MSIX_ENTRY_SIZE);
}

bool pci_msix_route(const struct pci_dev *d, unsigned entry, uint8_t vector, uint32_t apic_id)
{
	volatile uint32_t *e = msix_entry(d, entry);
	uint32_t ctl;

	if (!e || apic_id > 0xff)	/* 8-bit destination without remapping */
		return false;
	e[3] = MSIX_VECTOR_MASKED;
	e[0] = MSI_ADDRESS | apic_id << 12;
	e[1] = 0;
	e[2] = vector;			/* fixed delivery, edge */
	ctl = pci_read32(d->bus, d->dev, d->fn, d->cap_msix);
	pci_write32(d->bus, d->dev, d->fn, d->cap_msix,
		    (ctl | (uint32_t)MSIX_ENABLE << 16) & ~((uint32_t)MSIX_FUNCTION_MASK << 16));
	return true;
}

void pci_msix_mask(const struct pci_dev *d, unsigned entry, bool masked)
{
	volatile uint32_t *e = msix_entry(d, entry);

	if (e)
		e[3] = masked ? MSIX_VECTOR_MASKED : 0;
}
