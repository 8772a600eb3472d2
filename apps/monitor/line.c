/*
 * The line editor: one line from the serial console, edited in place on a
 * plain terminal. Keys: printable ASCII inserts at the cursor; Backspace
 * (BS or DEL), Delete (ESC [ 3 ~, Ctrl-D); Left/Right (ESC [ D / C,
 * Ctrl-B/F); Home/End (ESC [ H / F, ESC [ 1 ~ / 4 ~, Ctrl-A/E); Ctrl-K
 * kills to the end, Ctrl-U the whole line, Ctrl-C abandons it; Up/Down
 * (ESC [ A / B, also ESC O A / B, Ctrl-P/N) walk the history of the last
 * MON_HISTORY lines. Enter is CR, LF or CR LF. Other control bytes, bytes
 * above 0x7e, unknown escape sequences and input past the buffer are
 * dropped.
 *
 * The screen is redrawn with backspaces, spaces and the text itself only
 * (no escape sequences), so any terminal, and a test reading the output,
 * sees plain characters. Escape sequences are parsed byte by byte across
 * polls, since their bytes may arrive apart: ESC [ then parameter and
 * intermediate bytes 0x20-0x3f, then a final byte 0x40-0x7e (ECMA-48
 * §5.4), or ESC O and one final byte (the keypad's application mode).
 */
#include <pith/console.h>
#include "monitor.h"

#define ESC		0x1b
#define CTRL(c)		((c) & 0x1f)
#define ESC_PARAM_MAX	4

struct edit {
	char *buf;
	unsigned size, len, pos;	/* text is buf[0..len), cursor at pos */
};

enum esc_state { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

static char history[MON_HISTORY][MON_LINE_MAX];
static unsigned hist_count, hist_next;	/* a ring: hist_next is the oldest slot */
static int browse;			/* -1 the typed line, else 0 = newest entry */
static char typed[MON_LINE_MAX];	/* the typed line while browsing */
static enum esc_state esc_state;
static char esc_param[ESC_PARAM_MAX + 1];
static unsigned esc_len;
static bool last_cr;

static const char *hist_at(unsigned i)
{
	return history[(hist_next + MON_HISTORY - 1 - i) % MON_HISTORY];
}

static void hist_add(const char *line)
{
	if (!*line || (hist_count && str_eq(hist_at(0), line)))
		return;
	str_copy(history[hist_next], line, MON_LINE_MAX);
	hist_next = (hist_next + 1) % MON_HISTORY;
	if (hist_count < MON_HISTORY)
		hist_count++;
}

/* Rewrites the text from the cursor on, blanks `erase` cells after it and
 * puts the cursor back. */
static void show_tail(struct edit *e, unsigned erase)
{
	unsigned n = e->len - e->pos;

	if (n)
		b_output(e->buf + e->pos, n);
	if (erase)
		out_chars(' ', erase);
	if (n + erase)
		out_chars('\b', n + erase);
}

static void insert(struct edit *e, char c)
{
	if (e->len + 1 >= e->size)
		return;
	for (unsigned i = e->len; i > e->pos; i--)
		e->buf[i] = e->buf[i - 1];
	e->buf[e->pos] = c;
	e->len++;
	b_output(&e->buf[e->pos++], 1);
	show_tail(e, 0);
}

/* Deletes the character under the cursor. */
static void erase_at(struct edit *e)
{
	if (e->pos == e->len)
		return;
	for (unsigned i = e->pos; i + 1 < e->len; i++)
		e->buf[i] = e->buf[i + 1];
	e->len--;
	show_tail(e, 1);
}

static void move_to(struct edit *e, unsigned pos)
{
	if (pos < e->pos)
		out_chars('\b', e->pos - pos);
	else if (pos > e->pos)
		b_output(e->buf + e->pos, pos - e->pos);
	e->pos = pos;
}

/* Replaces the whole line with text, cursor at its end. */
static void set_line(struct edit *e, const char *text)
{
	unsigned old = e->len;

	move_to(e, 0);
	str_copy(e->buf, text, e->size);
	e->len = e->pos = str_len(e->buf);
	b_output(e->buf, e->len);
	if (old > e->len) {
		out_chars(' ', old - e->len);
		out_chars('\b', old - e->len);
	}
}

static void kill_to_end(struct edit *e)
{
	unsigned gone = e->len - e->pos;

	e->len = e->pos;
	show_tail(e, gone);
}

/* Up (dir 1) or down (dir -1) through the history. */
static void recall(struct edit *e, int dir)
{
	int to = browse + dir;

	if (to < -1 || to >= (int)hist_count)
		return;
	if (browse == -1) {
		e->buf[e->len] = '\0';
		str_copy(typed, e->buf, sizeof(typed));
	}
	browse = to;
	set_line(e, to == -1 ? typed : hist_at((unsigned)to));
}

/* The last byte of an escape sequence: ESC [ param final, or ESC O final. */
static void esc_final(struct edit *e, char final)
{
	char p = esc_param[0];

	if (final == 'A')
		recall(e, 1);
	else if (final == 'B')
		recall(e, -1);
	else if (final == 'C')
		move_to(e, e->pos < e->len ? e->pos + 1 : e->pos);
	else if (final == 'D')
		move_to(e, e->pos ? e->pos - 1 : 0);
	else if (final == 'H' || (final == '~' && (p == '1' || p == '7')))
		move_to(e, 0);
	else if (final == 'F' || (final == '~' && (p == '4' || p == '8')))
		move_to(e, e->len);
	else if (final == '~' && p == '3')
		erase_at(e);
}

/* Feeds one byte to the escape parser; true if it was part of a sequence.
 * A byte that cannot continue one ends it and counts as a key itself. */
static bool esc_feed(struct edit *e, unsigned char c)
{
	switch (esc_state) {
	case ESC_NONE:
		if (c != ESC)
			return false;
		esc_state = ESC_START;
		return true;
	case ESC_START:
		esc_len = 0;
		esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : c == ESC ? ESC_START : ESC_NONE;
		return esc_state != ESC_NONE;
	case ESC_SS3:
		esc_state = ESC_NONE;
		esc_param[0] = '\0';
		if (c < 0x40 || c > 0x7e)
			return false;
		esc_final(e, (char)c);
		return true;
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f && esc_len < ESC_PARAM_MAX) {
			esc_param[esc_len++] = (char)c;
			return true;
		}
		esc_state = ESC_NONE;
		esc_param[esc_len] = '\0';
		if (c >= 0x40 && c <= 0x7e)
			esc_final(e, (char)c);
		return c >= 0x20 && c <= 0x7e;
	}
	return false;
}

/* One key outside escape sequences; true when the line is finished. */
static bool key(struct edit *e, unsigned char c)
{
	switch (c) {
	case '\r': case '\n':
		return true;
	case '\b': case 0x7f:
		if (e->pos) {
			move_to(e, e->pos - 1);
			erase_at(e);
		}
		break;
	case CTRL('D'): erase_at(e); break;
	case CTRL('A'): move_to(e, 0); break;
	case CTRL('E'): move_to(e, e->len); break;
	case CTRL('B'): move_to(e, e->pos ? e->pos - 1 : 0); break;
	case CTRL('F'): move_to(e, e->pos < e->len ? e->pos + 1 : e->pos); break;
	case CTRL('K'): kill_to_end(e); break;
	case CTRL('U'): set_line(e, ""); break;
	case CTRL('P'): recall(e, 1); break;
	case CTRL('N'): recall(e, -1); break;
	case CTRL('C'):
		out_s("^C");
		e->len = 0;
		return true;
	default:
		if (c >= ' ' && c < 0x7f)
			insert(e, (char)c);
	}
	return false;
}

unsigned line_read(char *buf, unsigned size)
{
	struct edit e = { .buf = buf, .size = size };
	unsigned char c;

	browse = -1;
	esc_state = ESC_NONE;
	for (;;) {
		c = b_input();
		if (!c) {
			clock_idle();
			continue;
		}
		if (c == '\n' && last_cr) {	/* the LF of a CR LF */
			last_cr = false;
			continue;
		}
		last_cr = c == '\r';
		if (!esc_feed(&e, c) && key(&e, c))
			break;
	}
	buf[e.len] = '\0';
	out_nl();
	hist_add(buf);
	return e.len;
}
