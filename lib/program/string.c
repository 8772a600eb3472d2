/*
 * The four functions a freestanding compiler may call on its own, for
 * struct copies and loops it recognises (GCC manual, "Standards": "GCC
 * requires the freestanding environment provide memcpy, memmove, memset
 * and memcmp"). A loaded program has no C library yet, so lib/program
 * provides them; the kernel has its own (kernel/string.c) for unikernel
 * programs. The copies are `rep movsb`/`stosb`, as the kernel's: a C loop
 * here could be turned back into a call to the function itself.
 */
#include <stddef.h>

void *memset(void *d, int c, size_t n)
{
	void *p = d;

	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	void *p = d;

	__asm__ volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	dp += n - 1;		/* overlapping, destination above: copy backwards */
	sp += n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
