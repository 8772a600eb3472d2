/* FPU, SSE and AVX state for programs (fpu.c). */
#ifndef PITH_FPU_H
#define PITH_FPU_H

#include <stdint.h>

struct fpu_info {
	const char *save_insn;	/* "xsavec", "xsaveopt", "xsave" or "fxsave" */
	uint32_t save_size;	/* bytes one saved state takes */
	uint64_t xcr0;		/* state components enabled (0 without XSAVE) */
};

extern struct fpu_info fpu_info;

/* Enables x87/SSE, and AVX/AVX-512 state where present; chooses the save
 * instruction. The kernel itself never touches these registers. */
void fpu_init(void);
void fpu_print(void);
/* Saves or restores every enabled component at area (64-byte aligned,
 * fpu_info.save_size bytes), in the standard format. */
void fpu_save(void *area);
void fpu_restore(const void *area);

#endif
