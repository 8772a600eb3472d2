/*
 * COM1, a 16550 UART at I/O port 0x3f8, polled: the console must work before
 * interrupts do and while a fault is being reported. Register offsets and
 * bits are from the PC16550D data sheet.
 */
#include <stdint.h>
#include "../arch/x86_64/cpu.h"
#include "serial.h"

#define COM1		0x3f8
#define REG_DATA	0	/* RBR/THR; DLL when LCR.DLAB */
#define REG_IER		1	/* DLM when LCR.DLAB */
#define REG_FCR		2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE_CLEAR 0x07	/* FIFO on, both FIFOs cleared */
#define MCR_DTR_RTS	0x03
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define DIVISOR_115200	1	/* 1.8432 MHz / 16 / 115200 */
#define TX_SPIN_MAX	100000	/* a missing UART must not hang the kernel */
#define TX_FIFO_DEPTH	16	/* 16550A: THR empty with FIFOs on = 16 free */

/* Bytes we may still write before asking LSR again: each ask is a port read,
 * which under virtualization costs an exit, so ask once per FIFO, not per byte. */
static unsigned tx_room;

void serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, DIVISOR_115200);
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + REG_MCR, MCR_DTR_RTS);
}

void serial_putc(char c)
{
	for (int i = 0; !tx_room && i < TX_SPIN_MAX; i++) {
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			tx_room = TX_FIFO_DEPTH;
		else
			cpu_relax();
	}
	if (tx_room)
		tx_room--;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

#define IER_RX_DATA	0x01
#define MCR_OUT2	0x08	/* gates the UART's interrupt line on PCs */

void serial_rx_interrupts(bool on)
{
	outb(COM1 + REG_IER, on ? IER_RX_DATA : 0);
	outb(COM1 + REG_MCR, MCR_DTR_RTS | (on ? MCR_OUT2 : 0));
}

int serial_getc(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}
