/* Binary search over the sorted table tools/ksyms.sh generates. */
#include <stddef.h>
#include "ksyms.h"
#include "memlayout.h"

extern const uint32_t ksyms_count;
extern const uint32_t ksyms_addr[];	/* ascending */
extern const uint32_t ksyms_name[];	/* offsets into ksyms_str */
extern const char ksyms_str[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;

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
	return ksyms_str + ksyms_name[lo];
}
