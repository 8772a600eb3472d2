/*
 * Running a task so that a fault in it can be undone.
 *
 *   int task_call(void (*fn)(void *), void *arg, struct task_jmp *j)
 *
 * saves the callee-saved registers, the stack pointer and the return address
 * in j, calls fn(arg) and returns 0. If fn faults, the fault reporter makes
 * the CPU return into task_resume(j) instead of the faulting instruction,
 * and task_call returns 1 to its caller with its stack as it was. Layout of
 * struct task_jmp (percpu.h): rbx rbp r12 r13 r14 r15 rsp rip.
 */
	.text
	.globl task_call, task_resume
task_call:
	mov %rbx, 0(%rdx)
	mov %rbp, 8(%rdx)
	mov %r12, 16(%rdx)
	mov %r13, 24(%rdx)
	mov %r14, 32(%rdx)
	mov %r15, 40(%rdx)
	lea 8(%rsp), %rax		/* rsp once task_call has returned */
	mov %rax, 48(%rdx)
	mov (%rsp), %rax
	mov %rax, 56(%rdx)
	mov %rdi, %rax
	mov %rsi, %rdi
	sub $8, %rsp			/* the SysV ABI wants rsp 16-aligned at a call */
	call *%rax
	add $8, %rsp
	xor %eax, %eax
	ret

task_resume:
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	mov $1, %eax
	jmp *56(%rdi)
