/*
 * What the machine has, from the API's queries: mem (free RAM, the program
 * area, the Monitor's staging buffer), cpu (cores and their work-queue
 * counters), net (each NIC's MAC, link and counters) and disk (each
 * drive's size, read-only flag and counters), pci (the functions on a bus,
 * read through b_bus_read). One or two lines per item.
 */
#include <pith/bus.h>
#include <pith/console.h>
#include <pith/net.h>
#include <pith/nvs.h>
#include <pith/program.h>
#include <pith/smp.h>
#include <pith/system.h>
#include "monitor.h"

static bool no_args(int argc, const char *name)
{
	if (argc != 1)
		usage(name);
	return argc == 1;
}

void cmd_mem(int argc, char **argv)
{
	uint64_t addr, size, loaded;
	const char *name;

	(void)argv;
	if (!no_args(argc, "mem"))
		return;
	out_s("free RAM     ");
	out_u(b_mem_free());
	out_s(" bytes (");
	out_u(b_mem_free() >> 20);
	out_s(" MiB)\nprogram area ");
	out_u(b_program_area());
	out_s(" bytes (");
	out_u(b_program_area() >> 20);
	out_s(" MiB) at ");
	out_hex(B_PROGRAM_BASE);
	prog_staging(&addr, &size, &loaded, &name);
	out_s("\nstaging      ");
	out_bytes(size);
	out_s(" at ");
	out_hex(addr);
	if (name) {
		out_s(", holds ");
		out_s(name);
		out_s(" (");
		out_u(loaded);
		out_s(" bytes)\n");
	} else {
		out_s(", empty\n");
	}
}

static void ms(const char *label, uint64_t ns)
{
	out_s(label);
	out_u(ns / 1000000);
	out_s(" ms");
}

void cmd_cpu(int argc, char **argv)
{
	struct b_core_stats st;
	unsigned n = b_smp_numcores();

	(void)argv;
	if (!no_args(argc, "cpu"))
		return;
	out_s("cores ");
	out_u(n);
	out_s(" (the Monitor runs on core ");
	out_u(b_smp_id());
	out_s(")\n");
	for (unsigned i = 0; i < n; i++) {
		if (b_smp_stats(i, &st) < 0)
			continue;
		out_s("core ");
		out_u(i);
		out_s(": apic ");
		out_u(st.apic_id);
		out_s(", tasks ");
		out_u(st.tasks_run);
		out_s(", faulted ");
		out_u(st.tasks_failed);
		ms(", busy ", st.busy_ns);
		ms(", idle ", st.idle_ns);
		out_nl();
	}
}

static void out_mac(const uint8_t *mac)
{
	char buf[17];

	for (int i = 0; i < 6; i++) {
		fmt_hex(buf + 3 * i, mac[i], 2);
		if (i < 5)
			buf[3 * i + 2] = ':';
	}
	b_output(buf, sizeof(buf));
}

static void traffic(const char *dir, uint64_t frames, uint64_t bytes, uint64_t drops,
		    uint64_t errors)
{
	out_s(dir);
	out_u(frames);
	out_s(" frames ");
	out_u(bytes);
	out_s(" bytes, drops ");
	out_u(drops);
	out_s(" errors ");
	out_u(errors);
}

static void nic(unsigned i)
{
	struct b_net_info in;
	struct b_net_stats st;

	if (b_net_info(i, &in) < 0 || b_net_stats(i, &st) < 0)
		return;
	out_s("net");
	out_u(i);
	out_s(" ");
	out_s(in.transport);
	out_s(" ");
	out_mac(in.mac);
	out_s(in.link_up ? " link up" : " link down");
	out_s(" mtu ");
	out_u(in.mtu);
	out_s(in.irq ? " irq yes" : " irq no");
	traffic("\n  rx ", st.rx_frames, st.rx_bytes, st.rx_drops, st.rx_errors);
	traffic("; tx ", st.tx_frames, st.tx_bytes, st.tx_drops, st.tx_errors);
	out_s("; interrupts ");
	out_u(st.interrupts);
	out_nl();
}

void cmd_net(int argc, char **argv)
{
	unsigned n = b_net_count();

	(void)argv;
	if (!no_args(argc, "net"))
		return;
	if (!n)
		out_s("no NICs\n");
	for (unsigned i = 0; i < n; i++)
		nic(i);
}

static void drive(unsigned i)
{
	struct b_nvs_info in;
	struct b_nvs_stats st;

	if (b_nvs_info(i, &in) < 0 || b_nvs_stats(i, &st) < 0)
		return;
	out_s("disk");
	out_u(i);
	out_s(" ");
	out_s(in.transport);
	out_s(" ");
	out_u(in.sectors);
	out_s(" sectors (");
	out_bytes(in.sectors * B_NVS_SECTOR);
	out_s(in.read_only ? ") ro" : ") rw");
	out_s(in.flush ? " flush" : "");
	out_s("\n  reads ");
	out_u(st.reads);
	out_s(" (");
	out_u(st.sectors_read);
	out_s(" sectors), writes ");
	out_u(st.writes);
	out_s(" (");
	out_u(st.sectors_written);
	out_s(" sectors), flushes ");
	out_u(st.flushes);
	out_s(", errors ");
	out_u(st.errors);
	out_nl();
}

void cmd_disk(int argc, char **argv)
{
	unsigned n = b_nvs_count();

	(void)argv;
	if (!no_args(argc, "disk"))
		return;
	if (!n)
		out_s("no drives\n");
	for (unsigned i = 0; i < n; i++)
		drive(i);
}

/* Hex with exactly n digits. */
static void hex_digits(uint64_t v, unsigned n)
{
	char buf[16];

	fmt_hex(buf, v, (int)n);
	b_output(buf, n);
}

/* One function found through configuration space: bus:dev.fn vendor:device
 * class; false when nothing answers there. */
static bool pci_function(unsigned bus, unsigned dev, unsigned fn)
{
	long id = b_bus_read(bus, dev, fn, 0), class;

	if (id < 0 || (id & 0xffff) == 0xffff)
		return false;
	class = b_bus_read(bus, dev, fn, 8);
	hex_digits(bus, 2), out_s(":"), hex_digits(dev, 2), out_s("."), hex_digits(fn, 1);
	out_s(" "), hex_digits((uint64_t)id & 0xffff, 4), out_s(":");
	hex_digits((uint64_t)id >> 16, 4), out_s(" class ");
	hex_digits((uint64_t)class >> 24, 2), out_s("."), hex_digits((uint64_t)class >> 16 & 0xff, 2);
	out_nl();
	return true;
}

/* pci [BUS]: the functions on one bus (0 by default), read by the Monitor
 * itself through b_bus_read (BareMetal's BUS_READ). */
void cmd_pci(int argc, char **argv)
{
	uint64_t bus = 0;
	unsigned found = 0;

	if (argc > 2 || (argc == 2 && !parse_uint(argv[1], 255, &bus))) {
		usage("pci");
		return;
	}
	for (unsigned dev = 0; dev < 32; dev++) {
		long hdr = b_bus_read((unsigned)bus, dev, 0, 12);
		unsigned fns = hdr >= 0 && (hdr >> 16 & 0x80) ? 8 : 1;	/* multi-function */

		for (unsigned fn = 0; fn < fns; fn++)
			found += pci_function((unsigned)bus, dev, fn);
	}
	if (!found)
		out_s("no PCI functions on that bus\n");
}
