/*
 * The program linked into the kernel image: unikernel mode. The program
 * defines app_main. The default image's program is the Monitor
 * (apps/monitor); `make APP=dir` links the C files of dir in its place.
 * kmain calls app_main once the
 * kernel is ready, with argv[0] = the program's name and the words after
 * "--" on the kernel command line as argv[1..]; when it returns, Pith
 * powers off with the returned value as the exit code (0..63; others are
 * reported and become 63).
 */
#ifndef PITH_APP_API_H
#define PITH_APP_API_H

int app_main(int argc, char **argv);

#endif
