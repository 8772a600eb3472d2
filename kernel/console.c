/* Console output serialised by one lock; see console.h. */
#include <stdarg.h>
#include "console.h"
#include "printf.h"
#include "spinlock.h"
#include "arch/x86_64/percpu.h"
#include "drivers/serial.h"

static struct spinlock console_lock;
static int lock_owner = -1;	/* core index holding console_lock, for the fault path */

static void lock_console(void)
{
	spin_lock(&console_lock);
	lock_owner = (int)this_cpu()->index;
}

static void unlock_console(void)
{
	lock_owner = -1;
	spin_unlock(&console_lock);
}

static void put_locked(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

void console_write(const char *s, size_t n)
{
	lock_console();
	while (n--)
		put_locked(*s++);
	unlock_console();
}

int console_getc(void)
{
	return serial_getc();
}

/* Only the faulting core's own hold is broken: another core printing at
 * that moment keeps its lock and finishes its line. */
void console_break_lock(void)
{
	if (lock_owner == (int)this_cpu()->index)
		unlock_console();
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
	lock_console();
	n = kvformat(put_kprintf, NULL, fmt, ap);
	unlock_console();
	va_end(ap);
	return n;
}
