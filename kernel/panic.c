/*
 * panic() is only for boot: a machine the kernel cannot set up. It prints
 * the reason and the call chain, then powers off with EXIT_PANIC. Faults
 * in running code go to the fault reporter instead.
 */
#include <stdarg.h>
#include "panic.h"
#include "console.h"
#include "param.h"
#include "power.h"
#include "printf.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"

static void put(void *ctx, char c)
{
	char s[1] = { c };
	(void)ctx;
	console_write(s, 1);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	console_break_lock();
	kprintf("\nPANIC: ");
	va_start(ap, fmt);
	kvformat(put, 0, fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace((uint64_t)panic, (uint64_t)__builtin_frame_address(0));
	kprintf("stopped: exit code %d\n", EXIT_PANIC);
	power_off(EXIT_PANIC);
}
