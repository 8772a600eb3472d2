/*
 * hello-c [ARGS]: the C library's hello. printf, its arguments, the time
 * and a little floating point; the exit code is the number of arguments.
 * Built with `make build/programs/hello-c.app` (newlib, lib/c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec now;
	char *name = argc > 0 ? argv[0] : "(no name)";

	clock_gettime(CLOCK_REALTIME, &now);
	printf("hello from %s, in C with newlib\n", name);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	printf("sqrt(2) is about %.6f; the wall clock says %lld s since 1970\n",
	       1.41421356237, (long long)now.tv_sec);
	return argc - 1;
}
