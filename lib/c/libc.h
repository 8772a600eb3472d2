/*
 * What the files of lib/c share: the C library glue between newlib and
 * Pith's API (include/pith/). Internal to lib/c; programs include
 * newlib's headers and <pith/...> only.
 */
#ifndef PITH_LIBC_H
#define PITH_LIBC_H

#include <stdint.h>

#define LIBC_DRIVE	0	/* files live on the first drive's BMFS */

/* errno.c: the only place errno is set. libc_fail turns a negative B_E*
 * code of include/pith/error.h into errno; libc_errno sets an errno value
 * itself. Both return -1, the failure value of the system calls. */
int libc_fail(long b_error);
int libc_errno(int e);

/* reent.c: one struct _reent per core (stdio buffers, errno). */
void libc_reent_init(void);
void libc_reent_flush(void);

/* unwind.c: makes C++ exceptions work (registers .eh_frame). */
void libc_unwind_init(void);

/* time.c: the program's start, for the CPU-time clocks and times(). */
void libc_time_init(void);

/* entropy.c: "rdseed", "rdrand" or "tsc": what getentropy reads. */
const char *libc_entropy_source(void);

#endif
