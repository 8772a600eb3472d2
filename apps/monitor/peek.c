/*
 * Raw memory: dump ADDR LEN, peek ADDR [SIZE], poke ADDR VALUE [SIZE].
 *
 * There is no call that says which addresses are mapped, so each access
 * runs as a work-queue task (a probe): a bad address faults inside the
 * task, the kernel prints its report and ends only that task, and the
 * Monitor says the address could not be read or written. Addresses that
 * cannot be right are refused before any access: page 0 (left unmapped to
 * catch NULL), ranges that wrap or leave the canonical halves, and upper
 * half addresses outside the program area. dump copies at most DUMP_MAX
 * bytes into a buffer first, so it prints either all of them or none.
 * Accesses are volatile, of exactly the size asked: fit for device
 * registers too (which is also why peek and poke must be aligned).
 */
#include <pith/console.h>
#include <pith/program.h>
#include <pith/smp.h>
#include "monitor.h"

#define DUMP_MAX	65536
#define PAGE		4096
#define ROW		16
#define HEX_AT		18		/* the address and two spaces */
#define HEX_WIDTH	(3 * ROW + 1)	/* "xx " per byte, a gap after 8 */

enum probe_op { PROBE_COPY, PROBE_READ, PROBE_WRITE };

struct probe {
	enum probe_op op;
	uint64_t addr;
	unsigned size;		/* PROBE_COPY: bytes; else 1, 2, 4 or 8 */
	uint64_t value;
	volatile bool done;	/* set when the access finished without a fault */
};

static uint8_t copy[DUMP_MAX];

static uint64_t read_n(uint64_t a, unsigned size)
{
	switch (size) {
	case 1: return *(volatile uint8_t *)a;
	case 2: return *(volatile uint16_t *)a;
	case 4: return *(volatile uint32_t *)a;
	default: return *(volatile uint64_t *)a;
	}
}

static void write_n(uint64_t a, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)a = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)a = (uint32_t)v; break;
	default: *(volatile uint64_t *)a = v;
	}
}

static void probe_task(void *arg)
{
	struct probe *p = arg;

	if (p->op == PROBE_COPY)
		for (unsigned i = 0; i < p->size; i++)
			copy[i] = *(volatile uint8_t *)(p->addr + i);
	else if (p->op == PROBE_READ)
		p->value = read_n(p->addr, p->size);
	else
		write_n(p->addr, p->size, p->value);
	p->done = true;
}

/* Runs the access as a task and waits: true if it finished. */
static bool probe(struct probe *p)
{
	p->done = false;
	while (b_smp_enqueue(probe_task, p) < 0)
		b_smp_run();
	b_smp_wait();
	return p->done;
}

static bool canonical(uint64_t a)
{
	return (a >> 47) == 0 || (a >> 47) == 0x1ffff;
}

/* NULL if [addr, addr + len) may be tried, else why not. */
static const char *refusal(uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len - 1;

	if (addr < PAGE)
		return "page 0 is never mapped (it catches NULL pointers)";
	if (end < addr)
		return "the range wraps around";
	if (!canonical(addr) || !canonical(end) || (addr >> 47) != (end >> 47))
		return "not a canonical x86-64 address";
	if ((addr >> 47) && (addr < B_PROGRAM_BASE || end - B_PROGRAM_BASE >= b_program_area()))
		return "in the upper half only the program area is mapped";
	return NULL;
}

static bool refused(const char *cmd, uint64_t addr, uint64_t len)
{
	const char *why = refusal(addr, len);

	if (why) {
		out_s(cmd);
		out_s(": refused ");
		out_hex(addr);
		out_s(": ");
		out_s(why);
		out_nl();
	}
	return why != NULL;
}

static void faulted(const char *cmd, const char *what, uint64_t addr)
{
	out_s(cmd);
	out_s(": cannot ");
	out_s(what);
	out_s(" ");
	out_hex(addr);
	out_s(": the access faulted (the report is above)\n");
}

/* One row: the address, 16 bytes in hex (a gap after 8), then as ASCII. */
static void dump_row(uint64_t addr, const uint8_t *b, unsigned n)
{
	char line[HEX_AT + HEX_WIDTH + 2 + ROW + 2];
	char *text = line + HEX_AT + HEX_WIDTH;

	fmt_hex(line, addr, 16);
	for (char *c = line + 16; c < text; c++)
		*c = ' ';
	for (unsigned i = 0; i < n; i++)
		fmt_hex(line + HEX_AT + 3 * i + (i >= ROW / 2), b[i], 2);
	*text++ = '|';
	for (unsigned i = 0; i < n; i++)
		*text++ = b[i] >= ' ' && b[i] < 0x7f ? (char)b[i] : '.';
	*text++ = '|';
	*text++ = '\n';
	b_output(line, (unsigned long)(text - line));
}

void cmd_dump(int argc, char **argv)
{
	struct probe p = { .op = PROBE_COPY };
	uint64_t len;

	if (argc != 3 || !parse_hex(argv[1], &p.addr) || !parse_uint(argv[2], DUMP_MAX, &len) ||
	    len == 0) {
		usage("dump ADDR LEN (ADDR hex, LEN 1..65536)");
		return;
	}
	if (refused("dump", p.addr, len))
		return;
	p.size = (unsigned)len;
	if (!probe(&p)) {
		faulted("dump", "read", p.addr);
		return;
	}
	for (unsigned off = 0; off < len; off += ROW)
		dump_row(p.addr + off, copy + off, len - off < ROW ? (unsigned)(len - off) : ROW);
}

/* The SIZE argument (default 8) and the alignment check; false if bad. */
static bool get_size(const char *cmd, int argc, char **argv, int at, struct probe *p)
{
	uint64_t size = 8;

	if (argc > at && (!parse_uint(argv[at], 8, &size) || !size || (size & (size - 1)))) {
		out_s(cmd);
		out_s(": SIZE must be 1, 2, 4 or 8\n");
		return false;
	}
	p->size = (unsigned)size;
	if (p->addr % size) {
		out_s(cmd);
		out_s(": the address must be a multiple of the size\n");
		return false;
	}
	return !refused(cmd, p->addr, size);
}

void cmd_peek(int argc, char **argv)
{
	struct probe p = { .op = PROBE_READ };
	char hex[16];

	if (argc < 2 || argc > 3 || !parse_hex(argv[1], &p.addr)) {
		usage("peek ADDR [1|2|4|8] (ADDR hex; default 8 bytes)");
		return;
	}
	if (!get_size("peek", argc, argv, 2, &p))
		return;
	if (!probe(&p)) {
		faulted("peek", "read", p.addr);
		return;
	}
	fmt_hex(hex, p.value, (int)(2 * p.size));
	out_hex(p.addr);
	out_s(": 0x");
	b_output(hex, 2 * p.size);
	out_s(" (");
	out_u(p.value);
	out_s(")\n");
}

void cmd_poke(int argc, char **argv)
{
	struct probe p = { .op = PROBE_WRITE };

	if (argc < 3 || argc > 4 || !parse_hex(argv[1], &p.addr) ||
	    !parse_uint(argv[2], UINT64_MAX, &p.value)) {
		usage("poke ADDR VALUE [1|2|4|8] (ADDR hex; default 8 bytes)");
		return;
	}
	if (!get_size("poke", argc, argv, 3, &p))
		return;
	if (p.size < 8 && p.value >> (8 * p.size)) {
		out_s("poke: VALUE does not fit in the size\n");
		return;
	}
	out_s("poke: warning: writing raw memory can crash Pith or corrupt a disk\n");
	if (!probe(&p)) {
		faulted("poke", "write", p.addr);
		return;
	}
	out_s("poke: wrote ");
	out_hex(p.value);
	out_s(" at ");
	out_hex(p.addr);
	out_nl();
}
