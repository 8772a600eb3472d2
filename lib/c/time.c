/*
 * Clocks and sleeping from the kernel's clock (include/pith/time.h):
 * CLOCK_REALTIME and gettimeofday are b_time_wall_ns (the real-time clock
 * read at boot, plus the TSC since), CLOCK_MONOTONIC is b_time_ns (the TSC
 * since boot), and the CPU-time clocks and times() count from the
 * program's start: the program has its core to itself, so its CPU time is
 * its running time. Sleeping busy-waits (b_delay_us): there is nothing
 * else for the core to do.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/times.h>
#include <pith/time.h>
#include "libc.h"

#define NS_PER_S	1000000000ull
#define NS_PER_US	1000ull
/* times() counts in clock()'s unit: newlib's clock() adds up its fields. */
#define TICK_HZ		CLOCKS_PER_SEC

static uint64_t start_ns;		/* b_time_ns at the program's start */

void libc_time_init(void)
{
	start_ns = b_time_ns();
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / NS_PER_S;
	ts->tv_nsec = ns % NS_PER_S;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock == CLOCK_REALTIME)
		to_timespec(b_time_wall_ns(), ts);
	else if (clock == CLOCK_MONOTONIC)
		to_timespec(b_time_ns(), ts);
	else if (clock == CLOCK_PROCESS_CPUTIME_ID)
		to_timespec(b_time_ns() - start_ns, ts);
	else
		return libc_errno(EINVAL);
	return 0;
}

int clock_getres(clockid_t clock, struct timespec *res)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_PROCESS_CPUTIME_ID)
		return libc_errno(EINVAL);
	if (res)
		to_timespec(1, res);	/* nanoseconds, from the TSC */
	return 0;
}

int clock_settime(clockid_t clock, const struct timespec *ts)
{
	(void)clock;
	(void)ts;
	return libc_errno(EPERM);
}

int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = b_time_wall_ns();

	(void)tz;
	if (tv) {
		tv->tv_sec = ns / NS_PER_S;
		tv->tv_usec = ns % NS_PER_S / NS_PER_US;
	}
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t ticks = (b_time_ns() - start_ns) / (NS_PER_S / TICK_HZ);

	if (t) {
		t->tms_utime = ticks;
		t->tms_stime = 0;
		t->tms_cutime = 0;
		t->tms_cstime = 0;
	}
	return ticks;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (long)NS_PER_S)
		return libc_errno(EINVAL);
	b_delay_us(req->tv_sec * 1000000ull + (req->tv_nsec + NS_PER_US - 1) / NS_PER_US);
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}

int usleep(useconds_t us)
{
	b_delay_us(us);
	return 0;
}

unsigned sleep(unsigned s)
{
	b_delay_us(s * 1000000ull);
	return 0;
}
