/*
 * Programs may use x87, SSE and AVX; the kernel (built with
 * -mgeneral-regs-only) does not. This file turns the state on (SDM vol. 1
 * §13.1-13.3) and picks the instruction that will save it when a program
 * must be interrupted: XSAVEC (compact, smallest) over XSAVEOPT over XSAVE,
 * and FXSAVE where there is no XSAVE.
 */
#include "fpu.h"
#include "cpu.h"
#include "../../printf.h"

#define CPUID1_XSAVE	(1u << 26)	/* CPUID 1 ECX */
#define CPUID1_AVX	(1u << 28)
#define XCR0_X87	(1u << 0)
#define XCR0_SSE	(1u << 1)
#define XCR0_AVX	(1u << 2)
#define XCR0_AVX512	(7u << 5)	/* opmask, ZMM_Hi256, Hi16_ZMM: all or none */
#define XSAVE_XSAVEOPT	(1u << 0)	/* CPUID (0xd, 1) EAX */
#define XSAVE_XSAVEC	(1u << 1)
#define FXSAVE_SIZE	512

struct fpu_info fpu_info;

static void xsave_init(void)
{
	struct cpuid d = cpuid(0xd, 0);
	uint64_t supported = d.a | (uint64_t)d.d << 32;
	uint64_t xcr0 = XCR0_X87 | XCR0_SSE;
	uint32_t opt = cpuid(0xd, 1).a;

	write_cr4(read_cr4() | CR4_OSXSAVE);
	if ((cpuid(1, 0).c & CPUID1_AVX) && (supported & XCR0_AVX))
		xcr0 |= XCR0_AVX;
	if ((xcr0 & XCR0_AVX) && (supported & XCR0_AVX512) == XCR0_AVX512)
		xcr0 |= XCR0_AVX512;
	xsetbv(0, xcr0);
	fpu_info.xcr0 = xcr0;
	fpu_info.save_size = cpuid(0xd, 0).b;	/* for the components now enabled */
	fpu_info.save_insn = opt & XSAVE_XSAVEC ? "xsavec" :
			     opt & XSAVE_XSAVEOPT ? "xsaveopt" : "xsave";
}

void fpu_init(void)
{
	write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	fpu_info = (struct fpu_info){ "fxsave", FXSAVE_SIZE, 0 };
	if (cpuid(1, 0).c & CPUID1_XSAVE)
		xsave_init();
	__asm__ volatile("fninit");
}

void fpu_print(void)
{
	kprintf("fpu    %s %u bytes: x87 sse%s%s\n", fpu_info.save_insn,
		fpu_info.save_size, fpu_info.xcr0 & XCR0_AVX ? " avx" : "",
		fpu_info.xcr0 & XCR0_AVX512 ? " avx512" : "");
}

/* XSAVE with every enabled component (EDX:EAX all ones), else FXSAVE. The
 * standard (not compacted) format: what XRSTOR reads back without XSAVEC's
 * bookkeeping. */
void fpu_save(void *area)
{
	if (fpu_info.xcr0)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (fpu_info.xcr0)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}
