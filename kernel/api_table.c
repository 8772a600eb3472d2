/*
 * The API table (include/pith/api.h): every call a program makes, at the
 * fixed address PITH_API_ADDR. kernel.ld places section .api right after
 * the multiboot2 header; the static assertion below keeps the header's
 * count honest, and the compiler checks each entry's type.
 */
#include <pith/api.h>

_Static_assert(PITH_API_COUNT == 53, "update PITH_API_COUNT's users: an entry was added");

__attribute__((section(".api"), used))
const struct pith_api pith_api_table = {
	.magic = PITH_API_MAGIC,
	.version = PITH_API_VERSION,
	.count = PITH_API_COUNT,
	.output = b_output, .input = b_input,
	.time_ns = b_time_ns, .tsc_hz = b_tsc_hz, .delay_us = b_delay_us,
	.smp_enqueue = b_smp_enqueue, .smp_run = b_smp_run, .smp_wait = b_smp_wait,
	.smp_busy = b_smp_busy, .smp_numcores = b_smp_numcores, .smp_id = b_smp_id,
	.smp_set = b_smp_set, .smp_get = b_smp_get, .smp_lock = b_smp_lock,
	.smp_unlock = b_smp_unlock, .smp_stats = b_smp_stats,
	.net_tx = b_net_tx, .net_tx_burst = b_net_tx_burst, .net_rx = b_net_rx,
	.net_rx_zc = b_net_rx_zc, .net_rx_release = b_net_rx_release, .net_count = b_net_count,
	.net_info = b_net_info, .net_status = b_net_status, .net_stats = b_net_stats,
	.net_set_callback = b_net_set_callback,
	.nvs_read = b_nvs_read, .nvs_write = b_nvs_write, .nvs_flush = b_nvs_flush,
	.nvs_count = b_nvs_count, .nvs_info = b_nvs_info, .nvs_stats = b_nvs_stats,
	.nvs_submit = b_nvs_submit, .nvs_complete = b_nvs_complete,
	.bus_read = b_bus_read, .bus_write = b_bus_write,
	.file_list = b_file_list, .file_stat = b_file_stat, .file_read = b_file_read,
	.file_write = b_file_write, .file_create = b_file_create, .file_delete = b_file_delete,
	.file_truncate = b_file_truncate,
	.program_run = b_program_run, .program_exec = b_program_exec,
	.program_area = b_program_area,
	.mem_free = b_mem_free, .shutdown = b_shutdown, .reboot = b_reboot, .system = b_system,
	.time_wall_ns = b_time_wall_ns, .exit = b_exit, .heap = b_heap,
};
