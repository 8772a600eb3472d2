/*
 * The Monitor: Pith's shell on the serial console. It reads a line with
 * editing and history (line.c), splits it into words and runs one command
 * (cmd.c's table; the commands live in clock.c, prog.c, info.c, peek.c);
 * fmt.c prints numbers and errors and parses them, without a libc.
 *
 * Everything runs on core 0, the core the kernel gives the program; the
 * only other core work is peek.c's memory probes, run as work-queue tasks
 * so that a bad address ends the probe, not the Monitor.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MON_LINE_MAX	256	/* bytes of an input line, its NUL included */
#define MON_HISTORY	16	/* lines the up arrow reaches back */
#define MON_WORDS	32	/* words of a command line (= B_PROGRAM_ARGS) */
#define MON_DRIVE	0	/* the drive dir, run and load use */

/* line.c: reads one line into buf (echoing and editing), returns its
 * length; the line goes into the history. */
unsigned line_read(char *buf, unsigned size);

/* cmd.c: runs one command line (modified in place). */
void cmd_run_line(char *line);

/* clock.c: the 100 Hz timer tick that lets the Monitor halt between keys. */
void clock_start(void);
void clock_stop(void);
void clock_idle(void);
void cmd_time(int argc, char **argv);
void cmd_ticks(int argc, char **argv);
void cmd_delay(int argc, char **argv);

/* prog.c: files and programs on drive MON_DRIVE. */
bool prog_exists(const char *name);
void prog_run(int argc, char **argv);	/* argv[0] names the file, as `run` */
void cmd_dir(int argc, char **argv);
void cmd_run(int argc, char **argv);
void cmd_load(int argc, char **argv);
void cmd_exec(int argc, char **argv);
void prog_staging(uint64_t *addr, uint64_t *size, uint64_t *loaded, const char **name);

/* info.c: the machine. */
void cmd_mem(int argc, char **argv);
void cmd_cpu(int argc, char **argv);
void cmd_net(int argc, char **argv);
void cmd_disk(int argc, char **argv);
void cmd_pci(int argc, char **argv);

/* peek.c: raw memory. */
void cmd_dump(int argc, char **argv);
void cmd_peek(int argc, char **argv);
void cmd_poke(int argc, char **argv);

/* fmt.c: output and parsing. */
void out_s(const char *s);
void out_u(uint64_t v);
void out_pad(uint64_t v, unsigned width);	/* right-aligned in width columns */
void out_hex(uint64_t v);			/* 0x, no leading zeros */
void fmt_hex(char *dst, uint64_t v, int digits);	/* exactly digits, no 0x */
void out_bytes(uint64_t bytes);		/* "12 MiB", "4 KiB" or "300 bytes" */
void out_err(long err);			/* "no such file (ENOENT)" */
void out_nl(void);
void out_chars(char c, unsigned n);	/* c, n times */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);	/* decimal or 0x hex */
bool parse_hex(const char *s, uint64_t *out);			/* hex, 0x optional */
bool str_eq(const char *a, const char *b);
unsigned str_len(const char *s);
void str_copy(char *dst, const char *src, unsigned size);	/* NUL-terminated, cut */
void usage(const char *text);		/* "usage: TEXT" */

#endif
