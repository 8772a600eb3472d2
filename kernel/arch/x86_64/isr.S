/*
 * Interrupt entry stubs. Each pushes an error code (the CPU's, or 0 where
 * the vector has none, SDM vol. 3A table 6-1) and its vector number, then
 * isr_common saves every general register into a struct trapframe
 * (trap.h) and calls trap(frame). isr_stubs[] lists the stubs by vector.
 */
#include "../../param.h"

.macro STUB n
isr\n:
	.if (\n == 8) | (\n == 10) | (\n == 11) | (\n == 12) | (\n == 13) | (\n == 14) | (\n == 17) | (\n == 21) | (\n == 29) | (\n == 30)
	.else
	push $0
	.endif
	push $\n
	jmp isr_common
.endm

	.text
	.globl isr_spurious
isr_spurious:			/* LAPIC spurious vector: no EOI, nothing to do */
	iretq

isr_common:
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
	mov %rsp, %rdi
	cld
	call trap
	pop %rax
	pop %rbx
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	add $16, %rsp			/* vector and error code */
	iretq

	.altmacro
.macro STUBS from, to
	STUB %from
	.if \to-\from
	STUBS %(from+1), \to
	.endif
.endm
	STUBS 0, 63

.macro STUB_ADDR n
	.quad isr\n
.endm
.macro STUB_ADDRS from, to
	STUB_ADDR %from
	.if \to-\from
	STUB_ADDRS %(from+1), \to
	.endif
.endm
	.section .rodata
	.balign 8
	.globl isr_stubs
isr_stubs:
	STUB_ADDRS 0, 63

	.if NUM_ISR_STUBS - 64
	.error "isr.S makes stubs 0..63: keep NUM_ISR_STUBS in param.h in step"
	.endif
