/*
 * sbrk, which newlib's malloc grows and shrinks its heap with. The heap
 * is the memory the kernel gives the program for it (b_heap: from the end
 * of the image to the bottom of the stack); asking past either end fails
 * with ENOMEM and changes nothing. malloc calls it under its own lock;
 * this one is for anyone else.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <pith/program.h>
#include "libc.h"

static char *heap_start, *heap_end;	/* what b_heap gave */
static char *brk_now;			/* the current break */
static volatile uint64_t brk_lock;

void *sbrk(ptrdiff_t incr)
{
	char *old;

	while (__atomic_exchange_n(&brk_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	if (!brk_now) {
		void *start;
		uint64_t bytes;

		if (b_heap(&start, &bytes) == 0) {
			heap_start = brk_now = start;
			heap_end = heap_start + bytes;
		}
	}
	old = brk_now;
	if (!old || (incr > 0 && incr > heap_end - old) || (incr < 0 && -incr > old - heap_start)) {
		__atomic_store_n(&brk_lock, 0, __ATOMIC_RELEASE);
		libc_errno(ENOMEM);
		return (void *)-1;
	}
	brk_now = old + incr;
	__atomic_store_n(&brk_lock, 0, __ATOMIC_RELEASE);
	return old;
}
