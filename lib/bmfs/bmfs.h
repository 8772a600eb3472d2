/*
 * BMFS, BareMetal's file system (Version 1), and the library over it.
 *
 * The one home of the on-disk format: the kernel, lib/bmfs/bmfs.c and the
 * host tool tools/bmfs all take it from here. The format is the one in
 * ReturnInfinity/BMFS "BareMetal File System.md", Version 1 ([BMFS1]
 * below), as BareMetal's own bmfs utility (v1.2.4, [UTIL]) writes it:
 *
 *   block 0 (2 MiB, reserved)          byte offset
 *     legacy MBR                        0 .. 511
 *     free                              512 .. 1023
 *     disk information: "BMFS" tag      1024 .. 1535
 *     free                              1536 .. 4095
 *     directory: 64 records of 64 bytes 4096 .. 8191
 *     free (a boot loader may live here) 8192 ..
 *   blocks 1 .. n-2                    file data, each file contiguous
 *   block n-1 (last whole block)       reserved ("copy of block 0")
 *
 * The disk's size is not recorded on it: it is the device's size, in whole
 * 2 MiB blocks. All numbers are little-endian (x86-64).
 *
 * The library is plain C over a sector callback: no allocation, no libc
 * beyond memcpy/memset/memcmp (which a freestanding compiler may call
 * anyway), so the kernel and the host build the same file. Every field
 * read from the disk is checked before it is used; a record that fails a
 * check can be listed and deleted, never read or written.
 */
#ifndef PITH_LIB_BMFS_H
#define PITH_LIB_BMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the on-disk format -------------------------------------------------- */

/* [BMFS1 "Blocks"]: the disk is divided into 2 MiB blocks. */
#define BMFS_BLOCK_SIZE		(2u * 1024 * 1024)
/* Pith's storage unit (include/pith/nvs.h B_NVS_SECTOR); every offset below
 * is a multiple of it or lies inside sector 0. */
#define BMFS_SECTOR_SIZE	4096u
#define BMFS_SECTORS_PER_BLOCK	(BMFS_BLOCK_SIZE / BMFS_SECTOR_SIZE)

/* [BMFS1 "Disk layout"] block 0: "BMFS marker (512B)" after the MBR and
 * 512 free bytes; [UTIL] format writes "BMFS" there, NUL-padded. */
#define BMFS_TAG_OFFSET		1024u
#define BMFS_TAG_AREA		512u
#define BMFS_TAG		"BMFS"
#define BMFS_TAG_LEN		4u

/* [BMFS1 "Directory"]: 4096 bytes from sector 8 (of 512 bytes), that is
 * byte 4096, which is Pith's sector 1; at most 64 records of 64 bytes. */
#define BMFS_DIR_OFFSET		4096u
#define BMFS_DIR_SIZE		4096u
#define BMFS_DIR_SECTOR		(BMFS_DIR_OFFSET / BMFS_SECTOR_SIZE)
#define BMFS_RECORD_SIZE	64u
#define BMFS_MAX_FILES		(BMFS_DIR_SIZE / BMFS_RECORD_SIZE)

/* [BMFS1 "Directory Record structure"]: byte offsets in a record. */
#define BMFS_REC_NAME		0u	/* 32 bytes, NUL-terminated ASCII */
#define BMFS_REC_START		32u	/* u64 first block */
#define BMFS_REC_RESERVED	40u	/* u64 blocks reserved */
#define BMFS_REC_SIZE		48u	/* u64 file size in bytes */
#define BMFS_REC_UNUSED		56u	/* 8 bytes, unused */
#define BMFS_NAME_SIZE		32u
/* [BMFS1 "Create"]: "no more than 31 characters", plus the NUL. */
#define BMFS_NAME_MAX		(BMFS_NAME_SIZE - 1)

/* [BMFS1 "Directory"]: the first byte of a name marks the record. */
#define BMFS_MARK_END		0x00	/* end of the directory: stop here */
#define BMFS_MARK_DELETED	0x01	/* unused record: skip it */

/* [BMFS1 "Disk layout"]: the first and the last block are the file
 * system's; [UTIL] create never allocates either, and refuses disks under
 * 6 MiB: one data block at least. */
#define BMFS_FIRST_DATA_BLOCK	1u
#define BMFS_TAIL_BLOCKS	1u
#define BMFS_MIN_BLOCKS		3u

/* The largest disk the library takes: its size in bytes must fit a signed
 * 64-bit count, as read() returns one. */
#define BMFS_MAX_SECTORS	(UINT64_C(0x7fffffffffffffff) / BMFS_SECTOR_SIZE)

/* ---- the library ----------------------------------------------------------- */

/*
 * The disk: 4096-byte sectors 0 .. sectors-1. read and write take and
 * return what b_nvs_read/b_nvs_write do (include/pith/nvs.h): the sectors
 * done, or a negative B_E* code. The library passes buffers aligned to
 * BMFS_IO_ALIGN and at most BMFS_IO_MAX sectors a call, and treats a short
 * count as B_EIO.
 */
struct bmfs_dev {
	long (*read)(void *mem, uint64_t start, uint64_t count, void *ctx);
	long (*write)(const void *mem, uint64_t start, uint64_t count, void *ctx);
	void *ctx;
	uint64_t sectors;
};

#define BMFS_IO_ALIGN		16u	/* B_NVS_ALIGN */
#define BMFS_IO_MAX		BMFS_SECTORS_PER_BLOCK

/* What check finds wrong with a record: bits of bmfs_file.problems. */
#define BMFS_BAD_NAME		0x01	/* not NUL-terminated, or not printable ASCII */
#define BMFS_BAD_RANGE		0x02	/* starts in block 0, or reserves no block */
#define BMFS_PAST_END		0x04	/* reaches into the last block or past the disk */
#define BMFS_SIZE_OVER		0x08	/* size larger than its reserved blocks */
#define BMFS_OVERLAP		0x10	/* shares blocks with another file */
#define BMFS_DUPLICATE		0x20	/* another file has the same name */
#define BMFS_PROBLEM_KINDS	6

/* One directory record, decoded. name is always NUL-terminated here, even
 * when the record's is not (then problems has BMFS_BAD_NAME). */
struct bmfs_file {
	char name[BMFS_NAME_SIZE];
	uint64_t start;		/* first block */
	uint64_t reserved;	/* blocks */
	uint64_t size;		/* bytes */
	unsigned slot;		/* record number, 0 .. BMFS_MAX_FILES-1 */
	unsigned problems;	/* BMFS_BAD_* bits; 0 when the record is sound */
};

/* A mounted disk: the caller owns the memory (about 8.3 KiB); one user at a
 * time. The directory is cached here and written through on each change. */
struct bmfs {
	struct bmfs_dev dev;
	uint64_t blocks;			/* whole blocks on the disk */
	uint8_t dir[BMFS_DIR_SIZE] __attribute__((aligned(BMFS_IO_ALIGN)));
	uint8_t buf[BMFS_SECTOR_SIZE] __attribute__((aligned(BMFS_IO_ALIGN)));
	uint8_t problems[BMFS_MAX_FILES];	/* per record, as in bmfs_file */
	bool mounted;
};

/* Writes an empty file system on dev (keeping the MBR and the rest of
 * block 0) and mounts it. 0; B_EFAULT NULL or callbacks missing; B_ENOSPC
 * under BMFS_MIN_BLOCKS blocks; B_ERANGE over BMFS_MAX_SECTORS; the
 * device's errors. */
int bmfs_format(struct bmfs *fs, const struct bmfs_dev *dev);

/* Reads the tag and the directory. 0; B_EINVAL no BMFS tag; the errors of
 * bmfs_format. A directory with bad records mounts: see bmfs_check. */
int bmfs_mount(struct bmfs *fs, const struct bmfs_dev *dev);

/* The next live record from *cursor (start at 0) into *out; false at the
 * end of the directory. */
bool bmfs_next(const struct bmfs *fs, unsigned *cursor, struct bmfs_file *out);

/* The first live record named name. 0; B_ENOENT; B_EINVAL empty name;
 * B_ENAMETOOLONG over BMFS_NAME_MAX. out may be NULL. */
int bmfs_find(const struct bmfs *fs, const char *name, struct bmfs_file *out);

/* Blocks no file holds, between the reserved first and last block. */
uint64_t bmfs_free_blocks(const struct bmfs *fs);

/* A new empty file reserving blocks contiguous blocks (first fit).
 * 0; B_EEXIST; B_EINVAL bad name or blocks 0; B_ENAMETOOLONG; B_ENOSPC
 * directory full or no run of free blocks that long; device errors. */
int bmfs_create(struct bmfs *fs, const char *name, uint64_t blocks);

/* Writes len bytes at byte off of the file. The size grows to off + len if
 * that is larger; bytes between the old size and off read as zeros.
 * 0; B_ENOENT; B_ENOSPC past the reserved blocks; B_ECORRUPT the record
 * fails a check; device errors (the size is then unchanged). */
int bmfs_write(struct bmfs *fs, const char *name, const void *mem, uint64_t len, uint64_t off);

/* Reads up to len bytes from byte off: the bytes read, 0 at or past the
 * end of the file; B_ENOENT; B_ECORRUPT; device errors. */
long bmfs_read(struct bmfs *fs, const char *name, void *mem, uint64_t len, uint64_t off);

/* Sets the file's size; growing fills with zeros. 0; B_ENOSPC past the
 * reserved blocks; the errors of bmfs_write. */
int bmfs_truncate(struct bmfs *fs, const char *name, uint64_t size);

/* Marks the record deleted; works on a record that fails checks too (that
 * is how one is repaired). 0; B_ENOENT; device errors. */
int bmfs_delete(struct bmfs *fs, const char *name);

/* Calls report (when not NULL) once per problem: the record, one BMFS_BAD_*
 * bit, and for an overlap or a duplicate the other record (else NULL).
 * Returns the number of problems; 0 means the disk is consistent. */
int bmfs_check(const struct bmfs *fs,
	       void (*report)(void *ctx, const struct bmfs_file *file, unsigned problem,
			      const struct bmfs_file *other),
	       void *ctx);

/* A short English phrase for one BMFS_BAD_* bit. */
const char *bmfs_problem_str(unsigned problem);

#endif
