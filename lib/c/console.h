/* The console as descriptors 0, 1 and 2 (console.c, for fd.c). */
#ifndef PITH_LIBC_CONSOLE_H
#define PITH_LIBC_CONSOLE_H

#include <stddef.h>

int console_read(char *buf, size_t n);
int console_write(const char *buf, size_t n);

#endif
