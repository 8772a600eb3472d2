/* The CMOS real-time clock (rtc.c). */
#ifndef PITH_RTC_H
#define PITH_RTC_H

#include <stdint.h>

/* Seconds since 1970-01-01 UTC (QEMU's RTC keeps UTC by default), or 0
 * when there is no clock or it reads as nonsense. */
uint64_t rtc_epoch_seconds(void);

#endif
