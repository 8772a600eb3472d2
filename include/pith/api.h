/*
 * The API table: how a program loaded from disk reaches the kernel. The
 * kernel image holds one struct pith_api at PITH_API_ADDR (kernel/kernel.ld
 * puts it right after the multiboot2 header). Each entry is a plain
 * function (SysV calling convention, no gate); entries are only ever
 * appended, and `count` says how many this kernel has, so a program built
 * for a newer table can tell what is missing. lib/program/api.c turns every
 * entry back into the b_* function of include/pith/, so a program's source
 * is the same whether it is linked into the kernel (unikernel) or loaded.
 */
#ifndef PITH_API_TABLE_H
#define PITH_API_TABLE_H

#include <stdint.h>
#include <pith/console.h>
#include <pith/time.h>
#include <pith/smp.h>
#include <pith/net.h>
#include <pith/nvs.h>
#include <pith/bus.h>
#include <pith/file.h>
#include <pith/program.h>
#include <pith/system.h>

#define PITH_API_ADDR		0x100040ull
#define PITH_API_MAGIC		0x4950412048544950ull	/* "PITH API" */
#define PITH_API_VERSION	1

struct pith_api {
	uint64_t magic;
	uint32_t version;
	uint32_t count;		/* function entries that follow */

	/* console */
	void (*output)(const char *str, unsigned long nbr);
	unsigned char (*input)(void);
	/* clocks */
	uint64_t (*time_ns)(void);
	uint64_t (*tsc_hz)(void);
	void (*delay_us)(uint64_t us);
	/* cores and the work queue */
	int (*smp_enqueue)(void (*fn)(void *), void *arg);
	int (*smp_run)(void);
	int (*smp_wait)(void);
	int (*smp_busy)(void);
	unsigned (*smp_numcores)(void);
	unsigned (*smp_id)(void);
	int (*smp_set)(unsigned core, void (*fn)(void *), void *arg);
	void (*(*smp_get)(void))(void *);
	void (*smp_lock)(volatile uint64_t *lock);
	void (*smp_unlock)(volatile uint64_t *lock);
	int (*smp_stats)(unsigned core, struct b_core_stats *out);
	/* network frames */
	long (*net_tx)(const void *frame, unsigned long len, unsigned iface);
	long (*net_tx_burst)(const void *const *frames, const uint16_t *lens, unsigned n,
			     unsigned iface);
	long (*net_rx)(void *mem, unsigned iface);
	long (*net_rx_zc)(unsigned iface, void **frame);
	int (*net_rx_release)(unsigned iface, void *frame);
	unsigned (*net_count)(void);
	int (*net_info)(unsigned iface, struct b_net_info *out);
	uint64_t (*net_status)(unsigned iface);
	int (*net_stats)(unsigned iface, struct b_net_stats *out);
	int (*net_set_callback)(void (*fn)(void));
	/* storage */
	long (*nvs_read)(void *mem, uint64_t start, uint64_t count, unsigned drive);
	long (*nvs_write)(const void *mem, uint64_t start, uint64_t count, unsigned drive);
	int (*nvs_flush)(unsigned drive);
	unsigned (*nvs_count)(void);
	int (*nvs_info)(unsigned drive, struct b_nvs_info *out);
	int (*nvs_stats)(unsigned drive, struct b_nvs_stats *out);
	int (*nvs_submit)(struct b_nvs_req *req, unsigned drive);
	int (*nvs_complete)(struct b_nvs_req **done, unsigned max, unsigned drive);
	/* PCI configuration space */
	long (*bus_read)(unsigned bus, unsigned dev, unsigned fn, unsigned reg);
	int (*bus_write)(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t value);
	/* files */
	int (*file_list)(unsigned *cursor, struct b_file_info *out, unsigned drive);
	int (*file_stat)(const char *name, struct b_file_info *out, unsigned drive);
	long (*file_read)(const char *name, void *mem, uint64_t len, uint64_t off, unsigned drive);
	long (*file_write)(const char *name, const void *mem, uint64_t len, uint64_t off,
			   unsigned drive);
	int (*file_create)(const char *name, uint64_t bytes, unsigned drive);
	int (*file_delete)(const char *name, unsigned drive);
	int (*file_truncate)(const char *name, uint64_t size, unsigned drive);
	/* programs */
	long (*program_run)(const char *name, int argc, char **argv, unsigned drive);
	long (*program_exec)(const void *image, uint64_t len, int argc, char **argv);
	uint64_t (*program_area)(void);
	/* the machine */
	uint64_t (*mem_free)(void);
	void (*shutdown)(int code) __attribute__((noreturn));
	void (*reboot)(void) __attribute__((noreturn));
	uint64_t (*system)(uint64_t function, uint64_t var1, uint64_t var2);
	/* version 1, appended: the C library's needs */
	uint64_t (*time_wall_ns)(void);
	void (*exit)(int code);
	int (*heap)(void **start, uint64_t *bytes);
};

#define PITH_API_COUNT	((sizeof(struct pith_api) - 16) / sizeof(void *))
#define PITH_API	((const struct pith_api *)PITH_API_ADDR)

#endif
