/*
 * The step both 32-bit entry paths share (the boot core's in entry.S, the
 * other cores' in trampoline.S): turn on PAE, load the page-table root,
 * set EFER.LME and enable paging, which activates long mode (SDM vol. 3A
 * §9.8.5). A far jump to a 64-bit code segment must follow.
 */
#ifndef PITH_LONGMODE_H
#define PITH_LONGMODE_H

#define CR4_PAE		0x20
#define EFER_MSR	0xc0000080
#define EFER_LME	0x100
#define CR0_PE_PG	0x80000001

/* cr3: an operand holding the PML4's physical address (clobbers eax, ecx, edx). */
.macro ENTER_LONG_MODE cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov \cr3, %eax
	mov %eax, %cr3
	mov $EFER_MSR, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PE_PG, %eax
	mov %eax, %cr0
.endm

#endif
