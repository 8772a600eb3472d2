/*
 * File descriptors. 0, 1 and 2 are the console (console.c); 3 and up
 * are files on drive 0's BMFS (include/pith/file.h). The kernel's file
 * calls take a name, not a handle, so a descriptor is only the name, the
 * offset and the open flags, and every read, write and seek asks the
 * kernel by name: another program's or b_file_* call's changes are seen at
 * once, and a deleted file gives ENOENT on the next call.
 *
 * BMFS files do not grow past the space reserved when they were made:
 * open(O_CREAT) reserves FILE_RESERVE, and a write past the reservation
 * writes what fits, then fails with ENOSPC. One lock guards the table
 * (tasks on any core may use files); the kernel serialises the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <pith/file.h>
#include "libc.h"
#include "console.h"

#define FD_MAX		32		/* descriptors, the console's three included */
#define FD_FIRST_FILE	3
#define FILE_RESERVE	(2u << 20)	/* what O_CREAT reserves: one BMFS block */
#define FILE_BLKSIZE	4096		/* st_blksize: the disk's sector */

struct fd {
	bool used;
	int flags;			/* O_ACCMODE, O_APPEND */
	uint64_t off;
	char name[B_FILE_NAME_MAX + 1];
};

static struct fd fds[FD_MAX];
static volatile uint64_t fd_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&fd_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause" ::: "memory");
}

static int unlock(int ret)
{
	__atomic_store_n(&fd_lock, 0, __ATOMIC_RELEASE);
	return ret;
}

static bool is_console(int fd)
{
	return fd >= 0 && fd < FD_FIRST_FILE;
}

/* The open file fd, or NULL (call with the lock held). */
static struct fd *file(int fd)
{
	return fd >= FD_FIRST_FILE && fd < FD_MAX && fds[fd].used ? &fds[fd] : NULL;
}

/* A name as BMFS stores it: "/name" is "name" (one flat directory). */
static const char *bmfs_name(const char *path)
{
	return path[0] == '/' ? path + 1 : path;
}

/* Makes, empties or checks name as flags ask: 0 or -1 and errno. */
static int prepare(const char *name, int flags)
{
	struct b_file_info fi;
	int r = b_file_stat(name, &fi, LIBC_DRIVE);

	if (r == B_ENOENT && (flags & O_CREAT))
		r = b_file_create(name, FILE_RESERVE, LIBC_DRIVE);
	else if (r == 0 && (flags & O_CREAT) && (flags & O_EXCL))
		return libc_errno(EEXIST);
	else if (r == 0 && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
		r = b_file_truncate(name, 0, LIBC_DRIVE);
	return r < 0 ? libc_fail(r) : 0;
}

int open(const char *path, int flags, ...)
{
	const char *name = bmfs_name(path);
	int fd;

	if (strlen(name) > B_FILE_NAME_MAX)
		return libc_errno(ENAMETOOLONG);
	lock();
	for (fd = FD_FIRST_FILE; fd < FD_MAX && fds[fd].used; fd++)
		;
	if (fd == FD_MAX)
		return unlock(libc_errno(EMFILE));
	if (prepare(name, flags) < 0)
		return unlock(-1);
	fds[fd] = (struct fd){ .used = true, .flags = flags & (O_ACCMODE | O_APPEND) };
	strcpy(fds[fd].name, name);
	return unlock(fd);
}

int close(int fd)
{
	struct fd *f;

	if (is_console(fd))
		return 0;
	lock();
	f = file(fd);
	if (!f)
		return unlock(libc_errno(EBADF));
	f->used = false;
	return unlock(0);
}

static bool readable(const struct fd *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct fd *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

int read(int fd, void *buf, size_t n)
{
	struct fd *f;
	long r;

	if (n > INT_MAX)
		n = INT_MAX;		/* newlib's read returns an int */
	if (is_console(fd))
		return console_read(buf, n);
	lock();
	f = file(fd);
	if (!f || !readable(f))
		return unlock(libc_errno(EBADF));
	r = b_file_read(f->name, buf, n, f->off, LIBC_DRIVE);
	if (r < 0)
		return unlock(libc_fail(r));
	f->off += r;
	return unlock(r);
}

/* Writes what fits of n bytes at off: the bytes written, or a B_E* code. */
static long write_fit(const char *name, const void *buf, size_t n, uint64_t off)
{
	struct b_file_info fi;
	long r = b_file_write(name, buf, n, off, LIBC_DRIVE);

	if (r != B_ENOSPC || b_file_stat(name, &fi, LIBC_DRIVE) < 0 || off >= fi.reserved)
		return r;
	return b_file_write(name, buf, fi.reserved - off, off, LIBC_DRIVE);
}

int write(int fd, const void *buf, size_t n)
{
	struct b_file_info fi;
	struct fd *f;
	long r;

	if (n > INT_MAX)
		n = INT_MAX;
	if (is_console(fd))
		return console_write(buf, n);
	lock();
	f = file(fd);
	if (!f || !writable(f))
		return unlock(libc_errno(EBADF));
	if (f->flags & O_APPEND) {
		r = b_file_stat(f->name, &fi, LIBC_DRIVE);
		if (r < 0)
			return unlock(libc_fail(r));
		f->off = fi.size;
	}
	r = write_fit(f->name, buf, n, f->off);
	if (r < 0)
		return unlock(libc_fail(r));
	f->off += r;
	return unlock(r);
}

off_t lseek(int fd, off_t off, int whence)
{
	struct b_file_info fi;
	struct fd *f;
	int64_t base;
	int r;

	if (is_console(fd))
		return libc_errno(ESPIPE);
	lock();
	f = file(fd);
	if (!f)
		return unlock(libc_errno(EBADF));
	if (whence == SEEK_SET) {
		base = 0;
	} else if (whence == SEEK_CUR) {
		base = f->off;
	} else if (whence == SEEK_END) {
		r = b_file_stat(f->name, &fi, LIBC_DRIVE);
		if (r < 0)
			return unlock(libc_fail(r));
		base = fi.size;
	} else {
		return unlock(libc_errno(EINVAL));
	}
	if (base + off < 0)
		return unlock(libc_errno(EINVAL));
	base += off;
	f->off = base;
	unlock(0);
	return base;
}

static void stat_file(const struct b_file_info *fi, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_size = fi->size;
	st->st_blksize = FILE_BLKSIZE;
	st->st_blocks = fi->reserved / 512;
}

int fstat(int fd, struct stat *st)
{
	struct b_file_info fi;
	struct fd *f;
	int r;

	if (is_console(fd)) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFCHR | 0620;	/* a terminal: stdio line-buffers it */
		st->st_nlink = 1;
		return 0;
	}
	lock();
	f = file(fd);
	if (!f)
		return unlock(libc_errno(EBADF));
	r = b_file_stat(f->name, &fi, LIBC_DRIVE);
	if (r < 0)
		return unlock(libc_fail(r));
	stat_file(&fi, st);
	return unlock(0);
}

int stat(const char *path, struct stat *st)
{
	struct b_file_info fi;
	int r = b_file_stat(bmfs_name(path), &fi, LIBC_DRIVE);

	if (r < 0)
		return libc_fail(r);
	stat_file(&fi, st);
	return 0;
}

int unlink(const char *path)
{
	int r = b_file_delete(bmfs_name(path), LIBC_DRIVE);

	return r < 0 ? libc_fail(r) : 0;
}

int isatty(int fd)
{
	int bad;

	if (is_console(fd))
		return 1;
	lock();
	bad = !file(fd);
	unlock(0);
	libc_errno(bad ? EBADF : ENOTTY);
	return 0;
}

/* F_GETFL and F_SETFL (O_APPEND) only; fdopen asks for the flags. */
int fcntl(int fd, int cmd, ...)
{
	struct fd *f;
	int flags;
	va_list ap;

	if (is_console(fd))
		return cmd == F_GETFL ? O_RDWR : libc_errno(EINVAL);
	lock();
	f = file(fd);
	if (!f)
		return unlock(libc_errno(EBADF));
	if (cmd == F_GETFL)
		return unlock(f->flags);
	if (cmd != F_SETFL)
		return unlock(libc_errno(EINVAL));
	va_start(ap, cmd);
	flags = va_arg(ap, int);
	va_end(ap);
	f->flags = (f->flags & ~O_APPEND) | (flags & O_APPEND);
	return unlock(0);
}

/* Every file may be read and written: only existence is checked. */
int access(const char *path, int mode)
{
	struct b_file_info fi;
	int r = b_file_stat(bmfs_name(path), &fi, LIBC_DRIVE);

	(void)mode;
	return r < 0 ? libc_fail(r) : 0;
}

/* Sets the size within the file's reservation (ENOSPC past it); growing
 * zero-fills. */
int truncate(const char *path, off_t len)
{
	int r;

	if (len < 0)
		return libc_errno(EINVAL);
	r = b_file_truncate(bmfs_name(path), len, LIBC_DRIVE);
	return r < 0 ? libc_fail(r) : 0;
}

int ftruncate(int fd, off_t len)
{
	struct fd *f;
	int r;

	if (is_console(fd))
		return libc_errno(EINVAL);
	lock();
	f = file(fd);
	if (!f || !writable(f))
		return unlock(libc_errno(EBADF));
	r = len < 0 ? B_EINVAL : b_file_truncate(f->name, len, LIBC_DRIVE);
	return unlock(r < 0 ? libc_fail(r) : 0);
}
