/* Console output serialised by one lock; see console.h. */
#include <stdarg.h>
#include "console.h"
#include "printf.h"
#include "spinlock.h"
#include "arch/x86_64/percpu.h"
#include "drivers/serial.h"
#include "arch/x86_64/ioapic.h"

static struct spinlock console_lock;
static int lock_owner = -1;	/* core index holding console_lock, for the fault path */

static uint64_t lock_flags;	/* the holder's RFLAGS.IF, restored on unlock */

/* With interrupts off: a program's callback may print while core 0 was
 * printing, and would otherwise spin on core 0's own lock. */
static void lock_console(void)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);

	lock_flags = flags;
	lock_owner = (int)this_cpu()->index;
}

static void unlock_console(void)
{
	uint64_t flags = lock_flags;

	lock_owner = -1;
	spin_unlock_irqrestore(&console_lock, flags);
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

/* Bytes the receive interrupt took from the UART before b_input asked:
 * a ring written on core 0 in the interrupt, read by b_input under the
 * lock with interrupts off. */
#define RX_RING		256
static uint8_t rx_ring[RX_RING];
static uint32_t rx_head, rx_tail;
static struct spinlock rx_lock;
static void (*out_hook)(const char *s, uint64_t n);

int console_getc(void)
{
	uint64_t flags = spin_lock_irqsave(&rx_lock);
	int c = rx_head != rx_tail ? rx_ring[rx_tail++ % RX_RING] : serial_getc();

	spin_unlock_irqrestore(&rx_lock, flags);
	return c;
}

bool console_rx_interrupt(void)
{
	uint64_t flags = spin_lock_irqsave(&rx_lock);
	bool any = false;
	int c;

	while ((c = serial_getc()) >= 0) {
		if (rx_head - rx_tail < RX_RING)	/* full: the byte is lost, as on a UART */
			rx_ring[rx_head++ % RX_RING] = (uint8_t)c;
		any = true;
	}
	spin_unlock_irqrestore(&rx_lock, flags);
	return any;
}

void console_rx_irq(uint32_t gsi)
{
	serial_rx_interrupts(true);
	ioapic_mask(gsi, false);
}

void console_set_hook(void (*hook)(const char *s, uint64_t n))
{
	__atomic_store_n(&out_hook, hook, __ATOMIC_RELEASE);
}

void (*console_get_hook(void))(const char *s, uint64_t n)
{
	return __atomic_load_n(&out_hook, __ATOMIC_ACQUIRE);
}

void console_program_write(const char *s, size_t n)
{
	void (*hook)(const char *, uint64_t) = console_get_hook();

	if (hook)
		hook(s, n);
	else
		console_write(s, n);
}

/* Only the faulting core's own hold is broken: another core printing at
 * that moment keeps its lock and finishes its line. */
void console_break_lock(void)
{
	if (lock_owner == (int)this_cpu()->index) {	/* interrupts stay off: we are in a fault */
		lock_owner = -1;
		spin_unlock(&console_lock);
	}
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
