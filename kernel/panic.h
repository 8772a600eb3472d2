/* panic(): for boot-time conditions the kernel cannot run without. */
#ifndef PITH_PANIC_H
#define PITH_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
