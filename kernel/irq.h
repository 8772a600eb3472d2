/*
 * Device interrupts (irq.c): a CPU vector per device, taken at boot, and
 * the handler it runs. Every device interrupt goes to the boot core.
 */
#ifndef PITH_IRQ_H
#define PITH_IRQ_H

#include <stdint.h>

/* A free vector that will call handler(arg), or 0 when all are taken. */
uint8_t irq_alloc(void (*handler)(void *), void *arg);
/* From trap(): runs the vector's handler, then ends the interrupt. */
void irq_dispatch(uint8_t vector);
/* Calls a program's fn() from an interrupt with the program's x87/SSE/AVX
 * registers saved around it (the kernel never saves them otherwise). */
void irq_call_program(void (*fn)(void));

#endif
