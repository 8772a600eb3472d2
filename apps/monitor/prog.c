/*
 * Files and programs on drive MON_DRIVE: dir, run, load and exec.
 *
 * A program name may leave out ".app": NAME is tried first, then
 * NAME.app when NAME has no dot. `run` loads and runs in one call
 * (b_program_run); `load` reads the file into the Monitor's own staging
 * buffer (STAGING_SIZE of static RAM, outside the program area) and `exec`
 * runs that image (b_program_exec), so one load can be run many times.
 * The Monitor's timer is off while a program runs (the program starts
 * with no callback of the Monitor's, and may set its own); afterwards the
 * Monitor takes back the timer and the console's output function, and
 * prints
 * `exit code N`, that the program faulted (the kernel printed the report),
 * or why it could not run.
 */
#include <pith/file.h>
#include <pith/program.h>
#include <pith/system.h>
#include "monitor.h"

#define STAGING_SIZE	(1ull << 20)
#define NAME_SIZE	(B_FILE_NAME_MAX + 1)
#define DIR_MAX		1024	/* entries dir looks at, at most (BMFS holds 64) */

#define DIR_HEADER	"name                                    size  reserved\n"

static uint8_t staging[STAGING_SIZE] __attribute__((aligned(4096)));
static uint64_t staged_len;
static bool staged;
static char staged_name[NAME_SIZE];

static bool has_dot(const char *s)
{
	for (; *s; s++)
		if (*s == '.')
			return true;
	return false;
}

/* The file for name: name itself, else name.app. 0 and file, *fi filled;
 * else the error for name itself. */
static int resolve(const char *name, char *file, struct b_file_info *fi)
{
	unsigned n = str_len(name);
	int r;

	if (n > B_FILE_NAME_MAX)
		return B_ENAMETOOLONG;
	str_copy(file, name, NAME_SIZE);
	r = b_file_stat(file, fi, MON_DRIVE);
	if (r != B_ENOENT || has_dot(name) || n + 4 > B_FILE_NAME_MAX)
		return r;
	str_copy(file + n, ".app", NAME_SIZE - n);
	if (b_file_stat(file, fi, MON_DRIVE) == 0)
		return 0;
	file[n] = '\0';
	return r;
}

static void say_error(const char *cmd, const char *name, long err)
{
	out_s(cmd);
	out_s(": ");
	out_s(name);
	out_s(": ");
	out_err(err);
	out_nl();
}

/* After a program: the Monitor's timer and console back, then the result. */
static void report(const char *cmd, const char *name, long r)
{
	b_system(B_SYS_STDOUT_SET, 0, 0);
	clock_start();
	if (r >= 0) {
		out_s("exit code ");
		out_u((uint64_t)r);
		out_nl();
	} else if (r == B_EFAULTED) {
		out_s(name);
		out_s(" faulted and was stopped (the report is above)\n");
	} else {
		say_error(cmd, name, r);
	}
}

bool prog_exists(const char *name)
{
	struct b_file_info fi;

	return b_file_stat(name, &fi, MON_DRIVE) == 0;
}

void prog_run(int argc, char **argv)
{
	struct b_file_info fi;
	char file[NAME_SIZE];
	int r = resolve(argv[0], file, &fi);

	if (r < 0) {
		say_error("run", argv[0], r);
		return;
	}
	clock_stop();
	report("run", file, b_program_run(file, argc, argv, MON_DRIVE));
}

void cmd_run(int argc, char **argv)
{
	if (argc < 2) {
		usage("run NAME [ARGS...]");
		return;
	}
	prog_run(argc - 1, argv + 1);
}

void cmd_exec(int argc, char **argv)
{
	if (!staged) {
		out_s("exec: nothing loaded (load NAME first)\n");
		return;
	}
	argv[0] = staged_name;
	clock_stop();
	report("exec", staged_name, b_program_exec(staging, staged_len, argc, argv));
}

/* Reads all size bytes of file into staging: 0, or the error. */
static long read_all(const char *file, uint64_t size)
{
	uint64_t off = 0;
	long n;

	while (off < size) {
		n = b_file_read(file, staging + off, size - off, off, MON_DRIVE);
		if (n < 0)
			return n;
		if (n == 0)
			return B_EIO;	/* shorter than its directory entry says */
		off += (uint64_t)n;
	}
	return 0;
}

void cmd_load(int argc, char **argv)
{
	struct b_file_info fi;
	char file[NAME_SIZE];
	long r;

	if (argc != 2) {
		usage("load NAME");
		return;
	}
	r = resolve(argv[1], file, &fi);
	if (r == 0 && fi.size > STAGING_SIZE) {
		out_s("load: ");
		out_s(file);
		out_s(" is larger than the staging buffer (");
		out_bytes(STAGING_SIZE);
		out_s(")\n");
		return;
	}
	if (r == 0)
		r = read_all(file, fi.size);
	staged = r == 0;
	if (r < 0) {
		say_error("load", argv[1], r);
		return;
	}
	staged_len = fi.size;
	str_copy(staged_name, file, NAME_SIZE);
	out_s("loaded ");
	out_s(file);
	out_s(": ");
	out_u(staged_len);
	out_s(" bytes at ");
	out_hex((uint64_t)(uintptr_t)staging);
	out_nl();
}

void prog_staging(uint64_t *addr, uint64_t *size, uint64_t *loaded, const char **name)
{
	*addr = (uint64_t)(uintptr_t)staging;
	*size = STAGING_SIZE;
	*loaded = staged ? staged_len : 0;
	*name = staged ? staged_name : NULL;
}

static void dir_line(const struct b_file_info *fi)
{
	out_s(fi->name);
	out_chars(' ', NAME_SIZE - str_len(fi->name));
	out_pad(fi->size, 12);
	out_s("  ");
	out_bytes(fi->reserved);
	out_nl();
}

void cmd_dir(int argc, char **argv)
{
	struct b_file_info fi;
	unsigned cursor = 0, files = 0;
	uint64_t bytes = 0;
	int r = 0;

	(void)argv;
	if (argc != 1) {
		usage("dir");
		return;
	}
	for (unsigned i = 0; i < DIR_MAX && (r = b_file_list(&cursor, &fi, MON_DRIVE)) == 1; i++) {
		if (!files++)
			out_s(DIR_HEADER);
		dir_line(&fi);
		bytes += fi.size;
	}
	if (r < 0) {
		say_error("dir", "drive 0", r);
		return;
	}
	out_u(files);
	out_s(files == 1 ? " file, " : " files, ");
	out_u(bytes);
	out_s(" bytes\n");
}
