/*
 * The Intel MultiProcessor table (MP spec 1.4, chapter 4), read only when
 * there is no ACPI (QEMU microvm with acpi=off gives one through qboot).
 * qboot writes an entry count of 0, so entries are walked by the base
 * table's length, each by its type's fixed size.
 */
#include <stddef.h>
#include "platform.h"
#include "../string.h"

#define MPF_LEN			16	/* floating pointer structure, §4.1 */
#define MPC_HEADER_LEN		44	/* configuration table header, §4.2 */
#define MPC_MAX_LEN		65535
#define MP_PROCESSOR		0	/* entry types and sizes, §4.3 */
#define MP_PROCESSOR_LEN	20
#define MP_IOAPIC		2
#define MP_OTHER_LEN		8
#define MP_CPU_ENABLED		1
#define MP_IOAPIC_ENABLED	1

/* "_MP_", a length of one 16-byte paragraph, and a zero sum (§4.1). */
static bool floating_valid(const uint8_t *f)
{
	return !memcmp(f, "_MP_", 4) && f[8] == 1 && platform_sum_ok(f, MPF_LEN);
}

uint64_t mptable_scan(uint64_t start, uint64_t len)
{
	for (uint64_t a = (start + 15) & ~15ull; a + MPF_LEN <= start + len; a += 16)
		if (floating_valid((const uint8_t *)(uintptr_t)a))
			return a;
	return 0;
}

static void parse_entries(const uint8_t *t, uint16_t len, struct platform *p)
{
	uint32_t off = MPC_HEADER_LEN;

	while (off < len) {
		const uint8_t *e = t + off;
		uint32_t size = e[0] == MP_PROCESSOR ? MP_PROCESSOR_LEN : MP_OTHER_LEN;

		if (e[0] > 4 || off + size > len)
			break;	/* unknown types have unknown sizes: stop there */
		if (e[0] == MP_PROCESSOR && (e[3] & MP_CPU_ENABLED))
			platform_add_cpu(p, e[1]);
		if (e[0] == MP_IOAPIC && (e[3] & MP_IOAPIC_ENABLED) &&
		    p->nioapics < MAX_IOAPICS) {
			uint32_t base;
			memcpy(&base, e + 4, 4);
			/* MP tables give no GSI base: IOAPICs are numbered in order. */
			p->ioapics[p->nioapics] = (struct ioapic){
				e[1], p->nioapics * 24, base };
			p->nioapics++;
		}
		off += size;
	}
}

int mptable_parse_at(uint64_t floating, struct platform *p)
{
	const uint8_t *f = (const uint8_t *)(uintptr_t)floating, *t;
	uint32_t table;
	uint16_t len;

	if (!floating || floating > platform_phys_limit - MPF_LEN || !floating_valid(f))
		return -1;
	memcpy(&table, f + 4, 4);
	if (!table || table > platform_phys_limit - MPC_HEADER_LEN)
		return -1;
	t = (const uint8_t *)(uintptr_t)table;
	memcpy(&len, t + 4, 2);
	if (memcmp(t, "PCMP", 4) || len < MPC_HEADER_LEN ||
	    table > platform_phys_limit - len || !platform_sum_ok(t, len))
		return -1;
	p->source = "mp table";
	memcpy(&table, t + 36, 4);
	p->lapic_base = table;
	p->pic_present = true;
	parse_entries(t, len, p);
	return 0;
}
