/*
 * hello [ARGS]: says hello from argv[0] and prints its arguments, one a
 * line. The exit code is the number of arguments, unless one is
 * "exit=N", which makes it N (0..255): the tests check both ways.
 * It builds both ways: `make program SRC=apps/hello` (build/programs/hello.app,
 * run from the monitor) and `make APP=apps/hello` (linked into the kernel).
 */
#include <pith/app.h>
#include "../common/out.h"

/* A pointer in initialised data: right only once the loader has applied
 * the program's R_X86_64_RELATIVE relocation, so hello checks that too. */
const char *hello_greeting = "hello from ";

/* "exit=N" -> N, or -1 if arg is not of that form. */
static int exit_arg(const char *arg)
{
	static const char key[] = "exit=";
	int code = 0;

	for (int i = 0; key[i]; i++)
		if (arg[i] != key[i])
			return -1;
	arg += sizeof(key) - 1;
	if (!*arg)
		return -1;
	for (; *arg; arg++) {
		if (*arg < '0' || *arg > '9' || code > 255)
			return -1;
		code = code * 10 + (*arg - '0');
	}
	return code <= 255 ? code : -1;
}

int main(int argc, char **argv)
{
	int code = argc - 1;

	out_str(hello_greeting);
	out_str(argc > 0 ? argv[0] : "(no name)");
	out_str("\n");
	for (int i = 1; i < argc; i++) {
		out_str("argv[");
		out_u64(i);
		out_str("] = ");
		out_str(argv[i]);
		out_str("\n");
		if (exit_arg(argv[i]) >= 0)
			code = exit_arg(argv[i]);
	}
	return code;
}

/* Unikernel mode calls app_main; a loaded program's _start calls main. */
int app_main(int argc, char **argv)
{
	return main(argc, argv);
}
