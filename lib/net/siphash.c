/*
 * SipHash-2-4 (J.-P. Aumasson, D. J. Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed 64-bit hash, used for RFC 6528 initial
 * sequence numbers and anything else an attacker must not predict.
 *
 * Paper §2: the key is two little-endian 64-bit words k0, k1; the message
 * is taken in little-endian 64-bit words, the last one holding the left
 * over bytes and, in its top byte, the length mod 256. Two SipRounds per
 * word (c = 2), four at the end (d = 4).
 */
#include "net_impl.h"

#define SIP_C	2	/* compression rounds */
#define SIP_D	4	/* finalization rounds */

struct sip {
	uint64_t v0, v1, v2, v3;
};

static uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

static uint64_t load64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Paper §2, Figure 2: one SipRound. */
static void sipround(struct sip *s)
{
	s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static void compress(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	for (int i = 0; i < SIP_C; i++)
		sipround(s);
	s->v0 ^= m;
}

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = load64le(key), k1 = load64le(key + 8), last;
	/* Paper §2, initialization: "somepseudorandomlygeneratedbytes" */
	struct sip s = {
		k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull,
	};
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		compress(&s, load64le(p + i));
	last = (uint64_t)(len & 0xff) << 56;
	for (size_t j = 0; i + j < len; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	compress(&s, last);
	s.v2 ^= 0xff;
	for (int r = 0; r < SIP_D; r++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
