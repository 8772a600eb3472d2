/*
 * parprintf [TASKS]: printf from tasks on every core. Queues TASKS tasks
 * (default 4 per core) with b_smp_enqueue; each prints LINES lines, every
 * line built from three printf calls, and the program's own flow prints
 * between them. Console lines never mix mid-line: each core has its own
 * line-buffered stdout (lib/c/reent.c), and a finished line goes out in
 * one write(), one b_output, which the kernel never interleaves. Then it
 * checks that every task ran all its lines, and says on how many cores.
 *
 *	task 3 line 2 on core 1: 3*2 = 6.0 (abcdefghijklmnopqrstuvwxyz)
 *
 * Exit code 0, or 1 if a task is missing lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <pith/smp.h>

#define LINES		8
#define TASKS_MAX	256
#define TASKS_PER_CORE	4

static int lines_done[TASKS_MAX];
static unsigned cores_used[64];

static void task(void *arg)
{
	int t = (int)(long)arg;
	unsigned core = b_smp_id();

	for (int l = 0; l < LINES; l++) {
		printf("task %d line %d", t, l);
		printf(" on core %u: %d*%d = %.1f", core, t, l, (double)t * l);
		printf(" (%s)\n", "abcdefghijklmnopqrstuvwxyz");
		lines_done[t]++;
	}
	__atomic_fetch_add(&cores_used[core % 64], 1, __ATOMIC_RELAXED);
}

int main(int argc, char **argv)
{
	int ntasks = argc > 1 ? atoi(argv[1]) : (int)b_smp_numcores() * TASKS_PER_CORE;
	int missing = 0, cores = 0;

	if (ntasks < 1 || ntasks > TASKS_MAX) {
		printf("parprintf: TASKS must be 1..%d\n", TASKS_MAX);
		return 2;
	}
	printf("parprintf: %d tasks of %d lines on %u cores\n", ntasks, LINES, b_smp_numcores());
	for (int t = 0; t < ntasks; t++) {
		while (b_smp_enqueue(task, (void *)(long)t) == B_EAGAIN)
			b_smp_run();		/* queue full: help, then retry */
		printf("main: queued task %d\n", t);
	}
	b_smp_wait();
	for (int t = 0; t < ntasks; t++)
		missing += lines_done[t] != LINES;
	for (int c = 0; c < 64; c++)
		cores += cores_used[c] != 0;
	printf("parprintf: %d lines from %d tasks on %d cores, %d tasks incomplete\n",
	       ntasks * LINES - missing * LINES, ntasks, cores, missing);
	return missing ? 1 : 0;
}
