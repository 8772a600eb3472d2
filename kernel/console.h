/*
 * The kernel console: COM1 today. console_write() is what b_output() does,
 * console_getc() what b_input() does. Whole calls are atomic across cores,
 * so lines printed from different cores never mix.
 */
#ifndef PITH_CONSOLE_H
#define PITH_CONSOLE_H

#include <stddef.h>

void console_write(const char *s, size_t n);	/* "\n" goes out as "\r\n" */
int console_getc(void);				/* a byte, or -1 when none waits */
void console_break_lock(void);			/* fault path: frees the lock if this core holds it */

#endif
