/*
 * ELF64 program images (kernel/elf.c). Images are built byte by byte in
 * heap buffers of exactly their length (ASan catches a read past the end);
 * the program area is a 64 KiB mapping with an inaccessible page on each
 * side, so a write outside it faults, and it is filled with a canary so
 * a write inside it but outside [lo, hi) shows.
 *
 * Two valid images, each refusal test changing one field of one of them:
 *
 *   EXEC (0x230 bytes; A is the area's address):
 *	0x000 ELF header, 0x040 two program headers
 *	0x100 text, 16 bytes	-> A + 0x100, R X
 *	0x200 data, 32 bytes	-> A + 0x1200, RW, 0x100 bytes in memory
 *	0x220 16 bytes no segment holds (as section headers would be)
 *   PIE (0x500 bytes, loaded at A, so the bias is A):
 *	0x000 ELF header, 0x040 three program headers (room for a fourth)
 *	0x180 three Elf64_Rela	} first PT_LOAD: file 0..0x300 -> 0..0x300, R X
 *	0x200 code, 16 bytes	}
 *	0x400 dynamic section	} second PT_LOAD: file 0x400..0x500 ->
 *	0x440 data		}   0x1400..0x1600, RW (0x100 bytes of bss)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <pith/error.h>
#include "elf.h"

#define PAGE		4096u
#define AREA_SIZE	(16 * PAGE)
#define CANARY		0xa5

/* gABI ch. 4 "ELF Header": Elf64_Ehdr field offsets and values. */
#define EHDR_SIZE	64
#define EH_CLASS	4
#define EH_DATA		5
#define EH_IDVERSION	6
#define EH_TYPE		16
#define EH_MACHINE	18
#define EH_VERSION	20
#define EH_ENTRY	24
#define EH_PHOFF	32
#define EH_EHSIZE	52
#define EH_PHENTSIZE	54
#define EH_PHNUM	56
#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62
/* gABI ch. 5 "Program Header": Elf64_Phdr field offsets and values. */
#define PHDR_SIZE	56
#define PH_TYPE		0
#define PH_FLAGS	4
#define PH_OFFSET	8
#define PH_VADDR	16
#define PH_FILESZ	32
#define PH_MEMSZ	40
#define PH_ALIGN	48
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PF_X		1
#define PF_W		2
#define PF_R		4
/* gABI ch. 5 "Dynamic Section": d_tag values; Elf64_Dyn is 16 bytes. */
#define DT_NULL		0
#define DT_NEEDED	1
#define DT_RELA		7
#define DT_RELASZ	8
#define DT_RELAENT	9
#define DT_REL		17
/* x86-64 psABI §4.4.1: relocation types; Elf64_Rela is 24 bytes. */
#define RELA_SIZE	24
#define R_X86_64_NONE	 0
#define R_X86_64_64	 1
#define R_X86_64_RELATIVE 8

/* The two images' layouts (the header comment draws them). */
#define EXEC_LEN	0x230
#define EXEC_TEXT	0x100
#define EXEC_DATA	0x200
#define EXEC_DATA_AT	0x1200
#define PIE_LEN		0x500
#define PIE_RELA	0x180
#define PIE_CODE	0x200
#define PIE_DYN		0x400
#define PIE_DATA_AT	0x1400

static uint8_t *area;		/* AREA_SIZE bytes between two guard pages */
static uint64_t area_at;	/* its address as elf.c sees it */

struct image {
	uint8_t *b;
	size_t len;
};

static struct image image_new(size_t len)
{
	struct image im = { malloc(len ? len : 1), len };

	assert_non_null(im.b);
	memset(im.b, 0, len);
	return im;
}

/* Little-endian, n bytes at off: the only way the tests write fields. */
static void put(struct image *im, size_t off, uint64_t v, unsigned n)
{
	assert_true(off + n <= im->len);
	for (unsigned i = 0; i < n; i++)
		im->b[off + i] = (uint8_t)(v >> (8 * i));
}

static void ehdr(struct image *im, uint16_t type, uint64_t entry, uint16_t phnum)
{
	static const uint8_t ident[8] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };

	memcpy(im->b, ident, sizeof(ident));
	put(im, EH_TYPE, type, 2);
	put(im, EH_MACHINE, EM_X86_64, 2);
	put(im, EH_VERSION, 1, 4);
	put(im, EH_ENTRY, entry, 8);
	put(im, EH_PHOFF, EHDR_SIZE, 8);
	put(im, EH_EHSIZE, EHDR_SIZE, 2);
	put(im, EH_PHENTSIZE, PHDR_SIZE, 2);
	put(im, EH_PHNUM, phnum, 2);
}

/* Sets one field of program header i (type and flags are 4 bytes). */
static void ph_set(struct image *im, unsigned i, unsigned field, uint64_t v)
{
	put(im, EHDR_SIZE + i * PHDR_SIZE + field, v, field < PH_OFFSET ? 4 : 8);
}

static void phdr(struct image *im, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		 uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	ph_set(im, i, PH_TYPE, type);
	ph_set(im, i, PH_FLAGS, flags);
	ph_set(im, i, PH_OFFSET, off);
	ph_set(im, i, PH_VADDR, vaddr);
	ph_set(im, i, PH_FILESZ, filesz);
	ph_set(im, i, PH_MEMSZ, memsz);
	ph_set(im, i, PH_ALIGN, align);
}

static void dyn(struct image *im, unsigned i, uint64_t tag, uint64_t val)
{
	put(im, PIE_DYN + 16 * i, tag, 8);
	put(im, PIE_DYN + 16 * i + 8, val, 8);
}

static void rela(struct image *im, size_t at, uint64_t offset, uint64_t info, uint64_t addend)
{
	put(im, at, offset, 8);
	put(im, at + 8, info, 8);
	put(im, at + 16, addend, 8);
}

static void fill(struct image *im, size_t off, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		im->b[off + i] = (uint8_t)(seed + 7 * i);
}

static struct image make_exec(void)
{
	struct image im = image_new(EXEC_LEN);

	ehdr(&im, ET_EXEC, area_at + EXEC_TEXT, 2);
	phdr(&im, 0, PT_LOAD, PF_R | PF_X, EXEC_TEXT, area_at + EXEC_TEXT, 16, 16, PAGE);
	phdr(&im, 1, PT_LOAD, PF_R | PF_W, EXEC_DATA, area_at + EXEC_DATA_AT, 32, 0x100, PAGE);
	fill(&im, EXEC_TEXT, 16, 0x11);
	fill(&im, EXEC_DATA, 32, 0x22);
	fill(&im, 0x220, 16, 0x33);
	return im;
}

static struct image make_pie(void)
{
	struct image im = image_new(PIE_LEN);

	ehdr(&im, ET_DYN, PIE_CODE, 3);
	phdr(&im, 0, PT_LOAD, PF_R | PF_X, 0, 0, 0x300, 0x300, PAGE);
	phdr(&im, 1, PT_LOAD, PF_R | PF_W, PIE_DYN, PIE_DATA_AT, 0x100, 0x200, PAGE);
	phdr(&im, 2, PT_DYNAMIC, PF_R | PF_W, PIE_DYN, PIE_DATA_AT, 0x40, 0x40, 8);
	fill(&im, PIE_CODE, 16, 0x44);
	fill(&im, 0x440, 0xc0, 0x55);
	dyn(&im, 0, DT_RELA, PIE_RELA);
	dyn(&im, 1, DT_RELASZ, 3 * RELA_SIZE);
	dyn(&im, 2, DT_RELAENT, RELA_SIZE);
	dyn(&im, 3, DT_NULL, 0);
	rela(&im, PIE_RELA, 0x1480, R_X86_64_RELATIVE, PIE_CODE);
	rela(&im, PIE_RELA + RELA_SIZE, 0x1488, R_X86_64_RELATIVE, PIE_DATA_AT);
	rela(&im, PIE_RELA + 2 * RELA_SIZE, 0x1580, R_X86_64_RELATIVE, 0x10);	/* in bss */
	return im;
}

/* The area after loading: canary outside [lo, hi), zeros inside, then the
 * given file bytes placed at their area offsets. */
static uint8_t *expected_area(const struct elf_image *e)
{
	uint8_t *x = malloc(AREA_SIZE);

	assert_non_null(x);
	memset(x, CANARY, AREA_SIZE);
	memset(x + (e->lo - area_at), 0, e->hi - e->lo);
	return x;
}

/* Compares the whole area with x; names the first differing offset. */
static void assert_area(const uint8_t *x)
{
	for (size_t i = 0; i < AREA_SIZE; i++)
		if (area[i] != x[i])
			fail_msg("area byte 0x%zx is 0x%02x, expected 0x%02x", i, area[i], x[i]);
}

static void check_ok(const struct image *im, struct elf_image *e)
{
	const char *why = "unset";
	int rc;

	memset(area, CANARY, AREA_SIZE);
	rc = elf_check(im->b, im->len, area_at, AREA_SIZE, e, &why);
	if (rc)
		fail_msg("elf_check refused: %s", why);
}

static void load_ok(const struct image *im, struct elf_image *e)
{
	const char *why = "unset";

	check_ok(im, e);
	if (elf_load(im->b, e, &why))
		fail_msg("elf_load refused: %s", why);
}

/* elf_check refuses with exactly this reason and writes nothing. */
static void expect_refused(struct image *im, const char *reason)
{
	struct elf_image e;
	const char *why = NULL;

	memset(area, CANARY, AREA_SIZE);
	assert_int_equal(elf_check(im->b, im->len, area_at, AREA_SIZE, &e, &why), B_ENOEXEC);
	assert_non_null(why);
	assert_string_equal(why, reason);
	for (size_t i = 0; i < AREA_SIZE; i++)
		assert_int_equal(area[i], CANARY);
	free(im->b);
}

static uint64_t rd64(size_t area_off)
{
	uint64_t v;

	memcpy(&v, area + area_off, 8);
	return v;
}

/* ---- valid images ---------------------------------------------------- */

static void test_exec_loads_byte_exact(void **state)
{
	struct image im = make_exec();
	struct elf_image e;
	uint8_t *x;

	(void)state;
	load_ok(&im, &e);
	assert_false(e.pie);
	assert_int_equal(e.bias, 0);
	assert_int_equal(e.entry, area_at + EXEC_TEXT);
	assert_int_equal(e.lo, area_at);
	assert_int_equal(e.hi, area_at + 2 * PAGE);
	assert_int_equal(e.nseg, 2);
	assert_int_equal(e.seg[1].addr, area_at + EXEC_DATA_AT);
	assert_int_equal(e.seg[1].file_off, EXEC_DATA);
	assert_int_equal(e.seg[1].file_size, 32);
	assert_int_equal(e.seg[1].mem_size, 0x100);
	assert_int_equal(e.seg[1].flags, PF_R | PF_W);
	assert_int_equal(e.rela_count, 0);
	x = expected_area(&e);
	memcpy(x + EXEC_TEXT, im.b + EXEC_TEXT, 16);
	memcpy(x + EXEC_DATA_AT, im.b + EXEC_DATA, 32);	/* bss and gaps stay 0 */
	assert_area(x);
	free(x);
	free(im.b);
}

static void test_pie_loads_and_relocates(void **state)
{
	struct image im = make_pie();
	struct elf_image e;
	uint8_t *x;

	(void)state;
	load_ok(&im, &e);
	assert_true(e.pie);
	assert_int_equal(e.bias, area_at);
	assert_int_equal(e.entry, area_at + PIE_CODE);
	assert_int_equal(e.lo, area_at);
	assert_int_equal(e.hi, area_at + 2 * PAGE);
	assert_int_equal(e.seg[1].addr, area_at + PIE_DATA_AT);
	assert_int_equal(e.rela, area_at + PIE_RELA);
	assert_int_equal(e.rela_count, 3);
	x = expected_area(&e);
	memcpy(x, im.b, 0x300);
	memcpy(x + PIE_DATA_AT, im.b + PIE_DYN, 0x100);
	memcpy(x + 0x1480, &(uint64_t){ area_at + PIE_CODE }, 8);	/* B + A */
	memcpy(x + 0x1488, &(uint64_t){ area_at + PIE_DATA_AT }, 8);
	memcpy(x + 0x1580, &(uint64_t){ area_at + 0x10 }, 8);
	assert_area(x);
	free(x);
	free(im.b);
}

/* A negative addend: the value is B + A modulo 2^64. */
static void test_pie_negative_addend(void **state)
{
	struct image im = make_pie();
	struct elf_image e;

	(void)state;
	rela(&im, PIE_RELA, 0x1480, R_X86_64_RELATIVE, (uint64_t)-16);
	load_ok(&im, &e);
	assert_int_equal(rd64(0x1480), area_at - 16);
	free(im.b);
}

static void test_pie_none_relocation_is_skipped(void **state)
{
	struct image im = make_pie();
	struct elf_image e;

	(void)state;
	rela(&im, PIE_RELA + RELA_SIZE, 0x200, R_X86_64_NONE, 0);	/* target ignored */
	load_ok(&im, &e);
	assert_int_equal(memcmp(area + 0x1488, im.b + 0x488, 8), 0);
	assert_int_equal(memcmp(area + PIE_CODE, im.b + PIE_CODE, 16), 0);
	assert_int_equal(rd64(0x1480), area_at + PIE_CODE);
	free(im.b);
}

static void test_pie_without_dynamic_has_no_relocations(void **state)
{
	struct image im = make_pie();
	struct elf_image e;

	(void)state;
	ph_set(&im, 2, PH_TYPE, PT_NOTE);
	load_ok(&im, &e);
	assert_int_equal(e.rela, 0);
	assert_int_equal(e.rela_count, 0);
	assert_int_equal(memcmp(area + 0x1480, im.b + 0x480, 16), 0);	/* not relocated */
	free(im.b);
}

/* Bss running to the area's last byte: the page after it is a guard. */
static void test_pie_filling_the_area_exactly(void **state)
{
	struct image im = make_pie();
	struct elf_image e;

	(void)state;
	ph_set(&im, 1, PH_MEMSZ, AREA_SIZE - PIE_DATA_AT);
	load_ok(&im, &e);
	assert_int_equal(e.hi, area_at + AREA_SIZE);
	assert_int_equal(area[AREA_SIZE - 1], 0);
	assert_int_equal(rd64(0x1580), area_at + 0x10);
	free(im.b);
}

/* The last 8 bytes of a writable segment are a valid target. */
static void test_pie_relocation_at_segment_end(void **state)
{
	struct image im = make_pie();
	struct elf_image e;

	(void)state;
	rela(&im, PIE_RELA, 0x15f8, R_X86_64_RELATIVE, 1);
	load_ok(&im, &e);
	assert_int_equal(rd64(0x15f8), area_at + 1);
	free(im.b);
}

/* Segments that touch but share no byte are fine. */
static void test_adjacent_segments_accepted(void **state)
{
	struct image im = make_exec();
	struct elf_image e;

	(void)state;
	ph_set(&im, 1, PH_OFFSET, EXEC_TEXT + 16);
	ph_set(&im, 1, PH_VADDR, area_at + EXEC_TEXT + 16);
	fill(&im, EXEC_TEXT + 16, 32, 0x66);
	load_ok(&im, &e);
	assert_int_equal(memcmp(area + EXEC_TEXT, im.b + EXEC_TEXT, 48), 0);
	assert_int_equal(e.hi, area_at + PAGE);
	free(im.b);
}

/* An empty PT_LOAD (ld leaves some) inside another's range shares no
 * byte with it; it is kept and writes nothing. */
static void test_empty_segment_overlaps_nothing(void **state)
{
	struct image im = make_exec();
	struct elf_image e;

	(void)state;
	put(&im, EH_PHNUM, 3, 2);
	phdr(&im, 2, PT_LOAD, PF_R, EXEC_DATA + 0x10, area_at + EXEC_DATA_AT + 0x10, 0, 0, PAGE);
	load_ok(&im, &e);
	assert_int_equal(e.nseg, 3);
	assert_int_equal(memcmp(area + EXEC_DATA_AT, im.b + EXEC_DATA, 32), 0);
	ph_set(&im, 2, PH_MEMSZ, 1);	/* one byte: now it overlaps */
	expect_refused(&im, "segments overlap");
}

/* ELF_MAX_SEGMENTS PT_LOADs: n - 1 is taken, loaded; one more is refused. */
static struct image make_many(unsigned n)
{
	struct image im = image_new(EHDR_SIZE + n * PHDR_SIZE + n);

	ehdr(&im, ET_EXEC, area_at, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		size_t off = EHDR_SIZE + n * PHDR_SIZE + i;
		phdr(&im, i, PT_LOAD, PF_R | PF_X, off, area_at + i * 0x100, 1, 0x10, 0);
		im.b[off] = (uint8_t)(0x80 + i);
	}
	return im;
}

static void test_max_segments_load(void **state)
{
	struct image im = make_many(ELF_MAX_SEGMENTS);
	struct elf_image e;

	(void)state;
	load_ok(&im, &e);
	assert_int_equal(e.nseg, ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++) {
		assert_int_equal(area[i * 0x100], 0x80 + i);
		assert_int_equal(area[i * 0x100 + 1], 0);
	}
	free(im.b);
}

static void test_too_many_segments(void **state)
{
	struct image im = make_many(ELF_MAX_SEGMENTS + 1);

	(void)state;
	expect_refused(&im, "too many segments");
}

/* ---- the ELF header -------------------------------------------------- */

static void test_bad_magic(void **state)
{
	struct image im = make_exec();

	(void)state;
	im.b[3] = 'G';
	expect_refused(&im, "not ELF");
}

static void test_bad_class(void **state)
{
	struct image im = make_exec();

	(void)state;
	im.b[EH_CLASS] = 1;		/* ELFCLASS32 */
	expect_refused(&im, "not 64-bit ELF");
}

static void test_bad_endianness(void **state)
{
	struct image im = make_exec();

	(void)state;
	im.b[EH_DATA] = 2;		/* ELFDATA2MSB */
	expect_refused(&im, "not little-endian");
}

static void test_bad_version(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	a.b[EH_IDVERSION] = 0;
	expect_refused(&a, "unknown ELF version");
	put(&b, EH_VERSION, 2, 4);
	expect_refused(&b, "unknown ELF version");
}

static void test_bad_machine(void **state)
{
	struct image im = make_exec();

	(void)state;
	put(&im, EH_MACHINE, 3, 2);	/* EM_386 */
	expect_refused(&im, "not x86-64");
}

static void test_bad_type(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	put(&a, EH_TYPE, 1, 2);		/* ET_REL */
	expect_refused(&a, "not an executable (ET_EXEC or ET_DYN)");
	put(&b, EH_TYPE, 4, 2);		/* ET_CORE */
	expect_refused(&b, "not an executable (ET_EXEC or ET_DYN)");
}

static void test_header_truncated(void **state)
{
	struct image im = make_exec();

	(void)state;
	im.len = EHDR_SIZE - 1;
	expect_refused(&im, "ELF header truncated");
}

static void test_phoff_past_end(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	put(&a, EH_PHOFF, EXEC_LEN - 2 * PHDR_SIZE + 1, 8);	/* the last byte is out */
	expect_refused(&a, "program headers past end of file");
	put(&b, EH_PHOFF, UINT64_MAX - 8, 8);			/* offset + size wraps */
	expect_refused(&b, "program headers past end of file");
}

static void test_phentsize_wrong(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	put(&a, EH_PHENTSIZE, 64, 2);
	expect_refused(&a, "bad program header size");
	put(&b, EH_PHENTSIZE, 0, 2);
	expect_refused(&b, "bad program header size");
}

static void test_phnum_huge(void **state)
{
	struct image im = make_exec();

	(void)state;
	put(&im, EH_PHNUM, 0xffff, 2);	/* PN_XNUM too */
	expect_refused(&im, "program headers past end of file");
}

static void test_no_loadable_segment(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	put(&a, EH_PHNUM, 0, 2);
	expect_refused(&a, "no loadable segment");
	ph_set(&b, 0, PH_TYPE, PT_NOTE);
	ph_set(&b, 1, PH_TYPE, PT_NOTE);
	expect_refused(&b, "no loadable segment");
}

/* ---- segments -------------------------------------------------------- */

static void test_segment_past_end_of_file(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	ph_set(&a, 1, PH_FILESZ, EXEC_LEN - EXEC_DATA + 1);
	ph_set(&a, 1, PH_MEMSZ, 0x1000);
	expect_refused(&a, "segment past end of file");
	ph_set(&b, 1, PH_OFFSET, UINT64_MAX);			/* offset + size wraps */
	expect_refused(&b, "segment past end of file");
}

static void test_filesz_above_memsz(void **state)
{
	struct image im = make_exec();

	(void)state;
	ph_set(&im, 1, PH_MEMSZ, 31);
	expect_refused(&im, "segment file size exceeds memory size");
}

static void test_vaddr_wraps(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	ph_set(&a, 1, PH_ALIGN, 0);
	ph_set(&a, 1, PH_VADDR, UINT64_MAX - 0x7f);		/* + 0x100 wraps */
	expect_refused(&a, "segment address wraps");
	ph_set(&b, 1, PH_ALIGN, 0);
	ph_set(&b, 1, PH_VADDR, UINT64_MAX - 0x100);	/* its page wraps */
	expect_refused(&b, "segment address wraps");
}

static void test_bad_alignment(void **state)
{
	struct image a = make_exec(), b = make_exec();

	(void)state;
	ph_set(&a, 1, PH_ALIGN, 3);
	expect_refused(&a, "bad segment alignment");
	ph_set(&b, 1, PH_VADDR, area_at + EXEC_DATA_AT + 8);	/* != offset mod p_align */
	expect_refused(&b, "bad segment alignment");
}

static void test_exec_outside_the_area(void **state)
{
	struct image a = make_exec(), b = make_exec(), c = make_exec();

	(void)state;
	ph_set(&a, 0, PH_VADDR, area_at - PAGE + EXEC_TEXT);
	expect_refused(&a, "segment outside the area");
	ph_set(&b, 1, PH_VADDR, area_at + AREA_SIZE + EXEC_DATA);
	expect_refused(&b, "segment outside the area");
	/* ends one byte past the area's last page */
	ph_set(&c, 1, PH_VADDR, area_at + AREA_SIZE - PAGE + EXEC_DATA);
	ph_set(&c, 1, PH_MEMSZ, PAGE - EXEC_DATA + 1);
	expect_refused(&c, "segment outside the area");
}

static void test_exec_ending_at_the_area_end(void **state)
{
	struct image im = make_exec();
	struct elf_image e;

	(void)state;
	ph_set(&im, 1, PH_VADDR, area_at + AREA_SIZE - PAGE + EXEC_DATA);
	ph_set(&im, 1, PH_MEMSZ, PAGE - EXEC_DATA);
	load_ok(&im, &e);
	assert_int_equal(e.hi, area_at + AREA_SIZE);
	assert_int_equal(area[AREA_SIZE - 1], 0);
	free(im.b);
}

static void test_pie_larger_than_the_area(void **state)
{
	struct image im = make_pie();

	(void)state;
	ph_set(&im, 1, PH_MEMSZ, AREA_SIZE - PIE_DATA_AT + 1);
	expect_refused(&im, "larger than the program area");
}

static void test_overlapping_segments(void **state)
{
	struct image a = make_exec(), b = make_pie();

	(void)state;
	ph_set(&a, 1, PH_OFFSET, EXEC_TEXT + 8);		/* shares text's last 8 bytes */
	ph_set(&a, 1, PH_VADDR, area_at + EXEC_TEXT + 8);
	expect_refused(&a, "segments overlap");
	ph_set(&b, 1, PH_VADDR, 0x2f0);				/* over the first's end */
	ph_set(&b, 1, PH_ALIGN, 0);
	expect_refused(&b, "segments overlap");
}

static void test_entry_outside_or_not_executable(void **state)
{
	struct image a = make_exec(), b = make_exec(), c = make_exec();

	(void)state;
	put(&a, EH_ENTRY, area_at + EXEC_DATA_AT, 8);		/* RW data */
	expect_refused(&a, "entry not in an executable segment");
	put(&b, EH_ENTRY, area_at + EXEC_TEXT + 16, 8);		/* one past the text */
	expect_refused(&b, "entry not in an executable segment");
	put(&c, EH_ENTRY, 0, 8);
	expect_refused(&c, "entry not in an executable segment");
}

static void test_interpreter_refused(void **state)
{
	struct image im = make_pie();

	(void)state;
	ph_set(&im, 2, PH_TYPE, PT_INTERP);
	expect_refused(&im, "needs a dynamic linker (PT_INTERP)");
}

/* ---- PIE: the dynamic section and relocations ------------------------ */

static void test_two_dynamic_sections(void **state)
{
	struct image im = make_pie();

	(void)state;
	put(&im, EH_PHNUM, 4, 2);
	phdr(&im, 3, PT_DYNAMIC, PF_R | PF_W, PIE_DYN, PIE_DATA_AT, 0x40, 0x40, 8);
	expect_refused(&im, "more than one PT_DYNAMIC");
}

static void test_dynamic_outside_loaded_bytes(void **state)
{
	struct image a = make_pie(), b = make_pie();

	(void)state;
	ph_set(&a, 2, PH_VADDR, 0x1500);			/* in bss: no file bytes */
	expect_refused(&a, "PT_DYNAMIC not inside a loaded segment");
	ph_set(&b, 2, PH_OFFSET, 0x480);			/* not where its vaddr loads from */
	expect_refused(&b, "PT_DYNAMIC not inside a loaded segment");
}

static void test_bad_relaent(void **state)
{
	struct image a = make_pie(), b = make_pie();

	(void)state;
	dyn(&a, 2, DT_RELAENT, 16);
	expect_refused(&a, "bad DT_RELAENT");
	dyn(&b, 2, DT_NULL, 0);					/* missing */
	expect_refused(&b, "bad DT_RELAENT");
}

static void test_relasz_not_a_multiple(void **state)
{
	struct image im = make_pie();

	(void)state;
	dyn(&im, 1, DT_RELASZ, 3 * RELA_SIZE - 2);
	expect_refused(&im, "DT_RELASZ not a multiple of DT_RELAENT");
}

static void test_relasz_without_rela(void **state)
{
	struct image im = make_pie();

	(void)state;
	dyn(&im, 0, DT_RELAENT, RELA_SIZE);
	expect_refused(&im, "DT_RELASZ without DT_RELA");
}

static void test_rela_table_outside_loaded_bytes(void **state)
{
	struct image a = make_pie(), b = make_pie();

	(void)state;
	dyn(&a, 0, DT_RELA, 0x300 - 2 * RELA_SIZE);	/* runs past the first segment */
	expect_refused(&a, "relocation table not inside a loaded segment");
	dyn(&b, 0, DT_RELA, 0x1500);			/* in bss */
	expect_refused(&b, "relocation table not inside a loaded segment");
}

static void test_shared_libraries_and_other_tables_refused(void **state)
{
	struct image a = make_pie(), b = make_pie();

	(void)state;
	dyn(&a, 3, DT_NEEDED, 1);
	expect_refused(&a, "needs shared libraries");
	dyn(&b, 3, DT_REL, PIE_RELA);
	expect_refused(&b, "unsupported relocation table");
}

static void test_unsupported_relocation_type(void **state)
{
	struct image im = make_pie();

	(void)state;
	rela(&im, PIE_RELA + 2 * RELA_SIZE, 0x1580, R_X86_64_64, 0);
	expect_refused(&im, "unsupported relocation type");
}

static void test_relocation_with_symbol(void **state)
{
	struct image im = make_pie();

	(void)state;
	rela(&im, PIE_RELA + RELA_SIZE, 0x1488, (1ull << 32) | R_X86_64_RELATIVE, 0);
	expect_refused(&im, "relocation with a symbol");
}

static void test_relocation_target_outside_writable(void **state)
{
	static const uint64_t targets[] = {
		PIE_CODE,		/* the read-only, executable segment */
		0x15f9,			/* the last 8 bytes run 1 past the segment */
		0x13f8,			/* just before it */
		0x3000,			/* in the area, in no segment */
		UINT64_MAX - 3,		/* + bias wraps */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct image im = make_pie();
		rela(&im, PIE_RELA + RELA_SIZE, targets[i], R_X86_64_RELATIVE, 0);
		expect_refused(&im, "relocation target outside writable segments");
	}
}

/* A relocation that rewrites a later one (the table is in writable
 * memory): elf_check saw the later one sound in the file; elf_load reads
 * it from memory and refuses what it has become, writing only in [lo, hi). */
static void test_load_rechecks_relocations_it_reads(void **state)
{
	struct image im = make_pie();
	struct elf_image e;
	const char *why = NULL;
	uint64_t table = 0x14a0;	/* file 0x4a0, in the RW segment */

	(void)state;
	dyn(&im, 0, DT_RELA, table);
	dyn(&im, 1, DT_RELASZ, 2 * RELA_SIZE);
	rela(&im, 0x4a0, table + RELA_SIZE + 8, R_X86_64_RELATIVE, 1 - area_at);
	rela(&im, 0x4a0 + RELA_SIZE, 0x1480, R_X86_64_RELATIVE, 0);
	check_ok(&im, &e);
	assert_int_equal(elf_load(im.b, &e, &why), B_ENOEXEC);
	assert_string_equal(why, "unsupported relocation type");
	assert_int_equal(rd64(table + RELA_SIZE + 8), R_X86_64_64);	/* B + A = 1 */
	for (size_t i = e.hi - area_at; i < AREA_SIZE; i++)
		assert_int_equal(area[i], CANARY);
	free(im.b);
}

/* ---- the caller's side ----------------------------------------------- */

static void test_unaligned_area_refused(void **state)
{
	struct image im = make_pie();
	struct elf_image e;
	const char *why = NULL;

	(void)state;
	assert_int_equal(elf_check(im.b, im.len, area_at + 8, AREA_SIZE - PAGE, &e, &why),
			 B_ENOEXEC);
	assert_string_equal(why, "bad program area");
	free(im.b);
}

static void test_image_inside_its_own_span(void **state)
{
	struct image im = make_exec();
	struct elf_image e;
	const char *why = NULL;
	uint8_t *copy = area + PAGE + 0x800;	/* inside [lo, hi) = first two pages */

	(void)state;
	memcpy(copy, im.b, im.len);
	assert_int_equal(elf_check(copy, im.len, area_at, AREA_SIZE, &e, &why), B_ENOEXEC);
	assert_string_equal(why, "image overlaps where it loads");
	assert_int_equal(elf_check(area + 2 * PAGE, 0, area_at, AREA_SIZE, &e, &why), B_ENOEXEC);
	assert_string_equal(why, "not ELF");
	memcpy(area + 2 * PAGE, im.b, im.len);	/* just past hi: fine */
	assert_int_equal(elf_check(area + 2 * PAGE, im.len, area_at, AREA_SIZE, &e, &why), 0);
	free(im.b);
}

/* Every prefix of both images, each in a buffer of exactly its length:
 * every prefix that cuts a segment or a header is refused; the EXEC
 * image's last 16 bytes belong to no segment, so cutting there leaves a
 * valid image, which must load the same. */
static void test_truncated_at_every_byte(void **state)
{
	struct image full[2] = { make_exec(), make_pie() };
	size_t needed[2] = { 0x220, PIE_LEN };

	(void)state;
	for (int k = 0; k < 2; k++) {
		for (size_t n = 0; n < full[k].len; n++) {
			struct image cut = image_new(n);
			struct elf_image e;
			const char *why = NULL;
			memcpy(cut.b, full[k].b, n);
			memset(area, CANARY, AREA_SIZE);
			int rc = elf_check(cut.b, n, area_at, AREA_SIZE, &e, &why);
			if (n < needed[k]) {
				assert_int_equal(rc, B_ENOEXEC);
				assert_non_null(why);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(elf_load(cut.b, &e, &why), 0);
				assert_int_equal(memcmp(area + EXEC_DATA_AT, cut.b + EXEC_DATA,
							32), 0);
			}
			free(cut.b);
		}
		free(full[k].b);
	}
}

static int map_area(void **state)
{
	uint8_t *m = mmap(NULL, AREA_SIZE + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	(void)state;
	if (m == MAP_FAILED || mprotect(m + PAGE, AREA_SIZE, PROT_READ | PROT_WRITE))
		return -1;
	area = m + PAGE;
	area_at = (uintptr_t)area;
	return 0;
}

static int unmap_area(void **state)
{
	(void)state;
	return munmap(area - PAGE, AREA_SIZE + 2 * PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_loads_byte_exact),
		cmocka_unit_test(test_pie_loads_and_relocates),
		cmocka_unit_test(test_pie_negative_addend),
		cmocka_unit_test(test_pie_none_relocation_is_skipped),
		cmocka_unit_test(test_pie_without_dynamic_has_no_relocations),
		cmocka_unit_test(test_pie_filling_the_area_exactly),
		cmocka_unit_test(test_pie_relocation_at_segment_end),
		cmocka_unit_test(test_adjacent_segments_accepted),
		cmocka_unit_test(test_empty_segment_overlaps_nothing),
		cmocka_unit_test(test_max_segments_load),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_class),
		cmocka_unit_test(test_bad_endianness),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_bad_machine),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_header_truncated),
		cmocka_unit_test(test_phoff_past_end),
		cmocka_unit_test(test_phentsize_wrong),
		cmocka_unit_test(test_phnum_huge),
		cmocka_unit_test(test_no_loadable_segment),
		cmocka_unit_test(test_segment_past_end_of_file),
		cmocka_unit_test(test_filesz_above_memsz),
		cmocka_unit_test(test_vaddr_wraps),
		cmocka_unit_test(test_bad_alignment),
		cmocka_unit_test(test_exec_outside_the_area),
		cmocka_unit_test(test_exec_ending_at_the_area_end),
		cmocka_unit_test(test_pie_larger_than_the_area),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_entry_outside_or_not_executable),
		cmocka_unit_test(test_interpreter_refused),
		cmocka_unit_test(test_two_dynamic_sections),
		cmocka_unit_test(test_dynamic_outside_loaded_bytes),
		cmocka_unit_test(test_bad_relaent),
		cmocka_unit_test(test_relasz_not_a_multiple),
		cmocka_unit_test(test_relasz_without_rela),
		cmocka_unit_test(test_rela_table_outside_loaded_bytes),
		cmocka_unit_test(test_shared_libraries_and_other_tables_refused),
		cmocka_unit_test(test_unsupported_relocation_type),
		cmocka_unit_test(test_relocation_with_symbol),
		cmocka_unit_test(test_relocation_target_outside_writable),
		cmocka_unit_test(test_load_rechecks_relocations_it_reads),
		cmocka_unit_test(test_unaligned_area_refused),
		cmocka_unit_test(test_image_inside_its_own_span),
		cmocka_unit_test(test_truncated_at_every_byte),
	};
	return cmocka_run_group_tests(tests, map_area, unmap_area);
}
