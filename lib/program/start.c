/*
 * The entry point of a loaded program (docs/PROGRAMS.md). The kernel calls
 * the ELF entry, or a flat binary's first byte, as
 *
 *	int _start(int argc, char **argv)
 *
 * on core 0 in ring 0, after it has copied the image and zeroed its bss
 * (a flat binary carries its bss as zeros: program.ld). _start checks that
 * the kernel's API table is there (lib/program/api.c calls through it),
 * then returns main's value, which is the exit code. The section
 * .text.start puts _start first, where a flat binary is entered.
 */
#include <pith/api.h>

#define EXIT_NO_API	127	/* no Pith API table: not run by Pith */

int main(int argc, char **argv);

/* force_align_arg_pointer: realign the stack to 16 bytes on entry, so SSE
 * code in the program is safe even if a caller got the alignment wrong. */
__attribute__((section(".text.start"), force_align_arg_pointer, used))
int _start(int argc, char **argv)
{
	if (PITH_API->magic != PITH_API_MAGIC)
		return EXIT_NO_API;
	return main(argc, argv);
}
