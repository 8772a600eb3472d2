/*
 * Reads the PVH start_info or the Multiboot2 information structure. Both
 * come from outside the kernel: every count is capped, every tag size is
 * checked against the space left, and strings are copied with a bound.
 * Addresses are physical, identity-mapped (and plain pointers in host tests).
 */
#include <stddef.h>
#include "bootinfo.h"
#include "string.h"

/* hvm_start_info, version 1 (start_info.h). */
struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

/* Multiboot2 spec §3.6: tags, 8-byte aligned, after an 8-byte header. */
#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_MODULE		3
#define MB2_TAG_MMAP		6
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15
#define MB2_INFO_MAX		(1u << 20)	/* larger is not a real loader's */
#define PVH_MEMMAP_MAX		4096		/* entries: more is not a real loader's */

struct mb2_tag {
	uint32_t type, size;
};

static void *phys(uint64_t a) { return (void *)(uintptr_t)a; }

static void copy_cmdline(struct bootinfo *bi, const char *s, size_t max)
{
	size_t n = strnlen(s, max < CMDLINE_MAX - 1 ? max : CMDLINE_MAX - 1);
	memcpy(bi->cmdline, s, n);
	bi->cmdline[n] = '\0';
}

static void add_range(struct bootinfo *bi, uint64_t base, uint64_t size, uint32_t type)
{
	unsigned i;

	if (size == 0 || base + size < base)
		return;
	if (bi->nranges == MAX_MEM_RANGES) {
		bi->truncated = true;
		return;
	}
	/* Insertion keeps the list sorted by base; loaders rarely send it unsorted. */
	for (i = bi->nranges; i > 0 && bi->ranges[i - 1].base > base; i--)
		bi->ranges[i] = bi->ranges[i - 1];
	bi->ranges[i] = (struct mem_range){ base, size, type };
	bi->nranges++;
}

static void add_module(struct bootinfo *bi, uint64_t base, uint64_t size)
{
	if (bi->nmodules == MAX_MODULES) {
		bi->truncated = true;
		return;
	}
	bi->modules[bi->nmodules++] = (struct boot_module){ base, size };
}

static int parse_pvh(const struct pvh_start_info *si, struct bootinfo *bi)
{
	bi->protocol = "pvh";
	if (si->magic != PVH_START_MAGIC)
		return -1;
	if (si->cmdline_paddr)
		copy_cmdline(bi, phys(si->cmdline_paddr), CMDLINE_MAX);
	bi->rsdp = si->rsdp_paddr;
	for (uint32_t i = 0; si->modlist_paddr && i < si->nr_modules && i <= MAX_MODULES; i++) {
		const struct pvh_module *m = (const struct pvh_module *)phys(si->modlist_paddr) + i;
		add_module(bi, m->paddr, m->size);
	}
	if (si->version < 1 || !si->memmap_paddr)
		return -1;	/* version 0 has no memory map and we need one */
	/* Walk every entry up to a sane bound: empty ones are skipped, so
	 * stopping at MAX_MEM_RANGES + 1 could drop a range unannounced. */
	for (uint32_t i = 0; i < si->memmap_entries && i < PVH_MEMMAP_MAX; i++) {
		const struct pvh_memmap_entry *e =
			(const struct pvh_memmap_entry *)phys(si->memmap_paddr) + i;
		add_range(bi, e->addr, e->size, e->type);
	}
	return 0;
}

/* Memory-map tag: entry_size, entry_version, then entries (spec §3.6.8). */
static void parse_mb2_mmap(const uint8_t *tag, uint32_t size, struct bootinfo *bi)
{
	uint32_t esize;

	if (size < 16)
		return;
	memcpy(&esize, tag + 8, 4);
	if (esize < 24)
		return;
	for (uint32_t off = 16; esize <= size - off; off += esize) {	/* no wrap */
		uint64_t base, len;
		uint32_t type;
		memcpy(&base, tag + off, 8);
		memcpy(&len, tag + off + 8, 8);
		memcpy(&type, tag + off + 16, 4);
		add_range(bi, base, len, type);
	}
}

static void parse_mb2_tag(const uint8_t *tag, uint32_t type, uint32_t size,
			  struct bootinfo *bi)
{
	uint32_t start, end;

	switch (type) {
	case MB2_TAG_CMDLINE:
		copy_cmdline(bi, (const char *)tag + 8, size - 8);
		break;
	case MB2_TAG_MODULE:
		if (size >= 16) {
			memcpy(&start, tag + 8, 4);
			memcpy(&end, tag + 12, 4);
			if (end > start)
				add_module(bi, start, end - start);
		}
		break;
	case MB2_TAG_MMAP:
		parse_mb2_mmap(tag, size, bi);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* The tag holds a copy of the RSDP; prefer the ACPI 2.0 one. */
		if (size > 8 && (type == MB2_TAG_ACPI_NEW || !bi->rsdp)) {
			size_t n = size - 8 < sizeof(bi->rsdp_copy) ? size - 8 : sizeof(bi->rsdp_copy);
			memset(bi->rsdp_copy, 0, sizeof(bi->rsdp_copy));
			memcpy(bi->rsdp_copy, tag + 8, n);
			bi->rsdp = (uintptr_t)bi->rsdp_copy;
		}
		break;
	}
}

static int parse_mb2(const uint8_t *info, struct bootinfo *bi)
{
	uint32_t total, off = 8;
	bool found_mmap = false;

	bi->protocol = "multiboot2";
	memcpy(&total, info, 4);
	if (total < 16 || total > MB2_INFO_MAX)
		return -1;
	while (off + 8 <= total) {
		struct mb2_tag t;
		memcpy(&t, info + off, 8);
		if (t.type == MB2_TAG_END)
			break;
		if (t.size < 8 || t.size > total - off)
			return -1;
		parse_mb2_tag(info + off, t.type, t.size, bi);
		found_mmap |= t.type == MB2_TAG_MMAP;
		off += (t.size + 7) & ~7u;
	}
	return found_mmap && bi->nranges ? 0 : -1;
}

int bootinfo_parse(uint32_t magic, uint64_t info, struct bootinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->protocol = "unknown";
	if (!info)
		return -1;
	if (magic == MB2_BOOT_MAGIC)
		return parse_mb2(phys(info), bi);
	return parse_pvh(phys(info), bi);
}
