/*
 * libctest: the C library's self-test, in the guest. One line per check,
 * "ok   NAME" or "FAIL NAME: what was wrong", then a summary; the exit
 * code is the number of failures (tests/system/test_libc.py runs it on
 * q35 and microvm). Groups: printf and scanf formats (floating point
 * included), strtod and strtol, qsort, math, a million malloc/free pairs
 * that must not grow the heap, the clocks, getentropy, files and their
 * errors (ENOENT, ENOSPC for a full reservation and a full disk, EBADF,
 * EEXIST), the calls Pith cannot have (fork: ENOSYS), and errno and stdio
 * per core in tasks. Writes and deletes libctest.* files on drive 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <pith/smp.h>

const char *libc_entropy_source(void);	/* lib/c/entropy.c */

static int checks, failures;

static void check(int ok, const char *name, const char *fmt, ...)
{
	checks++;
	if (ok) {
		printf("ok   %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* snprintf(fmt, ...) must give want. */
static void check_fmt(const char *want, const char *fmt, ...)
{
	char got[128], name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "printf \"%s\" -> \"%s\"", fmt, want);
	check(strcmp(got, want) == 0, name, "got \"%s\"", got);
}

static void test_printf(void)
{
	check_fmt("42 -7 4294967295", "%d %i %u", 42, -7, 4294967295u);
	check_fmt("ff FF 777 0x1f", "%x %X %o %#x", 255, 255, 511, 31);
	check_fmt("[   42] [42   ] [00042] [+42]", "[%5d] [%-5d] [%05d] [%+d]", 42, 42, 42, 42);
	check_fmt("-9223372036854775808 18446744073709551615",
		  "%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	check_fmt("123456789012 77 -5 9", "%ld %zu %hhd %jd", 123456789012l, (size_t)77,
		  (signed char)-5, (intmax_t)9);
	check_fmt("a hello [  abc] 100%", "%c %s [%5.3s] 100%%", 'a', "hello", "abcdef");
	check_fmt("3.141593 3.14 -0.500", "%f %.2f %.3f", 3.14159265, 3.14159265, -0.5);
	check_fmt("1.234568e+04 1.2E-05", "%e %.1E", 12345.678, 0.0000123);
	check_fmt("0.0001 1e-05 123457 1.5", "%g %g %g %g", 0.0001, 0.00001, 123456.7, 1.5);
	check_fmt("  3.1416|3.1416  ", "%8.4f|%-8.4f", 3.14159265, 3.14159265);
	check_fmt("inf -inf nan", "%f %f %f", INFINITY, -INFINITY, NAN);
	check_fmt("1e+300 2.5", "%g %Lg", 1e300, 2.5L);
	check_fmt("0x1p+0", "%a", 1.0);
}

static void test_scanf(void)
{
	int a, b, n;
	unsigned x;
	double d;
	float f;
	char word[16];
	long long big;

	n = sscanf("42 -7 3.5 hello 0x1f 2.25e2 -9000000000", "%d %d %lf %15s %x %f %lld",
		   &a, &b, &d, word, &x, &f, &big);
	check(n == 7 && a == 42 && b == -7 && d == 3.5 && !strcmp(word, "hello") &&
	      x == 31 && f == 225.0f && big == -9000000000ll,
	      "sscanf %d %d %lf %s %x %f %lld", "n=%d a=%d b=%d d=%g word=%s x=%u f=%g big=%lld",
	      n, a, b, d, word, x, f, big);
	n = sscanf("key=value;12", "%[^=]=%[^;];%d", word, word + 8, &a);
	check(n == 3 && !strcmp(word, "key") && !strcmp(word + 8, "value") && a == 12,
	      "sscanf %[...] sets", "n=%d", n);
	n = sscanf("abc", "%d", &a);
	check(n == 0, "sscanf no match gives 0", "n=%d", n);
}

static void test_strtod(void)
{
	struct { const char *s; double want; int used; } t[] = {
		{ "1e10", 1e10, 4 }, { "  -2.5xyz", -2.5, 6 }, { "0x1p-2", 0.25, 6 },
		{ "1.7976931348623157e308", 1.7976931348623157e308, 22 },
		{ "4.9406564584124654e-324", 4.9406564584124654e-324, 23 },
		{ "0.1", 0.1, 3 }, { "inf", INFINITY, 3 },
	};
	char *end, name[64];

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double v = strtod(t[i].s, &end);
		snprintf(name, sizeof(name), "strtod \"%s\"", t[i].s);
		check(v == t[i].want && end - t[i].s == t[i].used, name, "got %.17g, used %d",
		      v, (int)(end - t[i].s));
	}
	double v = strtod("nan", &end);
	check(isnan(v) && *end == 0, "strtod \"nan\"", "got %g", v);
	errno = 0;
	v = strtod("1e999", &end);
	check(v == HUGE_VAL && errno == ERANGE, "strtod \"1e999\" overflows with ERANGE",
	      "got %g errno %d", v, errno);
	v = strtod("-0.0", NULL);
	check(v == 0 && signbit(v), "strtod \"-0.0\" keeps the sign", "got %g", v);
	long l = strtol("-0x7fff", &end, 0);
	unsigned long u = strtoul("777", NULL, 8);
	check(l == -0x7fff && u == 511, "strtol base 0 and strtoul base 8", "%ld %lu", l, u);
	check(atof("2.5e-3") == 0.0025 && atoi("  123abc") == 123, "atof, atoi", "");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_qsort(void)
{
	enum { N = 10000 };
	static int v[N];
	const char *words[] = { "pear", "apple", "fig", "kiwi", "banana" };
	int sorted = 1;
	long sum = 0, want = 0;

	srand(7);
	for (int i = 0; i < N; i++) {
		v[i] = rand() % 100000 - 50000;
		want += v[i];
	}
	qsort(v, N, sizeof(v[0]), cmp_int);
	for (int i = 0; i < N; i++) {
		sum += v[i];
		sorted &= i == 0 || v[i - 1] <= v[i];
	}
	check(sorted && sum == want, "qsort 10000 ints", "sorted %d", sorted);
	qsort(words, 5, sizeof(words[0]), cmp_str);
	check(!strcmp(words[0], "apple") && !strcmp(words[4], "pear"), "qsort strings",
	      "%s .. %s", words[0], words[4]);
	int key = v[N / 2], *hit = bsearch(&key, v, N, sizeof(v[0]), cmp_int);
	check(hit && *hit == key, "bsearch", "");
}

static void test_math(void)
{
	check(fabs(sqrt(2.0) - 1.4142135623730951) < 1e-15, "sqrt", "%.17g", sqrt(2.0));
	check(fabs(sin(M_PI / 6) - 0.5) < 1e-15 && fabs(cos(0.0) - 1) < 1e-15, "sin, cos", "");
	check(fabs(exp(1.0) - M_E) < 1e-15 && fabs(log(M_E) - 1) < 1e-15, "exp, log", "");
	check(pow(2.0, 10.0) == 1024.0 && fabs(atan2(1, 1) - M_PI / 4) < 1e-15, "pow, atan2", "");
	check(floor(-2.5) == -3 && ceil(2.1) == 3 && fmod(7.5, 2) == 1.5 && round(2.5) == 3,
	      "floor, ceil, fmod, round", "");
	check(fabsf(sqrtf(16.0f) - 4.0f) < 1e-6f && fabs(hypot(3, 4) - 5) < 1e-15,
	      "sqrtf, hypot", "");
}

/* n malloc/free pairs of sizes 1..max; whether every malloc succeeded. */
static int pairs(int n, unsigned max, unsigned *x)
{
	int ok = 1;

	for (int i = 0; i < n; i++) {
		*x = *x * 1103515245 + 12345;
		unsigned size = 1 + (*x >> 16) % max;
		char *p = malloc(size);
		ok &= p != NULL;
		if (p)
			p[size - 1] = (char)i;	/* used, so the pair is not optimised away */
		free(p);
	}
	return ok;
}

/* After a warm-up, a million malloc/free pairs must leave the heap
 * (sbrk(0)) where it was; a million more with 64 blocks alive at a time,
 * of sizes up to 4 KiB, may grow it by less than one more full set of
 * live blocks: freed memory is reused, not leaked. */
static void test_malloc(void)
{
	enum { ROUNDS = 1000000, LIVE = 64, MAX = 4096, WARMUP = 100000 };
	void *live[LIVE] = { 0 };
	unsigned x = 1;
	char *before, *after;
	int bad;

	pairs(1000, MAX, &x);
	before = sbrk(0);
	bad = !pairs(ROUNDS, MAX, &x);
	after = sbrk(0);
	check(!bad && before == after, "10^6 malloc/free pairs: the heap did not grow",
	      "failed %d, grew by %ld bytes", bad, (long)(after - before));
	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			before = sbrk(0);
		x = x * 1103515245 + 12345;
		unsigned slot = (x >> 8) % LIVE, size = 1 + (x >> 16) % MAX;
		free(live[slot]);
		live[slot] = malloc(size);
		bad |= !live[slot];
	}
	after = sbrk(0);
	for (int i = 0; i < LIVE; i++)
		free(live[i]);
	check(!bad && after - before < LIVE * MAX, "10^6 more with 64 alive: the heap stays bounded",
	      "failed %d, grew by %ld bytes", bad, (long)(after - before));
	void *huge = malloc((size_t)1 << 40);
	check(!huge && errno == ENOMEM, "malloc(1 TiB) fails with ENOMEM", "%p errno %d",
	      huge, errno);
	errno = 0;
	check(sbrk((intptr_t)1 << 40) == (void *)-1 && errno == ENOMEM,
	      "sbrk past the heap: ENOMEM", "errno %d", errno);
	char *p = calloc(1000, 4), *q;
	int zero = 1;
	for (int i = 0; p && i < 4000; i++)
		zero &= p[i] == 0;
	q = realloc(p, 100000);
	check(p && zero && q, "calloc zeroes, realloc grows", "");
	free(q);
}

static void test_time(void)
{
	struct timespec a, b, r, res;
	struct timeval tv;
	struct tms tm;
	int monotonic = 1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		monotonic &= b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
		a = b;
	}
	check(monotonic, "CLOCK_MONOTONIC never goes back (1000 reads)", "");
	clock_gettime(CLOCK_MONOTONIC, &a);
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long ns = (b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec);
	check(ns >= 20000000 && ns < 5000000000ll, "usleep(20000) takes 20 ms or more",
	      "%lld ns", ns);
	clock_gettime(CLOCK_REALTIME, &r);
	gettimeofday(&tv, NULL);
	check(r.tv_sec > 1577836800 && llabs((long long)tv.tv_sec - r.tv_sec) <= 1,
	      "CLOCK_REALTIME after 2020, gettimeofday agrees", "%lld %lld",
	      (long long)r.tv_sec, (long long)tv.tv_sec);
	time_t now = time(NULL);
	struct tm *t = gmtime(&now);
	check(t && t->tm_year + 1900 >= 2020, "time and gmtime", "");
	clock_t c0 = clock(), t0 = times(&tm);
	usleep(20000);
	check(clock() - c0 >= CLOCKS_PER_SEC / 50 && times(&tm) > t0, "clock and times advance",
	      "clock %ld", (long)(clock() - c0));
	check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_nsec == 1, "clock_getres", "");
	errno = 0;
	check(clock_gettime((clockid_t)99, &a) == -1 && errno == EINVAL,
	      "clock_gettime(bad clock): EINVAL", "errno %d", errno);
}

static void test_entropy(void)
{
	unsigned char a[32], b[32], big[300];

	check(getentropy(a, sizeof(a)) == 0 && getentropy(b, sizeof(b)) == 0 &&
	      memcmp(a, b, sizeof(a)) != 0, "getentropy: two reads differ", "");
	printf("     (entropy source: %s)\n", libc_entropy_source());
	errno = 0;
	check(getentropy(big, sizeof(big)) == -1 && errno == EIO,
	      "getentropy of more than 256 bytes: EIO", "errno %d", errno);
	uint32_t r1 = arc4random(), r2 = arc4random();
	check(r1 != r2, "arc4random", "");
}

/* Expects ret == -1 with errno == e. */
static void check_err(long ret, int e, const char *name)
{
	int got = errno;

	check(ret == -1 && got == e, name, "returned %ld, errno %d (%s)", ret, got, strerror(got));
	errno = 0;
}

static void test_file_errors(void)
{
	char buf[64];
	int fd;

	errno = 0;
	check_err(open("libctest.missing", O_RDONLY), ENOENT, "open a missing file: ENOENT");
	FILE *f = fopen("libctest.missing", "r");
	check(!f && errno == ENOENT, "fopen a missing file: ENOENT", "errno %d", errno);
	struct stat st;
	check_err(stat("libctest.missing", &st), ENOENT, "stat a missing file: ENOENT");
	check_err(unlink("libctest.missing"), ENOENT, "unlink a missing file: ENOENT");
	check_err(read(99, buf, 1), EBADF, "read a bad descriptor: EBADF");
	check_err(write(-1, "x", 1), EBADF, "write a bad descriptor: EBADF");
	check_err(close(42), EBADF, "close a bad descriptor: EBADF");
	check_err(lseek(17, 0, SEEK_SET), EBADF, "lseek a bad descriptor: EBADF");
	check_err(lseek(1, 0, SEEK_SET), ESPIPE, "lseek the console: ESPIPE");
	check_err(open("a-name-far-longer-than-bmfs-allows.txt", O_RDONLY), ENAMETOOLONG,
		  "open a name of 38 bytes: ENAMETOOLONG");

	fd = open("libctest.tmp", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	check(fd >= 3, "open(O_CREAT) a new file", "fd %d errno %d", fd, errno);
	check(write(fd, "hello", 5) == 5, "write 5 bytes", "");
	check_err(read(fd, buf, 5), EBADF, "read a write-only descriptor: EBADF");
	check(close(fd) == 0, "close", "");
	check_err(close(fd), EBADF, "close it again: EBADF");
	check_err(open("libctest.tmp", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST,
		  "open(O_CREAT|O_EXCL) an existing file: EEXIST");
	fd = open("libctest.tmp", O_RDWR | O_APPEND);
	check(fd >= 3 && write(fd, " world", 6) == 6 && lseek(fd, 0, SEEK_SET) == 0 &&
	      read(fd, buf, sizeof(buf)) == 11 && !memcmp(buf, "hello world", 11),
	      "O_APPEND writes at the end, lseek, read it back", "");
	check(write(fd, buf, 0) == 0, "write 0 bytes returns 0", "");
	check_err(lseek(fd, -20, SEEK_END), EINVAL, "lseek before the start: EINVAL");
	check(fstat(fd, &st) == 0 && st.st_size == 11 && S_ISREG(st.st_mode),
	      "fstat: a regular file of 11 bytes", "size %lld", (long long)st.st_size);
	check(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5,
	      "ftruncate to 5 bytes", "size %lld", (long long)st.st_size);
	close(fd);
	check(access("libctest.tmp", R_OK | W_OK) == 0, "access an existing file", "");
	check_err(access("libctest.missing", F_OK), ENOENT, "access a missing file: ENOENT");
	check(isatty(1) && !isatty(99) && errno == EBADF, "isatty: the console is, a bad fd is not",
	      "");

	/* A full reservation: O_CREAT reserves 2 MiB; fill it. */
	enum { RESERVE = 2 << 20 };
	char *block = calloc(1, RESERVE);
	fd = open("libctest.tmp", O_WRONLY | O_TRUNC);
	check(block && fd >= 3 && write(fd, block, RESERVE - 100) == RESERVE - 100,
	      "write 2 MiB - 100 bytes into the 2 MiB reservation", "");
	check(write(fd, block, 4096) == 100, "a write past the reservation writes what fits",
	      "");
	check_err(write(fd, block, 1), ENOSPC, "write to a full file: ENOSPC");
	close(fd);
	free(block);
	check(unlink("libctest.tmp") == 0 && stat("libctest.tmp", &st) == -1,
	      "unlink, then stat fails", "");
}

/* Fills the disk with 2 MiB files until open(O_CREAT) fails: ENOSPC. */
static void test_disk_full(void)
{
	char name[32];
	int made = 0, fd = 0, err = 0;

	while (made < 64) {
		snprintf(name, sizeof(name), "libctest.fill%d", made);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		close(fd);
		made++;
	}
	check(fd < 0 && err == ENOSPC, "open(O_CREAT) on a full disk: ENOSPC",
	      "%d files made, last errno %d (%s)", made, err, strerror(err));
	FILE *f = fopen("libctest.fillx", "w");
	check(!f && errno == ENOSPC, "fopen(\"w\") on a full disk: ENOSPC", "errno %d", errno);
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "libctest.fill%d", i);
		unlink(name);
	}
	printf("     (%d files of 2 MiB filled the disk)\n", made);
}

static void test_process(void)
{
	int status;

	errno = 0;
	check_err(fork(), ENOSYS, "fork: ENOSYS");
	char *argv[] = { "x", NULL };
	check_err(execve("hello.app", argv, NULL), ENOSYS, "execve: ENOSYS");
	check_err(wait(&status), ECHILD, "wait: ECHILD");
	check_err(link("a", "b"), ENOSYS, "link: ENOSYS");
	check_err(mkdir("dir", 0755), ENOSYS, "mkdir: ENOSYS");
	check_err(kill(1234, SIGTERM), ESRCH, "kill another pid: ESRCH");
	check(getpid() > 0 && kill(getpid(), 0) == 0, "getpid, kill(pid, 0)", "");
	check(system(NULL) == 0 && system("ls") == -1, "system: no shell", "");
	jmp_buf jb;
	volatile int jumped = 0;
	if (setjmp(jb) == 0)
		longjmp(jb, 7);
	else
		jumped = 1;
	check(jumped, "setjmp, longjmp", "");
}

/* Tasks on every core: errno and strtod/snprintf in each core's _reent
 * (core 0's tasks, run inside b_smp_wait, share the program's). */
static int task_ok[64];
static unsigned task_cores;

static void task(void *arg)
{
	int i = (int)(long)arg;
	char buf[32];

	errno = 0;
	close(1000 + i);
	int e = errno;
	snprintf(buf, sizeof(buf), "%.3f", strtod("2.5", NULL) * i);
	char want[32];
	snprintf(want, sizeof(want), "%d.%03d", i * 5 / 2, (i % 2) * 500);
	task_ok[i] = e == EBADF && !strcmp(buf, want);
	__atomic_fetch_or(&task_cores, 1u << (b_smp_id() % 32), __ATOMIC_RELAXED);
}

static void test_tasks(void)
{
	int n = 4 * b_smp_numcores(), ok = 0;

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		while (b_smp_enqueue(task, (void *)(long)i) == B_EAGAIN)
			b_smp_run();
	b_smp_wait();
	for (int i = 0; i < n; i++)
		ok += task_ok[i];
	check(ok == n, "errno and stdio in tasks on every core", "%d of %d tasks right", ok, n);
	printf("     (tasks ran on %d cores)\n", __builtin_popcount(task_cores));
}

int main(void)
{
	printf("libctest: newlib %s on %u cores\n", _NEWLIB_VERSION, b_smp_numcores());
	test_printf();
	test_scanf();
	test_strtod();
	test_qsort();
	test_math();
	test_malloc();
	test_time();
	test_entropy();
	test_file_errors();
	test_disk_full();
	test_process();
	test_tasks();
	printf("libctest: %d checks, %d failed\n", checks, failures);
	return failures;
}
