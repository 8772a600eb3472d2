/*
 * Binary search over the sorted addresses tools/ksyms.sh generates. The
 * names follow in the same order, NUL-separated, with no index: the i-th
 * is found by skipping i of them. Lookups happen only in fault reports,
 * and an index would cost four bytes a function in every image.
 */
#include <stddef.h>
#include "ksyms.h"
#include "memlayout.h"
#include "string.h"

extern const uint32_t ksyms_count;
extern const uint32_t ksyms_addr[];	/* ascending */
extern const char ksyms_str[];		/* ksyms_count names, in address order */

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;
	const char *name;

	if (addr < (uint64_t)__kernel_start || addr >= (uint64_t)__text_end || !hi)
		return NULL;
	while (hi - lo > 1) {		/* invariant: ksyms_addr[lo] <= addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_addr[lo] > addr)
		return NULL;
	*offset = addr - ksyms_addr[lo];
	for (name = ksyms_str; lo > 0; lo--)
		name += strlen(name) + 1;
	return name;
}
