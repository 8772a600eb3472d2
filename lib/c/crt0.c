/*
 * The entry of a program built with the C library (docs/PROGRAMS.md). The
 * kernel calls the ELF entry as
 *
 *	int _start(int argc, char **argv)
 *
 * on core 0 in ring 0, with the image placed and relocated and its bss
 * zeroed. _start checks the kernel's API table is there (exit code 127 if
 * not: not run by Pith), sets up what newlib needs (a _reent per core,
 * the unwinder's table for C++), runs the constructors (.preinit_array,
 * .init_array: C++'s global objects, __attribute__((constructor))), then
 * exit(main(argc, argv)). exit runs the atexit handlers (C++'s global
 * destructors among them), the .fini_array (registered first, so it runs
 * after them), writes out stdio's buffers and ends the program through
 * b_exit with main's value as the exit code.
 */
#include <stdlib.h>
#include <pith/api.h>
#include "libc.h"

#define EXIT_NO_API	127	/* no Pith API table: not run by Pith */

int main(int argc, char **argv);

typedef void (*init_fn)(void);
extern init_fn __preinit_array_start[], __preinit_array_end[];	/* program.ld */
extern init_fn __init_array_start[], __init_array_end[];
extern init_fn __fini_array_start[], __fini_array_end[];

/* C++'s handle for "this module" in __cxa_atexit: one module, no DSOs. */
void *__dso_handle = NULL;

static void run_fini_array(void)
{
	for (init_fn *f = __fini_array_end; f > __fini_array_start;)
		(*--f)();
}

/* force_align_arg_pointer: realign the stack to 16 bytes on entry (SSE). */
__attribute__((section(".text.start"), force_align_arg_pointer, used))
int _start(int argc, char **argv)
{
	if (PITH_API->magic != PITH_API_MAGIC)
		return EXIT_NO_API;
	libc_time_init();
	libc_reent_init();
	libc_unwind_init();
	atexit(libc_reent_flush);	/* registered first: runs last */
	atexit(run_fini_array);
	for (init_fn *f = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (init_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
	exit(main(argc, argv));
}
