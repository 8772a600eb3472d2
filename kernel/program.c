/*
 * Running a program (include/pith/program.h). The program area is every
 * byte of RAM left once the kernel has taken its own, mapped at
 * B_PROGRAM_BASE with 2 MiB pages:
 *
 *   B_PROGRAM_BASE   the image: ELF segments or a flat binary
 *        ...         a file being loaded is first read to just below the stack
 *   top - 1 MiB      the program's stack, its argv strings at the very top
 *
 * One program at a time, on core 0, as a plain call on its own stack,
 * inside task_call so that a fault returns here (fault.c) instead of
 * stopping the machine. When it returns, whatever it left behind that
 * points into its memory is undone: callbacks, the console hook, tasks.
 */
#include <pith/file.h>
#include <pith/program.h>
#include <pith/system.h>
#include "elf.h"
#include "mem.h"
#include "memlayout.h"
#include "param.h"
#include "power.h"
#include "printf.h"
#include "program.h"
#include "string.h"
#include "system.h"
#include "wq.h"
#include "drivers/virtio_blk.h"
#include "drivers/virtio_net.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"

int task_call(void (*fn)(void *), void *arg, struct task_jmp *j);	/* task.S */
int call_on_stack(void *fn, int argc, char **argv, uint64_t stack_top);	/* stack.S */

#define ELF_MAGIC	"\177ELF"	/* gABI e_ident[EI_MAG0..3] */

struct run {
	void *entry;
	int argc;
	char **argv;		/* at the top of its stack: the stack starts below */
	int code;
};

void task_resume(struct task_jmp *j) __attribute__((noreturn));	/* task.S */

static bool running;
static bool exited;		/* b_exit ended the running program */
static int exit_code;
static bool too_big;		/* place() refused an image for its size */
static char name[B_FILE_NAME_MAX + 1];	/* for fault reports */
static uint64_t image_end;	/* while one runs: the end of its image */

void program_init(void)
{
	/* Its page tables come first (device memory): a PDPT and a PD per GiB,
	 * and the page tables of a small area, left room for below base;
	 * everything after is the program's. */
	uint64_t tables = 2 + (meminfo.alloc_end - meminfo.alloc_next) / HUGE_PAGE +
			  SMALL_AREA / LARGE_PAGE + 2;
	uint64_t base = align_up(meminfo.alloc_next + tables * PAGE_SIZE, LARGE_PAGE);
	uint64_t end = align_down(meminfo.alloc_end, LARGE_PAGE);

	/* A machine of a few MiB would lose most of its RAM to 2 MiB
	 * alignment: map its area in 4 KiB pages from the first free one. */
	if (end < base + SMALL_AREA) {
		base = align_up(meminfo.alloc_next + tables * PAGE_SIZE, PAGE_SIZE);
		end = align_down(meminfo.alloc_end, PAGE_SIZE);
	}
	if (end < base + PROGRAM_AREA_MIN) {
		kprintf("program: no RAM left for programs\n");
		return;
	}
	if (!paging_map_range(B_PROGRAM_BASE, base, end - base)) {
		kprintf("program: cannot map the program area\n");
		return;
	}
	meminfo.prog_phys = base;
	meminfo.prog_size = end - base;
}

uint64_t b_program_area(void) { return meminfo.prog_size; }

uint64_t b_mem_free(void)
{
	return meminfo.prog_size - (running ? image_end - B_PROGRAM_BASE : 0);
}

static void run_task_fn(void *arg)
{
	struct run *r = arg;

	char *lowest = (char *)r->argv;

	for (int i = 0; i < r->argc; i++)
		if (r->argv[i] < lowest)
			lowest = r->argv[i];
	r->code = call_on_stack(r->entry, r->argc, r->argv, (uint64_t)lowest & ~15ull);
}

/* Copies argv to the top of the program's stack (the pointers, then the
 * strings below them; the stack starts under the lowest): the new argv,
 * or NULL when it does not fit or a string is not readable. */
static char **copy_args(int argc, char **argv)
{
	uint64_t top = B_PROGRAM_BASE + meminfo.prog_size - 4096;
	char **out = (char **)(top - (B_PROGRAM_ARGS + 1) * sizeof(char *));
	char *p = (char *)out;

	for (int i = argc - 1; i >= 0; i--) {
		uint64_t n = 0;
		while (mem_program_readable(argv[i] + n, 1) && argv[i][n] && n < 4096)
			n++;
		if (n == 4096 || !mem_program_readable(argv[i] + n, 1))
			return NULL;
		p -= n + 1;
		if ((uint64_t)p < top - PROGRAM_STACK_SIZE / 2)
			return NULL;	/* keep half the stack for the program */
		memcpy(p, argv[i], n + 1);
		out[i] = p;
	}
	out[argc] = NULL;
	return out;
}

/* Runs the placed image's entry; the exit code or B_EFAULTED. */
static long start(void *entry, int argc, char **argv)
{
	struct cpu *c = this_cpu();
	struct task_jmp j;
	struct run r = { entry, argc, argv, 0 };
	bool faulted;

	c->task_jmp = &j;
	c->program = name;
	exited = false;
	faulted = task_call(run_task_fn, &r, &j) && !exited;
	c->task_jmp = NULL;
	c->program = NULL;
	if (exited)
		r.code = exit_code;
	system_program_ended();	/* callbacks into its memory: off */
	wq_wait();		/* its tasks run code in its memory: let them end */
	vnet_reclaim_all();	/* receive buffers it held */
	vblk_forget_async();	/* requests living in its memory */
	return faulted ? B_EFAULTED : (long)(r.code & 0xff);
}

/* Places the image at (already in the program area or elsewhere in RAM):
 * ELF, else a flat binary at B_PROGRAM_BASE. Entry or NULL (reason printed). */
static void *place(const void *img, uint64_t len, uint64_t limit)
{
	struct elf_image im;
	const char *why = "";

	if (len >= 4 && !memcmp(img, ELF_MAGIC, 4)) {
		if (elf_check(img, len, B_PROGRAM_BASE, limit, &im, &why) < 0 ||
		    elf_load(img, &im, &why) < 0) {
			kprintf("program: not loadable: %s\n", why);
			too_big = !strcmp(why, "larger than the program area");
			return NULL;
		}
		image_end = im.hi;
		return (void *)im.entry;
	}
	if (!len || len > limit) {
		kprintf("program: flat binary of %lu bytes does not fit\n", (unsigned long)len);
		too_big = len != 0;
		return NULL;
	}
	memmove((void *)B_PROGRAM_BASE, img, len);
	image_end = B_PROGRAM_BASE + len;
	return (void *)B_PROGRAM_BASE;
}

/* Common to run and exec: the checks, then place and start. who names
 * the program in fault reports. */
static long launch(const void *img, uint64_t len, uint64_t limit, int argc, char **argv,
		   const char *who)
{
	void *entry;
	char **args;
	long code;

	if (!(args = copy_args(argc, argv)))
		return B_EFAULT;
	too_big = false;
	if (!(entry = place(img, len, limit)))
		return too_big ? B_ENOMEM : B_ENOEXEC;
	for (size_t i = 0; i < sizeof(name); i++)	/* who is the kernel's: a file name or a literal */
		if (!(name[i] = i + 1 < sizeof(name) ? who[i] : '\0'))
			break;
	running = true;
	code = start(entry, argc, args);
	running = false;
	return code;
}

static long check_caller(int argc, char **argv)
{
	struct cpu *c = this_cpu();

	if (running || c->index != 0 || c->task_depth)
		return B_EBUSY;
	if (!meminfo.prog_size)
		return B_ENOMEM;
	if (argc < 0 || argc > B_PROGRAM_ARGS)
		return B_EINVAL;
	if (argc && (!argv || !mem_program_readable(argv, (uint64_t)argc * sizeof(*argv))))
		return B_EFAULT;
	return 0;
}

long b_program_exec(const void *image, uint64_t len, int argc, char **argv)
{
	long r = check_caller(argc, argv);

	if (r)
		return r;
	if (!image || !mem_program_readable(image, len) || mem_in_program_area(image, 1) ||
	    (mem_dma_addr(image) < meminfo.prog_phys + meminfo.prog_size &&
	     mem_dma_addr(image) + len > meminfo.prog_phys))
		return B_EFAULT;	/* loading would overwrite it: not in the area's RAM either */
	if (meminfo.prog_size < PROGRAM_STACK_SIZE + LARGE_PAGE)
		return B_ENOMEM;	/* an area too small for a stack and an image */
	return launch(image, len, meminfo.prog_size - PROGRAM_STACK_SIZE, argc, argv,
		      "(loaded from memory)");
}

long b_program_run(const char *name, int argc, char **argv, unsigned drive)
{
	struct b_file_info in;
	uint64_t room = meminfo.prog_size - PROGRAM_STACK_SIZE, staged;
	long r = check_caller(argc, argv);

	if (r || (r = b_file_stat(name, &in, drive)) < 0)
		return r;
	if (meminfo.prog_size < PROGRAM_STACK_SIZE + LARGE_PAGE || in.size > room / 2)
		return B_ENOMEM;	/* the file and its image must both fit */
	staged = align_down(room - in.size, PAGE_SIZE);
	r = b_file_read(name, (void *)(B_PROGRAM_BASE + staged), in.size, 0, drive);
	if (r < 0)
		return r;
	if ((uint64_t)r != in.size)
		return B_EIO;
	return launch((void *)(B_PROGRAM_BASE + staged), in.size, staged, argc, argv, in.name);
}

void b_exit(int code)
{
	struct cpu *c = this_cpu();

	if (c->task_depth || c->in_callback)
		return;		/* a task or a callback is not the program's own flow */
	if (running && c->program && c->task_jmp) {
		exit_code = code;
		exited = true;
		task_resume(c->task_jmp);	/* back into start() as if it faulted */
	}
	if (c->index == 0 && !running)
		power_off(code < 0 || code >= EXIT_FAULT_BASE ? EXIT_FAULT_BASE - 1 : code);
}

int b_heap(void **start, uint64_t *bytes)
{
	uint64_t lo = running ? align_up(image_end, PAGE_SIZE) : B_PROGRAM_BASE;
	uint64_t hi = B_PROGRAM_BASE + meminfo.prog_size - (running ? PROGRAM_STACK_SIZE : 0);

	if (!start || !bytes || !mem_program_range(start, sizeof(*start)) ||
	    !mem_program_range(bytes, sizeof(*bytes)))
		return B_EFAULT;
	if (!meminfo.prog_size)
		lo = hi = B_PROGRAM_BASE;
	*start = (void *)lo;
	*bytes = hi - lo;
	return 0;
}

void program_print(void)
{
	if (meminfo.prog_size)
		kprintf("prog   %lu MiB at %#lx (RAM %#lx)\n",
			(unsigned long)(meminfo.prog_size >> 20), (unsigned long)B_PROGRAM_BASE,
			(unsigned long)meminfo.prog_phys);
}
