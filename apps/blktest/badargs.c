/*
 * badargs: drive 0 read-write, drive 1 read-only. Every bad argument gets
 * the error docs/API.md gives it, in the documented order when several
 * are wrong at once; the buffer aimed at and its guards keep every byte,
 * the images too (the host checks), and reads work afterwards.
 */
#include "blktest.h"

#define ARMED		4	/* sectors of the target the bad calls aim at */
#define NONCANONICAL	((void *)0x8000000000000000ull)
#define PAST_RAM	((void *)(1ull << 40))	/* 1 TiB: no RAM there */
#define KERNEL		((void *)0x100000)	/* the kernel image's start */
#define LAPIC		((void *)0xfee00000)	/* MMIO, mapped, not RAM */
#define RAM_END		(128ull << 20)		/* test_blk.py boots with 128 MiB */

static void test_bad_drive(void *mem, unsigned count)
{
	struct b_nvs_info info;
	struct b_nvs_stats st;
	bool ok;

	ok = expect("b_nvs_read(drive b_nvs_count())", b_nvs_read(mem, 0, 1, count), B_ENODEV);
	ok &= expect("b_nvs_read(drive 99)", b_nvs_read(mem, 0, 1, 99), B_ENODEV);
	ok &= expect("b_nvs_write(drive 99)", b_nvs_write(mem, 0, 1, 99), B_ENODEV);
	ok &= expect("b_nvs_write(drive b_nvs_count())", b_nvs_write(mem, 0, 1, count), B_ENODEV);
	ok &= expect("b_nvs_flush(99)", b_nvs_flush(99), B_ENODEV);
	ok &= expect("b_nvs_info(99)", b_nvs_info(99, &info), B_ENODEV);
	ok &= expect("b_nvs_stats(99)", b_nvs_stats(99, &st), B_ENODEV);
	ok &= expect("b_nvs_info(-1)", b_nvs_info(~0u, &info), B_ENODEV);
	check("bad-drive", ok);
}

static void test_bad_range(void *mem, uint64_t n)
{
	bool ok;

	ok = expect("b_nvs_read(start = sectors)", b_nvs_read(mem, n, 1, 0), B_ERANGE);
	ok &= expect("b_nvs_read(start = sectors + 5)", b_nvs_read(mem, n + 5, 1, 0), B_ERANGE);
	ok &= expect("b_nvs_write(start = sectors)", b_nvs_write(mem, n, 1, 0), B_ERANGE);
	check("bad-start-past-end", ok);
	ok = expect("b_nvs_read(last sector, count 2)", b_nvs_read(mem, n - 1, 2, 0), B_ERANGE);
	ok &= expect("b_nvs_read(sectors - 3, count 4)", b_nvs_read(mem, n - 3, 4, 0), B_ERANGE);
	ok &= expect("b_nvs_write(last sector, count 2)", b_nvs_write(mem, n - 1, 2, 0), B_ERANGE);
	check("bad-end-past-end", ok);
	ok = expect("b_nvs_read(count 0)", b_nvs_read(mem, 0, 0, 0), B_EINVAL);
	ok &= expect("b_nvs_write(count 0)", b_nvs_write(mem, 0, 0, 0), B_EINVAL);
	check("bad-count-zero", ok);
}

/* Counts so large that start + count or count * 4096 wraps: the range is
 * checked before the buffer's extent (docs/API.md), so B_ERANGE. */
static void test_bad_huge(void *mem, uint64_t n)
{
	bool ok;

	ok = expect("b_nvs_read(count 1<<40)", b_nvs_read(mem, 0, 1ull << 40, 0), B_ERANGE);
	ok &= expect("b_nvs_write(count 1<<40)", b_nvs_write(mem, 0, 1ull << 40, 0), B_ERANGE);
	ok &= expect("b_nvs_read(count 1<<52)", b_nvs_read(mem, 0, 1ull << 52, 0), B_ERANGE);
	check("bad-count-huge", ok);
	ok = expect("b_nvs_read(start UINT64_MAX)", b_nvs_read(mem, UINT64_MAX, 1, 0), B_ERANGE);
	ok &= expect("b_nvs_read(start 1, count UINT64_MAX)",
		     b_nvs_read(mem, 1, UINT64_MAX, 0), B_ERANGE);
	ok &= expect("b_nvs_read(start + count wraps to 1)",
		     b_nvs_read(mem, n - 1, UINT64_MAX - n + 3, 0), B_ERANGE);
	ok &= expect("b_nvs_write(start + count wraps to 0)",
		     b_nvs_write(mem, 2, UINT64_MAX - 1, 0), B_ERANGE);
	check("bad-range-wraps", ok);
}

/* Several things wrong at once: the first in the documented order wins
 * (drive, NULL or misaligned buffer, count 0, range, buffer not in RAM,
 * read-only). */
static void test_bad_order(uint8_t *mem, uint64_t n, unsigned count)
{
	bool ok;

	ok = expect("b_nvs_read(NULL, past end, count 0, drive 99)",
		    b_nvs_read(0, n, 0, 99), B_ENODEV);
	ok &= expect("b_nvs_read(mem + 8, past end, count 0)", b_nvs_read(mem + 8, n, 0, 0), B_EFAULT);
	ok &= expect("b_nvs_read(past end, count 0)", b_nvs_read(mem, n, 0, 0), B_EINVAL);
	ok &= expect("b_nvs_read(1 TiB, past end)", b_nvs_read(PAST_RAM, n, 1, 0), B_ERANGE);
	ok &= expect("b_nvs_write(1 TiB, past end, read-only)",
		     b_nvs_write(PAST_RAM, n, 1, 1), B_ERANGE);
	ok &= expect("b_nvs_write(1 TiB, read-only)", b_nvs_write(PAST_RAM, 0, 1, 1), B_EFAULT);
	ok &= expect("b_nvs_write(NULL, drive count)", b_nvs_write(0, 0, 1, count), B_ENODEV);
	check("bad-order", ok);
}

static void test_bad_buffer(uint8_t *mem)
{
	void *top = (void *)(UINTPTR_MAX & ~(uintptr_t)(B_NVS_ALIGN - 1));
	bool ok;

	ok = expect("b_nvs_read(NULL)", b_nvs_read(0, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_write(NULL)", b_nvs_write(0, 0, 1, 0), B_EFAULT);
	check("bad-null-buffer", ok);
	ok = expect("b_nvs_read(mem + 8)", b_nvs_read(mem + 8, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(mem + 1)", b_nvs_read(mem + 1, 0, 2, 0), B_EFAULT);
	ok &= expect("b_nvs_write(mem + 8)", b_nvs_write(mem + 8, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(mem + 4)", b_nvs_read(mem + 4, 0, 1, 1), B_EFAULT);
	check("bad-misaligned-buffer", ok);
	ok = expect("b_nvs_read(non-canonical)", b_nvs_read(NONCANONICAL, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(buffer wrapping the address space)", b_nvs_read(top, 0, 2, 0), B_EFAULT);
	ok &= expect("b_nvs_read(1 TiB, past RAM)", b_nvs_read(PAST_RAM, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_write(1 TiB, past RAM)", b_nvs_write(PAST_RAM, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(the kernel at 1 MiB)", b_nvs_read(KERNEL, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(the LAPIC)", b_nvs_read(LAPIC, 0, 1, 0), B_EFAULT);
	ok &= expect("b_nvs_read(across the end of RAM)",
		     b_nvs_read((void *)(RAM_END - SECTOR), 0, 2, 0), B_EFAULT);
	check("bad-impossible-buffer", ok);
}

/* A sector of constants in the program's read-only data: a write may send
 * it (the device only reads it), so the pointer check passes it and the
 * read-only drive is what refuses. */
static const uint8_t const_sector[SECTOR] __attribute__((aligned(16))) = { 'P', 'i', 't', 'h' };

static void test_ro_write(void *mem)
{
	bool ok;

	ok = expect("b_nvs_write(read-only drive)", b_nvs_write(mem, 0, 1, 1), B_EROFS);
	ok &= expect("b_nvs_write(read-only drive, from .rodata)",
		     b_nvs_write(const_sector, 0, 1, 1), B_EROFS);
	ok &= expect("b_nvs_write(read-only drive, 4 sectors)", b_nvs_write(mem, 1, 4, 1), B_EROFS);
	check("bad-write-read-only", ok);
}

/* A valid read request on drive 0, then one thing made wrong. */
static int submit_bad(uint8_t op, void *mem, uint64_t start, uint32_t count, unsigned drive)
{
	reqs[0] = (struct b_nvs_req){
		.op = op, .mem = mem, .start = start, .count = count, .user = tag(0),
	};
	return b_nvs_submit(&reqs[0], drive);
}

static void test_bad_async(uint8_t *mem, uint64_t n, unsigned count)
{
	struct b_nvs_req *done[4];
	int r;
	bool ok;

	ok = expect("b_nvs_submit(NULL)", b_nvs_submit(0, 0), B_EFAULT);
	ok &= expect("count 0", submit_bad(B_NVS_READ, mem, 0, 0, 0), B_EINVAL);
	ok &= expect("count B_NVS_REQ_MAX + 1",
		     submit_bad(B_NVS_READ, mem, 0, B_NVS_REQ_MAX + 1, 0), B_EINVAL);
	ok &= expect("count 1<<31", submit_bad(B_NVS_READ, mem, 0, 1u << 31, 0), B_EINVAL);
	ok &= expect("op 7", submit_bad(7, mem, 0, 1, 0), B_EINVAL);
	ok &= expect("flush with count 1", submit_bad(B_NVS_FLUSH, 0, 0, 1, 0), B_EINVAL);
	ok &= expect("NULL mem", submit_bad(B_NVS_READ, 0, 0, 1, 0), B_EFAULT);
	ok &= expect("mem + 8", submit_bad(B_NVS_READ, mem + 8, 0, 1, 0), B_EFAULT);
	ok &= expect("write from mem + 8", submit_bad(B_NVS_WRITE, mem + 8, 0, 1, 0), B_EFAULT);
	ok &= expect("start = sectors", submit_bad(B_NVS_READ, mem, n, 1, 0), B_ERANGE);
	ok &= expect("last sector, count 2", submit_bad(B_NVS_READ, mem, n - 1, 2, 0), B_ERANGE);
	ok &= expect("start UINT64_MAX", submit_bad(B_NVS_READ, mem, UINT64_MAX, 1, 0), B_ERANGE);
	ok &= expect("drive 99", submit_bad(B_NVS_READ, mem, 0, 1, 99), B_ENODEV);
	ok &= expect("drive b_nvs_count()", submit_bad(B_NVS_READ, mem, 0, 1, count), B_ENODEV);
	ok &= expect("write to the read-only drive", submit_bad(B_NVS_WRITE, mem, 0, 1, 1), B_EROFS);
	ok &= expect("b_nvs_complete(drive 0) after refused submits", b_nvs_complete(done, 4, 0), 0);
	ok &= expect("b_nvs_complete(drive 1) after refused submits", b_nvs_complete(done, 4, 1), 0);
	ok &= expect("b_nvs_complete(max 0)", b_nvs_complete(done, 0, 0), 0);
	r = b_nvs_complete(done, 4, 99);
	ok &= expect2("b_nvs_complete(drive 99)", r, 0, B_ENODEV);
	check("bad-async", ok);
}

/* NULL where the driver writes a struct: documented nowhere but in the
 * convention (API.md: bad pointers get B_EFAULT). Last: a fault here stops
 * the machine. */
static void test_null_out(void)
{
	bool ok;

	ok = expect("b_nvs_info(0, NULL)", b_nvs_info(0, 0), B_EFAULT);
	ok &= expect("b_nvs_stats(0, NULL)", b_nvs_stats(0, 0), B_EFAULT);
	ok &= expect("b_nvs_complete(NULL)", b_nvs_complete(0, 4, 0), B_EFAULT);
	check("bad-null-out", ok);
}

void run_badargs(void)
{
	struct b_nvs_stats a0, a1, b0, b1;
	unsigned count = b_nvs_count();
	uint64_t n0, n1;
	bool ok;

	check("drive-count", expect("b_nvs_count()", count, 2));
	n0 = open_drive(0, false);
	n1 = open_drive(1, true);
	if (n0 < 4 || n1 < 4 || !snapshot(0, &a0) || !snapshot(1, &a1))
		return;
	arm(ARMED, 0);
	test_bad_drive(target(0), count);
	test_bad_range(target(0), n0);
	test_bad_huge(target(0), n0);
	test_bad_buffer(target(0));
	test_bad_order(target(0), n0, count);
	test_ro_write(target(0));
	test_bad_async(target(0), n0, count);
	ok = all64(target(0), POISON, ARMED * SECTOR, "the target") && guards_ok(ARMED, 0);
	check("bad-nothing-touched", ok);
	ok = read_ok(0, 0, ARMED, 0) && read_ok(0, n0 - ARMED, ARMED, 0) &&
	     read_ok(1, n1 - ARMED, ARMED, 0);
	check("read-after-bad-arguments", ok);
	if (!stats_of(0, &b0) || !stats_of(1, &b1)) {
		check("bad-stats", false);
		return;
	}
	/* read_ok counted 3 calls of ARMED sectors: 2 on drive 0, 1 on drive 1 */
	check_stats("bad-stats-0", &a0, &b0, 2 * ARMED, 0, 2);
	check_stats("bad-stats-1", &a1, &b1, ARMED, 0, 1);
	test_null_out();
}
