/* The cores: starting them and finding them (smp.c). */
#ifndef PITH_SMP_H
#define PITH_SMP_H

#include <stdint.h>
#include "arch/x86_64/percpu.h"
#include "drivers/platform.h"

/* Starts every core the platform lists; each enters wq_core_loop(). Cores
 * that do not arrive in time are reported, and the rest go on. */
void smp_boot(const struct platform *p);
unsigned smp_cores(void);			/* cores online, boot core included */
struct cpu *smp_cpu(unsigned index);		/* NULL unless that core is online */
void smp_print(void);

#endif
