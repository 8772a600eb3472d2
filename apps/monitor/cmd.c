/*
 * The Monitor's commands: the table (name, arguments, one line of help,
 * function), splitting a line into words, dispatch, and the few commands
 * too small for a file of their own (help, ver, echo, shutdown, reboot).
 * A command gets argc/argv with argv[0] its own name; a bad argument
 * prints a `usage:` line, an unknown command `unknown command: WORD`.
 */
#include <pith/api.h>
#include <pith/system.h>
#include "monitor.h"

#define MON_VERSION	"1.0"
#define HELP_COLUMN	28	/* where the help text starts */

struct command {
	const char *name, *args, *what;
	void (*fn)(int argc, char **argv);
};

static void cmd_help(int argc, char **argv);
static void cmd_ver(int argc, char **argv);
static void cmd_echo(int argc, char **argv);
static void cmd_shutdown(int argc, char **argv);
static void cmd_reboot(int argc, char **argv);

static const struct command commands[] = {
	{ "help", "", "this list", cmd_help },
	{ "ver", "", "versions of the Monitor and the kernel's API", cmd_ver },
	{ "echo", "TEXT", "prints TEXT", cmd_echo },
	{ "time", "", "uptime and the TSC rate", cmd_time },
	{ "ticks", "N", "waits for N ticks of the 100 Hz timer (1..10000)", cmd_ticks },
	{ "delay", "US", "busy-waits US microseconds (0..10000000)", cmd_delay },
	{ "dir", "", "lists the files on drive 0", cmd_dir },
	{ "run", "NAME [ARGS]", "runs program NAME (or NAME.app) from drive 0", cmd_run },
	{ "load", "NAME", "reads file NAME into the staging buffer", cmd_load },
	{ "exec", "[ARGS]", "runs the loaded program", cmd_exec },
	{ "mem", "", "free RAM and the program area", cmd_mem },
	{ "cpu", "", "cores and their counters", cmd_cpu },
	{ "net", "", "NICs: MAC, link, counters", cmd_net },
	{ "disk", "", "drives: size, read-only, counters", cmd_disk },
	{ "pci", "[BUS]", "PCI functions on BUS (0), read with b_bus_read", cmd_pci },
	{ "dump", "ADDR LEN", "hex and ASCII of LEN bytes (1..65536) at ADDR", cmd_dump },
	{ "peek", "ADDR [1|2|4|8]", "reads a value of 1, 2, 4 or 8 bytes", cmd_peek },
	{ "poke", "ADDR VALUE [1|2|4|8]", "writes one (careful: can crash Pith)", cmd_poke },
	{ "shutdown", "[CODE]", "powers off; under QEMU exits with CODE (0..63)", cmd_shutdown },
	{ "reboot", "", "resets the machine", cmd_reboot },
};

static char rest[MON_LINE_MAX];	/* the line after the command word, as typed */

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	out_s("commands (ADDR is hex; other numbers decimal or 0x hex):\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		unsigned w = 2 + str_len(c->name) + 1 + str_len(c->args);

		out_s("  ");
		out_s(c->name);
		out_s(" ");
		out_s(c->args);
		out_chars(' ', w < HELP_COLUMN ? HELP_COLUMN - w : 1);
		out_s(c->what);
		out_nl();
	}
	out_s("keys: Backspace, Left/Right, Up/Down (history), Ctrl-U (clear), Ctrl-C\n");
}

static void cmd_ver(int argc, char **argv)
{
	const struct pith_api *api = PITH_API;

	(void)argc, (void)argv;
	out_s("Pith monitor " MON_VERSION "; built for API version ");
	out_u(PITH_API_VERSION);
	out_s(" (");
	out_u(PITH_API_COUNT);
	out_s(" calls)\n");
	if (api->magic != PITH_API_MAGIC) {
		out_s("kernel: no API table at ");
		out_hex(PITH_API_ADDR);
		out_nl();
		return;
	}
	out_s("kernel: API version ");
	out_u(api->version);
	out_s(" (");
	out_u(api->count);
	out_s(" calls) at ");
	out_hex(PITH_API_ADDR);
	out_nl();
}

static void cmd_echo(int argc, char **argv)
{
	(void)argc, (void)argv;
	out_s(rest);
	out_nl();
}

static void cmd_shutdown(int argc, char **argv)
{
	uint64_t code = 0;

	if (argc > 2 || (argc == 2 && !parse_uint(argv[1], 63, &code))) {
		usage("shutdown [CODE] (0..63)");
		return;
	}
	out_s("powering off (exit code ");
	out_u(code);
	out_s(")\n");
	b_shutdown((int)code);
}

static void cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		usage("reboot");
		return;
	}
	out_s("rebooting\n");
	b_reboot();
}

/* Keeps what follows the first word (and its spaces) for echo. */
static void keep_rest(const char *line)
{
	while (*line == ' ')
		line++;
	while (*line && *line != ' ')
		line++;
	while (*line == ' ')
		line++;
	str_copy(rest, line, sizeof(rest));
}

/* Splits line at spaces into argv (NULL-terminated); -1 past max words. */
static int split(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line;;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

void cmd_run_line(char *line)
{
	static char *argv[MON_WORDS + 1];
	int argc;

	keep_rest(line);
	argc = split(line, argv, MON_WORDS);
	if (argc < 0) {
		out_s("too many words: at most 32\n");
		return;
	}
	if (argc == 0)
		return;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (str_eq(argv[0], commands[i].name)) {
			commands[i].fn(argc, argv);
			return;
		}
	}
	out_s("unknown command: ");
	out_s(argv[0]);
	out_s(" (try help)\n");
}
