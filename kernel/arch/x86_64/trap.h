/* Interrupts and exceptions: the saved state and the entry points. */
#ifndef PITH_TRAP_H
#define PITH_TRAP_H

#include <stdint.h>

/* Laid out by isr.S (general registers) and the CPU (from rip on). */
struct trapframe {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct cpu;
void gdt_init(struct cpu *c);	/* this core's GDT, with a TSS whose IST1 is its fault stack */
void idt_init(void);		/* fills the shared IDT (boot core), then idt_load() */
void idt_load(void);		/* lidt on the calling core */
void trap(struct trapframe *f);	/* called by isr.S */
/* Reports a CPU exception; returns only when it ended a task (the frame
 * then resumes in task_resume), else powers off. */
void fault_report(struct trapframe *f);

/* Prints "0x<addr> <symbol+off>" lines from rbp up; stops at bad frames. */
void backtrace(uint64_t rip, uint64_t rbp);

#endif
