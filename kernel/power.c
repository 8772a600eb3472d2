/*
 * Power off and reboot, each trying the platform's ways from the most
 * specific to the most universal, and saying so if all of them fail.
 *
 *   off:    QEMU isa-debug-exit (carries an exit code) -> ACPI S5
 *   reboot: ACPI reset register -> 8042 pulse -> triple fault
 */
#include <stdbool.h>
#include "power.h"
#include "console.h"
#include "printf.h"
#include "time.h"
#include "arch/x86_64/cpu.h"

/* ACPI 6.5 §4.8.3.2 PM1 control and §4.8.3.7 sleep control registers. */
#define PM1_SCI_EN		(1u << 0)
#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_EN		(1u << 13)
#define SLEEP_TYP_SHIFT		2
#define SLEEP_EN		(1u << 5)
#define KBC_STATUS		0x64	/* 8042: status / command port */
#define KBC_INPUT_FULL		0x02
#define KBC_PULSE_RESET		0xfe
#define CPUID_HYPERVISOR	(1u << 31)	/* CPUID 1 ECX */
#define SETTLE_US		100000	/* give a write time to take effect */

static const struct platform *plat;

void power_init(const struct platform *p)
{
	plat = p;
}

/* QEMU's isa-debug-exit reads as 0; an unclaimed port floats to all ones.
 * Only a guest may assume a debug device: on metal the port is not ours.
 * Asked at each use, so a fault before power_init() still exits QEMU. */
static bool debug_exit_present(void)
{
	return (cpuid(1, 0).c & CPUID_HYPERVISOR) && inb(DEBUG_EXIT_PORT) != 0xff;
}

static void gas_write(const struct gas *g, uint32_t v)
{
	if (g->space == GAS_IO && g->bit_width <= 8)
		outb(g->address, v);
	else if (g->space == GAS_IO && g->bit_width <= 16)
		outw(g->address, v);
	else if (g->space == GAS_IO)
		outl(g->address, v);
	else if (g->space == GAS_MEMORY && g->bit_width <= 8)
		*(volatile uint8_t *)g->address = v;
	else if (g->space == GAS_MEMORY)
		*(volatile uint32_t *)g->address = v;
}

static void acpi_enable_if_needed(void)
{
	if (!plat->smi_cmd || !plat->acpi_enable || (inw(plat->pm1a_cnt) & PM1_SCI_EN))
		return;
	outb(plat->smi_cmd, plat->acpi_enable);
	for (int i = 0; i < 300 && !(inw(plat->pm1a_cnt) & PM1_SCI_EN); i++)
		delay_us(1000);
}

static void acpi_s5(void)
{
	uint32_t typ_a = plat->s5_found ? plat->s5_typ_a : 0;
	uint32_t typ_b = plat->s5_found ? plat->s5_typ_b : 0;

	if (plat->hw_reduced && plat->sleep_control.address) {
		struct gas g = plat->sleep_control;
		gas_write(&g, typ_a << SLEEP_TYP_SHIFT | SLEEP_EN);
	} else if (plat->pm1a_cnt && plat->s5_found) {
		acpi_enable_if_needed();
		outw(plat->pm1a_cnt, typ_a << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
		if (plat->pm1b_cnt)
			outw(plat->pm1b_cnt, typ_b << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
	}
}

void power_off(int code)
{
	irq_disable();
	if (debug_exit_present())
		outl(DEBUG_EXIT_PORT, code);
	if (plat)
		acpi_s5();
	delay_us(SETTLE_US);
	console_break_lock();
	kprintf("power off failed: halted (exit code %d)\n", code);
	for (;;)
		cpu_halt();
}

void power_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	irq_disable();
	if (plat && plat->reset_supported) {
		gas_write(&plat->reset_reg, plat->reset_value);
		delay_us(SETTLE_US);
	}
	for (int i = 0; i < 10000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		cpu_relax();
	outb(KBC_STATUS, KBC_PULSE_RESET);
	delay_us(SETTLE_US);
	/* Last resort: an exception with no IDT triple-faults into a reset. */
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	for (;;)
		cpu_halt();
}

void power_print(void)
{
	if (debug_exit_present())
		kprintf("power  QEMU isa-debug-exit at %#x carries exit codes\n", DEBUG_EXIT_PORT);
}
