/*
 * Per-core data. Each core's GS base points at its struct cpu, whose first
 * field points at itself, so this_cpu() is one instruction on any core and
 * needs no table lookup or lock. The boot core's struct is static (it is
 * needed before any allocator); the others come from mem.c in smp_boot().
 */
#ifndef PITH_PERCPU_H
#define PITH_PERCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "../../param.h"

/* 64-bit TSS (SDM vol. 3A §7.7): used only for the IST fault stack. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

/* What task_call (task.S) saves so a faulting task can be abandoned. */
struct task_jmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

struct cpu {
	struct cpu *self;		/* %gs:0 */
	unsigned index;			/* 0 = boot core; others in order of arrival */
	uint32_t apic_id;
	uint64_t gdt[5];		/* own GDT: a TSS descriptor is marked busy per core */
	struct tss tss;
	uint64_t stack_top;		/* kernel stack; a guard page lies below it */
	uint64_t fault_stack_top;	/* IST1 */
	volatile bool online;		/* set by the core itself once it polls the queue */
	bool reporting;			/* in the fault reporter: a second fault is fatal */

	/* work queue (kernel/wq.c) */
	struct task_jmp *task_jmp;	/* set while a task or program runs: where a fault returns */
	unsigned task_depth;		/* queued tasks running on this core (nested) */
	void (*task_fn)(void *);	/* the running task, for fault reports */
	const char *program;		/* the running program's name, for fault reports */
	bool in_callback;		/* in a program's interrupt callback (irq.c) */
	void (*volatile mail_fn)(void *);	/* SMP_SET: this core's next task */
	void *volatile mail_arg;
	uint64_t tasks_run, tasks_failed;
	uint64_t busy_tsc, idle_tsc;	/* TSC ticks spent in tasks / polling or asleep */
};

extern struct cpu boot_cpu;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Points GS at c (c->self = c) on the calling core. */
void percpu_set(struct cpu *c);

#endif
