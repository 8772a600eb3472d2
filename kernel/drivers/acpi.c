/*
 * ACPI table discovery (ACPI 6.5 chapter 5): RSDP -> XSDT or RSDT -> MADT,
 * FADT (and the DSDT's \_S5 object), HPET, MCFG. Tables come from firmware
 * and are treated as input: checksums, lengths and entry sizes are checked
 * before a field is read; every walk is bounded by the table's length.
 */
#include <stddef.h>
#include "platform.h"
#include "../string.h"

#define SDT_HEADER_LEN		36	/* §5.2.6 */
#define SDT_MAX_LEN		(1u << 20)
#define RSDP_V1_LEN		20	/* §5.2.5.3 */
#define RSDP_V2_LEN		36

/* MADT (§5.2.12): local APIC address at 36, flags at 40, entries from 44. */
#define MADT_ENTRIES		44
#define MADT_PCAT_COMPAT	1
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_OVERRIDE		2
#define MADT_LAPIC_ADDR		5
#define MADT_X2APIC		9
#define MADT_CPU_ENABLED	1

/* FADT field offsets (§5.2.9, table 5.9). */
#define FADT_DSDT		40
#define FADT_SMI_CMD		48
#define FADT_ACPI_ENABLE	52
#define FADT_PM1A_CNT		64
#define FADT_PM1B_CNT		68
#define FADT_PM_TMR		76
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_FLAG_TMR_VAL_EXT	(1u << 8)
#define FADT_FLAG_RESET_REG_SUP	(1u << 10)
#define FADT_FLAG_HW_REDUCED	(1u << 20)

#define HPET_ADDRESS		40	/* §HPET spec 1.0a table 3: GAS at 40 */
#define MCFG_ENTRIES		44	/* PCI Firmware spec 3.2 §4.1.2 */

/* AML opcodes (§20.3) used to read \_S5. */
#define AML_NAME_OP		0x08
#define AML_PACKAGE_OP		0x12
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_BYTE_PREFIX		0x0a

/* Resource descriptors (§6.4.3): large items, tag then a 16-bit length. */
#define RES_MEMORY32_FIXED	0x86	/* length 9: info, base, size */
#define RES_EXT_IRQ		0x89	/* length >= 6: flags, count, irqs */
#define EXT_IRQ_EDGE		0x02
#define EXT_IRQ_ACTIVE_LOW	0x04
#define VIRTIO_MMIO_HID		"LNRO0005"	/* Linux's virtio-mmio binding */
#define DEVICE_SCAN_MAX		160	/* bytes after _HID searched for its _CRS */

/* Firmware pointers are input too: one past the mapped RAM would fault. */
static const uint8_t *phys(uint64_t a)
{
	if (!a || a > platform_phys_limit - SDT_HEADER_LEN)
		return NULL;
	return (const uint8_t *)(uintptr_t)a;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A system description table's length, or 0 if its header or sum is bad. */
static uint32_t sdt_len(const uint8_t *t)
{
	uint32_t len;

	if (!t)
		return 0;
	len = rd32(t + 4);
	if (len < SDT_HEADER_LEN || len > SDT_MAX_LEN ||
	    (uintptr_t)t > platform_phys_limit - len || !platform_sum_ok(t, len))
		return 0;
	return len;
}

/* The RSDP's own checksum covers 20 bytes; revision 2 adds a Length and an
 * extended checksum over it, which we trust only at the 36 bytes ACPI 6.5
 * defines: a larger Length would have us read past what we were given. */
static bool rsdp_valid(const uint8_t *r)
{
	return !memcmp(r, "RSD PTR ", 8) && platform_sum_ok(r, RSDP_V1_LEN);
}

static bool rsdp_v2_valid(const uint8_t *r)
{
	return r[15] >= 2 && rd32(r + 20) == RSDP_V2_LEN && platform_sum_ok(r, RSDP_V2_LEN);
}

uint64_t acpi_scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t a = (start + 15) & ~15ull; a + RSDP_V2_LEN <= start + len; a += 16)
		if (rsdp_valid((const uint8_t *)(uintptr_t)a))
			return a;
	return 0;
}

static void parse_madt_entry(const uint8_t *e, struct platform *p)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (e[1] >= 8 && (rd32(e + 4) & MADT_CPU_ENABLED))
			platform_add_cpu(p, e[3]);
		break;
	case MADT_X2APIC:
		if (e[1] >= 16 && (rd32(e + 8) & MADT_CPU_ENABLED))
			platform_add_cpu(p, rd32(e + 4));
		break;
	case MADT_IOAPIC:
		if (e[1] >= 12 && p->nioapics < MAX_IOAPICS)
			p->ioapics[p->nioapics++] = (struct ioapic){
				e[2], rd32(e + 8), rd32(e + 4) };
		break;
	case MADT_OVERRIDE:
		if (e[1] >= 10 && p->noverrides < MAX_IRQ_OVERRIDES) {
			uint16_t flags;
			memcpy(&flags, e + 8, 2);
			p->overrides[p->noverrides++] = (struct irq_override){
				e[3], rd32(e + 4), flags };
		}
		break;
	case MADT_LAPIC_ADDR:
		if (e[1] >= 12)
			p->lapic_base = rd64(e + 4);
		break;
	}
}

static void parse_madt(const uint8_t *t, uint32_t len, struct platform *p)
{
	if (len < MADT_ENTRIES)
		return;
	p->lapic_base = rd32(t + 36);
	p->pic_present = rd32(t + 40) & MADT_PCAT_COMPAT;
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len; off += t[off + 1]) {
		if (t[off + 1] < 2 || off + t[off + 1] > len)
			break;	/* a zero length would loop forever; past the end is a lie */
		parse_madt_entry(t + off, p);
	}
}

bool acpi_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typ_a, uint8_t *typ_b)
{
	const uint8_t *end = aml + len;

	for (uint32_t i = 1; i + 4 < len; i++) {
		const uint8_t *q;
		uint8_t vals[2];

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* NameOp, optionally a root prefix '\', then the name. */
		if (aml[i - 1] != AML_NAME_OP && !(aml[i - 1] == '\\' && i >= 2 &&
						   aml[i - 2] == AML_NAME_OP))
			continue;
		q = aml + i + 4;
		if (q + 1 >= end || *q != AML_PACKAGE_OP)
			continue;
		/* PkgLength's lead byte counts its extra bytes in bits 7:6 (§20.2.4). */
		q += 1 + ((q[1] >> 6) + 1) + 1;	/* PackageOp, PkgLength, NumElements */
		for (int k = 0; k < 2; k++) {
			if (q >= end)
				return false;
			if (*q == AML_BYTE_PREFIX) {
				if (q + 1 >= end)
					return false;
				vals[k] = q[1];
				q += 2;
			} else if (*q == AML_ZERO_OP || *q == AML_ONE_OP) {
				vals[k] = *q++;
			} else {
				return false;
			}
		}
		*typ_a = vals[0];
		*typ_b = vals[1];
		return true;
	}
	return false;
}

/* The first large resource item `tag` of at least `len` bytes in [p, end). */
static const uint8_t *find_resource(const uint8_t *p, const uint8_t *end, uint8_t tag,
				    uint16_t len)
{
	for (; p + 3 + len <= end; p++)
		if (p[0] == tag && (uint16_t)(p[1] | p[2] << 8) >= len)
			return p;
	return NULL;
}

void acpi_find_virtio_mmio(const uint8_t *aml, uint32_t len, struct platform *p)
{
	const uint8_t *end = aml + len;
	size_t hid_len = sizeof(VIRTIO_MMIO_HID);	/* with its NUL */

	for (const uint8_t *h = aml; h + hid_len <= end && p->nmmio < MAX_VIRTIO_MMIO; h++) {
		const uint8_t *next, *lim, *mem, *irq;
		if (memcmp(h, VIRTIO_MMIO_HID, hid_len))
			continue;
		/* This device's resources lie before the next device's _HID. */
		lim = h + hid_len + DEVICE_SCAN_MAX < end ? h + hid_len + DEVICE_SCAN_MAX : end;
		for (next = h + 1; next + hid_len <= lim; next++)
			if (!memcmp(next, VIRTIO_MMIO_HID, hid_len)) {
				lim = next;
				break;
			}
		mem = find_resource(h + hid_len, lim, RES_MEMORY32_FIXED, 9);
		irq = mem ? find_resource(mem + 12, lim, RES_EXT_IRQ, 6) : NULL;
		if (!irq || !irq[4])
			continue;
		p->mmio[p->nmmio++] = (struct mmio_window){
			rd32(mem + 4), rd32(mem + 8), rd32(irq + 5),
			!(irq[3] & EXT_IRQ_EDGE), irq[3] & EXT_IRQ_ACTIVE_LOW };
	}
}

static void parse_fadt_power(const uint8_t *t, uint32_t len, struct platform *p)
{
	uint64_t dsdt = 0;
	uint32_t dlen;

	if (len >= FADT_X_DSDT + 8)
		dsdt = rd64(t + FADT_X_DSDT);
	if (!dsdt)
		dsdt = rd32(t + FADT_DSDT);
	dlen = sdt_len(phys(dsdt));
	if (dlen && !memcmp(phys(dsdt), "DSDT", 4)) {
		p->s5_found = acpi_find_s5(phys(dsdt) + SDT_HEADER_LEN,
					   dlen - SDT_HEADER_LEN,
					   &p->s5_typ_a, &p->s5_typ_b);
		acpi_find_virtio_mmio(phys(dsdt) + SDT_HEADER_LEN, dlen - SDT_HEADER_LEN, p);
	}
	if (p->hw_reduced && len >= FADT_SLEEP_CONTROL + sizeof(struct gas))
		memcpy(&p->sleep_control, t + FADT_SLEEP_CONTROL, sizeof(struct gas));
}

static void parse_fadt(const uint8_t *t, uint32_t len, struct platform *p)
{
	uint32_t flags = 0;

	if (len < FADT_PM_TMR + 4)
		return;
	if (len >= FADT_FLAGS + 4)
		flags = rd32(t + FADT_FLAGS);
	p->hw_reduced = flags & FADT_FLAG_HW_REDUCED;
	p->smi_cmd = rd32(t + FADT_SMI_CMD);
	p->acpi_enable = t[FADT_ACPI_ENABLE];
	p->pm1a_cnt = rd32(t + FADT_PM1A_CNT);
	p->pm1b_cnt = rd32(t + FADT_PM1B_CNT);
	p->pm_timer = rd32(t + FADT_PM_TMR);
	p->pm_timer_32bit = flags & FADT_FLAG_TMR_VAL_EXT;
	if ((flags & FADT_FLAG_RESET_REG_SUP) && len > FADT_RESET_VALUE) {
		p->reset_supported = true;
		memcpy(&p->reset_reg, t + FADT_RESET_REG, sizeof(struct gas));
		p->reset_value = t[FADT_RESET_VALUE];
	}
	parse_fadt_power(t, len, p);
}

static void parse_mcfg(const uint8_t *t, uint32_t len, struct platform *p)
{
	for (uint32_t off = MCFG_ENTRIES; off + 16 <= len; off += 16) {
		uint16_t segment;
		memcpy(&segment, t + off + 8, 2);
		if (segment == 0) {
			p->mcfg_base = rd64(t + off);
			p->mcfg_bus_first = t[off + 10];
			p->mcfg_bus_last = t[off + 11];
			return;
		}
	}
}

static void parse_table(const uint8_t *t, struct platform *p)
{
	uint32_t len = sdt_len(t);

	if (!len)
		return;
	if (p->ntables < MAX_ACPI_TABLES) {
		memcpy(p->tables[p->ntables], t, 4);
		p->tables[p->ntables++][4] = '\0';
	}
	if (!memcmp(t, "APIC", 4))
		parse_madt(t, len, p);
	else if (!memcmp(t, "FACP", 4))
		parse_fadt(t, len, p);
	else if (!memcmp(t, "HPET", 4) && len >= HPET_ADDRESS + 12)
		p->hpet_base = rd64(t + HPET_ADDRESS + 4);
	else if (!memcmp(t, "MCFG", 4))
		parse_mcfg(t, len, p);
}

int acpi_parse(uint64_t rsdp, struct platform *p)
{
	const uint8_t *r = phys(rsdp), *root;
	uint32_t len, entry_size;

	if (!r || !rsdp_valid(r))
		return -1;
	p->acpi_rev = r[15];
	memcpy(p->oem, r + 9, 6);
	p->oem[6] = '\0';
	if (rsdp_v2_valid(r) && rd64(r + 24)) {
		root = phys(rd64(r + 24));	/* XSDT: 64-bit entries */
		entry_size = 8;
	} else {
		root = phys(rd32(r + 16));	/* RSDT: 32-bit entries */
		entry_size = 4;
	}
	len = sdt_len(root);
	if (!len)
		return -1;
	p->source = "acpi";
	for (uint32_t off = SDT_HEADER_LEN, n = 0;
	     off + entry_size <= len && n < MAX_ACPI_TABLES; off += entry_size, n++)
		parse_table(phys(entry_size == 8 ? rd64(root + off) : rd32(root + off)), p);
	return 0;
}
