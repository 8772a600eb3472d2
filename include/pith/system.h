/*
 * The machine: memory, power, and BareMetal's b_system call with its
 * function numbers (libBareMetal.h spells the same numbers).
 */
#ifndef PITH_SYSTEM_API_H
#define PITH_SYSTEM_API_H

#include <stdint.h>
#include <pith/error.h>

/* Bytes of free RAM: the program area's size less what the running
 * program's image occupies (all of it when none runs). */
uint64_t b_mem_free(void);
/* Powers off; under QEMU with isa-debug-exit, QEMU exits with code. */
void b_shutdown(int code) __attribute__((noreturn));
void b_reboot(void) __attribute__((noreturn));

/* b_system(function, var1, var2): BareMetal's multiplexed call. Unknown
 * functions return (uint64_t)B_EINVAL. */
uint64_t b_system(uint64_t function, uint64_t var1, uint64_t var2);

#define B_SYS_TIMECOUNTER	0x00	/* nanoseconds since boot */
#define B_SYS_FREE_MEMORY	0x01	/* b_mem_free() in MiB, as BareMetal */
#define B_SYS_SMP_ID		0x10
#define B_SYS_SMP_NUMCORES	0x11
#define B_SYS_SMP_SET		0x12	/* var1 fn, var2 core: b_smp_set(core, fn, NULL) */
#define B_SYS_SMP_GET		0x13
#define B_SYS_SMP_LOCK		0x14	/* var1: address of a 64-bit lock word */
#define B_SYS_SMP_UNLOCK	0x15
#define B_SYS_SMP_BUSY		0x16
#define B_SYS_TSC		0x1f
#define B_SYS_SCREEN_LFB_GET	0x20	/* no screen: 0 */
#define B_SYS_SCREEN_X_GET	0x21
#define B_SYS_SCREEN_Y_GET	0x22
#define B_SYS_SCREEN_PPSL_GET	0x23
#define B_SYS_SCREEN_BPP_GET	0x24
#define B_SYS_NET_STATUS	0x30	/* var1 interface: its MAC (BareMetal's MAC_GET) */
#define B_SYS_NET_CONFIG	0x31	/* var1 interface, var2 struct b_net_info *: b_net_info */
#define B_SYS_BUS_READ		0x50	/* var1 bus<<20 | dev<<15 | fn<<12 | register (an ECAM offset) */
#define B_SYS_BUS_WRITE		0x51	/* var1 as BUS_READ, var2 the value */
#define B_SYS_STDOUT_SET	0x52	/* var1: void (*)(const char *, uint64_t), 0 = console */
#define B_SYS_STDOUT_GET	0x53
#define B_SYS_CALLBACK_TIMER	0x60	/* var1: void (*)(void) at 100 Hz on core 0, 0 = off */
#define B_SYS_CALLBACK_NETWORK	0x61	/* var1: void (*)(void), b_net_set_callback */
#define B_SYS_CALLBACK_KEYBOARD	0x62	/* var1: void (*)(void), called when bytes arrive */
#define B_SYS_DUMP_MEM		0x70	/* var1 address, var2 bytes: hex dump on the console */
#define B_SYS_DUMP_RAX		0x71	/* var1 printed in hex */
#define B_SYS_DELAY		0x72	/* var1 microseconds */
#define B_SYS_RESET		0x7d	/* drop every queued task, wait for running ones */
#define B_SYS_REBOOT		0x7e
#define B_SYS_SHUTDOWN		0x7f	/* var1: exit code */

#endif
