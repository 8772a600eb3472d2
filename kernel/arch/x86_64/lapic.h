/* The local APIC of each core (lapic.c): identity, EOI and its timer. */
#ifndef PITH_LAPIC_H
#define PITH_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

void lapic_init(uint64_t mmio_base);	/* x2APIC mode where the CPU has it */
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);

/* Interrupt command register values (SDM vol. 3A §10.6.1). */
#define ICR_FIXED	0x4000		/* | vector: level assert, fixed delivery */
#define ICR_INIT	0x4500
#define ICR_STARTUP	0x4600		/* | start page (address >> 12) */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr);

/* Calls fn from the timer interrupt hz times a second until lapic_timer_stop();
 * fn may be NULL (the interrupt then only wakes a halted core). Calibrates
 * the timer against the TSC on first use. Returns the timer's input Hz. */
uint64_t lapic_timer_start(unsigned hz, void (*fn)(void));
void lapic_timer_stop(void);
void lapic_timer_interrupt(void);	/* from trap() */

/* Legacy 8259 PICs: remapped out of the exception vectors, all masked. */
void pic_disable(void);

#endif
