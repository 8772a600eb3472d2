/*
 * Device interrupts (irq.c): CPU vectors for devices, taken at boot, and
 * the handlers they run. Every device interrupt goes to the boot core.
 */
#ifndef PITH_IRQ_H
#define PITH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* A vector of its own that will call handler(arg) (MSI-X), or 0 when all
 * are taken. */
uint8_t irq_alloc(void (*handler)(void *), void *arg);
/* Routes I/O APIC input gsi to handler(arg), masked; a line already
 * routed is shared (each handler checks its own device). The vector, or 0
 * if there is no such input or no vector or handler slot left. */
uint8_t irq_route_gsi(uint32_t gsi, bool level, bool active_low,
		      void (*handler)(void *), void *arg);
/* From trap(): runs the vector's handlers, then ends the interrupt. */
void irq_dispatch(uint8_t vector);
/* Calls a program's fn() from an interrupt with the program's x87/SSE/AVX
 * registers saved around it (the kernel never saves them otherwise). A
 * fault in it is reported and ends only the callback: false then, and the
 * caller turns that callback off. */
bool irq_call_program(void (*fn)(void));

#endif
