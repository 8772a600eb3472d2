/*
 * faulty: writes to address 8, which Pith leaves unmapped, so the program
 * page-faults. The kernel reports the fault (core, registers, trace), ends
 * the program and b_program_run returns B_EFAULTED: the monitor goes on.
 * The tests run it to check that recovery. `faulty ok` returns 0 without
 * faulting, to show the program itself loads. `faulty callback` faults in
 * a timer callback instead, inside an interrupt: the kernel must end only
 * the callback (and stop calling it), end the interrupt properly, and let
 * the program run on to return 7.
 */
#include <stdint.h>
#include <pith/console.h>
#include <pith/system.h>
#include <pith/time.h>

static volatile int ticks;

static void bad_tick(void)
{
	ticks++;
	*(volatile int *)8 = 1;
}

static int fault_in_callback(void)
{
	uint64_t end = b_time_ns() + 300000000;	/* 300 ms: about 30 ticks if it were called */

	b_output("faulty: faulting in a timer callback\n", 37);
	b_system(B_SYS_CALLBACK_TIMER, (uint64_t)bad_tick, 0);
	while (b_time_ns() < end)
		__asm__ volatile("pause");
	b_system(B_SYS_CALLBACK_TIMER, 0, 0);
	b_output(ticks == 1 ? "faulty: callback ran once, then was stopped\n" :
			      "faulty: callback ran other than once\n", ticks == 1 ? 44 : 37);
	return ticks == 1 ? 7 : 8;
}

static int is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(int argc, char **argv)
{
	volatile int *p = (volatile int *)8;

	if (argc > 1 && is(argv[1], "ok")) {
		b_output("faulty: not faulting\n", 21);
		return 0;
	}
	if (argc > 1 && is(argv[1], "callback"))
		return fault_in_callback();
	b_output("faulty: writing to address 8\n", 29);
	*p = 1;
	b_output("faulty: still running: the write did not fault\n", 47);
	return 1;
}
