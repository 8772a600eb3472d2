/* The boot console: a few commands on COM1 until the monitor program exists. */
#ifndef PITH_BOOTCON_H
#define PITH_BOOTCON_H

void bootcon_run(void) __attribute__((noreturn));

#endif
