/*
 * Files on a BMFS disk (lib/bmfs: BareMetal's format, 2 MiB blocks, one
 * flat directory of up to 64 files). Calls name the file and the drive;
 * the kernel reads the directory afresh on each call, so a program's own
 * b_nvs_write to the disk is never contradicted by a stale copy. Calls on
 * one drive are serialised.
 */
#ifndef PITH_FILE_API_H
#define PITH_FILE_API_H

#include <stdint.h>
#include <pith/error.h>

#define B_FILE_NAME_MAX	31		/* bytes of a name, printable ASCII */

struct b_file_info {
	char name[B_FILE_NAME_MAX + 1];
	uint64_t size;		/* bytes */
	uint64_t reserved;	/* bytes it may grow to (whole 2 MiB blocks) */
};

/* The file after *cursor (start with 0) in directory order: 1 and *out
 * filled; 0 after the last one. B_ENODEV no such drive, B_ECORRUPT no
 * BMFS on it, B_EFAULT bad pointer. */
int b_file_list(unsigned *cursor, struct b_file_info *out, unsigned drive);
/* 0 and *out; B_ENOENT no such file; B_ENAMETOOLONG; the errors above. */
int b_file_stat(const char *name, struct b_file_info *out, unsigned drive);
/* Reads up to len bytes from offset off: the bytes read (0 at or past the
 * end); B_ENOENT; B_EFAULT; B_EIO. */
long b_file_read(const char *name, void *mem, uint64_t len, uint64_t off, unsigned drive);
/* Writes len bytes at off, growing the size within the reserved space
 * (a gap is zero-filled): len; B_ENOSPC past the reserved space; B_EROFS;
 * B_ENOENT; B_EFAULT; B_EIO. */
long b_file_write(const char *name, const void *mem, uint64_t len, uint64_t off,
		  unsigned drive);
/* A new empty file with at least bytes reserved (rounded up to 2 MiB
 * blocks, at least one). 0; B_EEXIST; B_ENOSPC no room on the disk or in
 * the directory; B_EINVAL or B_ENAMETOOLONG for a bad name; B_EROFS. */
int b_file_create(const char *name, uint64_t bytes, unsigned drive);
/* 0; B_ENOENT; B_EROFS. */
int b_file_delete(const char *name, unsigned drive);
/* Sets the size (at most the reserved space; growing zero-fills). */
int b_file_truncate(const char *name, uint64_t size, unsigned drive);

#endif
