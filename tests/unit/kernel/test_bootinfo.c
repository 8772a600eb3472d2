/*
 * kernel/bootinfo.c on the host: real PVH start_info and Multiboot2
 * information structures built in heap buffers of exactly their size, so
 * AddressSanitizer catches any read past what the loader would have given.
 * Host addresses stand in for physical ones (bootinfo.c's contract).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bootinfo.h"

/* ---- PVH: xen/include/public/arch-x86/hvm/start_info.h --------------------- */

#define PVH_VERSION_1		1	/* adds memmap_paddr and memmap_entries */
#define PVH_V0_SIZE		40	/* struct size up to and including rsdp_paddr */

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info.h layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "start_info.h layout");

/* ---- Multiboot2 spec §3.6 -------------------------------------------------- */

#define MB2_HEADER_LEN		8	/* total_size, reserved */
#define MB2_TAG_ALIGN		8
#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1	/* §3.6.3 */
#define MB2_TAG_MODULE		3	/* §3.6.6 */
#define MB2_TAG_BASIC_MEMINFO	4	/* §3.6.7, ignored by the kernel */
#define MB2_TAG_MMAP		6	/* §3.6.8 */
#define MB2_TAG_ACPI_OLD	14	/* §3.6.14: a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW	15	/* §3.6.15: a copy of the ACPI 2.0+ RSDP */
#define MB2_MMAP_HEADER		16	/* type, size, entry_size, entry_version */
#define MB2_MMAP_ENTRY		24	/* base_addr, length, type, reserved */
#define MB2_INFO_MAX		(1u << 20)
#define MB2_BUILD_MAX		8192
#define HEAP_BLOCKS_MAX		16

#define RSDP_V1_LEN		20	/* ACPI 6.5 §5.2.5.3 */
#define RSDP_V2_LEN		36

/* An information structure being built; mb2_finish() hands out a copy. */
struct mb2 {
	uint8_t buf[MB2_BUILD_MAX];
	uint32_t used;
};

struct range {
	uint64_t base, size;
	uint32_t type;
};

/* A small, unsorted PC memory map, and the same sorted by base. */
static const struct range pc_map[] = {
	{ 0x100000, 0x7ee0000, MEM_USABLE },
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0xfeffc000, 0x4000, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },
};
static const struct range pc_map_sorted[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0xf0000, 0x10000, MEM_RESERVED },
	{ 0x100000, 0x7ee0000, MEM_USABLE },
	{ 0xfeffc000, 0x4000, MEM_RESERVED },
};
#define PC_MAP_LEN (sizeof(pc_map) / sizeof(pc_map[0]))

/* Every block a test allocates; freed after it, whether it passed or not. */
static void *heap_blocks[HEAP_BLOCKS_MAX];
static unsigned nheap_blocks;

static void *heap_alloc(size_t n)
{
	void *q = calloc(1, n);

	assert_non_null(q);
	assert_true(nheap_blocks < HEAP_BLOCKS_MAX);
	heap_blocks[nheap_blocks++] = q;
	return q;
}

static void *copy_to_heap(const void *p, size_t n)
{
	return memcpy(heap_alloc(n), p, n);
}

static int free_heap(void **state)
{
	(void)state;
	while (nheap_blocks)
		free(heap_blocks[--nheap_blocks]);
	return 0;
}

static uint64_t addr(const void *p)
{
	return (uintptr_t)p;
}

static void expect_ranges(const struct bootinfo *bi, const struct range *want, unsigned n)
{
	assert_int_equal(bi->nranges, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(bi->ranges[i].base, want[i].base);
		assert_int_equal(bi->ranges[i].size, want[i].size);
		assert_int_equal(bi->ranges[i].type, want[i].type);
	}
}

static void expect_sorted(const struct bootinfo *bi)
{
	for (unsigned i = 1; i < bi->nranges; i++)
		assert_true(bi->ranges[i - 1].base <= bi->ranges[i].base);
}

/* n ranges, 1 MiB each, bases in descending order so sorting has work. */
static struct range *many_ranges(unsigned n)
{
	struct range *r = heap_alloc(n * sizeof(*r));

	for (unsigned i = 0; i < n; i++)
		r[i] = (struct range){ (uint64_t)(n - i) << 20, 1 << 20, MEM_USABLE };
	return r;
}

/* ---- PVH builder ------------------------------------------------------------ */

static struct hvm_start_info *pvh_new(void)
{
	struct hvm_start_info *si = heap_alloc(sizeof(*si));

	si->magic = PVH_START_MAGIC;
	si->version = PVH_VERSION_1;
	return si;
}

static void pvh_set_map(struct hvm_start_info *si, const struct range *r, unsigned n)
{
	struct hvm_memmap_table_entry *e = heap_alloc(n * sizeof(*e));

	for (unsigned i = 0; i < n; i++)
		e[i] = (struct hvm_memmap_table_entry){ r[i].base, r[i].size, r[i].type, 0 };
	si->memmap_paddr = addr(e);
	si->memmap_entries = n;
}

static void pvh_set_cmdline(struct hvm_start_info *si, const char *s)
{
	si->cmdline_paddr = addr(copy_to_heap(s, strlen(s) + 1));
}

static void pvh_set_modules(struct hvm_start_info *si, unsigned n)
{
	struct hvm_modlist_entry *m = heap_alloc(n * sizeof(*m));

	for (unsigned i = 0; i < n; i++)
		m[i] = (struct hvm_modlist_entry){ 0x200000 + i * 0x10000, 0x1000 + i, 0, 0 };
	si->modlist_paddr = addr(m);
	si->nr_modules = n;
}

static int parse_pvh(const struct hvm_start_info *si, struct bootinfo *bi)
{
	return bootinfo_parse(PVH_START_MAGIC, addr(si), bi);
}

/* ---- Multiboot2 builder ---------------------------------------------------- */

static void mb2_begin(struct mb2 *m)
{
	memset(m, 0, sizeof(*m));
	m->used = MB2_HEADER_LEN;
}

/* Appends a tag of size bytes (header included); returns it for the body. */
static uint8_t *mb2_tag(struct mb2 *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->buf + m->used;
	uint32_t padded = (size + MB2_TAG_ALIGN - 1) & ~(MB2_TAG_ALIGN - 1);

	assert_true(m->used + padded <= sizeof(m->buf));
	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	m->used += padded;
	return t;
}

static void mb2_cmdline(struct mb2 *m, const char *s)
{
	uint32_t n = strlen(s) + 1;

	memcpy(mb2_tag(m, MB2_TAG_CMDLINE, 8 + n) + 8, s, n);
}

/* One memory-map entry: base_addr, length, type (§3.6.8). */
static void put_mmap_entry(uint8_t *e, const struct range *r)
{
	memcpy(e, &r->base, 8);
	memcpy(e + 8, &r->size, 8);
	memcpy(e + 16, &r->type, 4);
}

static uint8_t *mb2_mmap_sized(struct mb2 *m, const struct range *r, unsigned n, uint32_t esize)
{
	uint8_t *t = mb2_tag(m, MB2_TAG_MMAP, MB2_MMAP_HEADER + n * esize);
	uint32_t version = 0;

	memcpy(t + 8, &esize, 4);
	memcpy(t + 12, &version, 4);
	for (unsigned i = 0; i < n; i++)
		put_mmap_entry(t + MB2_MMAP_HEADER + i * esize, &r[i]);
	return t;
}

static void mb2_mmap(struct mb2 *m, const struct range *r, unsigned n)
{
	mb2_mmap_sized(m, r, n, MB2_MMAP_ENTRY);
}

static void mb2_module(struct mb2 *m, uint32_t start, uint32_t end)
{
	uint8_t *t = mb2_tag(m, MB2_TAG_MODULE, 16 + 1);	/* an empty module string */

	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
}

static void mb2_acpi(struct mb2 *m, uint32_t type, const uint8_t *rsdp, uint32_t len)
{
	memcpy(mb2_tag(m, type, 8 + len) + 8, rsdp, len);
}

/* Adds the end tag and total_size; returns a heap copy of exactly that size. */
static uint8_t *mb2_finish(struct mb2 *m)
{
	mb2_tag(m, MB2_TAG_END, 8);
	memcpy(m->buf, &m->used, 4);
	return copy_to_heap(m->buf, m->used);
}

static int parse_mb2(const uint8_t *info, struct bootinfo *bi)
{
	return bootinfo_parse(MB2_BOOT_MAGIC, addr(info), bi);
}

/* An RSDP-shaped block whose bytes say which one it is. */
static void fake_rsdp(uint8_t *r, uint32_t len, uint8_t revision)
{
	memset(r, 0, len);
	memcpy(r, "RSD PTR ", 8);
	r[15] = revision;
	r[len - 1] = 0xa5;
}

/* ---- PVH tests -------------------------------------------------------------- */

static void test_pvh_sorts_memory_map_by_base(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_string_equal(bi.protocol, "pvh");
	expect_ranges(&bi, pc_map_sorted, PC_MAP_LEN);
	assert_false(bi.truncated);
}

static void test_pvh_copies_cmdline(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	pvh_set_cmdline(si, "quiet then=shutdown");
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_string_equal(bi.cmdline, "quiet then=shutdown");
}

static void test_pvh_cuts_long_cmdline(void **state)
{
	struct hvm_start_info *si = pvh_new();
	char long_line[CMDLINE_MAX * 2];
	struct bootinfo bi;

	(void)state;
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	pvh_set_cmdline(si, long_line);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(strlen(bi.cmdline), CMDLINE_MAX - 1);
}

static void test_pvh_without_cmdline_gives_empty_string(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_pvh_passes_rsdp_address(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	si->rsdp_paddr = 0xf5a40;
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.rsdp, 0xf5a40);
}

static void test_pvh_lists_modules(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	pvh_set_modules(si, 2);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.modules[1].base, 0x210000);
	assert_int_equal(bi.modules[1].size, 0x1001);
	assert_false(bi.truncated);
}

static void test_pvh_too_many_modules_sets_truncated(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	pvh_set_modules(si, MAX_MODULES + 3);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.nmodules, MAX_MODULES);
	assert_true(bi.truncated);
}

static void test_pvh_exactly_max_ranges_is_not_truncated(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct range *r = many_ranges(MAX_MEM_RANGES);
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, r, MAX_MEM_RANGES);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.nranges, MAX_MEM_RANGES);
	assert_false(bi.truncated);
	expect_sorted(&bi);
}

static void test_pvh_too_many_ranges_sets_truncated(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct range *r = many_ranges(MAX_MEM_RANGES + 10);
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, r, MAX_MEM_RANGES + 10);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.nranges, MAX_MEM_RANGES);
	assert_true(bi.truncated);
	expect_sorted(&bi);
}

/* Regression: parse_pvh() once stopped after MAX_MEM_RANGES + 1 entries,
 * counting the empty ones add_range() drops, so a valid range past them was
 * lost without `truncated` saying so. */
static void test_pvh_truncated_counts_only_kept_ranges(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct range *r = many_ranges(MAX_MEM_RANGES + 2);
	struct bootinfo bi;

	(void)state;
	r[0].size = 0;	/* ignored, leaving MAX_MEM_RANGES + 1 valid ones */
	pvh_set_map(si, r, MAX_MEM_RANGES + 2);
	assert_int_equal(parse_pvh(si, &bi), 0);
	assert_int_equal(bi.nranges, MAX_MEM_RANGES);
	assert_true(bi.truncated);
}

static void test_pvh_ignores_empty_and_wrapping_ranges(void **state)
{
	static const struct range r[] = {
		{ 0x1000, 0, MEM_USABLE },			/* zero size */
		{ UINT64_MAX - 0xfff, 0x2000, MEM_USABLE },	/* base + size wraps */
		{ 0x100000, 0x100000, MEM_USABLE },
	};
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, r, 3);
	assert_int_equal(parse_pvh(si, &bi), 0);
	expect_ranges(&bi, &r[2], 1);
}

static void test_pvh_wrong_magic_is_an_error(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	pvh_set_map(si, pc_map, PC_MAP_LEN);
	si->magic = PVH_START_MAGIC ^ 1;
	assert_int_equal(parse_pvh(si, &bi), -1);
	assert_string_equal(bi.protocol, "pvh");
	assert_int_equal(bi.nranges, 0);
}

/* Version 0 ends before memmap_paddr: the structure here is exactly that
 * long, so reading the version 1 fields would be caught. */
static void test_pvh_version_0_is_an_error(void **state)
{
	struct hvm_start_info *full = pvh_new();
	struct bootinfo bi;
	void *v0;

	(void)state;
	full->version = 0;
	v0 = copy_to_heap(full, PVH_V0_SIZE);
	assert_int_equal(parse_pvh(v0, &bi), -1);
}

static void test_pvh_without_memory_map_is_an_error(void **state)
{
	struct hvm_start_info *si = pvh_new();
	struct bootinfo bi;

	(void)state;
	assert_int_equal(parse_pvh(si, &bi), -1);
}

static void test_null_info_is_an_error(void **state)
{
	struct bootinfo bi;

	(void)state;
	assert_int_equal(bootinfo_parse(PVH_START_MAGIC, 0, &bi), -1);
	assert_int_equal(bootinfo_parse(MB2_BOOT_MAGIC, 0, &bi), -1);
}

/* ---- Multiboot2 tests ------------------------------------------------------- */

static void test_mb2_sorts_memory_map_by_base(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_string_equal(bi.protocol, "multiboot2");
	expect_ranges(&bi, pc_map_sorted, PC_MAP_LEN);
	assert_int_equal(bi.rsdp, 0);
}

static void test_mb2_copies_cmdline(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_cmdline(&m, "then=reboot timeline");	/* 29 bytes: padding follows */
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_string_equal(bi.cmdline, "then=reboot timeline");
	assert_int_equal(bi.nranges, PC_MAP_LEN);
}

static void test_mb2_cuts_long_cmdline(void **state)
{
	char long_line[CMDLINE_MAX + 100];
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	memset(long_line, 'b', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	mb2_begin(&m);
	mb2_cmdline(&m, long_line);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(strlen(bi.cmdline), CMDLINE_MAX - 1);
}

/* A cmdline tag without its NUL: the copy stops at the tag's end. */
static void test_mb2_unterminated_cmdline_stops_at_tag_end(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *t, *info;

	(void)state;
	mb2_begin(&m);
	t = mb2_tag(&m, MB2_TAG_CMDLINE, 8 + 5);
	memcpy(t + 8, "abcdeZZZ", 8);	/* "ZZZ" is padding, outside the tag */
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_string_equal(bi.cmdline, "abcde");
}

static void test_mb2_old_acpi_tag_gives_rsdp_copy(void **state)
{
	uint8_t rsdp[RSDP_V1_LEN];
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	fake_rsdp(rsdp, sizeof(rsdp), 0);
	mb2_begin(&m);
	mb2_acpi(&m, MB2_TAG_ACPI_OLD, rsdp, sizeof(rsdp));
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.rsdp, addr(bi.rsdp_copy));
	assert_memory_equal(bi.rsdp_copy, rsdp, sizeof(rsdp));
	for (unsigned i = sizeof(rsdp); i < sizeof(bi.rsdp_copy); i++)
		assert_int_equal(bi.rsdp_copy[i], 0);
}

static void expect_new_rsdp_wins(bool new_first)
{
	uint8_t old_rsdp[RSDP_V1_LEN], new_rsdp[RSDP_V2_LEN];
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	fake_rsdp(old_rsdp, sizeof(old_rsdp), 0);
	fake_rsdp(new_rsdp, sizeof(new_rsdp), 2);
	mb2_begin(&m);
	if (new_first)
		mb2_acpi(&m, MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
	mb2_acpi(&m, MB2_TAG_ACPI_OLD, old_rsdp, sizeof(old_rsdp));
	if (!new_first)
		mb2_acpi(&m, MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.rsdp, addr(bi.rsdp_copy));
	assert_memory_equal(bi.rsdp_copy, new_rsdp, sizeof(new_rsdp));
}

static void test_mb2_new_acpi_tag_wins_when_first(void **state)
{
	(void)state;
	expect_new_rsdp_wins(true);
}

static void test_mb2_new_acpi_tag_wins_when_last(void **state)
{
	(void)state;
	expect_new_rsdp_wins(false);
}

static void test_mb2_lists_modules(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_module(&m, 0x400000, 0x480000);
	mb2_module(&m, 0x500000, 0x500000);	/* empty: ignored */
	mb2_module(&m, 0x600000, 0x5ff000);	/* end before start: ignored */
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nmodules, 1);
	assert_int_equal(bi.modules[0].base, 0x400000);
	assert_int_equal(bi.modules[0].size, 0x80000);
}

static void test_mb2_too_many_ranges_sets_truncated(void **state)
{
	struct range *r = many_ranges(MAX_MEM_RANGES + 6);
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, r, MAX_MEM_RANGES + 6);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nranges, MAX_MEM_RANGES);
	assert_true(bi.truncated);
	expect_sorted(&bi);
}

/* Entries larger than 24 bytes (a newer entry_version) are stepped over by
 * entry_size; a slot cut short by the tag's end is not read, even when the
 * 24 bytes the kernel uses would fit. */
static void test_mb2_mmap_honours_larger_entry_size(void **state)
{
	const uint32_t esize = 40, tail = 30;
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *t, *info;

	(void)state;
	mb2_begin(&m);
	t = mb2_tag(&m, MB2_TAG_MMAP, MB2_MMAP_HEADER + 2 * esize + tail);
	memcpy(t + 8, &esize, 4);
	for (unsigned i = 0; i < 3; i++)
		put_mmap_entry(t + MB2_MMAP_HEADER + i * esize, &pc_map[i]);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nranges, 2);
	assert_int_equal(bi.ranges[0].base, pc_map[1].base);
	assert_int_equal(bi.ranges[1].base, pc_map[0].base);
	assert_int_equal(bi.ranges[1].size, pc_map[0].size);
}

static void test_mb2_mmap_entry_size_below_24_is_ignored(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap_sized(&m, pc_map, PC_MAP_LEN, 16);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), -1);
	assert_int_equal(bi.nranges, 0);
}

/* Regression: off + entry_size wrapped in parse_mb2_mmap() for an
 * entry_size near 2^32, and the kernel read an entry past this 16-byte tag. */
static void test_mb2_mmap_huge_entry_size_reads_nothing(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, pc_map, 1);
	mb2_mmap_sized(&m, NULL, 0, UINT32_MAX - 15);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nranges, 1);
}

static void test_mb2_ignores_empty_and_wrapping_ranges(void **state)
{
	static const struct range r[] = {
		{ 0x1000, 0, MEM_USABLE },
		{ UINT64_MAX, 1, MEM_USABLE },
		{ 0x100000, 0x100000, MEM_ACPI },
	};
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, r, 3);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	expect_ranges(&bi, &r[2], 1);
}

static void test_mb2_mmap_with_no_valid_range_is_an_error(void **state)
{
	static const struct range empty[] = { { 0x1000, 0, MEM_USABLE } };
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, empty, 1);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), -1);
}

static void test_mb2_without_mmap_tag_is_an_error(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_cmdline(&m, "quiet");
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), -1);
	assert_string_equal(bi.protocol, "multiboot2");
}

static void test_mb2_skips_unknown_tags(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	memset(mb2_tag(&m, MB2_TAG_BASIC_MEMINFO, 16) + 8, 0xff, 8);
	memset(mb2_tag(&m, 0x7777, 8 + 3) + 8, 0xee, 3);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nranges, PC_MAP_LEN);
}

static void test_mb2_stops_at_end_tag(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, pc_map, 1);
	mb2_tag(&m, MB2_TAG_END, 8);
	mb2_cmdline(&m, "after-the-end");
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_string_equal(bi.cmdline, "");
}

/* An information block of just its 8-byte header with total_size set. */
static int parse_mb2_header_only(uint32_t total)
{
	uint8_t hdr[MB2_HEADER_LEN] = { 0 };
	struct bootinfo bi;

	memcpy(hdr, &total, 4);
	return parse_mb2(copy_to_heap(hdr, sizeof(hdr)), &bi);
}

static void test_mb2_total_size_below_16_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(parse_mb2_header_only(0), -1);
	assert_int_equal(parse_mb2_header_only(8), -1);
	assert_int_equal(parse_mb2_header_only(15), -1);
}

static void test_mb2_total_size_above_1_mib_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(parse_mb2_header_only(MB2_INFO_MAX + 1), -1);
	assert_int_equal(parse_mb2_header_only(UINT32_MAX), -1);
}

static void test_mb2_tag_smaller_than_its_header_is_an_error(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *t, *info;
	uint32_t size = 4;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	t = mb2_tag(&m, MB2_TAG_CMDLINE, 8);
	memcpy(t + 4, &size, 4);
	info = mb2_finish(&m);
	assert_int_equal(parse_mb2(info, &bi), -1);
}

static void test_mb2_tag_running_past_total_size_is_an_error(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *t, *info;
	uint32_t size;

	(void)state;
	mb2_begin(&m);
	t = mb2_tag(&m, MB2_TAG_CMDLINE, 16);
	memcpy(t + 8, "quiet", 6);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	info = mb2_finish(&m);
	memcpy(&size, info, 4);	/* total_size */
	size = size - MB2_HEADER_LEN + 1;	/* one byte more than is left */
	memcpy(info + MB2_HEADER_LEN + 4, &size, 4);
	assert_int_equal(parse_mb2(info, &bi), -1);
}

/* Tags past total_size are not the loader's: they are not read. */
static void test_mb2_total_size_bounds_the_tag_walk(void **state)
{
	struct mb2 m;
	struct bootinfo bi;
	uint8_t *info;
	uint32_t total;

	(void)state;
	mb2_begin(&m);
	mb2_mmap(&m, pc_map, PC_MAP_LEN);
	total = m.used;
	mb2_cmdline(&m, "beyond-total-size");
	info = mb2_finish(&m);
	memcpy(info, &total, 4);
	assert_int_equal(parse_mb2(info, &bi), 0);
	assert_int_equal(bi.nranges, PC_MAP_LEN);
	assert_string_equal(bi.cmdline, "");
}

#define T(f) cmocka_unit_test_teardown(f, free_heap)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pvh_sorts_memory_map_by_base),
		T(test_pvh_copies_cmdline),
		T(test_pvh_cuts_long_cmdline),
		T(test_pvh_without_cmdline_gives_empty_string),
		T(test_pvh_passes_rsdp_address),
		T(test_pvh_lists_modules),
		T(test_pvh_too_many_modules_sets_truncated),
		T(test_pvh_exactly_max_ranges_is_not_truncated),
		T(test_pvh_too_many_ranges_sets_truncated),
		T(test_pvh_truncated_counts_only_kept_ranges),
		T(test_pvh_ignores_empty_and_wrapping_ranges),
		T(test_pvh_wrong_magic_is_an_error),
		T(test_pvh_version_0_is_an_error),
		T(test_pvh_without_memory_map_is_an_error),
		T(test_null_info_is_an_error),
		T(test_mb2_sorts_memory_map_by_base),
		T(test_mb2_copies_cmdline),
		T(test_mb2_cuts_long_cmdline),
		T(test_mb2_unterminated_cmdline_stops_at_tag_end),
		T(test_mb2_old_acpi_tag_gives_rsdp_copy),
		T(test_mb2_new_acpi_tag_wins_when_first),
		T(test_mb2_new_acpi_tag_wins_when_last),
		T(test_mb2_lists_modules),
		T(test_mb2_too_many_ranges_sets_truncated),
		T(test_mb2_mmap_honours_larger_entry_size),
		T(test_mb2_mmap_entry_size_below_24_is_ignored),
		T(test_mb2_mmap_huge_entry_size_reads_nothing),
		T(test_mb2_ignores_empty_and_wrapping_ranges),
		T(test_mb2_mmap_with_no_valid_range_is_an_error),
		T(test_mb2_without_mmap_tag_is_an_error),
		T(test_mb2_skips_unknown_tags),
		T(test_mb2_stops_at_end_tag),
		T(test_mb2_total_size_below_16_is_an_error),
		T(test_mb2_total_size_above_1_mib_is_an_error),
		T(test_mb2_tag_smaller_than_its_header_is_an_error),
		T(test_mb2_tag_running_past_total_size_is_an_error),
		T(test_mb2_total_size_bounds_the_tag_walk),
	};

	return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
