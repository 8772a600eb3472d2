/*
 * The kernel console: COM1 today. console_write() is what b_output() does,
 * console_getc() what b_input() does. Whole calls are atomic across cores,
 * so lines printed from different cores never mix.
 */
#ifndef PITH_CONSOLE_H
#define PITH_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void console_write(const char *s, size_t n);	/* "\n" goes out as "\r\n" */
/* b_output: through the STDOUT_SET hook when a program set one. */
void console_program_write(const char *s, size_t n);
int console_getc(void);				/* a byte, or -1 when none waits */
void console_break_lock(void);			/* fault path: frees the lock if this core holds it */

/* STDOUT_SET: b_output goes to hook instead of COM1 (NULL: back to COM1).
 * The kernel's own messages always go to COM1. */
void console_set_hook(void (*hook)(const char *s, uint64_t n));
void (*console_get_hook(void))(const char *s, uint64_t n);
/* Input by interrupt: gsi is COM1's line, now routed; the UART is told to
 * interrupt on received bytes. */
void console_rx_irq(uint32_t gsi);
/* From the interrupt: moves waiting bytes into the input buffer; true if
 * any arrived. */
bool console_rx_interrupt(void);

#endif
