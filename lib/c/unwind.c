/*
 * What C++ exceptions need from the runtime. libgcc_eh's unwinder finds
 * the unwind table entry (FDE) of each frame it unwinds among the tables
 * registered with __register_frame, else asks glibc's dynamic linker
 * (_dl_find_object): here there is none, so that answers "not found".
 * crt0 registers the program's whole .eh_frame (lib/c/program.ld ends it
 * with the zero word the unwinder stops at) and looks one address up at
 * once: the unwinder sorts its table on the first lookup, and doing that
 * now, on core 0 before any task runs, leaves later lookups read-only,
 * so tasks on several cores may throw at once (libgcc's own lock is a
 * no-op without pthreads).
 *
 * The C++ runtime's other piece of global state is the list of
 * exceptions being handled (__cxa_get_globals: what `throw;` rethrows,
 * std::uncaught_exceptions). libsupc++ without threads keeps one for the
 * whole program, which tasks throwing on several cores at once would
 * corrupt; these definitions replace its own (eh_globals.o) with one per
 * core. A task that core 0 runs inside b_smp_wait shares core 0's, which
 * is right: it begins and ends its catches within the program's call.
 *
 * A C program does not link the unwinder: the weak references are then
 * NULL, nothing is registered, and --gc-sections drops the rest.
 */
#include <stddef.h>
#include <stdlib.h>
#include <pith/smp.h>
#include "libc.h"

/* libsupc++'s struct __cxa_eh_globals (unwind-cxx.h), x86-64 layout. */
struct eh_globals {
	void *caught_exceptions;
	unsigned int uncaught_exceptions;
};

static struct eh_globals core0_eh;
static struct eh_globals *core_eh;	/* [eh_cores]; [0] unused */
static unsigned eh_cores;

struct dwarf_eh_bases {
	void *tbase, *dbase, *func;
};

extern char __eh_frame_start[];		/* lib/c/program.ld */
void __register_frame(void *begin) __attribute__((weak));
const void *_Unwind_Find_FDE(void *pc, struct dwarf_eh_bases *bases) __attribute__((weak));

void libc_unwind_init(void)
{
	struct dwarf_eh_bases bases;

	unsigned n = b_smp_numcores();

	if (!__register_frame || !_Unwind_Find_FDE)
		return;
	__register_frame(__eh_frame_start);
	_Unwind_Find_FDE((void *)libc_unwind_init, &bases);
	core_eh = n > 1 ? calloc(n, sizeof(*core_eh)) : NULL;
	if (core_eh)
		__atomic_store_n(&eh_cores, n, __ATOMIC_RELEASE);
}

struct eh_globals *__cxa_get_globals_fast(void)
{
	unsigned id = b_smp_id();

	return id && id < eh_cores ? &core_eh[id] : &core0_eh;
}

struct eh_globals *__cxa_get_globals(void)
{
	return __cxa_get_globals_fast();
}

/* glibc's lookup of the loaded object holding pc (libgcc asks it second). */
struct dl_find_object;
int _dl_find_object(void *pc, struct dl_find_object *result)
{
	(void)pc;
	(void)result;
	return -1;
}
