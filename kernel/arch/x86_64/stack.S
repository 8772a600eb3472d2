/*
 * call_on_stack(fn, argc, argv, stack_top): calls fn(argc, argv) with rsp
 * at stack_top (16-byte aligned there, as the SysV ABI wants at a call),
 * then returns fn's value on the caller's own stack. rbx keeps the
 * caller's rsp: it is callee-saved, so fn leaves it as it found it. A
 * fault in fn never returns here: task_resume restores the stack instead.
 */
	.text
	.globl call_on_stack
call_on_stack:
	push %rbx
	mov %rsp, %rbx
	mov %rcx, %rsp
	and $-16, %rsp
	mov %rdi, %rax
	mov %esi, %edi
	mov %rdx, %rsi
	call *%rax
	mov %rbx, %rsp
	pop %rbx
	ret
