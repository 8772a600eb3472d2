/*
 * What the firmware says the machine is: cores, interrupt controllers, power
 * and reset registers, timers and the PCIe config window. Filled from ACPI
 * (acpi.c) or, with no ACPI, from the MP table (mptable.c).
 */
#ifndef PITH_PLATFORM_H
#define PITH_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>
#include "../param.h"

/* ACPI Generic Address Structure (ACPI 6.5 §5.2.3.2). */
struct gas {
	uint8_t space;			/* GAS_MEMORY, GAS_IO, ... */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

#define GAS_MEMORY	0
#define GAS_IO		1

struct ioapic {
	uint32_t id, gsi_base;
	uint64_t base;
};

struct irq_override {
	uint8_t irq;			/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags: polarity, trigger */
};

/* A virtio-mmio register window (virtio 1.1 §4.2.2) and its interrupt. */
struct mmio_window {
	uint64_t base, size;
	uint32_t gsi;
	bool level, active_low;
};

struct platform {
	const char *source;		/* "acpi", "mp table" or "none" */
	char oem[7];
	unsigned acpi_rev;
	unsigned ntables;
	char tables[MAX_ACPI_TABLES][5];	/* signatures seen, for the summary */

	unsigned ncpus;
	uint32_t apic_ids[MAX_CPUS];	/* the boot core is not always first */
	bool cpus_truncated;
	uint64_t lapic_base;
	bool pic_present;		/* MADT PCAT_COMPAT: an 8259 pair to mask */
	unsigned nioapics;
	struct ioapic ioapics[MAX_IOAPICS];
	unsigned noverrides;
	struct irq_override overrides[MAX_IRQ_OVERRIDES];

	/* FADT (ACPI 6.5 §5.2.9) */
	bool hw_reduced;		/* no PM1 blocks: sleep via sleep_control */
	uint32_t pm1a_cnt, pm1b_cnt;	/* I/O ports, 0 if absent */
	uint32_t pm_timer;		/* I/O port, 0 if absent */
	bool pm_timer_32bit;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	bool reset_supported;
	struct gas reset_reg;
	uint8_t reset_value;
	struct gas sleep_control;
	bool s5_found;			/* \_S5 package read from the DSDT */
	uint8_t s5_typ_a, s5_typ_b;

	uint64_t hpet_base;		/* 0 if absent */
	uint64_t mcfg_base;		/* PCIe ECAM, segment 0; 0 if absent */
	uint8_t mcfg_bus_first, mcfg_bus_last;

	/* virtio-mmio devices the DSDT lists (_HID LNRO0005) */
	unsigned nmmio;
	struct mmio_window mmio[MAX_VIRTIO_MMIO];
};

/* Highest address firmware tables may be read from: the end of the identity
 * map in the kernel, everything in host tests. */
extern uint64_t platform_phys_limit;

/* True if len bytes at p add up to 0 mod 256: how ACPI tables and MP
 * structures prove they are whole (ACPI 6.5 §5.2.6, MP spec §4.1). */
bool platform_sum_ok(const uint8_t *p, uint32_t len);

/* Records a core's APIC id once (MADT lists some twice); counts past MAX_CPUS. */
void platform_add_cpu(struct platform *p, uint32_t apic_id);

/* The global system interrupt ISA IRQ irq arrives on, with its trigger and
 * polarity: the MADT's override if one names irq, else the same number,
 * level-triggered and active-high (how QEMU wires PCI INTx). */
uint32_t platform_isa_gsi(const struct platform *p, uint8_t irq, bool *level, bool *active_low);

/* ACPI: returns 0 when an RSDP at rsdp (or found by scanning) was valid. */
int acpi_parse(uint64_t rsdp, struct platform *p);
/* Looks for "RSD PTR " on 16-byte boundaries in [start, start+len). */
uint64_t acpi_scan_rsdp(uint64_t start, uint64_t len);
/* Reads \_S5's SLP_TYP values from an AML block; true if found. */
bool acpi_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typ_a, uint8_t *typ_b);

/* Finds _HID "LNRO0005" devices (virtio-mmio) in an AML block and their
 * _CRS Memory32Fixed window and Extended Interrupt; adds them to p. */
void acpi_find_virtio_mmio(const uint8_t *aml, uint32_t len, struct platform *p);
/* Parses Linux's "virtio_mmio.device=" value SIZE@BASE:IRQ (SIZE with an
 * optional K or M; numbers decimal or 0x-hex). True if it is whole. */
bool platform_parse_mmio_arg(const char *s, struct mmio_window *w);

/* MP spec 1.4: parses the floating pointer structure at floating; returns 0
 * when it and its configuration table were valid. */
uint64_t mptable_scan(uint64_t start, uint64_t len);
int mptable_parse_at(uint64_t floating, struct platform *p);

/* Finds the firmware's tables in low memory; fills p (source "none" if neither). */
void platform_discover(uint64_t rsdp_hint, struct platform *p);
void platform_print(const struct platform *p);

#endif
