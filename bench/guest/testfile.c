/*
 * testfile.c - writes the 1 MiB bulk-download file: "testfile PATH".
 *
 * The Linux guest's twin of Pith's /1m.bin (lib/http/testfile.c): byte i
 * is ((i * 2654435761) mod 2^32) >> 24. The guest's init runs it before
 * nginx when the command line says bulk=1 (bench/run.py's bulk and ping
 * metrics), so nginx serves the same bytes from /www/1m.bin; other boots
 * do not pay for it.
 *
 * Built without libc (build.sh: -nostdlib), raw Linux system calls: a
 * static glibc program would add ~300 KB to the initramfs that every
 * Linux boot unpacks, for a file only bulk boots need.
 */
#include <stdint.h>

#define TESTFILE_LEN	(1u << 20)
#define CHUNK		65536u
#define SYS_WRITE	1
#define SYS_OPEN	2
#define SYS_CLOSE	3
#define SYS_EXIT	60
#define O_WRONLY_CREAT_TRUNC	(01 | 0100 | 01000)

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static int write_file(const char *path)
{
	static uint8_t buf[CHUNK];
	long fd = sys3(SYS_OPEN, (long)path, O_WRONLY_CREAT_TRUNC, 0644);

	if (fd < 0)
		return 1;
	for (uint32_t off = 0; off < TESTFILE_LEN; off += CHUNK) {
		for (uint32_t i = 0; i < CHUNK; i++)
			buf[i] = (uint8_t)((uint32_t)((off + i) * 2654435761u) >> 24);
		for (uint32_t done = 0; done < CHUNK;) {
			long n = sys3(SYS_WRITE, fd, (long)(buf + done), CHUNK - done);

			if (n <= 0)
				return 1;
			done += (uint32_t)n;
		}
	}
	return sys3(SYS_CLOSE, fd, 0, 0) < 0;
}

/* The kernel's initial stack: argc, then argv[]. */
void testfile_start(long *sp);

void testfile_start(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);

	sys3(SYS_EXIT, argc == 2 ? write_file(argv[1]) : 2, 0, 0);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call testfile_start\n"
	"	hlt\n");
