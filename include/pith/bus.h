/*
 * PCI configuration space (BareMetal's BUS_READ and BUS_WRITE): a program
 * may look at, and set up, any PCI function itself. Registers are 32-bit
 * words at 4-byte aligned offsets: 0..4092 where the machine has PCIe
 * ECAM, 0..252 through the legacy ports.
 */
#ifndef PITH_BUS_API_H
#define PITH_BUS_API_H

#include <stdint.h>
#include <pith/error.h>

/* The word at reg of bus:dev.fn (0xffffffff where no function answers).
 * B_EINVAL for dev > 31, fn > 7, bus > 255 or reg not 4-byte aligned;
 * B_ERANGE for reg past what the access method reaches, or a bus past
 * the ECAM window's last bus. */
long b_bus_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg);
/* Writes value there. 0, or the errors of b_bus_read. */
int b_bus_write(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t value);

#endif
