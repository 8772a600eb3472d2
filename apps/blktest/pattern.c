/*
 * What the disks hold and how reads are checked. Word i of sector s of an
 * image with seed k is k << 48 | s << 9 | i, so a wrong word says where it
 * came from. Every read lands in buf between two guard sectors, the
 * target poisoned first: a transfer that is skipped, short, too long or
 * misplaced shows.
 */
#include <pith/time.h>
#include "blktest.h"

struct layout layouts[B_NVS_MAX];
uint8_t buf[(BUF_SECTORS + 2) * SECTOR + 64] __attribute__((aligned(4096)));
uint64_t io_ns;
uint64_t read_calls, read_sectors;
uint64_t rng_state;

static inline uint64_t word(uint64_t seed, uint64_t sector, unsigned i)
{
	return seed << 48 | sector << 9 | i;
}

static uint64_t seed_at(const struct layout *l, uint64_t sector)
{
	for (unsigned i = 0; i < l->n; i++)
		if (sector - l->ext[i].start < l->ext[i].count)
			return l->new_seed;
	return l->seed;
}

void fill_pattern(void *mem, uint64_t seed, uint64_t start, uint64_t count)
{
	uint64_t *w = mem;

	for (uint64_t s = 0; s < count; s++)
		for (unsigned i = 0; i < WORDS; i++)
			*w++ = word(seed, start + s, i);
}

void fill64(void *mem, uint64_t v, uint64_t bytes)
{
	uint64_t *w = mem;

	for (uint64_t i = 0; i < bytes / 8; i++)
		w[i] = v;
}

/* Index of the first word of mem that differs from what l says sectors
 * start.. hold, or -1. No side effects: tasks call it too. */
int64_t first_mismatch(const struct layout *l, const void *mem,
			      uint64_t start, uint64_t count)
{
	const uint64_t *w = mem;

	for (uint64_t s = 0; s < count; s++) {
		uint64_t seed = seed_at(l, start + s);

		for (unsigned i = 0; i < WORDS; i++)
			if (w[s * WORDS + i] != word(seed, start + s, i))
				return (int64_t)(s * WORDS + i);
	}
	return -1;
}

/* Notes what a wrong word is and where it seems to come from. */
static void why_word(const struct layout *l, uint64_t start, uint64_t at, uint64_t got)
{
	uint64_t sector = start + at / WORDS;

	why_str("sector ");
	why_u64(sector);
	why_str(" word ");
	why_u64(at % WORDS);
	why_str(": got ");
	why_hex(got);
	if (got == POISON) {
		why_str(" (poison: never written)");
	} else {
		why_str(" (seed ");
		why_u64(got >> 48);
		why_str(" sector ");
		why_u64(got >> 9 & ((1ull << 39) - 1));
		why_str(" word ");
		why_u64(got & 511);
		why_str(")");
	}
	why_str(" want ");
	why_hex(word(seed_at(l, sector), sector, (unsigned)(at % WORDS)));
	why_str("; ");
}

bool pattern_ok(const struct layout *l, const void *mem, uint64_t start,
		       uint64_t count)
{
	int64_t at = first_mismatch(l, mem, start, count);

	if (at < 0)
		return true;
	why_word(l, start, (uint64_t)at, ((const uint64_t *)mem)[at]);
	return false;
}

bool all64(const void *mem, uint64_t v, uint64_t bytes, const char *what)
{
	const uint64_t *w = mem;

	for (uint64_t i = 0; i < bytes / 8; i++) {
		if (w[i] != v) {
			why_str(what);
			why_str(" changed at byte ");
			why_u64(i * 8);
			why_str(" to ");
			why_hex(w[i]);
			why_str("; ");
			return false;
		}
	}
	return true;
}

/* ---- reading into the guarded buffer ---- */

/* Where count sectors read at byte offset off (a multiple of
 * B_NVS_ALIGN) land: after one guard sector, before another. */
uint8_t *target(uint64_t off)
{
	return buf + SECTOR + off;
}

void arm(uint64_t count, uint64_t off)
{
	fill64(buf, GUARD, SECTOR + off);
	fill64(target(off), POISON, count * SECTOR);
	fill64(target(off) + count * SECTOR, GUARD, SECTOR);
}

bool guards_ok(uint64_t count, uint64_t off)
{
	return all64(buf, GUARD, SECTOR + off, "the guard before the buffer") &&
	       all64(target(off) + count * SECTOR, GUARD, SECTOR,
		     "the guard after the buffer");
}

void why_call(const char *call, uint64_t start, uint64_t count, unsigned drive)
{
	why_str(call);
	why_str("(start ");
	why_u64(start);
	why_str(", count ");
	why_u64(count);
	why_str(", drive ");
	why_u64(drive);
	why_str(") ");
}

/* Reads count sectors from start of drive into the guarded buffer at off
 * and checks the result, the guards and every word. */
bool read_ok(unsigned drive, uint64_t start, uint64_t count, uint64_t off)
{
	uint64_t t0;
	long r;

	arm(count, off);
	t0 = b_time_ns();
	r = b_nvs_read(target(off), start, count, drive);
	io_ns += b_time_ns() - t0;
	read_calls++;
	read_sectors += r > 0 ? (uint64_t)r : 0;
	if (r != (long)count) {
		why_call("b_nvs_read", start, count, drive);
		return expect("", r, (long)count);
	}
	if (!guards_ok(count, off) || !pattern_ok(&layouts[drive], target(off), start, count)) {
		why_call("after b_nvs_read", start, count, drive);
		return false;
	}
	return true;
}

/* Reads the whole drive in CHUNK-sector calls, checking every sector. */
bool whole_disk_ok(unsigned drive, uint64_t sectors, uint64_t *ns)
{
	io_ns = 0;
	for (uint64_t s = 0; s < sectors; s += CHUNK)
		if (!read_ok(drive, s, sectors - s < CHUNK ? sectors - s : CHUNK, 0))
			return false;
	*ns = io_ns;
	return true;
}

/* ---- random numbers (splitmix64: any index gives an independent value) ---- */

uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t rnd(uint64_t below)
{
	return mix(rng_state++) % below;
}
