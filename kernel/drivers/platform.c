/*
 * Platform discovery: where to look for firmware tables, and the one-screen
 * summary of what they said. ACPI first; the MP table only without it.
 */
#include "platform.h"
#include "../printf.h"

uint64_t platform_phys_limit = UINT64_MAX;

/* Where firmware leaves its tables (ACPI 6.5 §5.2.5.1, MP spec §4). */
#define EBDA_SEGMENT_PTR	0x40e
#define BIOS_ROM_START		0xe0000
#define BIOS_ROM_LEN		0x20000
#define BASE_MEM_LAST_KIB	0x9fc00
#define DEFAULT_LAPIC_BASE	0xfee00000

bool platform_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

void platform_add_cpu(struct platform *p, uint32_t apic_id)
{
	for (unsigned i = 0; i < p->ncpus && i < MAX_CPUS; i++)
		if (p->apic_ids[i] == apic_id)
			return;
	if (p->ncpus == MAX_CPUS) {
		p->cpus_truncated = true;
		return;
	}
	p->apic_ids[p->ncpus++] = apic_id;
}

static uint64_t ebda_base(void)
{
	uint16_t seg = *(volatile uint16_t *)EBDA_SEGMENT_PTR;
	return (uint64_t)seg << 4;
}

static uint64_t find_rsdp(uint64_t hint)
{
	uint64_t ebda, r = 0;

	if (hint)
		return hint;	/* from the loader: no need to touch BIOS memory */
	ebda = ebda_base();
	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = acpi_scan_rsdp(ebda, 1024);
	return r ? r : acpi_scan_rsdp(BIOS_ROM_START, BIOS_ROM_LEN);
}

static uint64_t find_mptable(void)
{
	uint64_t ebda = ebda_base(), f = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		f = mptable_scan(ebda, 1024);
	if (!f)
		f = mptable_scan(BASE_MEM_LAST_KIB, 1024);
	return f ? f : mptable_scan(BIOS_ROM_START, BIOS_ROM_LEN);
}

void platform_discover(uint64_t rsdp_hint, struct platform *p)
{
	p->source = "none";
	if (acpi_parse(find_rsdp(rsdp_hint), p) < 0 &&
	    mptable_parse_at(find_mptable(), p) < 0) {
		/* No tables: one core, the LAPIC where every x86 puts it. */
		p->lapic_base = DEFAULT_LAPIC_BASE;
		p->pic_present = true;
	}
	if (!p->lapic_base)
		p->lapic_base = DEFAULT_LAPIC_BASE;
}

static void print_power(const struct platform *p)
{
	kprintf("power  ");
	if (p->hw_reduced && p->sleep_control.address)
		kprintf("S5 sleep-control %#lx", (unsigned long)p->sleep_control.address);
	else if (p->pm1a_cnt)
		kprintf("S5 pm1a %#x", p->pm1a_cnt);
	else
		kprintf("no ACPI S5");
	if (p->s5_found)
		kprintf(" typ %u", p->s5_typ_a);
	if (p->reset_supported)
		kprintf("; reset %s %#lx=%#x", p->reset_reg.space == GAS_IO ? "io" : "mem",
			(unsigned long)p->reset_reg.address, p->reset_value);
	kprintf("\n");
}

void platform_print(const struct platform *p)
{
	kprintf("acpi   ");
	if (p->ntables) {
		kprintf("rev %u oem %s:", p->acpi_rev, p->oem);
		for (unsigned i = 0; i < p->ntables; i++)
			kprintf(" %s", p->tables[i]);
		kprintf("\n");
	} else {
		kprintf("none (%s)\n", p->source);
	}
	kprintf("cores  %u:%s apic ids", p->ncpus ? p->ncpus : 1,
		p->cpus_truncated ? " (more not tracked)" : "");
	for (unsigned i = 0; i < p->ncpus; i++)
		kprintf(" %u", p->apic_ids[i]);
	kprintf("; lapic %#lx\n", (unsigned long)p->lapic_base);
	for (unsigned i = 0; i < p->nioapics; i++)
		kprintf("ioapic %u at %#lx gsi %u\n", p->ioapics[i].id,
			(unsigned long)p->ioapics[i].base, p->ioapics[i].gsi_base);
	if (p->noverrides) {
		kprintf("irq   ");
		for (unsigned i = 0; i < p->noverrides; i++)
			kprintf(" %u->%u", p->overrides[i].irq, p->overrides[i].gsi);
		kprintf("\n");
	}
	print_power(p);
	if (p->hpet_base)
		kprintf("hpet   %#lx\n", (unsigned long)p->hpet_base);
	if (p->mcfg_base)
		kprintf("pcie   ecam %#lx buses %u-%u\n", (unsigned long)p->mcfg_base,
			p->mcfg_bus_first, p->mcfg_bus_last);
}

/* A number at *s (decimal, or hex after 0x); advances *s. False if none. */
static bool parse_number(const char **s, uint64_t *v)
{
	const char *p = *s;
	unsigned base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	*v = 0;
	for (const char *start = p;; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0') :
			     (*p | 32) >= 'a' && (*p | 32) <= 'f' ? (unsigned)((*p | 32) - 'a' + 10) : 99;
		if (d >= base || *v > (UINT64_MAX - d) / base) {
			*s = p;
			return p > start && d >= base;
		}
		*v = *v * base + d;
	}
}

bool platform_parse_mmio_arg(const char *s, struct mmio_window *w)
{
	uint64_t size, base, irq;

	if (!parse_number(&s, &size))
		return false;
	if (*s == 'K' || *s == 'k' || *s == 'M' || *s == 'm') {
		unsigned shift = (*s | 32) == 'k' ? 10 : 20;
		if (size >> (64 - shift))
			return false;
		size <<= shift;
		s++;
	}
	if (*s++ != '@' || !parse_number(&s, &base) || *s++ != ':' ||
	    !parse_number(&s, &irq) || (*s && *s != ' ') || irq > UINT32_MAX || !size)
		return false;
	*w = (struct mmio_window){ base, size, (uint32_t)irq, true, false };
	return true;
}

/* MPS INTI flags (MP spec 1.4 table 4-10, ACPI 6.5 table 5.50). */
#define INTI_POLARITY_LOW	0x3
#define INTI_TRIGGER_MASK	0xc
#define INTI_TRIGGER_EDGE	0x4

uint32_t platform_isa_gsi(const struct platform *p, uint8_t irq, bool *level, bool *active_low)
{
	*level = true;
	*active_low = false;
	for (unsigned i = 0; i < p->noverrides; i++) {
		const struct irq_override *o = &p->overrides[i];
		if (o->irq != irq)
			continue;
		*level = (o->flags & INTI_TRIGGER_MASK) != INTI_TRIGGER_EDGE;
		*active_low = (o->flags & 3) == INTI_POLARITY_LOW;
		return o->gsi;
	}
	return irq;
}
