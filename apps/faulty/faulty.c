/*
 * faulty: writes to address 8, which Pith leaves unmapped, so the program
 * page-faults. The kernel reports the fault (core, registers, trace), ends
 * the program and b_program_run returns B_EFAULTED: the monitor goes on.
 * The tests run it to check that recovery. `faulty ok` returns 0 without
 * faulting, to show the program itself loads.
 */
#include <pith/console.h>

int main(int argc, char **argv)
{
	volatile int *p = (volatile int *)8;

	if (argc > 1 && argv[1][0] == 'o' && argv[1][1] == 'k' && argv[1][2] == 0) {
		b_output("faulty: not faulting\n", 21);
		return 0;
	}
	b_output("faulty: writing to address 8\n", 29);
	*p = 1;
	b_output("faulty: still running: the write did not fault\n", 47);
	return 1;
}
