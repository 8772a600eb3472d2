/*
 * Local APIC (SDM vol. 3A chapter 10). In x2APIC mode registers are MSRs
 * 0x800 + offset/16 (§10.12.1.2); in xAPIC mode they are memory-mapped at
 * the MADT's address. One pair of accessors hides the difference.
 */
#include "lapic.h"
#include "cpu.h"
#include "../../param.h"
#include "../../time.h"

#define REG_ID		0x020
#define REG_EOI		0x0b0
#define REG_SVR		0x0f0
#define REG_ICR_LOW	0x300
#define REG_ICR_HIGH	0x310
#define ICR_PENDING	(1u << 12)
#define REG_LVT_TIMER	0x320
#define REG_TIMER_INIT	0x380
#define REG_TIMER_CUR	0x390
#define REG_TIMER_DIV	0x3e0
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define TIMER_DIV_1	0xb
#define APIC_BASE_EN	(1u << 11)
#define APIC_BASE_EXTD	(1u << 10)
#define CPUID_X2APIC	(1u << 21)	/* CPUID 1 ECX */
#define X2APIC_MSR	0x800
#define CALIBRATE_US	1000

static volatile uint32_t *mmio;
static bool x2apic;
static uint64_t timer_hz;
static void (*timer_fn)(void);

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(X2APIC_MSR + (reg >> 4)) : mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

void lapic_init(uint64_t mmio_base)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = cpuid(1, 0).c & CPUID_X2APIC;
	mmio = (volatile uint32_t *)mmio_base;
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | (x2apic ? APIC_BASE_EXTD : 0));
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);
	return x2apic ? id : id >> 24;
}

bool lapic_x2apic(void) { return x2apic; }

void lapic_eoi(void) { lapic_write(REG_EOI, 0); }

/* Counts the timer's input clock over CALIBRATE_US of TSC time. */
static uint64_t calibrate(void)
{
	uint32_t left;

	lapic_write(REG_TIMER_DIV, TIMER_DIV_1);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_TIMER_INIT, UINT32_MAX);
	delay_us(CALIBRATE_US);
	left = lapic_read(REG_TIMER_CUR);
	lapic_write(REG_TIMER_INIT, 0);
	return (uint64_t)(UINT32_MAX - left) * (1000000 / CALIBRATE_US);
}

uint64_t lapic_timer_start(unsigned hz, void (*fn)(void))
{
	uint64_t count;

	if (!timer_hz)
		timer_hz = calibrate();
	count = hz ? timer_hz / hz : 0;
	if (!count || count > UINT32_MAX)
		return 0;
	timer_fn = fn;
	lapic_write(REG_TIMER_DIV, TIMER_DIV_1);
	lapic_write(REG_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	lapic_write(REG_TIMER_INIT, (uint32_t)count);
	return timer_hz;
}

void lapic_timer_stop(void)
{
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_TIMER_INIT, 0);
	timer_fn = 0;
}

void lapic_timer_interrupt(void)
{
	if (timer_fn)
		timer_fn();
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr)
{
	if (x2apic) {	/* one 64-bit MSR write, no delivery status (§10.12.9) */
		wrmsr(X2APIC_MSR + (REG_ICR_LOW >> 4), (uint64_t)apic_id << 32 | icr);
		return;
	}
	lapic_write(REG_ICR_HIGH, apic_id << 24);
	lapic_write(REG_ICR_LOW, icr);
	for (int i = 0; i < 100000 && (lapic_read(REG_ICR_LOW) & ICR_PENDING); i++)
		cpu_relax();
}
