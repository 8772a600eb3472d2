/*
 * The empty program: the image it makes is the kernel alone, which is what
 * the size benchmark's "kernel, no program" row measures.
 */
#include <pith/app.h>

int app_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
