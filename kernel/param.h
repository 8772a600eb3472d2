/*
 * Every limit and fixed number of the kernel, in one place. A limit that
 * input can reach (a memory map, an ACPI table) is checked against it and
 * reported when cut, never overrun.
 */
#ifndef PITH_PARAM_H
#define PITH_PARAM_H

#define PITH_VERSION		"0.1.0"

#define MAX_CPUS		64	/* cores the kernel tracks (MADT order) */
#define MAX_MEM_RANGES		64	/* memory-map entries kept from the loader */
#define MAX_MODULES		8	/* boot modules kept from the loader */
#define MAX_IOAPICS		8
#define MAX_IRQ_OVERRIDES	24	/* one per ISA IRQ is the most that makes sense */
#define MAX_ACPI_TABLES		32	/* XSDT/RSDT entries looked at */
#define MAX_PCI_DEVICES		64	/* PCI functions kept from the scan */
#define PCI_BRIDGE_DEPTH_MAX	8	/* bridges below bridges followed */
#define MAX_VIRTIO_MMIO		32	/* virtio-mmio windows looked at */
#define MAX_NICS		4	/* = B_NET_MAX */
#define MAX_DRIVES		4	/* = B_NVS_MAX */
#define NET_RX_BUFS		128	/* receive buffers posted per NIC */
#define NET_TX_SLOTS		128	/* frames in flight per NIC */
#define BLK_QUEUE_SIZE		128	/* descriptors per drive's request ring */
#define BLK_INFLIGHT		32	/* requests in flight per drive */
#define CMDLINE_MAX		1024	/* bytes of kernel command line kept */
#define MAX_TIMELINE		16	/* boot timeline stamps */
#define APP_ARGS_MAX		16	/* argv entries for the linked program */
#define WQ_CAPACITY		2048	/* tasks queued at once; a power of two */
#define WQ_SPIN_US		100	/* idle cores poll this long, then halt */

#define RAM_MAP_MAX		(512ull << 30)	/* identity map: one PDPT */

#define BOOT_STACK_SIZE		16384	/* each core's kernel stack, boot core too */
#define PROGRAM_STACK_SIZE	(1ull << 20)	/* a loaded program's stack, top of its area */
#define SMALL_AREA		(8ull << 20)	/* below this, the program area is mapped in 4 KiB pages */
#define PROGRAM_AREA_MIN	(64ull << 10)	/* less, and there is no program area */
#define FAULT_STACK_SIZE	8192	/* IST stack for #PF, #DF, NMI, #MC */

/* Interrupt vectors. 0-31 are the CPU's exceptions (SDM vol. 3A §6.3). */
#define VEC_PIC_BASE		0x20	/* 8259 remapped here, then masked */
#define VEC_TIMER		0x30	/* LAPIC timer */
#define VEC_WAKE		0x31	/* IPI: a task for a sleeping core */
#define VEC_DEV_BASE		0x32	/* device interrupts (irq.c), one per device */
#define NUM_ISR_STUBS		0x40	/* stubs for vectors 0 .. 0x3f */
#define MAX_DEV_VECTORS		(NUM_ISR_STUBS - VEC_DEV_BASE)
#define VEC_SPURIOUS		0xff	/* LAPIC spurious (its low 4 bits must be 1s on old APICs) */

/* QEMU isa-debug-exit: QEMU exits with status (code << 1) | 1. */
#define DEBUG_EXIT_PORT		0xf4

/* Exit codes a test can tell apart (docs/BOOT-CONTRACT.md). */
#define EXIT_OK			0
#define EXIT_FAULT_BASE		64	/* + vector */
#define EXIT_STACK_OVERFLOW	96
#define EXIT_PANIC		127

#endif
