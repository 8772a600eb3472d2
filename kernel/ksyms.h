/*
 * The kernel's own symbol table, so fault reports name functions. The
 * build links the kernel twice: the second time with a table generated
 * (tools/ksyms.sh) from the first link's function addresses.
 */
#ifndef PITH_KSYMS_H
#define PITH_KSYMS_H

#include <stdint.h>

/* The function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif
