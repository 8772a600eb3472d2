/*
 * Running programs from disk or memory (kernel/program.c). A program is
 * an ELF64 x86-64 executable (static: ET_EXEC linked inside the program
 * area, or position-independent ET_DYN with only R_X86_64_RELATIVE
 * relocations), or a flat binary loaded at B_PROGRAM_BASE (BareMetal's
 * form). It runs on the calling core (core 0) as a plain call:
 *
 *	int main(int argc, char **argv)		(ELF: its entry point)
 *
 * and its return value is its exit code. The program area is
 * B_PROGRAM_BASE up, backed by all free RAM: one program at a time; the
 * next one gets the whole area again. A program that faults is reported
 * on the console (core, registers, trace) and b_program_* returns
 * B_EFAULTED; the caller goes on.
 */
#ifndef PITH_PROGRAM_API_H
#define PITH_PROGRAM_API_H

#include <stdint.h>
#include <pith/error.h>

#define B_PROGRAM_BASE	0xffff800000000000ull	/* BareMetal's program address */
#define B_PROGRAM_ARGS	32			/* argv entries at most */

/* Loads file name from drive and runs it with argv[0..argc). Its exit
 * code (0..255: the low byte of main's int); B_ENOENT; B_ENOEXEC not a
 * program Pith can load (the reason is printed); B_ENOMEM larger than the
 * program area; B_EFAULTED it faulted; B_EBUSY called from a program or a
 * task; B_EINVAL argc outside 0..B_PROGRAM_ARGS. */
long b_program_run(const char *name, int argc, char **argv, unsigned drive);
/* The same from an image already in memory (len bytes at image, which may
 * not overlap the program area). */
long b_program_exec(const void *image, uint64_t len, int argc, char **argv);
/* Bytes the program area holds: the largest program memory image. */
uint64_t b_program_area(void);

/* Ends the calling program now with code (0..255), as if its main had
 * returned it: a loaded program returns to whoever ran it; the program
 * linked into the kernel powers the machine off with code (0..63). Only
 * from the program's own core and flow, not from a task: from a task it
 * returns B_EDEADLK's meaning by doing nothing (the caller goes on). */
void b_exit(int code);
/* The program's heap: RAM it may use as it likes, from the end of its
 * image to the bottom of its stack (loaded programs), or the whole program
 * area (the program linked into the kernel, which has none loaded). 0 and
 * [*start, *start + *bytes); B_EFAULT for bad pointers. */
int b_heap(void **start, uint64_t *bytes);

#endif
