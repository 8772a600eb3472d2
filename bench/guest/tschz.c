/*
 * tschz.c - prints this machine's TSC rate: "tsc_hz=N".
 *
 * Runs in the Linux guest (bench=cmd cmd=tschz) and on the host:
 * bench/linux/guest.py runs it there once, because under TCG the guest's
 * TSC is the host's and Linux on microvm - no HPET, no PM timer, a PIT
 * that TCG's jitter often makes fail the calibration - is told the rate
 * with tsc_early_khz= rather than left to hang at boot.
 */
#include <stdio.h>

#include "tsc_linux.h"

int main(void)
{
	printf("tsc_hz=%llu\n", (unsigned long long)tsc_hz());
	return 0;
}
