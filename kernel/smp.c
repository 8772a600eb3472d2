/*
 * Starting the application processors (SDM vol. 3A §8.4.4, "MP
 * initialization"): INIT, then two STARTUP IPIs pointing at the trampoline,
 * sent to every core at once so they start in parallel. Each core takes an
 * arrival number in the trampoline and finds its stack by it; the struct
 * cpu for that number was allocated here beforehand, with a guard page
 * under the stack. A core that has not arrived after START_TIMEOUT_US is
 * reported and left out (should it arrive later, it halts for good); the
 * others go on.
 */
#include "smp.h"
#include "mem.h"
#include "memlayout.h"
#include "printf.h"
#include "spinlock.h"
#include "string.h"
#include "time.h"
#include "wq.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"

#define INIT_DELAY_US		10000	/* SDM: 10 ms INIT to STARTUP, on metal */
#define SIPI_GAP_US		200	/* between the two STARTUPs */
#define START_TIMEOUT_US	500000	/* TCG translates each new core's path slowly */
#define STACK_PAGES		(BOOT_STACK_SIZE / PAGE_SIZE)
#define FAULT_STACK_PAGES	(FAULT_STACK_SIZE / PAGE_SIZE)
#define CPUID_HYPERVISOR	(1u << 31)

extern const char trampoline_start[], trampoline_end[], trampoline_cr3[];

/* Read by trampoline.S. */
volatile uint32_t ap_arrivals;
uint64_t ap_stacks[MAX_CPUS];
uint32_t ap_stacks_count;

static struct cpu *cpus[MAX_CPUS];	/* by index; [0] is the boot core */
static struct spinlock start_lock;	/* orders arrivals against the timeout */
static bool start_open = true;
static volatile unsigned online = 1;
static unsigned expected = 1;
static uint64_t lapic_base;

/* One struct cpu page, then the guard page, the stack and the fault stack:
 * consecutive pages from the bump allocator. */
static struct cpu *alloc_cpu(unsigned index)
{
	struct cpu *c = mem_alloc_page();
	uint64_t guard = (uint64_t)mem_alloc_page(), fault;

	for (unsigned i = 0; i < STACK_PAGES; i++)
		mem_alloc_page();
	fault = (uint64_t)mem_alloc_page();
	for (unsigned i = 1; i < FAULT_STACK_PAGES; i++)
		mem_alloc_page();
	paging_add_guard(guard);
	c->index = index;
	c->stack_top = guard + PAGE_SIZE + BOOT_STACK_SIZE;
	c->fault_stack_top = fault + FAULT_STACK_SIZE;
	return c;
}

/* The first C code an application processor runs. */
void ap_main(uint32_t arrival)
{
	struct cpu *c = cpus[arrival + 1];

	percpu_set(c);
	gdt_init(c);
	idt_load();
	fpu_init();
	lapic_init(lapic_base);
	c->apic_id = lapic_id();
	spin_lock(&start_lock);
	if (!start_open) {		/* too late: smp_boot reported us missing */
		spin_unlock(&start_lock);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&online, 1, __ATOMIC_RELEASE);
	spin_unlock(&start_lock);
	wq_core_loop();
}

static void send_startup(const struct platform *p, uint32_t icr)
{
	for (unsigned i = 0; i < p->ncpus && i < MAX_CPUS; i++)
		if (p->apic_ids[i] != boot_cpu.apic_id)
			lapic_send_ipi(p->apic_ids[i], icr);
}

static void report_missing(const struct platform *p)
{
	for (unsigned i = 0; i < p->ncpus && i < MAX_CPUS; i++) {
		bool seen = p->apic_ids[i] == boot_cpu.apic_id;
		for (unsigned k = 1; k < expected && !seen; k++)
			seen = cpus[k]->online && cpus[k]->apic_id == p->apic_ids[i];
		if (!seen)
			kprintf("smp    core with apic id %u did not start\n", p->apic_ids[i]);
	}
}

void smp_boot(const struct platform *p)
{
	bool metal = !(cpuid(1, 0).c & CPUID_HYPERVISOR);
	uint64_t waited = 0;

	boot_cpu.apic_id = lapic_id();
	boot_cpu.online = true;
	cpus[0] = &boot_cpu;
	lapic_base = p->lapic_base;
	expected = p->ncpus > MAX_CPUS ? MAX_CPUS : (p->ncpus ? p->ncpus : 1);
	if (expected == 1)
		return;
	for (unsigned i = 1; i < expected; i++)
		cpus[i] = alloc_cpu(i);
	for (unsigned i = 0; i + 1 < expected; i++)
		ap_stacks[i] = cpus[i + 1]->stack_top;
	ap_stacks_count = expected - 1;
	memcpy((void *)TRAMPOLINE_BASE, trampoline_start, trampoline_end - trampoline_start);
	*(volatile uint32_t *)(TRAMPOLINE_BASE + (trampoline_cr3 - trampoline_start)) =
		(uint32_t)read_cr3();

	send_startup(p, ICR_INIT);
	if (metal)
		delay_us(INIT_DELAY_US);	/* virtual CPUs need no settling time */
	send_startup(p, ICR_STARTUP | TRAMPOLINE_BASE >> 12);
	delay_us(SIPI_GAP_US);
	send_startup(p, ICR_STARTUP | TRAMPOLINE_BASE >> 12);
	while (__atomic_load_n(&online, __ATOMIC_ACQUIRE) < expected && waited < START_TIMEOUT_US) {
		delay_us(10);
		waited += 10;
	}
	spin_lock(&start_lock);
	start_open = false;		/* a core arriving now parks itself */
	spin_unlock(&start_lock);
	if (online < expected)
		report_missing(p);
}

unsigned smp_cores(void)
{
	return __atomic_load_n(&online, __ATOMIC_ACQUIRE);
}

struct cpu *smp_cpu(unsigned index)
{
	if (index >= expected || !__atomic_load_n(&cpus[index]->online, __ATOMIC_ACQUIRE))
		return NULL;
	return cpus[index];
}

void smp_print(void)
{
	kprintf("smp    %u of %u cores online; %lu KiB of kernel stacks\n", smp_cores(),
		expected, (unsigned long)(expected * (BOOT_STACK_SIZE + FAULT_STACK_SIZE) >> 10));
}
