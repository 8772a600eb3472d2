/*
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the
 * one's complement sum of the data taken as big-endian 16-bit words.
 *
 * cksum_add accumulates into a 32-bit sum that callers chain across
 * pieces (pseudo-header, header, payload); cksum_fold folds the carries
 * and complements. A piece of odd length is padded with a zero byte
 * (RFC 1071 §1), so only the last piece of a chain may be odd.
 *
 * Speed: eight bytes at a time into a 64-bit accumulator (RFC 1071 §2(B):
 * the sum is independent of the word size), folded back to 32 bits.
 */
#include "net_impl.h"

static uint64_t load64be(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* The sum of len bytes as 16-bit words, carries not yet folded. */
static uint64_t sum_words(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v = load64be(p);

		/* add the four 16-bit words of v without losing carries */
		sum += (v >> 32) + (v & 0xffffffffu);
	}
	for (; len >= 2; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint32_t cksum_add(uint32_t sum, const void *data, size_t len)
{
	uint64_t s = sum + sum_words(data, len);

	/* end-around carry, RFC 1071 §1: fold 64 -> 32 bits */
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 768 and RFC 9293 §3.1: source, destination, zero, protocol, length. */
uint32_t cksum_pseudo(net_ip4 src, net_ip4 dst, uint8_t proto, uint16_t len)
{
	uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);

	return sum + proto + len;
}
