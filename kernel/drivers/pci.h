/*
 * PCI and PCIe configuration space and the devices found in it (pci.c).
 * Drivers (virtio-pci, to come) look their device up here.
 */
#ifndef PITH_PCI_H
#define PITH_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "platform.h"

/* PCI Local Bus spec 3.0 §6.1 and PCI-to-PCI Bridge spec 1.2 §3.2. */
#define PCI_VENDOR		0x00
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REV		0x08	/* revision, prog-if, subclass, class */
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SECONDARY_BUS	0x19	/* type 1 (bridge) headers */
#define PCI_CAP_PTR		0x34
#define PCI_STATUS_CAPS		0x10
#define PCI_CAP_MSI		0x05	/* capability ids, PCI spec Appendix H */
#define PCI_CAP_VENDOR		0x09
#define PCI_CAP_PCIE		0x10
#define PCI_CAP_MSIX		0x11
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_INTERRUPT_LINE	0x3c	/* the ISA IRQ firmware routed INTx to */
#define PCI_INTERRUPT_PIN	0x3d	/* 0: no INTx */
#define PCI_COMMAND_MEMORY	0x2	/* respond to memory BARs */
#define PCI_COMMAND_MASTER	0x4	/* may do DMA */

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, progif;
	uint8_t cap_msi, cap_msix, cap_pcie;	/* config offsets, 0 if absent */
};

/* Finds every function reachable from bus 0 through bridges. */
void pci_init(const struct platform *p);
unsigned pci_count(void);
const struct pci_dev *pci_get(unsigned i);	/* NULL past pci_count() */
void pci_print(void);

/* Config space of one function: ECAM where the MCFG gives it (all 4 KiB),
 * else the legacy 0xcf8/0xcfc ports (the first 256 bytes). Reads outside
 * the space there is return all ones; writes there are dropped. */
/* Whether config offset off of bus:dev.fn can be reached at all. */
bool pci_reachable(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
uint16_t pci_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
uint8_t pci_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
/* The first capability with this id from offset `from` on (0: the list's
 * start); its offset, or 0. The walk is bounded: a looping list ends. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from);

/* The memory address BAR bar decodes (64-bit BARs spanning two), or 0 for
 * an I/O, absent or unassigned BAR. */
uint64_t pci_bar(const struct pci_dev *d, unsigned bar);
/* Turns on memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);
/* MSI-X (PCI spec 3.0 §6.8.2): points table entry `entry` at vector on the
 * core with apic_id, masked, and enables MSI-X. False if the device has no
 * MSI-X, no such entry, or its table is out of reach. */
bool pci_msix_route(const struct pci_dev *d, unsigned entry, uint8_t vector, uint32_t apic_id);
void pci_msix_mask(const struct pci_dev *d, unsigned entry, bool masked);

#endif
