/*
 * Finding virtio-mmio devices (kernel/drivers/acpi.c acpi_find_virtio_mmio,
 * platform.c platform_parse_mmio_arg) and ISA IRQ routing
 * (platform_isa_gsi), on the host. AML is built byte by byte the way
 * QEMU's microvm writes each device, and every parse runs on an exact-size
 * heap copy so ASan catches a read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/platform.h"

/* ACPI 6.5 §6.4.3.4 Memory32Fixed, §6.4.3.6 Extended Interrupt. */
#define MEM32_FIXED	0x86
#define EXT_IRQ		0x89
#define IRQ_CONSUMER	0x01
#define IRQ_EDGE	0x02
#define IRQ_ACTIVE_LOW	0x04
#define NAME_OP		0x08	/* §20.2.5.1 */
#define STRING_PREFIX	0x0d
#define BUFFER_OP	0x11

/* Appends QEMU's shape of one device: Name(_HID, "LNRO0005"), Name(_UID),
 * Name(_CRS, ResourceTemplate { Memory32Fixed, Interrupt }). */
static size_t put_device(uint8_t *p, uint32_t base, uint32_t size, uint32_t irq, uint8_t flags)
{
	size_t n = 0;
	static const uint8_t uid[] = { NAME_OP, '_', 'U', 'I', 'D', 0x0a, 0x03 };

	memcpy(p + n, "\x5b\x82\x30VR03", 7), n += 7;		/* DeviceOp, PkgLength, name */
	p[n++] = NAME_OP, memcpy(p + n, "_HID", 4), n += 4;
	p[n++] = STRING_PREFIX, memcpy(p + n, "LNRO0005", 9), n += 9;
	memcpy(p + n, uid, sizeof(uid)), n += sizeof(uid);
	p[n++] = NAME_OP, memcpy(p + n, "_CRS", 4), n += 4;
	p[n++] = BUFFER_OP, p[n++] = 26, p[n++] = 0x0a, p[n++] = 23;
	p[n++] = MEM32_FIXED, p[n++] = 9, p[n++] = 0, p[n++] = 1;
	memcpy(p + n, &base, 4), n += 4;
	memcpy(p + n, &size, 4), n += 4;
	p[n++] = EXT_IRQ, p[n++] = 6, p[n++] = 0, p[n++] = flags, p[n++] = 1;
	memcpy(p + n, &irq, 4), n += 4;
	p[n++] = 0x79, p[n++] = 0;				/* end tag */
	return n;
}

static void find(const uint8_t *aml, size_t len, struct platform *p)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, aml, len);
	memset(p, 0, sizeof(*p));
	acpi_find_virtio_mmio(copy, (uint32_t)len, p);
	free(copy);
}

static void test_finds_each_device_with_window_and_irq(void **state)
{
	uint8_t aml[256];
	size_t n = 0;
	struct platform p;

	(void)state;
	n += put_device(aml + n, 0xfeb02e00, 0x200, 40, IRQ_CONSUMER);
	n += put_device(aml + n, 0xfeb02c00, 0x200, 39, IRQ_CONSUMER | IRQ_EDGE | IRQ_ACTIVE_LOW);
	find(aml, n, &p);
	assert_int_equal(p.nmmio, 2);
	assert_int_equal(p.mmio[0].base, 0xfeb02e00);
	assert_int_equal(p.mmio[0].size, 0x200);
	assert_int_equal(p.mmio[0].gsi, 40);
	assert_true(p.mmio[0].level);
	assert_false(p.mmio[0].active_low);
	assert_int_equal(p.mmio[1].gsi, 39);
	assert_false(p.mmio[1].level);
	assert_true(p.mmio[1].active_low);
}

/* Cut anywhere, the table yields only whole devices and never reads past. */
static void test_truncated_at_each_byte(void **state)
{
	uint8_t aml[128];
	size_t n = put_device(aml, 0xfeb00000, 0x200, 16, IRQ_CONSUMER);
	struct platform p;

	(void)state;
	for (size_t len = 0; len < n; len++) {
		find(aml, len, &p);
		/* the end tag is not needed: the interrupt is the last field read */
		assert_int_equal(p.nmmio, len >= n - 2 ? 1 : 0);
	}
}

static void test_device_without_interrupt_is_skipped(void **state)
{
	uint8_t aml[256];
	size_t n = put_device(aml, 0xfeb00000, 0x200, 16, IRQ_CONSUMER);
	struct platform p;

	(void)state;
	aml[n - 2 - 4 - 1] = 0;		/* interrupt count 0 */
	n += put_device(aml + n, 0xfeb00200, 0x200, 17, IRQ_CONSUMER);
	find(aml, n, &p);
	assert_int_equal(p.nmmio, 1);
	assert_int_equal(p.mmio[0].base, 0xfeb00200);
}

/* A device's _CRS is not taken from the next device. */
static void test_hid_without_resources_does_not_borrow_the_next(void **state)
{
	uint8_t aml[256];
	size_t n = 0;
	struct platform p;

	(void)state;
	aml[n++] = STRING_PREFIX;
	memcpy(aml + n, "LNRO0005", 9), n += 9;
	n += put_device(aml + n, 0xfeb00400, 0x200, 18, IRQ_CONSUMER);
	find(aml, n, &p);
	assert_int_equal(p.nmmio, 1);
	assert_int_equal(p.mmio[0].base, 0xfeb00400);
}

static void test_keeps_at_most_max(void **state)
{
	static uint8_t aml[64 * (MAX_VIRTIO_MMIO + 4)];
	size_t n = 0;
	struct platform p;

	(void)state;
	for (unsigned i = 0; i < MAX_VIRTIO_MMIO + 4; i++)
		n += put_device(aml + n, 0xfeb00000 + 0x200 * i, 0x200, 16 + i, IRQ_CONSUMER);
	find(aml, n, &p);
	assert_int_equal(p.nmmio, MAX_VIRTIO_MMIO);
}

/* ---- virtio_mmio.device= ----------------------------------------------------- */

static void test_cmdline_forms(void **state)
{
	struct mmio_window w;

	(void)state;
	assert_true(platform_parse_mmio_arg("512@0xfeb00e00:12", &w));
	assert_int_equal(w.base, 0xfeb00e00);
	assert_int_equal(w.size, 512);
	assert_int_equal(w.gsi, 12);
	assert_true(w.level);
	assert_true(platform_parse_mmio_arg("4K@0xd0000000:5 quiet", &w));
	assert_int_equal(w.size, 4096);
	assert_int_equal(w.base, 0xd0000000);
	assert_true(platform_parse_mmio_arg("0x200@4096:33", &w));
	assert_int_equal(w.size, 0x200);
	assert_int_equal(w.base, 4096);
	assert_true(platform_parse_mmio_arg("1M@0x1:0", &w));
	assert_int_equal(w.size, 1 << 20);
}

static void test_cmdline_refuses_broken_values(void **state)
{
	static const char *const bad[] = {
		"", "512", "512@", "512@0xfeb00e00", "512@0xfeb00e00:", "@0x1000:5",
		"512@0xfeb00e00:12x", "512@zz:1", "0@0x1000:5", "512@0x1000:4294967296",
		"99999999999999999999@0x1000:5", "17592186044416M@0x1000:5", "0x@0x1000:5",
		"512 @0x1000:5",
	};
	struct mmio_window w;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(platform_parse_mmio_arg(bad[i], &w));
}

/* ---- ISA IRQ to GSI ------------------------------------------------------------ */

static void test_isa_gsi_uses_overrides(void **state)
{
	struct platform p = { 0 };
	bool level, low;

	(void)state;
	p.overrides[p.noverrides++] = (struct irq_override){ 0, 2, 0 };
	p.overrides[p.noverrides++] = (struct irq_override){ 10, 10, 0x000d };	/* level, high */
	p.overrides[p.noverrides++] = (struct irq_override){ 11, 21, 0x000f };	/* level, low */
	p.overrides[p.noverrides++] = (struct irq_override){ 4, 4, 0x0005 };	/* edge, high */
	assert_int_equal(platform_isa_gsi(&p, 0, &level, &low), 2);
	assert_int_equal(platform_isa_gsi(&p, 10, &level, &low), 10);
	assert_true(level);
	assert_false(low);
	assert_int_equal(platform_isa_gsi(&p, 11, &level, &low), 21);
	assert_true(level);
	assert_true(low);
	assert_int_equal(platform_isa_gsi(&p, 4, &level, &low), 4);
	assert_false(level);
	assert_int_equal(platform_isa_gsi(&p, 9, &level, &low), 9);	/* no override */
	assert_true(level);
	assert_false(low);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_each_device_with_window_and_irq),
		cmocka_unit_test(test_truncated_at_each_byte),
		cmocka_unit_test(test_device_without_interrupt_is_skipped),
		cmocka_unit_test(test_hid_without_resources_does_not_borrow_the_next),
		cmocka_unit_test(test_keeps_at_most_max),
		cmocka_unit_test(test_cmdline_forms),
		cmocka_unit_test(test_cmdline_refuses_broken_values),
		cmocka_unit_test(test_isa_gsi_uses_overrides),
	};
	return cmocka_run_group_tests_name("mmio", tests, NULL, NULL);
}
