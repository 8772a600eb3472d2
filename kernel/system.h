/* The machine-wide calls (system.c): b_system, power, callbacks. */
#ifndef PITH_SYSTEM_H
#define PITH_SYSTEM_H

#include "drivers/platform.h"

/* Routes COM1's receive interrupt (for CALLBACK_KEYBOARD); after the I/O APICs. */
void system_init(const struct platform *p);
/* Turns off every hook a program set into its own memory. */
void system_program_ended(void);

#endif
