/*
 * Each function raises one exception on purpose, so tests can check what
 * the fault reporter prints. noinline keeps each a frame of its own, with a
 * name the stack trace must show.
 */
#include <stdint.h>
#include "faultinject.h"
#include "string.h"

#define NOINLINE __attribute__((noinline))

static volatile int keep_going = 1;	/* hides the endless recursion from the compiler */

static NOINLINE void fault_de(void)
{
	__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
}

static NOINLINE void fault_ud(void)
{
	__asm__ volatile("ud2");
}

/* A non-canonical address: #GP, not #PF (SDM vol. 3A §3.3.7.1). */
static NOINLINE void fault_gp(void)
{
	__asm__ volatile("movabs $0x8000000000000000, %%rax; mov (%%rax), %%rax" : : : "rax");
}

/* Page 0 is unmapped so that NULL dereferences fault. */
static NOINLINE void fault_pf(void)
{
	__asm__ volatile("mov 8, %%rax" : : : "rax");
}

static NOINLINE unsigned fault_stack_recurse(unsigned depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	if (keep_going)
		return fault_stack_recurse(depth + 1) + frame[0];
	return frame[0];
}

int fault_inject(const char *name)
{
	static const struct {
		const char *name;
		void (*raise)(void);
	} faults[] = {
		{ "de", fault_de }, { "ud", fault_ud }, { "gp", fault_gp }, { "pf", fault_pf },
	};

	if (!strcmp(name, "stack"))
		return (int)fault_stack_recurse(0);
	for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (!strcmp(name, faults[i].name)) {
			faults[i].raise();
			return 0;
		}
	}
	return -1;
}
