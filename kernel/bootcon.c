/*
 * The boot console: the program of the default kernel image (app.h), which
 * `make APP=dir` replaces. It reads lines from COM1 (backspace edits; other control bytes
 * and input past CONSOLE_LINE_MAX are dropped) and runs a few commands that
 * exercise the console, the clocks and power. Between keys the core halts
 * until the next 100 Hz timer tick rather than spinning.
 */
#include <stdint.h>
#include <stdbool.h>
#include <pith/app.h>
#include "console.h"
#include "param.h"
#include "power.h"
#include "printf.h"
#include "string.h"
#include "time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"

#define IDLE_HZ		100
#define TICKS_MAX	10000
#define DELAY_MAX_US	10000000

static volatile unsigned ticks;

static void count_tick(void) { ticks++; }

/* Parses a decimal number; false on anything else or overflow past max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static void cmd_ticks(const char *arg)
{
	uint64_t n, t0;

	if (!parse_uint(arg, TICKS_MAX, &n) || n == 0) {
		kprintf("usage: ticks N (1..%u)\n", TICKS_MAX);
		return;
	}
	ticks = 0;
	t0 = time_ns();
	lapic_timer_start(IDLE_HZ, count_tick);
	while (ticks < n)
		cpu_halt();
	kprintf("ticks %u in %lu us\n", ticks, (unsigned long)((time_ns() - t0) / 1000));
	lapic_timer_start(IDLE_HZ, NULL);
}

static void cmd_delay(const char *arg)
{
	uint64_t us;

	if (!parse_uint(arg, DELAY_MAX_US, &us)) {
		kprintf("usage: delay US (0..%u)\n", DELAY_MAX_US);
		return;
	}
	delay_us(us);
	kprintf("delayed %lu us\n", (unsigned long)us);
}

static void cmd_shutdown(const char *arg)
{
	uint64_t code = 0;

	if (*arg && !parse_uint(arg, EXIT_FAULT_BASE - 1, &code)) {
		kprintf("usage: shutdown [CODE] (0..%u)\n", EXIT_FAULT_BASE - 1);
		return;
	}
	kprintf("powering off (exit code %u)\n", (unsigned)code);
	power_off((int)code);
}

static void run(char *line)
{
	char *arg = line;

	while (*arg && *arg != ' ')
		arg++;
	if (*arg)
		*arg++ = '\0';
	if (!*line)
		return;
	if (!strcmp(line, "help"))
		kprintf("commands: help echo time ticks delay shutdown reboot\n");
	else if (!strcmp(line, "echo"))
		kprintf("%s\n", arg);
	else if (!strcmp(line, "time"))
		kprintf("uptime %lu ns, tsc %lu MHz\n", (unsigned long)time_ns(),
			(unsigned long)(tsc_hz() / 1000000));
	else if (!strcmp(line, "ticks"))
		cmd_ticks(arg);
	else if (!strcmp(line, "delay"))
		cmd_delay(arg);
	else if (!strcmp(line, "shutdown"))
		cmd_shutdown(arg);
	else if (!strcmp(line, "reboot"))
		power_reboot();
	else
		kprintf("unknown command: %s (try help)\n", line);
}

/* Reads one line with echo; returns when Enter arrives. */
static void read_line(char *buf, unsigned size)
{
	unsigned n = 0;
	int c;

	for (;;) {
		while ((c = console_getc()) < 0)
			cpu_halt();	/* the idle tick wakes us */
		if (c == '\r' || c == '\n')
			break;
		if ((c == '\b' || c == 0x7f) && n > 0) {
			n--;
			console_write("\b \b", 3);
		} else if (c >= ' ' && c < 0x7f && n < size - 1) {
			buf[n++] = (char)c;
			console_write((char *)&buf[n - 1], 1);
		}
	}
	buf[n] = '\0';
	console_write("\n", 1);
}

/* The default image's program; it never returns (shutdown powers off). */
int app_main(int argc, char **argv)
{
	char line[CONSOLE_LINE_MAX];

	(void)argc;
	(void)argv;
	lapic_timer_start(IDLE_HZ, NULL);
	irq_enable();
	for (;;) {
		console_write("pith> ", 6);
		read_line(line, sizeof(line));
		run(line);
	}
}
