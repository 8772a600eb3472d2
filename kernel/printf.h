/*
 * printf-style formatting for the kernel: %d %i %u %x %X %p %s %c %%, the
 * flags '-', '0' and '#' (0x), a width and a precision (numbers or '*'), and the
 * length modifiers hh h l ll z. No floating point: the kernel has none.
 * kvformat() is pure (no I/O), so it is unit-tested on the host.
 */
#ifndef PITH_PRINTF_H
#define PITH_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Emits each character to put(ctx, c); returns how many it emitted. */
int kvformat(void (*put)(void *ctx, char c), void *ctx, const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when size > 0); returns the
 * length the whole output would have had, like C's snprintf. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints to the console (kernel/console.c). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
