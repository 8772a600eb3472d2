/*
 * Time from the TSC: calibrated once at boot from the best source the
 * platform has, then read without any I/O. Also the boot timeline.
 */
#ifndef PITH_TIME_H
#define PITH_TIME_H

#include <stdint.h>
#include "drivers/platform.h"

void time_init(const struct platform *p);
uint64_t time_ns(void);			/* monotonic, since time_init */
uint64_t time_wall_ns(void);		/* since 1970 UTC: the RTC at boot + time_ns */
uint64_t tsc_hz(void);
void delay_us(uint64_t us);		/* busy-waits; works before time_init (spins ~nothing) */
uint64_t tsc_to_us(uint64_t ticks);
void time_print(void);

/* Boot timeline: a TSC stamp per boot step, zero at the first instruction. */
void timeline_mark(const char *step);
void timeline_print(void);
uint64_t timeline_since_entry_us(void);

#endif
