/* 16550 UART on COM1 (kernel/drivers/serial.c). */
#ifndef PITH_SERIAL_H
#define PITH_SERIAL_H

#include <stdbool.h>

void serial_init(void);
void serial_putc(char c);
int serial_getc(void);			/* a byte, or -1 when none is waiting */
void serial_rx_interrupts(bool on);	/* IER: interrupt when a byte arrives */

#endif
