/*
 * BareMetal's C API (ReturnInfinity/BareMetal api/libBareMetal.h) on Pith,
 * so a BareMetal C program compiles unchanged: `#include "libBareMetal.h"`
 * with -Iinclude. The same typedefs, names and b_system function numbers
 * (B_SYS_* of pith/system.h); the calls are Pith's, reached as every Pith
 * call is (lib/program/api.c in a loaded program). docs/PROGRAMS.md says
 * how to build and run one.
 *
 * Pith's own declarations serve where a caller cannot tell the difference:
 *   b_input, b_output   unsigned char is u8, unsigned long is u64
 *   b_net_tx            returns long (len, or a negative B_E* code) where
 *                       BareMetal's returns nothing; iid is unsigned
 *   b_nvs_read/write    sectors done, or a negative B_E* code (a huge u64)
 *   b_system            the same; an unknown function gives (u64)B_EINVAL
 * Small inline wrappers serve where the forms differ:
 *   b_storage_read/write  the other name BareMetal's headers have used for
 *                       b_nvs_read/write; sectors done, 0 on any error
 *                       (BareMetal's "number of sectors read")
 *   b_net_rx            BareMetal has had two forms. b_net_rx(mem, iid)
 *                       copies the frame into mem (room for 1518 bytes):
 *                       Pith's call. b_net_rx(&ptr, iid), with a void **,
 *                       points ptr at a copy valid until the next call (as
 *                       BareMetal's driver reuses its buffer); the _Generic
 *                       macro picks by the argument's type, so a void **
 *                       never lands in the copying form by conversion.
 *
 * Behaviour that differs: sectors are 4096 bytes on both, but Pith wants
 * buffers 16-byte aligned (every array of 16 bytes or more is, by the
 * x86-64 ABI). TIMECOUNTER counts nanoseconds, not HPET ticks; SMP_ID is
 * the core's number 0..n-1, not its APIC id, and SMP_SET takes one;
 * MAC_GET (NET_STATUS) takes the interface in var1; there is no mouse
 * (GET_MOUSE, CALLBACK_MOUSE give (u64)B_EINVAL) and no screen (the
 * SCREEN_* calls give 0).
 */
#ifndef _LIBBAREMETAL_H
#define _LIBBAREMETAL_H

#include <stdint.h>
#include <pith/console.h>
#include <pith/net.h>
#include <pith/nvs.h>
#include <pith/system.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* Storage: BareMetal's other names for b_nvs_read/b_nvs_write. */
static inline u64 b_storage_read(void *mem, u64 start, u64 num, u64 drivenum)
{
	long n = b_nvs_read(mem, start, num, (unsigned)drivenum);

	return n < 0 ? 0 : (u64)n;
}

static inline u64 b_storage_write(void *mem, u64 start, u64 num, u64 drivenum)
{
	long n = b_nvs_write(mem, start, num, (unsigned)drivenum);

	return n < 0 ? 0 : (u64)n;
}

/* Network: b_net_rx in both of BareMetal's forms (see the top). */
static inline u64 b_net_rx_ptr(void **mem, u64 iid)
{
	static u8 frame[B_NET_RX_MAX] __attribute__((aligned(16)));
	long n = b_net_rx(frame, (unsigned)iid);

	*mem = frame;
	return n < 0 ? 0 : (u64)n;
}

#define b_net_rx(mem, iid) _Generic((mem),					\
	void **: b_net_rx_ptr((void **)(mem), (iid)),				\
	default: (b_net_rx)((void *)(mem), (unsigned)(iid)))

/* b_system function numbers (BareMetal's "Index for b_config calls"). */
#define TIMECOUNTER		B_SYS_TIMECOUNTER
#define FREE_MEMORY		B_SYS_FREE_MEMORY
#define GET_MOUSE		0x02
#define SMP_ID			B_SYS_SMP_ID
#define SMP_NUMCORES		B_SYS_SMP_NUMCORES
#define SMP_SET			B_SYS_SMP_SET
#define SMP_GET			B_SYS_SMP_GET
#define SMP_LOCK		B_SYS_SMP_LOCK
#define SMP_UNLOCK		B_SYS_SMP_UNLOCK
#define SMP_BUSY		B_SYS_SMP_BUSY
#define TSC			B_SYS_TSC
#define SCREEN_LFB_GET		B_SYS_SCREEN_LFB_GET
#define SCREEN_X_GET		B_SYS_SCREEN_X_GET
#define SCREEN_Y_GET		B_SYS_SCREEN_Y_GET
#define SCREEN_PPSL_GET		B_SYS_SCREEN_PPSL_GET
#define SCREEN_BPP_GET		B_SYS_SCREEN_BPP_GET
#define MAC_GET			B_SYS_NET_STATUS
#define NET_STATUS		B_SYS_NET_STATUS	/* the older name of MAC_GET */
#define NET_CONFIG		B_SYS_NET_CONFIG
#define BUS_READ		B_SYS_BUS_READ
#define BUS_WRITE		B_SYS_BUS_WRITE
#define STDOUT_SET		B_SYS_STDOUT_SET
#define STDOUT_GET		B_SYS_STDOUT_GET
#define CALLBACK_TIMER		B_SYS_CALLBACK_TIMER
#define CALLBACK_NETWORK	B_SYS_CALLBACK_NETWORK
#define CALLBACK_KEYBOARD	B_SYS_CALLBACK_KEYBOARD
#define CALLBACK_MOUSE		0x63
#define DUMP_MEM		B_SYS_DUMP_MEM
#define DUMP_RAX		B_SYS_DUMP_RAX
#define DELAY			B_SYS_DELAY
#define RESET			B_SYS_RESET
#define REBOOT			B_SYS_REBOOT
#define SHUTDOWN		B_SYS_SHUTDOWN

#endif
