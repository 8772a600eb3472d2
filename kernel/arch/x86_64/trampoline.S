/*
 * Where application processors start (SDM vol. 3A §8.4.4). A STARTUP IPI
 * starts a core in real mode at vector << 12, so smp.c copies this code to
 * TRAMPOLINE_BASE (below 1 MiB) before sending it. The code therefore
 * addresses its own data as TRAMPOLINE_BASE + (label - trampoline_start).
 * It goes real -> protected -> long mode on the boot core's page tables,
 * takes an arrival number with one atomic add, loads that core's stack and
 * calls ap_main(number). Kernel symbols are reached by absolute address:
 * the kernel is identity-mapped below 4 GiB.
 */
#include "../../param.h"
#include "../../memlayout.h"
#include "longmode.h"

#define REL(x)		(TRAMPOLINE_BASE + (x) - trampoline_start)
#define CR0_PE		0x1
#define CR0_NW_CD	0x60000000	/* INIT sets both: caches off (SDM table 9-1) */

	.section .rodata
	.globl trampoline_start, trampoline_end, trampoline_cr3
	.code16
trampoline_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl REL(tramp_gdt_ptr)
	mov %cr0, %eax
	and $~CR0_NW_CD, %eax		/* caches on, as on the boot core */
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $0x08, $REL(tramp32)

	.code32
tramp32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	ENTER_LONG_MODE REL(trampoline_cr3)
	ljmp $0x18, $REL(tramp64)

	.code64
tramp64:
	mov $1, %eax
	lock xadd %eax, ap_arrivals	/* eax = this core's arrival number */
	cmp ap_stacks_count, %eax
	jae 2f				/* more cores than stacks: stay parked */
	mov ap_stacks(, %rax, 8), %rsp
	xor %ebp, %ebp
	mov %eax, %edi
	movabs $ap_main, %rax
	push $0				/* a zero return address ends stack traces */
	jmp *%rax
2:	cli
	hlt
	jmp 2b

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long REL(tramp_gdt)
trampoline_cr3:
	.long 0				/* smp.c writes the page-table root here */
trampoline_end:
