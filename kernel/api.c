/*
 * The calls programs make (include/pith/). Each is a thin, checked wrapper
 * over the kernel function that does the work; this file is what the API
 * table will list.
 */
#include <pith/console.h>
#include <pith/time.h>
#include "console.h"
#include "time.h"

void b_output(const char *str, unsigned long nbr)
{
	if (str)
		console_write(str, nbr);
}

unsigned char b_input(void)
{
	int c = console_getc();
	return c < 0 ? 0 : (unsigned char)c;
}

uint64_t b_time_ns(void) { return time_ns(); }
uint64_t b_tsc_hz(void) { return tsc_hz(); }
void b_delay_us(uint64_t us) { delay_us(us); }
