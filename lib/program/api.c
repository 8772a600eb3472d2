/*
 * The b_* calls of include/pith/ for a loaded program: each one calls the
 * kernel's function through the API table at PITH_API_ADDR
 * (include/pith/api.h), so a program's source is the same whether it is
 * loaded from disk or linked into the kernel (unikernel mode, where the
 * kernel's own functions are linked instead of this file).
 *
 * _start (start.c) has checked the table's magic. Entries are only ever
 * appended, so a program built against a newer table may meet a kernel
 * with fewer: has() checks the entry's index against the table's count and
 * says on the console which entry is missing; the call then returns
 * B_ENODEV, or a harmless value (0, NULL, one core) where the call has
 * no error value.
 */
#include <stdbool.h>
#include <stddef.h>
#include <pith/api.h>

#define T	PITH_API
#define HAS(field)	has(offsetof(struct pith_api, field), #field)

/* Whether the kernel's table holds the entry at byte offset off. */
static bool has(size_t off, const char *name)
{
	static const char msg[] = "program: this kernel's API table has no entry ";
	size_t n = 0;

	if ((off - offsetof(struct pith_api, output)) / sizeof(void *) < T->count)
		return true;
	if (T->count == 0)
		return false;		/* not even output: nothing to say it with */
	while (name[n])
		n++;
	T->output(msg, sizeof(msg) - 1);
	T->output(name, n);
	T->output("\n", 1);
	return false;
}

/* console */
void b_output(const char *str, unsigned long nbr)
{
	if (HAS(output))
		T->output(str, nbr);
}

unsigned char b_input(void)
{
	return HAS(input) ? T->input() : 0;
}

/* clocks */
uint64_t b_time_ns(void)
{
	return HAS(time_ns) ? T->time_ns() : 0;
}

uint64_t b_tsc_hz(void)
{
	return HAS(tsc_hz) ? T->tsc_hz() : 0;
}

void b_delay_us(uint64_t us)
{
	if (HAS(delay_us))
		T->delay_us(us);
}

/* cores and the work queue */
int b_smp_enqueue(void (*fn)(void *), void *arg)
{
	return HAS(smp_enqueue) ? T->smp_enqueue(fn, arg) : B_ENODEV;
}

int b_smp_run(void)
{
	return HAS(smp_run) ? T->smp_run() : 0;
}

int b_smp_wait(void)
{
	return HAS(smp_wait) ? T->smp_wait() : B_ENODEV;
}

int b_smp_busy(void)
{
	return HAS(smp_busy) ? T->smp_busy() : 0;
}

unsigned b_smp_numcores(void)
{
	return HAS(smp_numcores) ? T->smp_numcores() : 1;
}

unsigned b_smp_id(void)
{
	return HAS(smp_id) ? T->smp_id() : 0;
}

int b_smp_set(unsigned core, void (*fn)(void *), void *arg)
{
	return HAS(smp_set) ? T->smp_set(core, fn, arg) : B_ENODEV;
}

void (*b_smp_get(void))(void *)
{
	return HAS(smp_get) ? T->smp_get() : NULL;
}

void b_smp_lock(volatile uint64_t *lock)
{
	if (HAS(smp_lock))
		T->smp_lock(lock);
}

void b_smp_unlock(volatile uint64_t *lock)
{
	if (HAS(smp_unlock))
		T->smp_unlock(lock);
}

int b_smp_stats(unsigned core, struct b_core_stats *out)
{
	return HAS(smp_stats) ? T->smp_stats(core, out) : B_ENODEV;
}

/* network frames */
long b_net_tx(const void *frame, unsigned long len, unsigned iface)
{
	return HAS(net_tx) ? T->net_tx(frame, len, iface) : B_ENODEV;
}

long b_net_tx_burst(const void *const *frames, const uint16_t *lens, unsigned n,
		    unsigned iface)
{
	return HAS(net_tx_burst) ? T->net_tx_burst(frames, lens, n, iface) : B_ENODEV;
}

long b_net_rx(void *mem, unsigned iface)
{
	return HAS(net_rx) ? T->net_rx(mem, iface) : B_ENODEV;
}

long b_net_rx_zc(unsigned iface, void **frame)
{
	return HAS(net_rx_zc) ? T->net_rx_zc(iface, frame) : B_ENODEV;
}

int b_net_rx_release(unsigned iface, void *frame)
{
	return HAS(net_rx_release) ? T->net_rx_release(iface, frame) : B_ENODEV;
}

unsigned b_net_count(void)
{
	return HAS(net_count) ? T->net_count() : 0;
}

int b_net_info(unsigned iface, struct b_net_info *out)
{
	return HAS(net_info) ? T->net_info(iface, out) : B_ENODEV;
}

uint64_t b_net_status(unsigned iface)
{
	return HAS(net_status) ? T->net_status(iface) : 0;
}

int b_net_stats(unsigned iface, struct b_net_stats *out)
{
	return HAS(net_stats) ? T->net_stats(iface, out) : B_ENODEV;
}

int b_net_set_callback(void (*fn)(void))
{
	return HAS(net_set_callback) ? T->net_set_callback(fn) : B_ENODEV;
}

/* storage */
long b_nvs_read(void *mem, uint64_t start, uint64_t count, unsigned drive)
{
	return HAS(nvs_read) ? T->nvs_read(mem, start, count, drive) : B_ENODEV;
}

long b_nvs_write(const void *mem, uint64_t start, uint64_t count, unsigned drive)
{
	return HAS(nvs_write) ? T->nvs_write(mem, start, count, drive) : B_ENODEV;
}

int b_nvs_flush(unsigned drive)
{
	return HAS(nvs_flush) ? T->nvs_flush(drive) : B_ENODEV;
}

unsigned b_nvs_count(void)
{
	return HAS(nvs_count) ? T->nvs_count() : 0;
}

int b_nvs_info(unsigned drive, struct b_nvs_info *out)
{
	return HAS(nvs_info) ? T->nvs_info(drive, out) : B_ENODEV;
}

int b_nvs_stats(unsigned drive, struct b_nvs_stats *out)
{
	return HAS(nvs_stats) ? T->nvs_stats(drive, out) : B_ENODEV;
}

int b_nvs_submit(struct b_nvs_req *req, unsigned drive)
{
	return HAS(nvs_submit) ? T->nvs_submit(req, drive) : B_ENODEV;
}

int b_nvs_complete(struct b_nvs_req **done, unsigned max, unsigned drive)
{
	return HAS(nvs_complete) ? T->nvs_complete(done, max, drive) : B_ENODEV;
}

/* PCI configuration space */
long b_bus_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return HAS(bus_read) ? T->bus_read(bus, dev, fn, reg) : B_ENODEV;
}

int b_bus_write(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t value)
{
	return HAS(bus_write) ? T->bus_write(bus, dev, fn, reg, value) : B_ENODEV;
}

/* files */
int b_file_list(unsigned *cursor, struct b_file_info *out, unsigned drive)
{
	return HAS(file_list) ? T->file_list(cursor, out, drive) : B_ENODEV;
}

int b_file_stat(const char *name, struct b_file_info *out, unsigned drive)
{
	return HAS(file_stat) ? T->file_stat(name, out, drive) : B_ENODEV;
}

long b_file_read(const char *name, void *mem, uint64_t len, uint64_t off, unsigned drive)
{
	return HAS(file_read) ? T->file_read(name, mem, len, off, drive) : B_ENODEV;
}

long b_file_write(const char *name, const void *mem, uint64_t len, uint64_t off,
		  unsigned drive)
{
	return HAS(file_write) ? T->file_write(name, mem, len, off, drive) : B_ENODEV;
}

int b_file_create(const char *name, uint64_t bytes, unsigned drive)
{
	return HAS(file_create) ? T->file_create(name, bytes, drive) : B_ENODEV;
}

int b_file_delete(const char *name, unsigned drive)
{
	return HAS(file_delete) ? T->file_delete(name, drive) : B_ENODEV;
}

int b_file_truncate(const char *name, uint64_t size, unsigned drive)
{
	return HAS(file_truncate) ? T->file_truncate(name, size, drive) : B_ENODEV;
}

/* programs */
long b_program_run(const char *name, int argc, char **argv, unsigned drive)
{
	return HAS(program_run) ? T->program_run(name, argc, argv, drive) : B_ENODEV;
}

long b_program_exec(const void *image, uint64_t len, int argc, char **argv)
{
	return HAS(program_exec) ? T->program_exec(image, len, argc, argv) : B_ENODEV;
}

uint64_t b_program_area(void)
{
	return HAS(program_area) ? T->program_area() : 0;
}

/* the machine */
uint64_t b_mem_free(void)
{
	return HAS(mem_free) ? T->mem_free() : 0;
}

void b_shutdown(int code)
{
	if (HAS(shutdown))
		T->shutdown(code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void b_reboot(void)
{
	if (HAS(reboot))
		T->reboot();
	for (;;)
		__asm__ volatile("cli; hlt");
}

uint64_t b_system(uint64_t function, uint64_t var1, uint64_t var2)
{
	return HAS(system) ? T->system(function, var1, var2) : (uint64_t)B_ENODEV;
}

/* appended to the table for the C library */
uint64_t b_time_wall_ns(void)
{
	return HAS(time_wall_ns) ? T->time_wall_ns() : 0;
}

void b_exit(int code)
{
	if (HAS(exit))
		T->exit(code);
}

int b_heap(void **start, uint64_t *bytes)
{
	return HAS(heap) ? T->heap(start, bytes) : B_ENODEV;
}
