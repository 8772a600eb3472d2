/*
 * libFuzzer target for kernel/elf.c: the input is a program image.
 *
 * The program area is 1 MiB in the middle of a 3 MiB mapping whose first
 * and last MiB hold a canary, with an inaccessible page on each side. The
 * area is at a fixed address (AREA_AT) when the host lets us, so ET_EXEC
 * seeds linked there (corpus/elf/, mkcorpus_elf.sh) load.
 * The input goes to elf_check; when it is accepted, to elf_load.
 *
 * Oracles besides the sanitizers: what elf_check accepts lies inside the
 * area, page-aligned, with its entry inside an executable segment and at
 * most ELF_MAX_SEGMENTS segments; after elf_load every byte of the
 * mapping outside [lo, hi) still holds the canary (a write past the
 * mapping faults); an image without relocations loads byte-exact (each
 * segment's file bytes, zeros elsewhere in [lo, hi)). Any breach calls
 * __builtin_trap(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <pith/error.h>
#include "elf.h"

#define MIB		(1024 * 1024)
#define MAP_SIZE	(3 * MIB)
#define AREA_OFF	MIB
#define AREA_SIZE	MIB
#define PAGE		4096
#define AREA_AT		0x40100000ul	/* below ASan's shadow, clear of binaries */
#define CANARY		0xa5

#define require(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

static uint8_t *map;
static uint8_t canary[MAP_SIZE];

/* The mapping and its guard pages: at AREA_AT if free, else anywhere. */
static void setup(void)
{
	const size_t len = MAP_SIZE + 2 * PAGE;
	uint8_t *m = mmap((void *)(AREA_AT - AREA_OFF - PAGE), len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (m == MAP_FAILED)
		m = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	require(m != MAP_FAILED);
	map = m + PAGE;
	require(mprotect(map, MAP_SIZE, PROT_READ | PROT_WRITE) == 0);
	memset(canary, CANARY, sizeof(canary));
	memset(map, CANARY, MAP_SIZE);
}

static uint64_t off_of(uint64_t addr)
{
	return addr - (uintptr_t)map;
}

/* What elf_check promises about an image it accepts. */
static void check_accepted(const struct elf_image *im)
{
	uint64_t area = (uintptr_t)map + AREA_OFF;
	bool entry_ok = false;

	require(im->lo >= area && im->lo <= im->hi && im->hi <= area + AREA_SIZE);
	require(im->lo % PAGE == 0 && im->hi % PAGE == 0);
	require(im->nseg >= 1 && im->nseg <= ELF_MAX_SEGMENTS);
	require(!im->pie || im->lo == area);
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		require(s->file_size <= s->mem_size);
		require(s->addr >= im->lo && s->mem_size <= im->hi - s->addr);
		if ((s->flags & 1) && im->entry >= s->addr && im->entry - s->addr < s->mem_size)
			entry_ok = true;
	}
	require(entry_ok);
}

/* Without relocations, [lo, hi) is the segments' file bytes and zeros. */
static void check_exact(const uint8_t *data, const struct elf_image *im)
{
	static uint8_t expect[AREA_SIZE];

	memset(expect, 0, im->hi - im->lo);
	for (unsigned i = 0; i < im->nseg; i++)
		memcpy(expect + (im->seg[i].addr - im->lo), data + im->seg[i].file_off,
		       im->seg[i].file_size);
	require(memcmp(expect, map + off_of(im->lo), im->hi - im->lo) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image im;
	const char *why = NULL;
	uint64_t lo, hi;

	if (!map)
		setup();
	if (elf_check(data, size, (uintptr_t)map + AREA_OFF, AREA_SIZE, &im, &why)) {
		require(why != NULL);
		return 0;
	}
	check_accepted(&im);
	lo = off_of(im.lo);
	hi = off_of(im.hi);
	if (elf_load(data, &im, &why))
		require(why != NULL);
	else if (!im.rela_count)
		check_exact(data, &im);
	require(memcmp(map, canary, lo) == 0);
	require(memcmp(map + hi, canary, MAP_SIZE - hi) == 0);
	memset(map + lo, CANARY, hi - lo);
	return 0;
}
