/*
 * getentropy: random bytes from the CPU. RDSEED (the conditioned entropy
 * source) where CPUID lists it, else RDRAND (a DRBG the CPU reseeds from
 * it), each retried a few times as Intel advises (they fail when drained).
 * A CPU with neither (QEMU's default TCG CPU) gets the fallback: the TSC
 * read around busy loops, whose jitter is the only entropy, mixed with
 * SplitMix64's finaliser into a running state. It is unpredictable enough
 * for hash seeds and newlib's arc4random, which reads getentropy, but it
 * is NOT a cryptographic source: see which one a machine uses with
 * libc_entropy_source().
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <pith/time.h>
#include "libc.h"

#define GETENTROPY_MAX	256	/* bytes per call (OpenBSD's and glibc's limit) */
#define HW_RETRIES	10
#define CPUID1_ECX_RDRAND	(1u << 30)
#define CPUID7_EBX_RDSEED	(1u << 18)

enum source { SRC_UNKNOWN, SRC_RDSEED, SRC_RDRAND, SRC_TSC };

static enum source source;
static uint64_t mix_state;

static enum source probe(void)
{
	unsigned a, b, c, d;

	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & CPUID7_EBX_RDSEED))
		return SRC_RDSEED;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & CPUID1_ECX_RDRAND))
		return SRC_RDRAND;
	return SRC_TSC;
}

static uint64_t splitmix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* 64 bits from the TSC's jitter around short busy loops. */
static uint64_t tsc_word(void)
{
	for (int i = 0; i < 8; i++) {
		uint64_t t = __builtin_ia32_rdtsc();
		for (volatile int spin = 0; spin < (int)(t & 63); spin++)
			;
		mix_state = splitmix(mix_state + 0x9e3779b97f4a7c15ull + t + b_time_ns());
	}
	return mix_state;
}

static int hw_word(uint64_t *out)
{
	unsigned long long v;

	for (int i = 0; i < HW_RETRIES; i++) {
		unsigned char ok;
		if (source == SRC_RDSEED)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok) {
			*out = v;
			return 1;
		}
		__asm__ volatile("pause");
	}
	return 0;
}

const char *libc_entropy_source(void)
{
	if (source == SRC_UNKNOWN)
		source = probe();
	return source == SRC_RDSEED ? "rdseed" : source == SRC_RDRAND ? "rdrand" : "tsc";
}

int getentropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	if (len > GETENTROPY_MAX)
		return libc_errno(EIO);
	libc_entropy_source();
	while (len) {
		uint64_t w;
		size_t n = len < sizeof(w) ? len : sizeof(w);

		if (source == SRC_TSC || !hw_word(&w))
			w = tsc_word();		/* also when the CPU's source runs dry */
		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
	return 0;
}
