/*
 * The console as descriptors 0, 1 and 2, a terminal in canonical mode.
 * write() is one b_output, which the kernel never interleaves with
 * another core's. read() waits for a line the way a terminal would:
 * typed bytes are echoed, Backspace erases, Enter ends the line (as
 * "\n") and Ctrl-D on an empty line is the end of input (read gives 0);
 * a line is handed out over as many reads as the caller needs. b_input
 * does not block, so the wait polls it with `pause`.
 */
#include <stdbool.h>
#include <stdint.h>
#include <pith/console.h>
#include "console.h"

#define LINE_MAX_BYTES	256
#define KEY_EOF		0x04	/* Ctrl-D */
#define KEY_BS		0x08
#define KEY_DEL		0x7f

static char line[LINE_MAX_BYTES];
static size_t line_len, line_pos;	/* bytes in line, bytes handed out */
static volatile uint64_t line_lock;

int console_write(const char *buf, size_t n)
{
	b_output(buf, n);
	return n;
}

static char wait_key(void)
{
	char c;

	while (!(c = b_input()))
		__asm__ volatile("pause");
	return c;
}

/* Reads one line into line[], echoing it; false at end of input. */
static bool read_line(void)
{
	line_len = line_pos = 0;
	while (line_len < LINE_MAX_BYTES) {
		char c = wait_key();

		if (c == KEY_EOF && line_len == 0)
			return false;
		if (c == KEY_BS || c == KEY_DEL) {
			if (line_len) {
				line_len--;
				b_output("\b \b", 3);
			}
			continue;
		}
		if (c == '\r')
			c = '\n';
		line[line_len++] = c;
		b_output(&c, 1);
		if (c == '\n')
			break;
	}
	return true;
}

int console_read(char *buf, size_t n)
{
	size_t i = 0;

	if (!n)
		return 0;
	while (__atomic_exchange_n(&line_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	if (line_pos < line_len || read_line())
		for (; i < n && line_pos < line_len; i++)
			buf[i] = line[line_pos++];
	__atomic_store_n(&line_lock, 0, __ATOMIC_RELEASE);
	return i;
}
