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

void gdt_init(void);		/* GDT with a TSS whose IST1 is the fault stack */
void idt_init(void);		/* every vector we use, then lidt */
void trap(struct trapframe *f);	/* called by isr.S */
void fault_report(struct trapframe *f) __attribute__((noreturn));

/* Prints "0x<addr> <symbol+off>" lines from rbp up; stops at bad frames. */
void backtrace(uint64_t rip, uint64_t rbp);

#endif
