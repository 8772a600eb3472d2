/*
 * ELF64 program images (elf.h). Everything in the image is input: each
 * field is checked against the bytes really there and the memory the
 * program may occupy before anything is written. elf_check reads the
 * image only, through memcpy into local structs (no alignment is assumed,
 * nothing is read past len), and records what elf_load will write: the
 * segments, already moved by the bias, and the relocation table. Every
 * relocation is checked there too, so a refused image never touches the
 * area; elf_load checks each one again as it applies it, because it reads
 * them from the loaded copy, which earlier relocations may have changed.
 *
 * Specs: System V gABI (ch. 4 "ELF Header", ch. 5 "Program Header" and
 * "Dynamic Section"), x86-64 psABI §4.4 "Relocation". Our own structs:
 * no libc <elf.h> in a freestanding kernel.
 */
#include <pith/error.h>
#include "elf.h"
#include "memlayout.h"
#include "string.h"

/* gABI ch. 4, "ELF Identification": e_ident indexes and values. */
#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
/* gABI ch. 4, "ELF Header": e_type, and e_machine from the registry. */
#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62
/* gABI ch. 5, "Program Header": p_type and p_flags. */
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PF_X		1
#define PF_W		2
/* gABI ch. 5, "Dynamic Section": d_tag (DT_RELR: gABI 2022 draft). */
#define DT_NULL		0
#define DT_NEEDED	1
#define DT_RELA		7
#define DT_RELASZ	8
#define DT_RELAENT	9
#define DT_REL		17
#define DT_JMPREL	23
#define DT_RELR		36
/* x86-64 psABI §4.4.1, "Relocation Types". */
#define R_X86_64_NONE		0
#define R_X86_64_RELATIVE	8

/* rela_ok's target for R_X86_64_NONE: no 8 bytes fit at this address. */
#define NO_TARGET	UINT64_MAX

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;		/* d_un: d_val or d_ptr, both 64 bits */
};

struct elf64_rela {
	uint64_t r_offset, r_info;
	int64_t r_addend;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "gABI Elf64_Ehdr");
_Static_assert(sizeof(struct elf64_phdr) == 56, "gABI Elf64_Phdr");
_Static_assert(sizeof(struct elf64_dyn) == 16, "gABI Elf64_Dyn");
_Static_assert(sizeof(struct elf64_rela) == 24, "gABI Elf64_Rela");

/* What the dynamic section says about relocations (ET_DYN only). */
struct elf_dynamic {
	bool has_rela;
	uint64_t rela, relasz, relaent;
};

static const uint8_t *at(const void *img, uint64_t off)
{
	return (const uint8_t *)img + off;
}

/* [off, off + size) lies inside a file of len bytes, without wrapping. */
static bool in_file(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

/* The segment holding all of [addr, addr + size) with every flag in
 * `flags`, or NULL. Written so that no sum can wrap. */
static const struct elf_segment *seg_holding(const struct elf_image *im, uint64_t addr,
					     uint64_t size, uint32_t flags)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		if ((s->flags & flags) != flags || addr < s->addr)
			continue;
		if (addr - s->addr <= s->mem_size && size <= s->mem_size - (addr - s->addr))
			return s;
	}
	return NULL;
}

/* The file offset of [addr, addr + size) when it lies in the file-backed
 * bytes of one segment (so the loaded copy equals the file), else
 * UINT64_MAX (no file offset can be that). */
static uint64_t file_offset_of(const struct elf_image *im, uint64_t addr, uint64_t size)
{
	const struct elf_segment *s = seg_holding(im, addr, size, 0);

	if (!s || addr - s->addr > s->file_size || size > s->file_size - (addr - s->addr))
		return UINT64_MAX;
	return s->file_off + (addr - s->addr);
}

/* gABI ch. 4: identification, type, machine, and where the program
 * header table is. NULL when fine, else the reason. */
static const char *check_ehdr(const void *img, uint64_t len, struct elf64_ehdr *eh)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (len < sizeof(magic) || memcmp(img, magic, sizeof(magic)))
		return "not ELF";
	if (len < sizeof(*eh))
		return "ELF header truncated";
	memcpy(eh, img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "not 64-bit ELF";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return "unknown ELF version";
	if (eh->e_machine != EM_X86_64)
		return "not x86-64";
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return "not an executable (ET_EXEC or ET_DYN)";
	/* Entries larger than ours would be legal, but no linker makes them. */
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "bad program header size";
	/* phnum <= 0xffff, so the product cannot wrap. PN_XNUM (0xffff, the
	 * real count in section 0) is taken literally: it never fits. */
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), len))
		return "program headers past end of file";
	return NULL;
}

/* One PT_LOAD: its bytes inside the file, its addresses not wrapping,
 * its alignment a power of two with p_vaddr = p_offset modulo it (gABI
 * ch. 5, p_align). Appends it to im->seg, at its unbiased address. */
static const char *take_load(const struct elf64_phdr *ph, uint64_t len, struct elf_image *im)
{
	if (im->nseg == ELF_MAX_SEGMENTS)
		return "too many segments";
	if (!in_file(ph->p_offset, ph->p_filesz, len))
		return "segment past end of file";
	if (ph->p_filesz > ph->p_memsz)
		return "segment file size exceeds memory size";
	if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
		return "segment address wraps";
	if (ph->p_align & (ph->p_align - 1))
		return "bad segment alignment";
	if (ph->p_align > 1 && ((ph->p_vaddr - ph->p_offset) & (ph->p_align - 1)))
		return "bad segment alignment";
	im->seg[im->nseg++] = (struct elf_segment){
		.file_off = ph->p_offset, .file_size = ph->p_filesz,
		.addr = ph->p_vaddr, .mem_size = ph->p_memsz, .flags = ph->p_flags,
	};
	return NULL;
}

/* Walks the program header table: the PT_LOADs into im, the PT_DYNAMIC
 * (at most one) into *dyn (p_type stays 0 when there is none). Programs
 * that need an interpreter are refused: there is no dynamic linker. */
static const char *walk_phdrs(const void *img, uint64_t len, const struct elf64_ehdr *eh,
			      struct elf_image *im, struct elf64_phdr *dyn)
{
	struct elf64_phdr ph;
	const char *why;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, at(img, eh->e_phoff + (uint64_t)i * sizeof(ph)), sizeof(ph));
		if (ph.p_type == PT_LOAD && (why = take_load(&ph, len, im)))
			return why;
		if (ph.p_type == PT_INTERP)
			return "needs a dynamic linker (PT_INTERP)";
		if (ph.p_type == PT_DYNAMIC && dyn->p_type == PT_DYNAMIC)
			return "more than one PT_DYNAMIC";
		if (ph.p_type == PT_DYNAMIC)
			*dyn = ph;
	}
	return im->nseg ? NULL : "no loadable segment";
}

/* Chooses the bias (ET_DYN: the lowest segment's page at area; ET_EXEC:
 * none), moves the segments by it and checks the page-aligned span
 * [lo, hi) lies inside the area. The area must be page-aligned, so a
 * PIE's segments keep the page alignment the ABI promises them. */
static const char *place(struct elf_image *im, uint64_t area, uint64_t area_size)
{
	uint64_t lo = UINT64_MAX, end = 0;

	if (area % PAGE_SIZE || area_size > UINT64_MAX - area)
		return "bad program area";
	for (unsigned i = 0; i < im->nseg; i++) {
		if (im->seg[i].addr < lo)
			lo = im->seg[i].addr;
		if (im->seg[i].addr + im->seg[i].mem_size > end)
			end = im->seg[i].addr + im->seg[i].mem_size;
	}
	if (end > UINT64_MAX - (PAGE_SIZE - 1))
		return "segment address wraps";
	lo = align_down(lo, PAGE_SIZE);
	end = align_up(end, PAGE_SIZE);
	if (im->pie && end - lo > area_size)
		return "larger than the program area";
	im->bias = im->pie ? area - lo : 0;
	im->lo = lo + im->bias;
	im->hi = end + im->bias;
	if (im->lo < area || im->hi - area > area_size)
		return "segment outside the area";
	for (unsigned i = 0; i < im->nseg; i++)
		im->seg[i].addr += im->bias;
	return NULL;
}

/* No two segments share a byte: each then writes only its own range.
 * An empty one (ld leaves some) shares none. */
static const char *check_overlap(const struct elf_image *im)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *a = &im->seg[i];
		for (unsigned j = i + 1; j < im->nseg; j++) {
			const struct elf_segment *b = &im->seg[j];
			if (a->mem_size && b->mem_size && a->addr < b->addr + b->mem_size &&
			    b->addr < a->addr + a->mem_size)
				return "segments overlap";
		}
	}
	return NULL;
}

/* Reads the PT_DYNAMIC entries up to DT_NULL into *d. The section must be
 * the file-backed bytes of a loaded segment, as the program sees it. */
static const char *read_dynamic(const void *img, const struct elf_image *im,
				const struct elf64_phdr *ph, struct elf_dynamic *d)
{
	uint64_t off = file_offset_of(im, ph->p_vaddr + im->bias, ph->p_filesz);
	struct elf64_dyn e;

	if (off == UINT64_MAX || off != ph->p_offset)
		return "PT_DYNAMIC not inside a loaded segment";
	for (uint64_t i = 0; i < ph->p_filesz / sizeof(e); i++) {
		memcpy(&e, at(img, off + i * sizeof(e)), sizeof(e));
		if (e.d_tag == DT_NULL)
			break;
		if (e.d_tag == DT_NEEDED)
			return "needs shared libraries";
		if (e.d_tag == DT_REL || e.d_tag == DT_JMPREL || e.d_tag == DT_RELR)
			return "unsupported relocation table";
		if (e.d_tag == DT_RELA) {
			d->has_rela = true;
			d->rela = e.d_val;
		}
		if (e.d_tag == DT_RELASZ)
			d->relasz = e.d_val;
		if (e.d_tag == DT_RELAENT)
			d->relaent = e.d_val;
	}
	return NULL;
}

/* One relocation, as elf_load will apply it: R_X86_64_NONE (a linker
 * may leave some in a table it sized too large), or R_X86_64_RELATIVE
 * with no symbol and its 8-byte target inside a writable segment. Sets *target
 * to the absolute address to write, NO_TARGET for R_X86_64_NONE. */
static const char *rela_ok(const struct elf_image *im, const struct elf64_rela *r,
			   uint64_t *target)
{
	uint32_t type = (uint32_t)r->r_info;	/* psABI: ELF64_R_TYPE, low 32 bits */

	*target = NO_TARGET;
	if (type == R_X86_64_NONE)
		return NULL;
	if (type != R_X86_64_RELATIVE)
		return "unsupported relocation type";
	if (r->r_info >> 32)			/* ELF64_R_SYM */
		return "relocation with a symbol";
	*target = r->r_offset + im->bias;
	if (!seg_holding(im, *target, sizeof(uint64_t), PF_W))
		return "relocation target outside writable segments";
	return NULL;
}

/* The relocation table: entries of Elf64_Rela's size, a whole number of
 * them, inside a segment's file-backed bytes; every entry acceptable. */
static const char *check_relocs(const void *img, struct elf_image *im,
				const struct elf_dynamic *d)
{
	struct elf64_rela r;
	uint64_t off, target;
	const char *why;

	if (!d->has_rela && !d->relasz)
		return NULL;
	if (d->relaent != sizeof(r))
		return "bad DT_RELAENT";
	if (d->relasz % sizeof(r))
		return "DT_RELASZ not a multiple of DT_RELAENT";
	if (!d->has_rela)
		return "DT_RELASZ without DT_RELA";
	if (!d->relasz)
		return NULL;
	off = file_offset_of(im, d->rela + im->bias, d->relasz);
	if (off == UINT64_MAX)
		return "relocation table not inside a loaded segment";
	im->rela = d->rela + im->bias;
	im->rela_count = d->relasz / sizeof(r);
	for (uint64_t i = 0; i < im->rela_count; i++) {
		memcpy(&r, at(img, off + i * sizeof(r)), sizeof(r));
		if ((why = rela_ok(im, &r, &target)))
			return why;
	}
	return NULL;
}

/* The checks in the order each one's inputs become trustworthy. */
static const char *check(const void *img, uint64_t len, uint64_t area, uint64_t area_size,
			 struct elf_image *im)
{
	struct elf64_ehdr eh;
	struct elf64_phdr dyn = { 0 };
	struct elf_dynamic d = { 0 };
	const char *why;
	uint64_t base = (uintptr_t)img;

	memset(im, 0, sizeof(*im));
	if ((why = check_ehdr(img, len, &eh)))
		return why;
	im->pie = eh.e_type == ET_DYN;
	if ((why = walk_phdrs(img, len, &eh, im, &dyn)))
		return why;
	if ((why = place(im, area, area_size)) || (why = check_overlap(im)))
		return why;
	if (base < im->hi && im->lo < base + len)
		return "image overlaps where it loads";
	im->entry = eh.e_entry + im->bias;
	if (!seg_holding(im, im->entry, 1, PF_X))
		return "entry not in an executable segment";
	if (!im->pie || dyn.p_type != PT_DYNAMIC)
		return NULL;
	if ((why = read_dynamic(img, im, &dyn, &d)))
		return why;
	return check_relocs(img, im, &d);
}

int elf_check(const void *img, uint64_t len, uint64_t area, uint64_t area_size,
	      struct elf_image *out, const char **why)
{
	const char *reason = check(img, len, area, area_size, out);

	if (!reason)
		return 0;
	if (why)
		*why = reason;
	return B_ENOEXEC;
}

/* Applies the relocations, reading each from the loaded table. */
static const char *relocate(const struct elf_image *im)
{
	struct elf64_rela r;
	uint64_t target, value;
	const char *why;

	for (uint64_t i = 0; i < im->rela_count; i++) {
		memcpy(&r, (const void *)(uintptr_t)(im->rela + i * sizeof(r)), sizeof(r));
		if ((why = rela_ok(im, &r, &target)))
			return why;
		if (target == NO_TARGET)
			continue;
		value = im->bias + (uint64_t)r.r_addend;	/* psABI: B + A */
		memcpy((void *)(uintptr_t)target, &value, sizeof(value));
	}
	return NULL;
}

int elf_load(const void *img, const struct elf_image *im, const char **why)
{
	const char *reason;

	/* Zeroing the whole span first covers bss and the gaps in one call. */
	memset((void *)(uintptr_t)im->lo, 0, im->hi - im->lo);
	for (unsigned i = 0; i < im->nseg; i++)
		memcpy((void *)(uintptr_t)im->seg[i].addr, at(img, im->seg[i].file_off),
		       im->seg[i].file_size);
	reason = relocate(im);
	if (!reason)
		return 0;
	if (why)
		*why = reason;
	return B_ENOEXEC;
}
