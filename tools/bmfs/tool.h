/*
 * The bmfs host tool as a function, so the unit tests can run it the way
 * main() does, with its output going to files they read back.
 */
#ifndef PITH_TOOLS_BMFS_TOOL_H
#define PITH_TOOLS_BMFS_TOOL_H

#include <stdio.h>

/* Exit statuses: done; the operation failed or check found problems;
 * bad usage or a host I/O error. */
#define TOOL_OK		0
#define TOOL_FAILED	1
#define TOOL_USAGE	2

/* argv as main() gets it: argv[0] IMAGE COMMAND ARGS... */
int bmfs_tool(int argc, char **argv, FILE *out, FILE *err);

#endif
