/*
 * What the loader told us, copied out of its structures at the start of
 * kmain (they may sit in RAM the kernel later reuses): the protocol, the
 * memory map, the command line, the ACPI RSDP and any modules.
 */
#ifndef PITH_BOOTINFO_H
#define PITH_BOOTINFO_H

#include <stdint.h>
#include <stdbool.h>
#include "param.h"

/* Entry-register values (PVH: xen/include/public/arch-x86/hvm/start_info.h;
 * Multiboot2 spec §3.2 "Machine state"). */
#define PVH_START_MAGIC		0x336ec578u
#define MB2_BOOT_MAGIC		0x36d76289u

/* Memory-range types, the E820 numbering used by both protocols. */
#define MEM_USABLE		1
#define MEM_RESERVED		2
#define MEM_ACPI		3
#define MEM_NVS			4

struct mem_range {
	uint64_t base, size;
	uint32_t type;
};

struct boot_module {
	uint64_t base, size;
};

struct bootinfo {
	const char *protocol;		/* "pvh" or "multiboot2" */
	char cmdline[CMDLINE_MAX];
	uint64_t rsdp;			/* 0: the loader gave none */
	uint8_t rsdp_copy[36];		/* multiboot2 passes the RSDP itself, not its address */
	unsigned nranges;
	struct mem_range ranges[MAX_MEM_RANGES];	/* sorted by base */
	unsigned nmodules;
	struct boot_module modules[MAX_MODULES];
	bool truncated;			/* a list was longer than the limits above */
};

/* Fills bi from the entry registers; returns 0, or -1 when magic matches no
 * protocol or the structure is malformed (bi->protocol says which failed). */
int bootinfo_parse(uint32_t magic, uint64_t info, struct bootinfo *bi);

#endif
