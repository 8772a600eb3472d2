/*
 * The fault reporter: every CPU exception ends here. It prints what a person
 * needs to find the bug (which exception, on which core, in which task, every
 * register, the call chain with function names). A fault inside a work-queue
 * task ends only that task: the core goes back to the queue. Any other fault
 * stops the machine with an exit code that names the exception, so a test
 * can tell one fault from another.
 */
#include <stdint.h>
#include <stdbool.h>
#include "cpu.h"
#include "trap.h"
#include "paging.h"
#include "percpu.h"
#include "../../console.h"
#include "../../ksyms.h"
#include "../../power.h"
#include "../../printf.h"
#include "../../param.h"
#include "../../spinlock.h"

#define BACKTRACE_MAX	4096	/* frames walked: more than a kernel stack holds */
#define VEC_PF		14

/* SDM vol. 3A table 6-1. */
static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};



static void print_symbol(uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		kprintf(" %s+%#lx", name, (unsigned long)off);
	else
		kprintf(" ?");
}

static void print_frame(uint64_t ret, unsigned repeats)
{
	if (repeats)
		kprintf("  ... the frame above %u more times\n", repeats);
	if (ret) {
		kprintf("  %#018lx", (unsigned long)ret);
		print_symbol(ret - 1);	/* the call, not what follows it */
		kprintf("\n");
	}
}

/* Walks saved-rbp links, each [saved rbp, return address], to the zero rbp
 * entry.S starts with. Runs of one return address (recursion) print once. */
void backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t last = 0;
	unsigned repeats = 0;

	kprintf("stack:\n  %#018lx", (unsigned long)rip);
	print_symbol(rip);
	kprintf("\n");
	for (int i = 0; i < BACKTRACE_MAX && rbp; i++) {
		uint64_t *frame = (uint64_t *)rbp;
		if ((rbp & 7) || !paging_is_mapped(rbp) || !paging_is_mapped(rbp + 15) ||
		    !frame[1])
			break;	/* not a frame we can trust */
		if (frame[1] == last) {
			repeats++;
		} else {
			print_frame(frame[1], repeats);
			repeats = 0;
			last = frame[1];
		}
		if (frame[0] <= rbp)
			break;	/* stacks grow down: callers' frames are higher */
		rbp = frame[0];
	}
	print_frame(0, repeats);
}

static void print_registers(const struct trapframe *f)
{
	kprintf("rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("rbp %016lx rsp %016lx r8  %016lx\n", f->rbp, f->rsp, f->r8);
	kprintf("r9  %016lx r10 %016lx r11 %016lx\n", f->r9, f->r10, f->r11);
	kprintf("r12 %016lx r13 %016lx r14 %016lx\n", f->r12, f->r13, f->r14);
	kprintf("r15 %016lx rip %016lx rflags %08lx\n", f->r15, f->rip, f->rflags);
	kprintf("cs %04lx ss %04lx cr0 %08lx cr2 %016lx cr3 %08lx cr4 %08lx\n",
		f->cs, f->ss, read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

/* Faults a task can be cut short from: the CPU state is intact. #DF, NMI
 * and #MC say the machine itself is in doubt. */
static bool recoverable(uint64_t vector)
{
	return vector != 2 && vector != 8 && vector != 18;
}

static void print_report(struct trapframe *f, struct cpu *c, uint64_t cr2, bool overflow)
{
	const char *name = overflow ? "stack overflow" : exception_names[f->vector];

	kprintf("\nFAULT %s on core %u: error %#lx cr2 %#018lx\n", name ? name : "reserved",
		c->index, f->error, cr2);
	if (c->in_callback)
		kprintf("callback of program %s\n", c->program ? c->program : "(linked in)");
	else if (c->program && !c->task_depth)
		kprintf("program %s\n", c->program);
	else if (c->task_fn) {
		kprintf("task");
		print_symbol((uint64_t)c->task_fn);
		kprintf("\n");
	}
	kprintf("rip %#018lx", f->rip);
	print_symbol(f->rip);
	kprintf("\n");
	print_registers(f);
	backtrace(f->rip, f->rbp);
}

/* Makes the interrupted core return into task_resume(j): task_call then
 * returns 1 on the task's caller's stack, as if the task had returned. */
static void resume_after_task(struct trapframe *f, struct cpu *c)
{
	extern char task_resume[];	/* task.S */

	f->rip = (uint64_t)task_resume;
	f->rdi = (uint64_t)c->task_jmp;
	f->rsp = (c->task_jmp->rsp - 128) & ~15ull;	/* below the caller's frame */
}

static struct spinlock report_lock;

void fault_report(struct trapframe *f)
{
	struct cpu *c = this_cpu();
	uint64_t cr2 = read_cr2();
	bool overflow = f->vector == VEC_PF && paging_is_stack_guard(cr2);
	int code = overflow ? EXIT_STACK_OVERFLOW : EXIT_FAULT_BASE + (int)f->vector;

	if (c->reporting) {
		/* A fault while reporting one: say so, and stop at once. */
		console_break_lock();
		kprintf("\nFAULT vector %lu while reporting a fault at rip %#lx\n",
			f->vector, f->rip);
		power_off(code);
	}
	c->reporting = true;
	spin_lock(&report_lock);	/* one report at a time, whole */
	console_break_lock();
	print_report(f, c, cr2, overflow);
	if (c->task_jmp && recoverable(f->vector)) {
		kprintf("task stopped; core %u goes on\n", c->index);
		resume_after_task(f, c);
		spin_unlock(&report_lock);
		c->reporting = false;
		return;
	}
	kprintf("stopped: exit code %d\n", code);
	power_off(code);
}
