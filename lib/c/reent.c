/*
 * One struct _reent per core. newlib keeps errno, the stdio streams
 * (stdin, stdout, stderr and their buffers), strtok's and rand's state in
 * a struct _reent, which it finds through __getreent() (newlib.h defines
 * __DYNAMIC_REENT__: tools/build-libc.sh). A task runs to completion on
 * the core that took it, so a per-core struct is only ever used by one
 * flow at a time and needs no lock. Core 0, the program's own flow, uses
 * newlib's static one (_global_impure_ptr), which exit() flushes; the
 * other cores' are allocated at start and flushed by libc_reent_flush,
 * which crt0 has exit() call.
 *
 * What follows for the console: each core has its own stdout, line
 * buffered, and a finished line leaves it in one write(), one b_output,
 * which the kernel never interleaves with another core's. So lines that
 * tasks print on different cores never mix mid-line (a line longer than
 * BUFSIZ, 1024 bytes, goes out in pieces).
 */
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <pith/smp.h>
#include "libc.h"

static struct _reent *core_reent;	/* [ncores]; [0] unused: core 0's is static */
static unsigned ncores;			/* 0 until libc_reent_init */

struct _reent *__getreent(void)
{
	unsigned id = b_smp_id();

	return id && id < ncores ? &core_reent[id] : _global_impure_ptr;
}

/* Called by crt0 on core 0 before main, before any task can run. Without
 * the memory for them every core shares core 0's (as newlib would). */
void libc_reent_init(void)
{
	unsigned n = b_smp_numcores();
	struct _reent *r = n > 1 ? calloc(n, sizeof(*r)) : NULL;

	if (!r)
		return;
	for (unsigned i = 1; i < n; i++)
		_REENT_INIT_PTR(&r[i]);
	core_reent = r;
	__atomic_store_n(&ncores, n, __ATOMIC_RELEASE);
}

/* Writes out what tasks left in their cores' stdout buffers. */
void libc_reent_flush(void)
{
	for (unsigned i = 1; i < ncores; i++)
		if (core_reent[i].__sdidinit)
			_fflush_r(&core_reent[i], core_reent[i]._stdout);
}
