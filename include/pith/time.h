/* Clocks: monotonic time from the calibrated TSC. */
#ifndef PITH_TIME_API_H
#define PITH_TIME_API_H

#include <stdint.h>

/* Nanoseconds since the kernel calibrated its clock at boot; monotonic. */
uint64_t b_time_ns(void);
/* Wall-clock nanoseconds since 1970-01-01 UTC: the real-time clock read at
 * boot (to the second) plus b_time_ns. From 0 (1970) on a machine without
 * a real-time clock. */
uint64_t b_time_wall_ns(void);
/* The TSC's rate in Hz, so a program can turn rdtsc deltas into time. */
uint64_t b_tsc_hz(void);
/* Busy-waits at least us microseconds. */
void b_delay_us(uint64_t us);

#endif
