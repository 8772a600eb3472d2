/*
 * The kernel console on the host: kprintf() formats with the kernel's own
 * kvformat() and writes each character to stdout, so code such as
 * platform_print() runs unchanged in the unit tests. Tests that check what
 * was printed redirect stdout around the call.
 */
#include <stdarg.h>
#include <stdio.h>
#include "printf.h"

static void put_stdout(void *ctx, char c)
{
	(void)ctx;
	putchar((unsigned char)c);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvformat(put_stdout, NULL, fmt, ap);
	va_end(ap);
	return n;
}
