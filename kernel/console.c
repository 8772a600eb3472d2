/* Console output serialised by one lock; see console.h. */
#include <stdarg.h>
#include "console.h"
#include "printf.h"
#include "spinlock.h"
#include "drivers/serial.h"

static struct spinlock console_lock;

static void put_locked(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	while (n--)
		put_locked(*s++);
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	return serial_getc();
}

void console_break_lock(void)
{
	spin_unlock(&console_lock);
}

static void put_kprintf(void *ctx, char c)
{
	(void)ctx;
	put_locked(c);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	n = kvformat(put_kprintf, NULL, fmt, ap);
	spin_unlock(&console_lock);
	va_end(ap);
	return n;
}
