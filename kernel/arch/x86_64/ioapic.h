/* I/O APICs (ioapic.c): routing a global system interrupt to a vector. */
#ifndef PITH_IOAPIC_H
#define PITH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "../../drivers/platform.h"

void ioapic_init(const struct platform *p);	/* every pin masked */
/* Sends gsi to vector on the core with apic_id, masked; false if no I/O
 * APIC has that pin. */
bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level,
		  bool active_low);
void ioapic_mask(uint32_t gsi, bool masked);

#endif
