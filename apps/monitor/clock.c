/*
 * Time for the Monitor: a 100 Hz timer callback (BareMetal's
 * CALLBACK_TIMER through b_system) that wakes core 0 so it can halt
 * between keys instead of spinning (a key's own interrupt would wake it
 * too, but the Monitor does not depend on COM1's interrupt being routed),
 * and the time, ticks and delay commands.
 *
 * Halting is safe only while the timer runs: clock_idle halts only if a
 * tick came within the last IDLE_TRUST_NS, and spins with `pause`
 * otherwise, so a timer that stopped (or never started) costs CPU, never
 * a hang. prog.c stops the timer while a program runs and starts it
 * again afterwards.
 */
#include <pith/system.h>
#include <pith/time.h>
#include "monitor.h"

#define TICKS_MAX	10000
#define DELAY_MAX_US	10000000
#define IDLE_TRUST_NS	50000000ull	/* 5 ticks */
#define NO_TICK_NS	1000000000ull	/* ticks gives up after 1 s without one */

static volatile uint64_t ticks, last_tick_ns;

static void on_tick(void)
{
	ticks++;
	last_tick_ns = b_time_ns();
}

void clock_start(void)
{
	b_system(B_SYS_CALLBACK_TIMER, (uint64_t)(uintptr_t)on_tick, 0);
}

void clock_stop(void)
{
	b_system(B_SYS_CALLBACK_TIMER, 0, 0);
}

void clock_idle(void)
{
	if (ticks && b_time_ns() - last_tick_ns < IDLE_TRUST_NS)
		__asm__ volatile("sti; hlt" ::: "memory");	/* the next tick wakes us */
	else
		__asm__ volatile("pause" ::: "memory");
}

void cmd_time(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		usage("time");
		return;
	}
	out_s("uptime ");
	out_u(b_time_ns());
	out_s(" ns, tsc ");
	out_u(b_tsc_hz() / 1000000);
	out_s(" MHz\n");
}

void cmd_ticks(int argc, char **argv)
{
	uint64_t n, start, t0;

	if (argc != 2 || !parse_uint(argv[1], TICKS_MAX, &n) || n == 0) {
		usage("ticks N (1..10000): waits for N ticks of the 100 Hz timer");
		return;
	}
	clock_start();
	start = ticks;
	t0 = b_time_ns();
	while (ticks - start < n) {
		if (ticks == start && b_time_ns() - t0 > NO_TICK_NS) {
			out_s("ticks: the timer does not tick\n");
			return;
		}
		clock_idle();
	}
	out_s("ticks ");
	out_u(n);
	out_s(" in ");
	out_u((b_time_ns() - t0) / 1000);
	out_s(" us\n");
}

void cmd_delay(int argc, char **argv)
{
	uint64_t us;

	if (argc != 2 || !parse_uint(argv[1], DELAY_MAX_US, &us)) {
		usage("delay US (0..10000000): busy-waits US microseconds");
		return;
	}
	b_delay_us(us);
	out_s("delayed ");
	out_u(us);
	out_s(" us\n");
}
