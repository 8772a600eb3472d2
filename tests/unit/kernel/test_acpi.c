/*
 * kernel/drivers/acpi.c, mptable.c and platform.c on the host.
 *
 * Firmware tables are built byte by byte, with real checksums, in the low
 * 2 GiB (RSDT entries and MP table pointers are 32-bit), each ending right
 * before an unmapped page: a read past a table's end faults and fails the
 * test. Host addresses stand in for physical ones.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>
#include "drivers/platform.h"

/* ---- numbers from the specs ------------------------------------------------- */

/* ACPI 6.5 §5.2.5.3: the RSDP. */
#define RSDP_CHECKSUM		8
#define RSDP_OEMID		9
#define RSDP_REVISION		15
#define RSDP_RSDT		16
#define RSDP_LENGTH		20
#define RSDP_XSDT		24
#define RSDP_EXT_CHECKSUM	32
#define RSDP_V1_LEN		20
#define RSDP_V2_LEN		36

/* ACPI 6.5 §5.2.6: the system description table header. */
#define SDT_LENGTH		4
#define SDT_REVISION		8
#define SDT_CHECKSUM		9
#define SDT_OEMID		10
#define SDT_OEM_TABLE_ID	16
#define SDT_HEADER_LEN		36
#define SDT_MAX_LEN		(1u << 20)	/* the kernel's bound */

/* ACPI 6.5 §5.2.12: MADT header fields and entry types. */
#define MADT_PCAT_COMPAT	1
#define MADT_LAPIC		0	/* §5.2.12.2, 8 bytes */
#define MADT_IOAPIC		1	/* §5.2.12.3, 12 bytes */
#define MADT_OVERRIDE		2	/* §5.2.12.5, 10 bytes */
#define MADT_LAPIC_ADDR		5	/* §5.2.12.8, 12 bytes */
#define MADT_X2APIC		9	/* §5.2.12.12, 16 bytes */
#define MADT_ENABLED		1
#define MPS_INTI_ACTIVE_LOW_LEVEL	0x000f	/* polarity 3, trigger 3 */

/* ACPI 6.5 §5.2.9, table 5.9: FADT fields. */
#define FADT_LEN		276	/* revision 6 */
#define FADT_V1_LEN		116	/* ACPI 1.0: up to and including Flags */
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
#define FADT_TMR_VAL_EXT	(1u << 8)
#define FADT_RESET_REG_SUP	(1u << 10)
#define FADT_HW_REDUCED		(1u << 20)

/* IA-PC HPET spec 1.0a, table 3: base address GAS at 40; 56 bytes. */
#define HPET_BASE_GAS		40
#define HPET_LEN		56

/* PCI Firmware spec 3.2 §4.1.2: MCFG, 8 reserved bytes, then 16-byte entries. */
#define MCFG_RESERVED		8

/* ACPI 6.5 §20.2.4-20.3: AML opcodes. */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_DWORD_PREFIX	0x0c
#define AML_PACKAGE_OP		0x12
#define AML_ROOT_CHAR		'\\'

/* MP spec 1.4 §4.1-§4.3. */
#define MPF_LEN			16
#define MPF_TABLE		4
#define MPF_LENGTH_PARAS	8	/* length in 16-byte units: 1 */
#define MPF_SPEC_REV		9
#define MPF_CHECKSUM		10
#define MPC_HEADER_LEN		44
#define MPC_LENGTH		4
#define MPC_CHECKSUM		7
#define MPC_ENTRY_COUNT		34
#define MPC_LAPIC		36
#define MP_PROCESSOR		0	/* 20 bytes */
#define MP_BUS			1	/* 8 bytes */
#define MP_IOAPIC		2	/* 8 bytes */
#define MP_CPU_ENABLED		1
#define MP_CPU_BSP		2
#define MP_IOAPIC_ENABLED	1

#define LAPIC_BASE		0xfee00000u
#define IOAPIC_BASE		0xfec00000u
#define TABLE_BUILD_MAX		4096
#define PAGE			4096
#define LOW_MAPS_MAX		64

/* ---- memory: low, guarded, freed after each test ---------------------------- */

static struct {
	void *base;
	size_t size;
} low_maps[LOW_MAPS_MAX];
static unsigned nlow_maps;
static uint8_t *low_next;	/* asked for next, so later tables lie higher */
static struct platform p;

/* len bytes below 2 GiB that end right before an unmapped page. */
static uint8_t *low_alloc(size_t len)
{
	size_t pages = (len + PAGE - 1) / PAGE + 1;
	uint8_t *m;

	assert_true(nlow_maps < LOW_MAPS_MAX);
	m = mmap(low_next, pages * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(m != MAP_FAILED);
	low_next = m + pages * PAGE + PAGE;
	assert_int_equal(mprotect(m + (pages - 1) * PAGE, PAGE, PROT_NONE), 0);
	low_maps[nlow_maps].base = m;
	low_maps[nlow_maps++].size = pages * PAGE;
	return m + (pages - 1) * PAGE - len;
}

static uint64_t addr(const void *q)
{
	return (uintptr_t)q;
}

static uint8_t *at(uint64_t a)
{
	return (uint8_t *)(uintptr_t)a;
}

static int setup(void **state)
{
	(void)state;
	memset(&p, 0, sizeof(p));
	nlow_maps = 0;
	low_next = NULL;
	platform_phys_limit = UINT64_MAX;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < nlow_maps; i++)
		munmap(low_maps[i].base, low_maps[i].size);
	nlow_maps = 0;
	platform_phys_limit = UINT64_MAX;
	return 0;
}

/* Sets p[sum] so that the len bytes at p add up to 0. */
static void seal(uint8_t *q, uint32_t len, uint32_t sum)
{
	uint8_t s = 0;

	q[sum] = 0;
	for (uint32_t i = 0; i < len; i++)
		s += q[i];
	q[sum] = -s;
}

static void put32(uint8_t *q, uint32_t v) { memcpy(q, &v, 4); }
static uint64_t get64(const uint8_t *q) { uint64_t v; memcpy(&v, q, 8); return v; }
static void put64(uint8_t *q, uint64_t v) { memcpy(q, &v, 8); }

/* ---- ACPI table builder ------------------------------------------------------- */

struct table {
	uint8_t b[TABLE_BUILD_MAX];
	uint32_t len;
};

static void tb_begin(struct table *t, const char *sig, uint32_t len)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->b[SDT_REVISION] = 2;
	memcpy(t->b + SDT_OEMID, "PITHTS", 6);
	memcpy(t->b + SDT_OEM_TABLE_ID, "UNITTEST", 8);
	t->len = len;
}

static void tb_put(struct table *t, const void *q, uint32_t n)
{
	assert_true(t->len + n <= sizeof(t->b));
	memcpy(t->b + t->len, q, n);
	t->len += n;
}

static void tb_put8(struct table *t, uint8_t v) { tb_put(t, &v, 1); }
static void tb_put16(struct table *t, uint16_t v) { tb_put(t, &v, 2); }
static void tb_put32(struct table *t, uint32_t v) { tb_put(t, &v, 4); }
static void tb_put64(struct table *t, uint64_t v) { tb_put(t, &v, 8); }

/* Copies the table to low memory with its length and checksum; returns it. */
static uint64_t tb_place(struct table *t)
{
	uint8_t *q = low_alloc(t->len);

	put32(t->b + SDT_LENGTH, t->len);
	seal(t->b, t->len, SDT_CHECKSUM);
	memcpy(q, t->b, t->len);
	return addr(q);
}

/* An XSDT (8-byte entries) or RSDT (4-byte entries) listing tables. */
static uint64_t root_place(bool xsdt, const uint64_t *tables, unsigned n)
{
	struct table t;

	tb_begin(&t, xsdt ? "XSDT" : "RSDT", SDT_HEADER_LEN);
	for (unsigned i = 0; i < n; i++) {
		if (xsdt)
			tb_put64(&t, tables[i]);
		else
			tb_put32(&t, (uint32_t)tables[i]);
	}
	return tb_place(&t);
}

/* RSDP revision 0 (20 bytes, RSDT only) or 2 (36 bytes, also XSDT). */
static uint64_t rsdp_place(uint8_t revision, uint64_t rsdt, uint64_t xsdt)
{
	uint32_t len = revision >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN;
	uint8_t *r = low_alloc(len);

	memset(r, 0, len);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + RSDP_OEMID, "PITHFW", 6);
	r[RSDP_REVISION] = revision;
	put32(r + RSDP_RSDT, (uint32_t)rsdt);
	seal(r, RSDP_V1_LEN, RSDP_CHECKSUM);
	if (revision >= 2) {	/* the extended checksum covers the first one */
		put32(r + RSDP_LENGTH, RSDP_V2_LEN);
		put64(r + RSDP_XSDT, xsdt);
		seal(r, RSDP_V2_LEN, RSDP_EXT_CHECKSUM);
	}
	return addr(r);
}

/* A whole ACPI 2.0 machine: RSDP -> XSDT -> tables. */
static uint64_t acpi_v2(const uint64_t *tables, unsigned n)
{
	return rsdp_place(2, 0, root_place(true, tables, n));
}

static uint64_t acpi_v2_one(uint64_t table)
{
	return acpi_v2(&table, 1);
}

/* ---- MADT ---------------------------------------------------------------------- */

static void madt_begin(struct table *t, uint32_t lapic, uint32_t flags)
{
	tb_begin(t, "APIC", SDT_HEADER_LEN);
	tb_put32(t, lapic);
	tb_put32(t, flags);
}

static void madt_lapic(struct table *t, uint8_t apic_id, uint32_t flags)
{
	tb_put8(t, MADT_LAPIC);
	tb_put8(t, 8);
	tb_put8(t, apic_id);	/* ACPI processor UID */
	tb_put8(t, apic_id);
	tb_put32(t, flags);
}

static void madt_x2apic(struct table *t, uint32_t apic_id, uint32_t flags)
{
	tb_put8(t, MADT_X2APIC);
	tb_put8(t, 16);
	tb_put16(t, 0);
	tb_put32(t, apic_id);
	tb_put32(t, flags);
	tb_put32(t, apic_id);	/* UID */
}

static void madt_ioapic(struct table *t, uint8_t id, uint32_t base, uint32_t gsi_base)
{
	tb_put8(t, MADT_IOAPIC);
	tb_put8(t, 12);
	tb_put8(t, id);
	tb_put8(t, 0);
	tb_put32(t, base);
	tb_put32(t, gsi_base);
}

static void madt_override(struct table *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	tb_put8(t, MADT_OVERRIDE);
	tb_put8(t, 10);
	tb_put8(t, 0);		/* bus: ISA */
	tb_put8(t, irq);
	tb_put32(t, gsi);
	tb_put16(t, flags);
}

static void madt_lapic_addr(struct table *t, uint64_t base)
{
	tb_put8(t, MADT_LAPIC_ADDR);
	tb_put8(t, 12);
	tb_put16(t, 0);
	tb_put64(t, base);
}

/* An entry with any type and length byte, zero-filled to size bytes. */
static void madt_raw(struct table *t, uint8_t type, uint8_t len_byte, uint32_t size)
{
	uint8_t zero[256] = { 0 };

	tb_put8(t, type);
	tb_put8(t, len_byte);
	tb_put(t, zero, size - 2);
}

/* ---- FADT, DSDT, HPET, MCFG --------------------------------------------------- */

/* What the AML compiler emits for Name (\_S5, Package () { typ_a, typ_b, 0, 0 }). */
static const uint8_t s5_aml[] = {
	0x10, 0x05, '_', 'S', 'B', '_',	/* a scope before it, as in a real DSDT */
	AML_NAME_OP, '_', 'S', '5', '_',
	AML_PACKAGE_OP, 0x07, 0x04,	/* PkgLength 7, NumElements 4 */
	AML_BYTE_PREFIX, 0x05, AML_ZERO_OP, AML_ZERO_OP, AML_ZERO_OP,
};

static uint64_t dsdt_place(const uint8_t *aml, uint32_t n)
{
	struct table t;

	tb_begin(&t, "DSDT", SDT_HEADER_LEN);
	tb_put(&t, aml, n);
	return tb_place(&t);
}

static void tb_set32(struct table *t, uint32_t off, uint32_t v) { put32(t->b + off, v); }
static void tb_set64(struct table *t, uint32_t off, uint64_t v) { put64(t->b + off, v); }

static void tb_set_gas(struct table *t, uint32_t off, uint8_t space, uint8_t bits, uint64_t a)
{
	struct gas g = { space, bits, 0, 1, a };

	memcpy(t->b + off, &g, sizeof(g));
}

/* A FADT like QEMU's q35: PM1a at 0x604, reset through port 0xcf9. */
static void fadt_begin(struct table *t, uint32_t len, uint32_t flags)
{
	tb_begin(t, "FACP", len);
	t->b[SDT_REVISION] = 6;
	tb_set32(t, FADT_SMI_CMD, 0xb2);
	t->b[FADT_ACPI_ENABLE] = 0xf1;
	tb_set32(t, FADT_PM1A_CNT, 0x604);
	tb_set32(t, FADT_PM_TMR, 0x608);
	tb_set32(t, FADT_FLAGS, flags);
	if (len > FADT_RESET_VALUE) {
		tb_set_gas(t, FADT_RESET_REG, GAS_IO, 8, 0xcf9);
		t->b[FADT_RESET_VALUE] = 0x0f;
	}
}

static uint64_t hpet_place(uint64_t base)
{
	struct table t;

	tb_begin(&t, "HPET", HPET_LEN);
	tb_set32(&t, SDT_HEADER_LEN, 0x8086a201);	/* event timer block id */
	tb_set_gas(&t, HPET_BASE_GAS, GAS_MEMORY, 0, base);
	return tb_place(&t);
}

static void mcfg_entry(struct table *t, uint64_t base, uint16_t segment, uint8_t first,
		       uint8_t last)
{
	tb_put64(t, base);
	tb_put16(t, segment);
	tb_put8(t, first);
	tb_put8(t, last);
	tb_put32(t, 0);
}

static void mcfg_begin(struct table *t)
{
	tb_begin(t, "MCFG", SDT_HEADER_LEN + MCFG_RESERVED);
}

/* ---- ACPI: RSDP and root tables ------------------------------------------------ */

static void test_acpi_v2_reads_tables_through_xsdt(void **state)
{
	struct table madt, mcfg;
	uint64_t tables[3];

	(void)state;
	madt_begin(&madt, LAPIC_BASE, 0);
	madt_lapic(&madt, 0, MADT_ENABLED);
	tables[0] = tb_place(&madt);
	tables[1] = hpet_place(0xfed00000);
	mcfg_begin(&mcfg);
	mcfg_entry(&mcfg, 0xb0000000, 0, 0, 255);
	tables[2] = tb_place(&mcfg);
	assert_int_equal(acpi_parse(acpi_v2(tables, 3), &p), 0);
	assert_string_equal(p.source, "acpi");
	assert_int_equal(p.acpi_rev, 2);
	assert_string_equal(p.oem, "PITHFW");
	assert_int_equal(p.ntables, 3);
	assert_string_equal(p.tables[0], "APIC");
	assert_string_equal(p.tables[1], "HPET");
	assert_string_equal(p.tables[2], "MCFG");
}

static void test_acpi_v1_reads_tables_through_rsdt(void **state)
{
	uint64_t hpet;

	(void)state;
	hpet = hpet_place(0xfed00000);
	assert_int_equal(acpi_parse(rsdp_place(0, root_place(false, &hpet, 1), 0), &p), 0);
	assert_int_equal(p.acpi_rev, 0);
	assert_int_equal(p.ntables, 1);
	assert_int_equal(p.hpet_base, 0xfed00000);
}

static void test_acpi_v2_without_xsdt_uses_rsdt(void **state)
{
	uint64_t hpet;

	(void)state;
	hpet = hpet_place(0xfed00000);
	assert_int_equal(acpi_parse(rsdp_place(2, root_place(false, &hpet, 1), 0), &p), 0);
	assert_int_equal(p.hpet_base, 0xfed00000);
}

static void test_acpi_bad_rsdp_checksum_is_refused(void **state)
{
	uint64_t r;

	(void)state;
	r = rsdp_place(0, root_place(false, NULL, 0), 0);
	at(r)[RSDP_RSDT] ^= 1;
	assert_int_equal(acpi_parse(r, &p), -1);
	assert_null(p.source);
}

static void test_acpi_bad_rsdp_extended_checksum_is_refused(void **state)
{
	uint64_t r;

	(void)state;
	r = acpi_v2(NULL, 0);
	at(r)[RSDP_XSDT + 7] ^= 0x80;	/* in the 36 bytes, past the first 20 */
	assert_int_equal(acpi_parse(r, &p), -1);
}

static void test_acpi_bad_rsdp_signature_is_refused(void **state)
{
	uint64_t r;

	(void)state;
	r = rsdp_place(0, root_place(false, NULL, 0), 0);
	at(r)[0] = 'X';
	seal(at(r), RSDP_V1_LEN, RSDP_CHECKSUM);
	assert_int_equal(acpi_parse(r, &p), -1);
}

static void test_acpi_null_rsdp_is_refused(void **state)
{
	(void)state;
	assert_int_equal(acpi_parse(0, &p), -1);
}

/* Regression: the extended checksum once covered as many bytes as the
 * RSDP's Length claimed (up to 4096), reading past the 36 it has (the end
 * of memory the kernel may read, or MB2's 36-byte copy). */
static void test_acpi_rsdp_claiming_more_than_36_bytes_is_not_read_past(void **state)
{
	uint64_t r;

	(void)state;
	r = acpi_v2(NULL, 0);
	put32(at(r) + RSDP_LENGTH, 4096);
	seal(at(r), RSDP_V2_LEN, RSDP_EXT_CHECKSUM);
	assert_int_equal(acpi_parse(r, &p), -1);
}

static void test_acpi_bad_root_checksum_is_refused(void **state)
{
	uint64_t x;

	(void)state;
	x = root_place(true, NULL, 0);
	at(x)[SDT_OEMID] ^= 1;
	assert_int_equal(acpi_parse(rsdp_place(2, 0, x), &p), -1);
}

static void test_acpi_table_with_bad_checksum_is_skipped(void **state)
{
	uint64_t tables[2];

	(void)state;
	tables[0] = hpet_place(0xfed00000);
	tables[1] = hpet_place(0xfed01000);
	at(tables[0])[SDT_CHECKSUM] ^= 1;
	assert_int_equal(acpi_parse(acpi_v2(tables, 2), &p), 0);
	assert_int_equal(p.ntables, 1);
	assert_int_equal(p.hpet_base, 0xfed01000);
}

static void test_acpi_table_shorter_than_header_is_skipped(void **state)
{
	uint64_t hpet;

	(void)state;
	hpet = hpet_place(0xfed00000);
	put32(at(hpet) + SDT_LENGTH, SDT_HEADER_LEN - 1);
	seal(at(hpet), SDT_HEADER_LEN - 1, SDT_CHECKSUM);
	assert_int_equal(acpi_parse(acpi_v2_one(hpet), &p), 0);
	assert_int_equal(p.ntables, 0);
	assert_int_equal(p.hpet_base, 0);
}

/* The table is 56 bytes followed by a hole: a 2 MiB length must be refused
 * before the checksum reads it. */
static void test_acpi_table_longer_than_1_mib_is_skipped(void **state)
{
	uint64_t hpet;

	(void)state;
	hpet = hpet_place(0xfed00000);
	put32(at(hpet) + SDT_LENGTH, 2 * SDT_MAX_LEN);
	assert_int_equal(acpi_parse(acpi_v2_one(hpet), &p), 0);
	assert_int_equal(p.ntables, 0);
}

static void test_acpi_root_longer_than_1_mib_is_refused(void **state)
{
	uint64_t x;

	(void)state;
	x = root_place(true, NULL, 0);
	put32(at(x) + SDT_LENGTH, SDT_MAX_LEN + 1);
	assert_int_equal(acpi_parse(rsdp_place(2, 0, x), &p), -1);
}

static void test_acpi_null_xsdt_entry_is_skipped(void **state)
{
	uint64_t tables[2];

	(void)state;
	tables[0] = 0;
	tables[1] = hpet_place(0xfed00000);
	assert_int_equal(acpi_parse(acpi_v2(tables, 2), &p), 0);
	assert_int_equal(p.ntables, 1);
	assert_int_equal(p.hpet_base, 0xfed00000);
}

static void test_acpi_looks_at_most_max_tables(void **state)
{
	uint64_t tables[MAX_ACPI_TABLES + 8];

	(void)state;
	tables[0] = hpet_place(0xfed00000);
	for (unsigned i = 1; i < MAX_ACPI_TABLES + 8; i++)
		tables[i] = tables[0];
	assert_int_equal(acpi_parse(acpi_v2(tables, MAX_ACPI_TABLES + 8), &p), 0);
	assert_int_equal(p.ntables, MAX_ACPI_TABLES);
}

/* ---- platform_phys_limit -------------------------------------------------------- */

/* RSDP -> XSDT -> an HPET placed after both, so it is the highest table. */
static uint64_t acpi_v2_hpet_on_top(uint64_t *hpet)
{
	uint64_t r = acpi_v2_one(0), x = get64(at(r) + RSDP_XSDT);

	*hpet = hpet_place(0xfed00000);
	put64(at(x) + SDT_HEADER_LEN, *hpet);
	seal(at(x), SDT_HEADER_LEN + 8, SDT_CHECKSUM);
	assert_true(*hpet > x && *hpet > r);
	return r;
}

static void test_acpi_table_ending_at_limit_is_read(void **state)
{
	uint64_t hpet, r;

	(void)state;
	r = acpi_v2_hpet_on_top(&hpet);
	platform_phys_limit = hpet + HPET_LEN;
	assert_int_equal(acpi_parse(r, &p), 0);
	assert_int_equal(p.hpet_base, 0xfed00000);
}

static void test_acpi_table_past_limit_is_refused(void **state)
{
	uint64_t hpet, r;

	(void)state;
	r = acpi_v2_hpet_on_top(&hpet);
	platform_phys_limit = hpet + HPET_LEN - 1;
	assert_int_equal(acpi_parse(r, &p), 0);
	assert_int_equal(p.ntables, 0);
	assert_int_equal(p.hpet_base, 0);
}

static void test_acpi_rsdp_past_limit_is_refused(void **state)
{
	uint64_t r;

	(void)state;
	r = acpi_v2(NULL, 0);
	platform_phys_limit = r + SDT_HEADER_LEN - 1;
	assert_int_equal(acpi_parse(r, &p), -1);
}

/* ---- MADT ------------------------------------------------------------------------ */

static void parse_madt(struct table *madt)
{
	assert_int_equal(acpi_parse(acpi_v2_one(tb_place(madt)), &p), 0);
}

static void test_madt_counts_enabled_lapics(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, MADT_PCAT_COMPAT);
	madt_lapic(&t, 0, MADT_ENABLED);
	madt_lapic(&t, 2, 0);		/* disabled: not a core we can start */
	madt_lapic(&t, 1, MADT_ENABLED);
	parse_madt(&t);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.apic_ids[0], 0);
	assert_int_equal(p.apic_ids[1], 1);
	assert_false(p.cpus_truncated);
}

static void test_madt_header_gives_lapic_base_and_pic(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, MADT_PCAT_COMPAT);
	parse_madt(&t);
	assert_int_equal(p.lapic_base, LAPIC_BASE);
	assert_true(p.pic_present);

	memset(&p, 0, sizeof(p));
	madt_begin(&t, LAPIC_BASE, 0);
	parse_madt(&t);
	assert_false(p.pic_present);
}

static void test_madt_x2apic_ids_above_255(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_x2apic(&t, 0x100, MADT_ENABLED);
	madt_x2apic(&t, 0x12345, MADT_ENABLED);
	madt_x2apic(&t, 0x200, 0);
	parse_madt(&t);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.apic_ids[0], 0x100);
	assert_int_equal(p.apic_ids[1], 0x12345);
}

static void test_madt_duplicate_apic_ids_count_once(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_lapic(&t, 3, MADT_ENABLED);
	madt_x2apic(&t, 3, MADT_ENABLED);	/* the same core, listed twice */
	madt_lapic(&t, 3, MADT_ENABLED);
	madt_lapic(&t, 4, MADT_ENABLED);
	parse_madt(&t);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.apic_ids[0], 3);
	assert_int_equal(p.apic_ids[1], 4);
}

static void test_madt_more_cpus_than_max_sets_truncated(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	for (unsigned i = 0; i < MAX_CPUS + 5; i++)
		madt_x2apic(&t, i, MADT_ENABLED);
	parse_madt(&t);
	assert_int_equal(p.ncpus, MAX_CPUS);
	assert_int_equal(p.apic_ids[MAX_CPUS - 1], MAX_CPUS - 1);
	assert_true(p.cpus_truncated);
}

static void test_madt_exactly_max_cpus_is_not_truncated(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	for (unsigned i = 0; i < MAX_CPUS; i++)
		madt_lapic(&t, i, MADT_ENABLED);
	madt_lapic(&t, 0, MADT_ENABLED);	/* a duplicate is not one more */
	parse_madt(&t);
	assert_int_equal(p.ncpus, MAX_CPUS);
	assert_false(p.cpus_truncated);
}

static void test_madt_ioapics(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_ioapic(&t, 0, IOAPIC_BASE, 0);
	madt_ioapic(&t, 1, IOAPIC_BASE + 0x1000, 24);
	parse_madt(&t);
	assert_int_equal(p.nioapics, 2);
	assert_int_equal(p.ioapics[1].id, 1);
	assert_int_equal(p.ioapics[1].base, IOAPIC_BASE + 0x1000);
	assert_int_equal(p.ioapics[1].gsi_base, 24);
}

static void test_madt_keeps_at_most_max_ioapics(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	for (unsigned i = 0; i < MAX_IOAPICS + 2; i++)
		madt_ioapic(&t, i, IOAPIC_BASE + i * 0x1000, i * 24);
	parse_madt(&t);
	assert_int_equal(p.nioapics, MAX_IOAPICS);
}

static void test_madt_interrupt_overrides(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_override(&t, 0, 2, 0);
	madt_override(&t, 9, 9, MPS_INTI_ACTIVE_LOW_LEVEL);
	parse_madt(&t);
	assert_int_equal(p.noverrides, 2);
	assert_int_equal(p.overrides[0].irq, 0);
	assert_int_equal(p.overrides[0].gsi, 2);
	assert_int_equal(p.overrides[1].irq, 9);
	assert_int_equal(p.overrides[1].flags, MPS_INTI_ACTIVE_LOW_LEVEL);
}

static void test_madt_keeps_at_most_max_overrides(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	for (unsigned i = 0; i < MAX_IRQ_OVERRIDES + 3; i++)
		madt_override(&t, i, i, 0);
	parse_madt(&t);
	assert_int_equal(p.noverrides, MAX_IRQ_OVERRIDES);
}

static void test_madt_lapic_address_override_wins(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_lapic_addr(&t, 0x1fee00000ull);
	madt_lapic(&t, 0, MADT_ENABLED);
	parse_madt(&t);
	assert_int_equal(p.lapic_base, 0x1fee00000ull);
	assert_int_equal(p.ncpus, 1);
}

/* Entries shorter than their type's layout are skipped; the walk goes on. */
static void test_madt_short_entries_are_skipped(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_raw(&t, MADT_LAPIC, 6, 6);
	madt_raw(&t, MADT_IOAPIC, 8, 8);
	madt_raw(&t, MADT_X2APIC, 12, 12);
	madt_lapic(&t, 7, MADT_ENABLED);
	parse_madt(&t);
	assert_int_equal(p.ncpus, 1);
	assert_int_equal(p.apic_ids[0], 7);
	assert_int_equal(p.nioapics, 0);
}

static void expect_walk_stops_at_length(uint8_t len_byte)
{
	struct table t;

	madt_begin(&t, LAPIC_BASE, 0);
	madt_lapic(&t, 0, MADT_ENABLED);
	madt_raw(&t, MADT_LAPIC, len_byte, 8);
	madt_lapic(&t, 1, MADT_ENABLED);	/* not reached */
	parse_madt(&t);
	assert_int_equal(p.ncpus, 1);
}

static void test_madt_entry_length_0_stops_the_walk(void **state)
{
	(void)state;
	expect_walk_stops_at_length(0);
}

static void test_madt_entry_length_1_stops_the_walk(void **state)
{
	(void)state;
	expect_walk_stops_at_length(1);
}

static void test_madt_entry_past_the_table_is_ignored(void **state)
{
	struct table t;

	(void)state;
	madt_begin(&t, LAPIC_BASE, 0);
	madt_lapic(&t, 0, MADT_ENABLED);
	madt_x2apic(&t, 5, MADT_ENABLED);
	t.len -= 4;	/* the x2APIC entry now runs 4 bytes past the end */
	parse_madt(&t);
	assert_int_equal(p.ncpus, 1);
}

/* ---- FADT and \_S5 ------------------------------------------------------------- */

static void parse_fadt(struct table *fadt)
{
	assert_int_equal(acpi_parse(acpi_v2_one(tb_place(fadt)), &p), 0);
}

static void test_fadt_power_management_fields(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, FADT_TMR_VAL_EXT);
	tb_set32(&t, FADT_PM1B_CNT, 0x704);
	parse_fadt(&t);
	assert_int_equal(p.smi_cmd, 0xb2);
	assert_int_equal(p.acpi_enable, 0xf1);
	assert_int_equal(p.pm1a_cnt, 0x604);
	assert_int_equal(p.pm1b_cnt, 0x704);
	assert_int_equal(p.pm_timer, 0x608);
	assert_true(p.pm_timer_32bit);
	assert_false(p.hw_reduced);
}

static void test_fadt_reset_register_when_supported(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, FADT_RESET_REG_SUP);
	parse_fadt(&t);
	assert_true(p.reset_supported);
	assert_int_equal(p.reset_reg.space, GAS_IO);
	assert_int_equal(p.reset_reg.bit_width, 8);
	assert_int_equal(p.reset_reg.address, 0xcf9);
	assert_int_equal(p.reset_value, 0x0f);
}

static void test_fadt_reset_register_ignored_without_flag(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, 0);
	parse_fadt(&t);
	assert_false(p.reset_supported);
	assert_int_equal(p.reset_value, 0);
}

/* An ACPI 1.0 FADT ends at Flags: RESET_REG_SUP cannot be honoured. */
static void test_fadt_v1_has_no_reset_register(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_V1_LEN, FADT_RESET_REG_SUP);
	parse_fadt(&t);
	assert_int_equal(p.pm1a_cnt, 0x604);
	assert_false(p.reset_supported);
}

static void test_fadt_too_short_for_pm_timer_is_ignored(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_PM_TMR + 3, 0);
	parse_fadt(&t);
	assert_int_equal(p.pm1a_cnt, 0);
	assert_int_equal(p.ntables, 1);
}

static void test_fadt_hw_reduced_gives_sleep_control(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, FADT_HW_REDUCED);
	tb_set32(&t, FADT_PM1A_CNT, 0);
	tb_set_gas(&t, FADT_SLEEP_CONTROL, GAS_MEMORY, 8, 0xfe000000);
	parse_fadt(&t);
	assert_true(p.hw_reduced);
	assert_int_equal(p.sleep_control.space, GAS_MEMORY);
	assert_int_equal(p.sleep_control.address, 0xfe000000);
}

static void test_fadt_sleep_control_ignored_without_hw_reduced(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, 0);
	tb_set_gas(&t, FADT_SLEEP_CONTROL, GAS_MEMORY, 8, 0xfe000000);
	parse_fadt(&t);
	assert_false(p.hw_reduced);
	assert_int_equal(p.sleep_control.address, 0);
}

static void test_fadt_s5_from_x_dsdt(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_LEN, 0);
	tb_set64(&t, FADT_X_DSDT, dsdt_place(s5_aml, sizeof(s5_aml)));
	parse_fadt(&t);
	assert_true(p.s5_found);
	assert_int_equal(p.s5_typ_a, 5);
	assert_int_equal(p.s5_typ_b, 0);
}

static void test_fadt_s5_from_32_bit_dsdt(void **state)
{
	struct table t;

	(void)state;
	fadt_begin(&t, FADT_V1_LEN, 0);
	tb_set32(&t, FADT_DSDT, (uint32_t)dsdt_place(s5_aml, sizeof(s5_aml)));
	parse_fadt(&t);
	assert_true(p.s5_found);
	assert_int_equal(p.s5_typ_a, 5);
}

static void test_fadt_x_dsdt_wins_over_dsdt(void **state)
{
	uint8_t typ7[sizeof(s5_aml)];
	struct table t;

	(void)state;
	memcpy(typ7, s5_aml, sizeof(typ7));
	typ7[15] = 7;	/* the BytePrefix value */
	fadt_begin(&t, FADT_LEN, 0);
	tb_set32(&t, FADT_DSDT, (uint32_t)dsdt_place(s5_aml, sizeof(s5_aml)));
	tb_set64(&t, FADT_X_DSDT, dsdt_place(typ7, sizeof(typ7)));
	parse_fadt(&t);
	assert_int_equal(p.s5_typ_a, 7);
}

static void test_fadt_dsdt_with_bad_checksum_gives_no_s5(void **state)
{
	struct table t;
	uint64_t dsdt;

	(void)state;
	dsdt = dsdt_place(s5_aml, sizeof(s5_aml));
	at(dsdt)[SDT_HEADER_LEN] ^= 1;
	fadt_begin(&t, FADT_LEN, 0);
	tb_set64(&t, FADT_X_DSDT, dsdt);
	parse_fadt(&t);
	assert_false(p.s5_found);
	assert_int_equal(p.pm1a_cnt, 0x604);	/* the FADT itself still counts */
}

static void test_hpet_base(void **state)
{
	(void)state;
	assert_int_equal(acpi_parse(acpi_v2_one(hpet_place(0xfed00000)), &p), 0);
	assert_int_equal(p.hpet_base, 0xfed00000);
}

static void test_mcfg_takes_segment_0(void **state)
{
	struct table t;

	(void)state;
	mcfg_begin(&t);
	mcfg_entry(&t, 0xc0000000, 1, 0, 63);
	mcfg_entry(&t, 0xb0000000, 0, 0, 255);
	assert_int_equal(acpi_parse(acpi_v2_one(tb_place(&t)), &p), 0);
	assert_int_equal(p.mcfg_base, 0xb0000000);
	assert_int_equal(p.mcfg_bus_first, 0);
	assert_int_equal(p.mcfg_bus_last, 255);
}

static void test_mcfg_without_segment_0(void **state)
{
	struct table t;

	(void)state;
	mcfg_begin(&t);
	mcfg_entry(&t, 0xc0000000, 1, 0, 63);
	tb_put32(&t, 0);	/* a partial entry */
	assert_int_equal(acpi_parse(acpi_v2_one(tb_place(&t)), &p), 0);
	assert_int_equal(p.mcfg_base, 0);
}

/* ---- acpi_scan_rsdp -------------------------------------------------------------- */

#define SCAN_LEN 256

/* A scan window (16-byte aligned) with len bytes from src copied in at off. */
static uint8_t *scan_window(uint32_t off, uint64_t src, uint32_t len)
{
	uint8_t *w = low_alloc(SCAN_LEN);

	assert_int_equal(addr(w) % 16, 0);
	memset(w, 0, SCAN_LEN);
	if (len)
		memcpy(w + off, at(src), len);
	return w;
}

static void test_scan_finds_rsdp_on_16_byte_boundary(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0x40, acpi_v2(NULL, 0), RSDP_V2_LEN);
	assert_int_equal(acpi_scan_rsdp(addr(w), SCAN_LEN), addr(w) + 0x40);
}

static void test_scan_finds_v1_rsdp(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0x10, rsdp_place(0, 0x1000, 0), RSDP_V1_LEN);
	assert_int_equal(acpi_scan_rsdp(addr(w), SCAN_LEN), addr(w) + 0x10);
}

static void test_scan_ignores_misaligned_rsdp(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0x48, acpi_v2(NULL, 0), RSDP_V2_LEN);
	assert_int_equal(acpi_scan_rsdp(addr(w), SCAN_LEN), 0);
}

static void test_scan_skips_signature_with_bad_checksum(void **state)
{
	uint64_t good = acpi_v2(NULL, 0);
	uint8_t *w;

	(void)state;
	w = scan_window(0x80, good, RSDP_V2_LEN);
	memcpy(w + 0x20, at(good), RSDP_V2_LEN);
	w[0x20 + RSDP_CHECKSUM] ^= 1;
	assert_int_equal(acpi_scan_rsdp(addr(w), SCAN_LEN), addr(w) + 0x80);
}

static void test_scan_unaligned_start_rounds_up(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0x10, acpi_v2(NULL, 0), RSDP_V2_LEN);
	assert_int_equal(acpi_scan_rsdp(addr(w) + 1, SCAN_LEN - 1), addr(w) + 0x10);
	assert_int_equal(acpi_scan_rsdp(addr(w) + 0x11, SCAN_LEN - 0x11), 0);
}

static void test_scan_without_rsdp_returns_0(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0, 0, 0);
	assert_int_equal(acpi_scan_rsdp(addr(w), SCAN_LEN), 0);
}

/* ---- acpi_find_s5 --------------------------------------------------------------- */

/* Runs acpi_find_s5 on an exact-size heap copy (ASan guards both ends). */
static bool find_s5(const uint8_t *aml, uint32_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool found;

	assert_non_null(copy);
	memcpy(copy, aml, len);
	found = acpi_find_s5(copy, len, a, b);
	free(copy);
	return found;
}

static void expect_s5(const uint8_t *aml, uint32_t len, uint8_t want_a, uint8_t want_b)
{
	uint8_t a = 0xee, b = 0xee;

	assert_true(find_s5(aml, len, &a, &b));
	assert_int_equal(a, want_a);
	assert_int_equal(b, want_b);
}

static void expect_no_s5(const uint8_t *aml, uint32_t len)
{
	uint8_t a = 0xee, b = 0xee;

	assert_false(find_s5(aml, len, &a, &b));
}

static void test_s5_byte_prefix_and_zero(void **state)
{
	(void)state;
	expect_s5(s5_aml, sizeof(s5_aml), 5, 0);
}

static void test_s5_with_root_prefix(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, AML_ROOT_CHAR, '_', 'S', '5', '_',
		AML_PACKAGE_OP, 0x06, 0x02, AML_BYTE_PREFIX, 0x05, AML_BYTE_PREFIX, 0x06,
	};

	(void)state;
	expect_s5(aml, sizeof(aml), 5, 6);
}

static void test_s5_zero_and_one_ops(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x04, 0x02,
		AML_ONE_OP, AML_ZERO_OP,
	};

	(void)state;
	expect_s5(aml, sizeof(aml), 1, 0);
}

static void test_s5_two_byte_pkglength(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x47, 0x00, 0x02,
		AML_BYTE_PREFIX, 0x07, AML_ZERO_OP,
	};

	(void)state;
	expect_s5(aml, sizeof(aml), 7, 0);
}

static void test_s5_name_without_name_op_is_not_it(void **state)
{
	static const uint8_t aml[] = {
		0x0d, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x04, 0x02, AML_ONE_OP, AML_ONE_OP,
	};

	(void)state;
	expect_no_s5(aml, sizeof(aml));
	expect_no_s5(aml + 1, sizeof(aml) - 1);	/* the name at offset 0 */
}

static void test_s5_skips_a_mention_before_the_name(void **state)
{
	static const uint8_t aml[] = {
		0x0d, '_', 'S', '5', '_', 0x00,		/* a string "_S5_" */
		AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x04, 0x02,
		AML_BYTE_PREFIX, 0x03, AML_ONE_OP,
	};

	(void)state;
	expect_s5(aml, sizeof(aml), 3, 1);
}

static void test_s5_without_package_is_not_found(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, '_', 'S', '5', '_', AML_BYTE_PREFIX, 0x05, AML_ZERO_OP, AML_ZERO_OP,
	};

	(void)state;
	expect_no_s5(aml, sizeof(aml));
}

static void test_s5_with_unsupported_element_is_not_found(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x08, 0x02,
		AML_DWORD_PREFIX, 0x05, 0x00, 0x00, 0x00, AML_ZERO_OP,
	};

	(void)state;
	expect_no_s5(aml, sizeof(aml));
}

/* Cut after each byte: never found before typ_b is complete, never a read
 * past the end, found from there on. */
static void test_s5_truncated_at_each_byte(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, AML_ROOT_CHAR, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x06, 0x02,
		AML_BYTE_PREFIX, 0x05, AML_BYTE_PREFIX, 0x06,
	};
	uint8_t a, b;

	(void)state;
	for (uint32_t n = 0; n < sizeof(aml); n++)
		assert_false(find_s5(aml, n, &a, &b));
	expect_s5(aml, sizeof(aml), 5, 6);
}

static void test_s5_two_byte_pkglength_truncated_at_each_byte(void **state)
{
	static const uint8_t aml[] = {
		AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 0x47, 0x00, 0x02,
		AML_BYTE_PREFIX, 0x07, AML_ZERO_OP,
	};
	uint8_t a, b;

	(void)state;
	for (uint32_t n = 0; n < sizeof(aml); n++)
		assert_false(find_s5(aml, n, &a, &b));
}

/* ---- MP table -------------------------------------------------------------------- */

static void mpc_begin(struct table *t, uint32_t lapic)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "PCMP", 4);
	t->b[6] = 4;	/* spec revision 1.4 */
	memcpy(t->b + 8, "PITHTEST", 8);
	memcpy(t->b + 16, "UNIT TEST   ", 12);
	put32(t->b + MPC_LAPIC, lapic);
	t->len = MPC_HEADER_LEN;
}

static void mpc_cpu(struct table *t, uint8_t apic_id, uint8_t flags)
{
	uint8_t e[20] = { MP_PROCESSOR, apic_id, 0x14, flags };

	tb_put(t, e, sizeof(e));
}

static void mpc_bus(struct table *t, uint8_t id)
{
	uint8_t e[8] = { MP_BUS, id, 'I', 'S', 'A', ' ', ' ', ' ' };

	tb_put(t, e, sizeof(e));
}

static void mpc_ioapic(struct table *t, uint8_t id, uint8_t flags, uint32_t base)
{
	uint8_t e[8] = { MP_IOAPIC, id, 0x11, flags };

	put32(e + 4, base);
	tb_put(t, e, sizeof(e));
}

/* Entry count 0, as qboot writes it: the walk goes by the length. */
static uint64_t mpc_place(struct table *t)
{
	uint8_t *q = low_alloc(t->len);
	uint16_t len = t->len;

	memcpy(t->b + MPC_LENGTH, &len, 2);
	seal(t->b, t->len, MPC_CHECKSUM);
	memcpy(q, t->b, t->len);
	return addr(q);
}

static void mpf_fill(uint8_t *f, uint64_t table)
{
	memset(f, 0, MPF_LEN);
	memcpy(f, "_MP_", 4);
	put32(f + MPF_TABLE, (uint32_t)table);
	f[MPF_LENGTH_PARAS] = 1;
	f[MPF_SPEC_REV] = 4;
	seal(f, MPF_LEN, MPF_CHECKSUM);
}

static uint64_t mpf_place(uint64_t table)
{
	uint8_t *f = low_alloc(MPF_LEN);

	mpf_fill(f, table);
	return addr(f);
}

/* QEMU microvm without ACPI: two cores, an ISA bus, one IOAPIC. */
#define MP_MACHINE_LEN	(MPC_HEADER_LEN + 2 * 20 + 8 + 8)

static uint64_t mp_machine(void)
{
	struct table t;

	mpc_begin(&t, LAPIC_BASE);
	mpc_cpu(&t, 0, MP_CPU_ENABLED | MP_CPU_BSP);
	mpc_cpu(&t, 1, MP_CPU_ENABLED);
	mpc_bus(&t, 0);
	mpc_ioapic(&t, 2, MP_IOAPIC_ENABLED, IOAPIC_BASE);
	return mpc_place(&t);
}

static void test_mptable_reads_cpus_and_ioapic(void **state)
{
	(void)state;
	assert_int_equal(mptable_parse_at(mpf_place(mp_machine()), &p), 0);
	assert_string_equal(p.source, "mp table");
	assert_int_equal(p.lapic_base, LAPIC_BASE);
	assert_true(p.pic_present);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.apic_ids[1], 1);
	assert_int_equal(p.nioapics, 1);
	assert_int_equal(p.ioapics[0].id, 2);
	assert_int_equal(p.ioapics[0].base, IOAPIC_BASE);
	assert_int_equal(p.ioapics[0].gsi_base, 0);
}

static void test_mptable_skips_disabled_entries(void **state)
{
	struct table t;

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc_cpu(&t, 0, MP_CPU_ENABLED);
	mpc_cpu(&t, 1, 0);
	mpc_ioapic(&t, 2, 0, IOAPIC_BASE);
	assert_int_equal(mptable_parse_at(mpf_place(mpc_place(&t)), &p), 0);
	assert_int_equal(p.ncpus, 1);
	assert_int_equal(p.nioapics, 0);
}

static void test_mptable_numbers_ioapic_gsis_in_order(void **state)
{
	struct table t;

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc_ioapic(&t, 4, MP_IOAPIC_ENABLED, IOAPIC_BASE);
	mpc_ioapic(&t, 5, MP_IOAPIC_ENABLED, IOAPIC_BASE + 0x1000);
	assert_int_equal(mptable_parse_at(mpf_place(mpc_place(&t)), &p), 0);
	assert_int_equal(p.nioapics, 2);
	assert_int_equal(p.ioapics[1].gsi_base, 24);
}

static void test_mptable_ignores_entry_count(void **state)
{
	struct table t;
	uint64_t mpc;
	uint16_t one = 1;

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc_cpu(&t, 0, MP_CPU_ENABLED);
	mpc_cpu(&t, 1, MP_CPU_ENABLED);
	memcpy(t.b + MPC_ENTRY_COUNT, &one, 2);
	mpc = mpc_place(&t);
	assert_int_equal(mptable_parse_at(mpf_place(mpc), &p), 0);
	assert_int_equal(p.ncpus, 2);
}

static void test_mptable_unknown_entry_type_stops_the_walk(void **state)
{
	struct table t;
	uint8_t odd[8] = { 0x80 };

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc_cpu(&t, 0, MP_CPU_ENABLED);
	tb_put(&t, odd, sizeof(odd));
	mpc_cpu(&t, 1, MP_CPU_ENABLED);
	assert_int_equal(mptable_parse_at(mpf_place(mpc_place(&t)), &p), 0);
	assert_int_equal(p.ncpus, 1);
}

static void test_mptable_entry_past_the_length_is_ignored(void **state)
{
	struct table t;

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc_cpu(&t, 0, MP_CPU_ENABLED);
	mpc_cpu(&t, 1, MP_CPU_ENABLED);
	t.len -= 1;
	assert_int_equal(mptable_parse_at(mpf_place(mpc_place(&t)), &p), 0);
	assert_int_equal(p.ncpus, 1);
}

static void test_mptable_bad_checksum_is_refused(void **state)
{
	uint64_t mpc;

	(void)state;
	mpc = mp_machine();
	at(mpc)[MPC_LAPIC] ^= 1;
	assert_int_equal(mptable_parse_at(mpf_place(mpc), &p), -1);
	assert_null(p.source);
	assert_int_equal(p.ncpus, 0);
}

static void test_mptable_bad_signature_is_refused(void **state)
{
	uint64_t mpc;

	(void)state;
	mpc = mp_machine();
	at(mpc)[0] = 'X';
	seal(at(mpc), MP_MACHINE_LEN, MPC_CHECKSUM);
	assert_int_equal(mptable_parse_at(mpf_place(mpc), &p), -1);
}

static void test_mptable_length_below_header_is_refused(void **state)
{
	struct table t;
	uint64_t mpc;
	uint16_t len = MPC_HEADER_LEN - 4;

	(void)state;
	mpc_begin(&t, LAPIC_BASE);
	mpc = mpc_place(&t);
	memcpy(at(mpc) + MPC_LENGTH, &len, 2);
	seal(at(mpc), len, MPC_CHECKSUM);
	assert_int_equal(mptable_parse_at(mpf_place(mpc), &p), -1);
}

static void test_mptable_without_table_is_refused(void **state)
{
	(void)state;
	assert_int_equal(mptable_parse_at(0, &p), -1);
	assert_int_equal(mptable_parse_at(mpf_place(0), &p), -1);
}

static void test_mptable_past_limit_is_refused(void **state)
{
	uint64_t mpc, f;

	(void)state;
	mpc = mp_machine();
	f = mpf_place(mpc);
	platform_phys_limit = mpc + MP_MACHINE_LEN - 1;
	assert_int_equal(mptable_parse_at(f, &p), -1);
}

static void test_mptable_scan_finds_floating_pointer(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0, 0, 0);
	mpf_fill(w + 0x30, 0x9fc00);
	assert_int_equal(mptable_scan(addr(w), SCAN_LEN), addr(w) + 0x30);
}

static void test_mptable_scan_checks_length_and_checksum(void **state)
{
	uint8_t *w;

	(void)state;
	w = scan_window(0, 0, 0);
	mpf_fill(w + 0x10, 0x9fc00);
	w[0x10 + MPF_CHECKSUM] ^= 1;
	mpf_fill(w + 0x20, 0x9fc00);
	w[0x20 + MPF_LENGTH_PARAS] = 2;
	seal(w + 0x20, MPF_LEN, MPF_CHECKSUM);
	mpf_fill(w + 0x38, 0x9fc00);	/* not on a 16-byte boundary */
	mpf_fill(w + SCAN_LEN - MPF_LEN, 0x9fc00);
	assert_int_equal(mptable_scan(addr(w), SCAN_LEN), addr(w) + SCAN_LEN - MPF_LEN);
	assert_int_equal(mptable_scan(addr(w), SCAN_LEN - MPF_LEN), 0);
}

/* ---- platform.c ------------------------------------------------------------------ */

static void test_add_cpu_counts_each_id_once(void **state)
{
	(void)state;
	platform_add_cpu(&p, 5);
	platform_add_cpu(&p, 0);
	platform_add_cpu(&p, 5);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.apic_ids[0], 5);
	assert_int_equal(p.apic_ids[1], 0);
}

static void test_add_cpu_past_max_sets_truncated(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		platform_add_cpu(&p, 100 + i);
	assert_false(p.cpus_truncated);
	platform_add_cpu(&p, 100);
	assert_false(p.cpus_truncated);
	platform_add_cpu(&p, 1);
	assert_true(p.cpus_truncated);
	assert_int_equal(p.ncpus, MAX_CPUS);
}

/* Runs platform_print() with stdout sent to a file; returns what it printed. */
static void capture_print(char *out, size_t size)
{
	FILE *f = tmpfile();
	int saved;
	size_t n;

	assert_non_null(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDOUT_FILENO) >= 0);
	platform_print(&p);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void test_print_summarises_a_q35_like_machine(void **state)
{
	struct table madt, fadt;
	uint64_t tables[3];
	char out[1024];

	(void)state;
	madt_begin(&madt, LAPIC_BASE, MADT_PCAT_COMPAT);
	madt_lapic(&madt, 0, MADT_ENABLED);
	madt_lapic(&madt, 1, MADT_ENABLED);
	madt_ioapic(&madt, 0, IOAPIC_BASE, 0);
	madt_override(&madt, 0, 2, 0);
	tables[0] = tb_place(&madt);
	fadt_begin(&fadt, FADT_LEN, FADT_RESET_REG_SUP);
	tb_set64(&fadt, FADT_X_DSDT, dsdt_place(s5_aml, sizeof(s5_aml)));
	tables[1] = tb_place(&fadt);
	tables[2] = hpet_place(0xfed00000);
	assert_int_equal(acpi_parse(acpi_v2(tables, 3), &p), 0);
	capture_print(out, sizeof(out));
	assert_string_equal(out,
		"acpi   rev 2 oem PITHFW: APIC FACP HPET\n"
		"cores  2: apic ids 0 1; lapic 0xfee00000\n"
		"ioapic 0 at 0xfec00000 gsi 0\n"
		"irq    0->2\n"
		"power  S5 pm1a 0x604 typ 5; reset io 0xcf9=0xf\n"
		"hpet   0xfed00000\n");
}

static void test_print_without_tables(void **state)
{
	char out[512];

	(void)state;
	p.source = "none";
	p.lapic_base = LAPIC_BASE;
	capture_print(out, sizeof(out));
	assert_string_equal(out,
		"acpi   none (none)\n"
		"cores  1: apic ids; lapic 0xfee00000\n"
		"power  no ACPI S5\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_acpi_v2_reads_tables_through_xsdt),
		T(test_acpi_v1_reads_tables_through_rsdt),
		T(test_acpi_v2_without_xsdt_uses_rsdt),
		T(test_acpi_bad_rsdp_checksum_is_refused),
		T(test_acpi_bad_rsdp_extended_checksum_is_refused),
		T(test_acpi_bad_rsdp_signature_is_refused),
		T(test_acpi_null_rsdp_is_refused),
		T(test_acpi_rsdp_claiming_more_than_36_bytes_is_not_read_past),
		T(test_acpi_bad_root_checksum_is_refused),
		T(test_acpi_table_with_bad_checksum_is_skipped),
		T(test_acpi_table_shorter_than_header_is_skipped),
		T(test_acpi_table_longer_than_1_mib_is_skipped),
		T(test_acpi_root_longer_than_1_mib_is_refused),
		T(test_acpi_null_xsdt_entry_is_skipped),
		T(test_acpi_looks_at_most_max_tables),
		T(test_acpi_table_ending_at_limit_is_read),
		T(test_acpi_table_past_limit_is_refused),
		T(test_acpi_rsdp_past_limit_is_refused),
		T(test_madt_counts_enabled_lapics),
		T(test_madt_header_gives_lapic_base_and_pic),
		T(test_madt_x2apic_ids_above_255),
		T(test_madt_duplicate_apic_ids_count_once),
		T(test_madt_more_cpus_than_max_sets_truncated),
		T(test_madt_exactly_max_cpus_is_not_truncated),
		T(test_madt_ioapics),
		T(test_madt_keeps_at_most_max_ioapics),
		T(test_madt_interrupt_overrides),
		T(test_madt_keeps_at_most_max_overrides),
		T(test_madt_lapic_address_override_wins),
		T(test_madt_short_entries_are_skipped),
		T(test_madt_entry_length_0_stops_the_walk),
		T(test_madt_entry_length_1_stops_the_walk),
		T(test_madt_entry_past_the_table_is_ignored),
		T(test_fadt_power_management_fields),
		T(test_fadt_reset_register_when_supported),
		T(test_fadt_reset_register_ignored_without_flag),
		T(test_fadt_v1_has_no_reset_register),
		T(test_fadt_too_short_for_pm_timer_is_ignored),
		T(test_fadt_hw_reduced_gives_sleep_control),
		T(test_fadt_sleep_control_ignored_without_hw_reduced),
		T(test_fadt_s5_from_x_dsdt),
		T(test_fadt_s5_from_32_bit_dsdt),
		T(test_fadt_x_dsdt_wins_over_dsdt),
		T(test_fadt_dsdt_with_bad_checksum_gives_no_s5),
		T(test_hpet_base),
		T(test_mcfg_takes_segment_0),
		T(test_mcfg_without_segment_0),
		T(test_scan_finds_rsdp_on_16_byte_boundary),
		T(test_scan_finds_v1_rsdp),
		T(test_scan_ignores_misaligned_rsdp),
		T(test_scan_skips_signature_with_bad_checksum),
		T(test_scan_unaligned_start_rounds_up),
		T(test_scan_without_rsdp_returns_0),
		T(test_s5_byte_prefix_and_zero),
		T(test_s5_with_root_prefix),
		T(test_s5_zero_and_one_ops),
		T(test_s5_two_byte_pkglength),
		T(test_s5_name_without_name_op_is_not_it),
		T(test_s5_skips_a_mention_before_the_name),
		T(test_s5_without_package_is_not_found),
		T(test_s5_with_unsupported_element_is_not_found),
		T(test_s5_truncated_at_each_byte),
		T(test_s5_two_byte_pkglength_truncated_at_each_byte),
		T(test_mptable_reads_cpus_and_ioapic),
		T(test_mptable_skips_disabled_entries),
		T(test_mptable_numbers_ioapic_gsis_in_order),
		T(test_mptable_ignores_entry_count),
		T(test_mptable_unknown_entry_type_stops_the_walk),
		T(test_mptable_entry_past_the_length_is_ignored),
		T(test_mptable_bad_checksum_is_refused),
		T(test_mptable_bad_signature_is_refused),
		T(test_mptable_length_below_header_is_refused),
		T(test_mptable_without_table_is_refused),
		T(test_mptable_past_limit_is_refused),
		T(test_mptable_scan_finds_floating_pointer),
		T(test_mptable_scan_checks_length_and_checksum),
		T(test_add_cpu_counts_each_id_once),
		T(test_add_cpu_past_max_sets_truncated),
		T(test_print_summarises_a_q35_like_machine),
		T(test_print_without_tables),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
