/* Power off and reboot (power.c). */
#ifndef PITH_POWER_H
#define PITH_POWER_H

#include "drivers/platform.h"

void power_init(const struct platform *p);
/* Exits QEMU with code through isa-debug-exit when present, else ACPI S5. */
void power_off(int code) __attribute__((noreturn));
/* ACPI reset register, then the 8042, then a triple fault. */
void power_reboot(void) __attribute__((noreturn));
void power_print(void);

#endif
