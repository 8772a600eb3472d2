/*
 * The Monitor's entry (include/pith/app.h): linked into the kernel image
 * as its program, it never returns; `shutdown` and `reboot` end it.
 *
 * At start it runs one program, as `run` would: the words after `--` on
 * the kernel command line (argv[1] the program, the rest its arguments),
 * else init.app when drive 0 holds one. Then the prompt: `pith> `, one
 * command a line (cmd.c).
 */
#include <pith/app.h>
#include "monitor.h"

#define INIT_PROGRAM	"init.app"

int app_main(int argc, char **argv)
{
	static char line[MON_LINE_MAX];
	static char init[] = INIT_PROGRAM;
	char *init_argv[] = { init, NULL };

	clock_start();
	out_s("Pith monitor: type help for the commands\n");
	if (argc > 1)
		prog_run(argc - 1, argv + 1);
	else if (prog_exists(INIT_PROGRAM))
		prog_run(1, init_argv);
	for (;;) {
		out_s("pith> ");
		line_read(line, sizeof(line));
		cmd_run_line(line);
	}
}
