/*
 * multi: several drives at once, each with its own image. Drives are told
 * apart by the seed in their first word, so the test holds whatever order
 * the transport finds them in; then reads interleave over the drives and
 * run on every core at once.
 */
#include "../common/out.h"
#include "blktest.h"

/* Which image drive holds, by the seed in its first word; checks its size,
 * every sector and the end. Returns the drive's size, 0 on failure. */
static uint64_t identify(unsigned drive, struct image *img, unsigned n)
{
	struct b_nvs_info info;
	uint64_t seed;
	long r;
	unsigned p;

	if (!info_of(drive, &info))
		return 0;
	print_info(drive, &info);
	arm(1, 0);
	r = b_nvs_read(target(0), 0, 1, drive);
	if (!expect("b_nvs_read(sector 0)", r, 1))
		return 0;
	seed = *(uint64_t *)target(0) >> 48;
	for (p = 0; p < n && (img[p].found || img[p].seed != seed); p++)
		;
	if (p == n) {
		why_str("sector 0 starts with ");
		why_hex(*(uint64_t *)target(0));
		why_str(", no image's or an image seen twice");
		return 0;
	}
	img[p].found = true;
	layouts[drive].seed = seed;
	out_str("blktest: drive ");
	out_u64(drive);
	out_str(" is image ");
	out_u64(p);
	out_str(" seed ");
	out_u64(seed);
	out_str("\n");
	if (!expect("b_nvs_info.sectors", (long)info.sectors, (long)img[p].sectors))
		return 0;
	return info.sectors;
}

/* Reads turn by turn over the drives: no drive's state leaks into another's. */
static void test_interleaved(unsigned n, const uint64_t *sizes)
{
	bool ok = true;

	for (unsigned i = 0; ok && i < 200; i++) {
		unsigned d = i % n;
		uint64_t count = 1 + rnd(sizes[d] < 9 ? sizes[d] : 9);

		ok = read_ok(d, rnd(sizes[d] - count + 1), count, 0);
	}
	check("multi-interleaved", ok);
}

void run_multi(struct image *img, unsigned n)
{
	uint64_t sizes[B_NVS_MAX];
	unsigned count = b_nvs_count(), usable = 0;

	check("multi-count", expect("b_nvs_count()", count, n));
	for (unsigned d = 0; d < count && d < B_NVS_MAX; d++) {
		uint64_t sectors = identify(d, img, n), ns;
		bool ok = sectors > 0;

		if (ok) {
			ok = whole_disk_ok(d, sectors, &ns) &&
			     expect("b_nvs_read(past the end)",
				    b_nvs_read(target(0), sectors, 1, d), B_ERANGE);
		}
		check(named("multi-drive-", d, 0, 0), ok);
		sizes[d] = sectors;
		usable += ok;
	}
	if (usable != count || count != n) {
		check("multi-interleaved", false);
		check("multi-parallel", false);
		return;
	}
	rng_state = 1;
	test_interleaved(n, sizes);
	test_parallel("multi-parallel", n, sizes);
}
