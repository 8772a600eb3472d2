/*
 * bmfs: BareMetal File System images on the host, through lib/bmfs.
 *
 *   bmfs IMAGE format [SIZE]        new file system (SIZE like 64M sets the image's size)
 *   bmfs IMAGE list                 the files
 *   bmfs IMAGE create NAME SIZE     an empty file reserving SIZE bytes (whole 2 MiB blocks)
 *   bmfs IMAGE write NAME HOSTFILE  copy a host file in (creating NAME if missing)
 *   bmfs IMAGE read NAME HOSTFILE   copy a file out (HOSTFILE - is standard output)
 *   bmfs IMAGE delete NAME          remove a file
 *   bmfs IMAGE check                consistency report
 *
 * Exit status (tool.h): 0 done (check: clean), 1 the operation failed
 * (check: problems found), 2 bad usage or an I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pith/error.h>
#include "bmfs/bmfs.h"
#include "tool.h"

/* Host files move through a buffer of this many bytes. */
#define CHUNK		(1024u * 1024)
#define MIB		(1024u * 1024)

struct tool {
	const char *image;
	int fd;
	FILE *out, *err;
	struct bmfs fs;
};

/* ---- the image as a bmfs_dev --------------------------------------------- */

/* Moves count sectors between mem and the image at sector start, through
 * short transfers and EINTR: the sectors moved before an error, or B_EIO. */
static long image_io(int fd, void *mem, uint64_t start, uint64_t count, bool write)
{
	size_t len = count * BMFS_SECTOR_SIZE, done = 0;

	while (done < len) {
		off_t at = (off_t)(start * BMFS_SECTOR_SIZE + done);
		ssize_t n = write ? pwrite(fd, (char *)mem + done, len - done, at) :
				    pread(fd, (char *)mem + done, len - done, at);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return done >= BMFS_SECTOR_SIZE ? (long)(done / BMFS_SECTOR_SIZE) : B_EIO;
		}
		done += (size_t)n;
	}
	return (long)count;
}

static long image_read(void *mem, uint64_t start, uint64_t count, void *ctx)
{
	return image_io(*(int *)ctx, mem, start, count, false);
}

static long image_write(const void *mem, uint64_t start, uint64_t count, void *ctx)
{
	return image_io(*(int *)ctx, (void *)mem, start, count, true);
}

static int image_dev(struct tool *t, struct bmfs_dev *dev)
{
	struct stat st;

	if (fstat(t->fd, &st) != 0) {
		fprintf(t->err, "bmfs: %s: %s\n", t->image, strerror(errno));
		return TOOL_USAGE;
	}
	*dev = (struct bmfs_dev){ image_read, image_write, &t->fd,
				  (uint64_t)st.st_size / BMFS_SECTOR_SIZE };
	return TOOL_OK;
}

/* ---- messages ------------------------------------------------------------- */

static const char *lib_error(int rc)
{
	switch (rc) {
	case B_ENOENT: return "no such file";
	case B_EEXIST: return "a file of that name exists";
	case B_ENOSPC: return "no room";
	case B_ENAMETOOLONG: return "name longer than 31 characters";
	case B_EINVAL: return "invalid argument";
	case B_ECORRUPT: return "its directory record is inconsistent (see 'check')";
	case B_ERANGE: return "past the end of the image";
	case B_EIO: return "I/O error";
	case B_ENOMEM: return "out of memory";
	default: return "error";
	}
}

/* An I/O error is the host's problem (2); the rest are the operation's (1). */
static int fail(struct tool *t, const char *what, int rc)
{
	fprintf(t->err, "bmfs: %s: %s: %s\n", t->image, what, lib_error(rc));
	return rc == B_EIO ? TOOL_USAGE : TOOL_FAILED;
}

static int usage(FILE *err)
{
	fputs("usage: bmfs IMAGE COMMAND [ARGS]\n"
	      "  format [SIZE]          new file system; SIZE (e.g. 64M) sets the image size\n"
	      "  list                   list the files\n"
	      "  create NAME SIZE       empty file reserving SIZE bytes (2 MiB blocks)\n"
	      "  write NAME HOSTFILE    copy HOSTFILE in as NAME (created if missing)\n"
	      "  read NAME HOSTFILE     copy NAME out to HOSTFILE (- for standard output)\n"
	      "  delete NAME            remove NAME\n"
	      "  check                  consistency report: exit 0 clean, 1 problems\n"
	      "SIZE: bytes, or with K, M, G or T (powers of 1024)\n",
	      err);
	return TOOL_USAGE;
}

/* Prints a name from the disk with anything unprintable as '?'. */
static void put_name(FILE *f, const char *name)
{
	for (; *name; name++)
		fputc(*name >= 0x20 && *name <= 0x7e ? *name : '?', f);
}

/* ---- arguments -------------------------------------------------------------- */

/* "123", "64M", "2g": bytes. false on junk or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	uint64_t v = 0, mult = 1;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s) {
		const char *u = strchr(units, *s & ~0x20);
		if (!u || !*u || s[1])
			return false;
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
	}
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

static uint64_t blocks_for(uint64_t bytes)
{
	uint64_t b = bytes / BMFS_BLOCK_SIZE + (bytes % BMFS_BLOCK_SIZE != 0);

	return b ? b : 1;
}

/* ---- commands ------------------------------------------------------------------ */

static int cmd_format(struct tool *t, int argc, char **argv)
{
	struct bmfs_dev dev;
	uint64_t size;
	int rc;

	if (argc > 1)
		return usage(t->err);
	if (argc == 1) {
		if (!parse_size(argv[0], &size) || size > (uint64_t)INT64_MAX) {
			fprintf(t->err, "bmfs: bad size '%s'\n", argv[0]);
			return TOOL_USAGE;
		}
		if (ftruncate(t->fd, (off_t)size) != 0) {
			fprintf(t->err, "bmfs: %s: %s\n", t->image, strerror(errno));
			return TOOL_USAGE;
		}
	}
	rc = image_dev(t, &dev);
	if (rc)
		return rc;
	rc = bmfs_format(&t->fs, &dev);
	if (rc == B_ENOSPC) {
		fprintf(t->err, "bmfs: %s: too small: BMFS needs %u MiB at least\n", t->image,
			BMFS_MIN_BLOCKS * (BMFS_BLOCK_SIZE / MIB));
		return TOOL_FAILED;
	}
	if (rc)
		return fail(t, "format", rc);
	fprintf(t->out, "%s: formatted, %llu blocks of 2 MiB for files\n", t->image,
		(unsigned long long)bmfs_free_blocks(&t->fs));
	return TOOL_OK;
}

static int cmd_list(struct tool *t, int argc, char **argv)
{
	struct bmfs_file f;
	unsigned cursor = 0, bad = 0;

	(void)argv;
	if (argc != 0)
		return usage(t->err);
	fprintf(t->out, "%s: %llu blocks of 2 MiB, %llu free\n", t->image,
		(unsigned long long)t->fs.blocks, (unsigned long long)bmfs_free_blocks(&t->fs));
	fprintf(t->out, "%-32s %20s %12s %12s\n", "name", "size", "reserved", "start");
	while (bmfs_next(&t->fs, &cursor, &f)) {
		put_name(t->out, f.name);
		fprintf(t->out, "%*s %20llu %8llu MiB %12llu%s\n", 32 - (int)strlen(f.name), "",
			(unsigned long long)f.size, (unsigned long long)f.reserved * 2,
			(unsigned long long)f.start, f.problems ? "  (inconsistent)" : "");
		bad += f.problems != 0;
	}
	if (bad)
		fprintf(t->out, "%u inconsistent records: run 'bmfs %s check'\n", bad, t->image);
	return TOOL_OK;
}

static int cmd_create(struct tool *t, int argc, char **argv)
{
	uint64_t size;
	int rc;

	if (argc != 2)
		return usage(t->err);
	if (!parse_size(argv[1], &size)) {
		fprintf(t->err, "bmfs: bad size '%s'\n", argv[1]);
		return TOOL_USAGE;
	}
	rc = bmfs_create(&t->fs, argv[0], blocks_for(size));
	if (rc == B_ENOSPC) {
		fprintf(t->err, "bmfs: %s: create %s: directory full or no %llu free blocks in a row\n",
			t->image, argv[0], (unsigned long long)blocks_for(size));
		return TOOL_FAILED;
	}
	return rc ? fail(t, argv[0], rc) : TOOL_OK;
}

/* Copies the open host file into NAME from offset 0, then sets its size. */
static int copy_in(struct tool *t, const char *name, int hfd, uint64_t hsize)
{
	char *buf = malloc(CHUNK);
	uint64_t off = 0;
	int rc = 0;

	if (!buf)
		return B_ENOMEM;
	while (rc == 0 && off < hsize) {
		ssize_t n = read(hfd, buf, CHUNK);
		if (n <= 0) {
			rc = n < 0 && errno == EINTR ? 0 : B_EIO;
			continue;
		}
		rc = bmfs_write(&t->fs, name, buf, (uint64_t)n, off);
		off += (uint64_t)n;
	}
	free(buf);
	return rc ? rc : bmfs_truncate(&t->fs, name, off);
}

static int open_host_in(struct tool *t, const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(t->err, "bmfs: %s: %s\n", path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int cmd_write(struct tool *t, int argc, char **argv)
{
	struct bmfs_file f;
	uint64_t hsize;
	int hfd, rc;

	if (argc != 2)
		return usage(t->err);
	hfd = open_host_in(t, argv[1], &hsize);
	if (hfd < 0)
		return TOOL_USAGE;
	rc = bmfs_find(&t->fs, argv[0], &f);
	if (rc == B_ENOENT)
		rc = bmfs_create(&t->fs, argv[0], blocks_for(hsize));
	else if (rc == 0 && hsize > f.reserved * BMFS_BLOCK_SIZE && !f.problems)
		rc = B_ENOSPC;
	if (rc == 0)
		rc = copy_in(t, argv[0], hfd, hsize);
	close(hfd);
	if (rc == B_ENOSPC) {
		fprintf(t->err, "bmfs: %s: write %s: %llu bytes do not fit (or no room to create it)\n",
			t->image, argv[0], (unsigned long long)hsize);
		return TOOL_FAILED;
	}
	return rc ? fail(t, argv[0], rc) : TOOL_OK;
}

/* Copies NAME out to the open host file. */
static int copy_out(struct tool *t, const char *name, int hfd)
{
	char *buf = malloc(CHUNK);
	uint64_t off = 0;
	long n = 1;

	if (!buf)
		return B_ENOMEM;
	while (n > 0) {
		n = bmfs_read(&t->fs, name, buf, CHUNK, off);
		for (long done = 0; n > 0 && done < n;) {
			ssize_t w = write(hfd, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				n = B_EIO;
			else
				done += w;
		}
		if (n > 0)
			off += (uint64_t)n;
	}
	free(buf);
	return (int)n;
}

static int cmd_read(struct tool *t, int argc, char **argv)
{
	struct bmfs_file f;
	bool to_stdout;
	int hfd, rc;

	if (argc != 2)
		return usage(t->err);
	rc = bmfs_find(&t->fs, argv[0], &f);
	if (rc == 0 && f.problems)
		rc = B_ECORRUPT;	/* before the host file is created */
	if (rc)
		return fail(t, argv[0], rc);
	to_stdout = strcmp(argv[1], "-") == 0;
	if (to_stdout)
		fflush(t->out);
	hfd = to_stdout ? fileno(t->out) : open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (hfd < 0) {
		fprintf(t->err, "bmfs: %s: %s\n", argv[1], strerror(errno));
		return TOOL_USAGE;
	}
	rc = copy_out(t, argv[0], hfd);
	if (!to_stdout && close(hfd) != 0 && rc == 0)
		rc = B_EIO;
	return rc ? fail(t, argv[0], rc) : TOOL_OK;
}

static int cmd_delete(struct tool *t, int argc, char **argv)
{
	int rc;

	if (argc != 1)
		return usage(t->err);
	rc = bmfs_delete(&t->fs, argv[0]);
	return rc ? fail(t, argv[0], rc) : TOOL_OK;
}

static void report(void *ctx, const struct bmfs_file *f, unsigned problem,
		   const struct bmfs_file *other)
{
	struct tool *t = ctx;

	fprintf(t->out, "record %u '", f->slot);
	put_name(t->out, f->name);
	fprintf(t->out, "' (start %llu, %llu blocks, %llu bytes): %s", (unsigned long long)f->start,
		(unsigned long long)f->reserved, (unsigned long long)f->size,
		bmfs_problem_str(problem));
	if (other) {
		fprintf(t->out, ": record %u '", other->slot);
		put_name(t->out, other->name);
		fputc('\'', t->out);
	}
	fputc('\n', t->out);
}

static int cmd_check(struct tool *t, int argc, char **argv)
{
	int n;

	(void)argv;
	if (argc != 0)
		return usage(t->err);
	n = bmfs_check(&t->fs, report, t);
	if (n < 0)
		return fail(t, "check", n);
	if (n == 0)
		fprintf(t->out, "%s: clean\n", t->image);
	else
		fprintf(t->out, "%s: %d problems\n", t->image, n);
	return n ? TOOL_FAILED : TOOL_OK;
}

/* ---- main ------------------------------------------------------------------------ */

struct command {
	const char *name;
	int (*run)(struct tool *t, int argc, char **argv);
	bool writes;
};

static const struct command commands[] = {
	{ "list", cmd_list, false },	 { "create", cmd_create, true },
	{ "write", cmd_write, true },	 { "read", cmd_read, false },
	{ "delete", cmd_delete, true },	 { "check", cmd_check, false },
};

/* Mounts the image; a disk that is not BMFS is the operation's failure. */
static int mount_image(struct tool *t)
{
	struct bmfs_dev dev;
	int rc = image_dev(t, &dev);

	if (rc)
		return rc;
	rc = bmfs_mount(&t->fs, &dev);
	if (rc == B_EINVAL || rc == B_ENOSPC) {
		fprintf(t->err, "bmfs: %s: not a BMFS disk (%s)\n", t->image,
			rc == B_EINVAL ? "no BMFS tag at byte 1024" : "smaller than 6 MiB");
		return TOOL_FAILED;
	}
	return rc ? fail(t, "mount", rc) : TOOL_OK;
}

static int run(struct tool *t, const struct command *c, int argc, char **argv)
{
	int flags = c ? (c->writes ? O_RDWR : O_RDONLY) : O_RDWR | O_CREAT;
	int rc;

	t->fd = open(t->image, flags, 0644);
	if (t->fd < 0) {
		fprintf(t->err, "bmfs: %s: %s\n", t->image, strerror(errno));
		return TOOL_USAGE;
	}
	rc = c ? mount_image(t) : TOOL_OK;
	if (rc == TOOL_OK)
		rc = c ? c->run(t, argc, argv) : cmd_format(t, argc, argv);
	close(t->fd);
	return rc;
}

int bmfs_tool(int argc, char **argv, FILE *out, FILE *err)
{
	struct tool *t;
	int rc;

	if (argc < 3)
		return usage(err);
	t = calloc(1, sizeof(*t));
	if (!t)
		return TOOL_USAGE;
	*t = (struct tool){ .image = argv[1], .fd = -1, .out = out, .err = err };
	rc = -1;
	if (strcmp(argv[2], "format") == 0)
		rc = run(t, NULL, argc - 3, argv + 3);
	for (size_t i = 0; rc < 0 && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[2], commands[i].name) == 0)
			rc = run(t, &commands[i], argc - 3, argv + 3);
	if (rc < 0) {
		fprintf(err, "bmfs: unknown command '%s'\n", argv[2]);
		rc = usage(err);
	}
	free(t);
	return rc;
}
