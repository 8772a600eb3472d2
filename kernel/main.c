/*
 * kmain: the boot core's whole path from long mode to "ready", one step a
 * line, in the order each step needs the ones before it. The timeline marks
 * after each step feed the boot benchmark (`timeline` on the command line).
 */
#include <stdint.h>
#include <pith/app.h>
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "faultinject.h"
#include "fs.h"
#include "mem.h"
#include "memlayout.h"
#include "panic.h"
#include "param.h"
#include "power.h"
#include "printf.h"
#include "program.h"
#include "string.h"
#include "system.h"
#include "smp.h"
#include "time.h"
#include "wq.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "drivers/pci.h"
#include "drivers/platform.h"
#include "drivers/serial.h"
#include "drivers/virtio.h"
#include "drivers/virtio_blk.h"
#include "drivers/virtio_net.h"

static struct bootinfo bootinfo;
static struct platform platform;
static char *app_argv[APP_ARGS_MAX + 1];
static int app_argc;

static const char *const known_options[] = { "fault", "then", "timeline", "quiet",
					       "virtio_mmio.device", NULL };

static void report_unknown(const char *word, size_t len)
{
	kprintf("cmdline: ignoring unknown option '%.*s'\n", (int)len, word);
}

static void print_cpu(void)
{
	struct cpuid v = cpuid(0, 0);
	char vendor[13], brand[49] = "";

	memcpy(vendor, &v.b, 4);
	memcpy(vendor + 4, &v.d, 4);
	memcpy(vendor + 8, &v.c, 4);
	vendor[12] = '\0';
	if (cpuid(0x80000000, 0).a >= 0x80000004)
		for (unsigned i = 0; i < 3; i++) {
			struct cpuid b = cpuid(0x80000002 + i, 0);
			memcpy(brand + 16 * i, &b, 16);
		}
	brand[48] = '\0';
	kprintf("cpu    %s %s; %s pages, %s\n", vendor, brand,
		paging_page_size() == (1ull << 30) ? "1 GiB" : "2 MiB",
		lapic_x2apic() ? "x2apic" : "xapic");
}

static void print_summary(void)
{
	print_cpu();
	mem_print(&bootinfo);
	platform_print(&platform);
	power_print();
	time_print();
	smp_print();
	fpu_print();
	pci_print();
	vnet_print();
	vblk_print();
	program_print();
	if (bootinfo.cmdline[0])
		kprintf("cmdline %s\n", bootinfo.cmdline);
}

/* argv for the program: its name, then the words after a "--" word. Cuts
 * the command line in place, so the kernel's options end where argv starts. */
static int split_args(char *cmdline, char **argv)
{
	char *p = cmdline;
	int argc = 0;

	argv[argc++] = PITH_APP_NAME;	/* the program's directory, from the Makefile */
	while (*p && !(!strncmp(p, "--", 2) && (p[2] == ' ' || !p[2]) &&
		       (p == cmdline || p[-1] == ' ')))
		p++;
	if (!*p)
		return argc;
	*p = '\0';
	p += 2;
	while (*p && argc < APP_ARGS_MAX) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p)
			argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

static void run_app(void)
{
	int code = app_main(app_argc, app_argv);

	if (code < 0 || code >= EXIT_FAULT_BASE) {
		kprintf("program exit code %d is outside 0..%d: exiting with %d\n",
			code, EXIT_FAULT_BASE - 1, EXIT_FAULT_BASE - 1);
		code = EXIT_FAULT_BASE - 1;
	}
	power_off(code);
}

/* What the command line asks for once the kernel is ready. */
static void after_ready(void)
{
	char arg[16];

	if (cmdline_get(bootinfo.cmdline, "fault", arg, sizeof(arg))) {
		kprintf("raising fault '%s' on purpose\n", arg);
		if (fault_inject(arg) < 0)
			kprintf("fault: unknown kind '%s' (de ud gp pf stack)\n", arg);
	}
	if (cmdline_get(bootinfo.cmdline, "then", arg, sizeof(arg))) {
		if (!strcmp(arg, "shutdown"))
			power_off(EXIT_OK);
		if (!strcmp(arg, "reboot"))
			power_reboot();
		kprintf("then: unknown action '%s' (shutdown reboot)\n", arg);
	}
}

void kmain(uint32_t magic, uint32_t info)
{
	percpu_set(&boot_cpu);			/* this_cpu() works from here on */
	serial_init();				/* COM1: everything after can report */
	kprintf("\nPith " PITH_VERSION " x86-64");
	if (bootinfo_parse(magic, info, &bootinfo) < 0)
		panic("no usable boot information (%s, magic %#x)", bootinfo.protocol, magic);
	kprintf(" (boot: %s)\n", bootinfo.protocol);
	app_argc = split_args(bootinfo.cmdline, app_argv);	/* program words off the options */
	timeline_mark("console, boot info");
	gdt_init(&boot_cpu);			/* TSS with the fault stack */
	idt_init();				/* faults are reported from here on */
	mem_init(&bootinfo);			/* allocator after the kernel and modules */
	platform_phys_limit = meminfo.top > LOW_4G ? meminfo.top : LOW_4G;
	paging_init(platform_phys_limit);	/* all RAM, and the MMIO below 4 GiB */
	timeline_mark("gdt, idt, paging");
	fpu_init();				/* x87/SSE/AVX state for programs */
	platform_discover(bootinfo.rsdp, &platform);	/* ACPI, else MP table */
	paging_unmap(0);			/* BIOS data read: NULL faults from here on */
	mem_seal_tables();			/* program pointers never reach the page tables */
	pci_init(&platform);			/* every PCI function, through bridges */
	timeline_mark("acpi");
	if (platform.pic_present)
		pic_disable();			/* 8259s out of the way */
	lapic_init(platform.lapic_base);	/* x2APIC where present */
	ioapic_init(&platform);			/* every pin masked until a driver routes it */
	power_init(&platform);			/* debug-exit, S5, reset register */
	time_init(&platform);			/* TSC rate */
	timeline_mark("tsc calibrated");
	wq_init();				/* the task ring, before any core polls it */
	smp_boot(&platform);			/* every core: INIT-SIPI-SIPI, then wq_core_loop */
	timeline_mark("cores started");
	virtio_pci_probe(&platform);			/* NICs and drives on PCI, then on MMIO */
	virtio_mmio_probe(&platform, bootinfo.cmdline);
	fs_init();				/* a BMFS volume per drive */
	system_init(&platform);			/* COM1's receive interrupt */
	program_init();				/* the rest of RAM, mapped at B_PROGRAM_BASE */
	timeline_mark("devices");
	if (!cmdline_has(bootinfo.cmdline, "quiet"))
		print_summary();	/* ~2 ms under QEMU: each byte is a host write */
	cmdline_check(bootinfo.cmdline, known_options, report_unknown);
	timeline_mark("summary printed");
	if (cmdline_has(bootinfo.cmdline, "timeline"))
		timeline_print();
	kprintf("ready: %u cores, %lu MiB RAM, %lu us since first instruction\n",
		smp_cores(),
		(unsigned long)mem_usable_mib(),
		(unsigned long)timeline_since_entry_us());
	after_ready();
	irq_enable();				/* device interrupts reach core 0 */
	run_app();				/* the linked program, then power off */
}
