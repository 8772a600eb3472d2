/*
 * The one way into Pith. PVH loaders (QEMU -kernel, Firecracker, Cloud
 * Hypervisor) and Multiboot2 loaders (GRUB) both enter start32 in 32-bit
 * protected mode with paging off: PVH with EBX -> hvm_start_info, Multiboot2
 * with EAX = 0x36d76289 and EBX -> boot information. We keep both registers,
 * clear BSS, map the first GiB with 2 MiB pages, enter long mode and call
 * kmain(magic, info). kmain builds the real page tables.
 */
#include "../../param.h"
#include "longmode.h"

#define MB2_MAGIC	0xe85250d6	/* Multiboot2 spec §3.1.2 */
#define MB2_ARCH_I386	0
#define XEN_ELFNOTE_PHYS32_ENTRY 18	/* xen/include/public/elfnote.h */
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080
#define CPUID_LM	(1 << 29)	/* CPUID 0x80000001 EDX: long mode */
#define COM1		0x3f8

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.short 0, 0			/* end tag: type 0, flags 0, size 8 */
	.long 8
mb2_header_end:

	.section .note.pvh, "a", @note
	.balign 4
	.long 4				/* name size: "Xen\0" */
	.long 8				/* descriptor: 64-bit entry address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad start32
	.balign 4

	.data
	.globl boot_magic, boot_info, boot_tsc0
boot_magic:	.long 0
boot_info:	.long 0
	.balign 8
boot_tsc0:	.quad 0			/* TSC at the first instruction: the timeline's zero */

	.section .text.boot, "ax"
	.code32
	.globl start32
start32:
	cli
	mov %eax, boot_magic
	mov %ebx, boot_info
	rdtsc
	mov %eax, boot_tsc0
	mov %edx, boot_tsc0 + 4

	/* BSS holds the page tables and stack below: zero it first. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov $boot_stack_top, %esp

	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_LM, %edx
	jz no_long_mode

	/* PML4[0] -> PDPT[0] -> PD: 512 x 2 MiB = the first GiB. */
	mov $boot_pdpt + (PTE_P | PTE_W), %eax
	mov %eax, boot_pml4
	mov $boot_pd + (PTE_P | PTE_W), %eax
	mov %eax, boot_pdpt
	mov $boot_pd, %edi
	mov $(PTE_P | PTE_W | PTE_PS), %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	ENTER_LONG_MODE $boot_pml4
	lgdt gdt_pointer
	ljmp $0x08, $start64

/* Say why we stop, on COM1, and halt: a 32-bit CPU cannot run Pith. */
no_long_mode:
	mov $msg_no_lm, %esi
2:	lodsb
	test %al, %al
	jz 3f
	mov $COM1, %dx
	out %al, %dx
	jmp 2b
3:	hlt
	jmp 3b

	.code64
start64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp			/* a zero frame pointer ends stack traces */
	mov boot_magic, %edi
	mov boot_info, %esi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .rodata
msg_no_lm:
	.asciz "Pith needs a 64-bit (long mode) CPU\r\n"

	.bss
	.balign 4096
	.globl boot_pml4, boot_stack_guard, boot_stack_top
boot_pml4:	.space 4096
boot_pdpt:	.space 4096
boot_pd:	.space 4096
boot_stack_guard:			/* unmapped by paging_init: overflow faults */
	.space 4096
boot_stack:	.space BOOT_STACK_SIZE
boot_stack_top:
