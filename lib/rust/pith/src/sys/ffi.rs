//! The C API, declared: every `b_*` function of `include/pith/*.h` that the
//! crate uses, and the structs they fill, laid out as C lays them out.
//! The functions are `lib/program/api.c`'s, linked into the program next to
//! the Rust staticlib; each calls the kernel through its API table.
//!
//! C types map as on x86-64 SysV: `int` i32, `unsigned` u32, `long` and
//! `unsigned long` i64/u64, pointers as raw pointers. The sizes are checked
//! at compile time below against the C layout (include/pith/*.h); if a
//! header changes a struct, this file must change with it.

use core::ffi::c_void;

/// A task's entry: `void fn(void *arg)` (include/pith/smp.h).
pub type TaskFn = extern "C" fn(*mut c_void);

/// struct b_core_stats (smp.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct CoreStats {
    pub apic_id: u32,
    pub tasks_run: u64,
    pub tasks_failed: u64,
    pub busy_ns: u64,
    pub idle_ns: u64,
}

/// struct b_net_info (net.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct NetInfo {
    pub mac: [u8; 6],
    pub mtu: u16,
    pub link_up: u8,
    pub irq: u8,
    pub transport: [u8; 6],
    pub rx_ring: u16,
    pub tx_ring: u16,
}

/// struct b_net_stats (net.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct NetStats {
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub tx_drops: u64,
    pub tx_errors: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
    pub rx_drops: u64,
    pub rx_errors: u64,
    pub interrupts: u64,
}

/// struct b_nvs_info (nvs.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct NvsInfo {
    pub sectors: u64,
    pub read_only: u8,
    pub flush: u8,
    pub transport: [u8; 6],
    pub queue_size: u16,
    pub max_inflight: u16,
    pub max_request: u16,
}

/// struct b_nvs_stats (nvs.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct NvsStats {
    pub reads: u64,
    pub writes: u64,
    pub flushes: u64,
    pub sectors_read: u64,
    pub sectors_written: u64,
    pub errors: u64,
}

/// B_FILE_NAME_MAX (file.h): bytes of a file name.
pub const FILE_NAME_MAX: usize = 31;

/// struct b_file_info (file.h).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FileInfo {
    pub name: [u8; FILE_NAME_MAX + 1],
    pub size: u64,
    pub reserved: u64,
}

// The C layouts (x86-64 SysV), so a header change cannot slip by.
const _: () = assert!(core::mem::size_of::<CoreStats>() == 40);
const _: () = assert!(core::mem::size_of::<NetInfo>() == 20);
const _: () = assert!(core::mem::size_of::<NetStats>() == 72);
const _: () = assert!(core::mem::size_of::<NvsInfo>() == 24);
const _: () = assert!(core::mem::size_of::<NvsStats>() == 48);
const _: () = assert!(core::mem::size_of::<FileInfo>() == 48);

extern "C" {
    // console.h
    pub fn b_output(s: *const u8, n: u64);
    pub fn b_input() -> u8;
    // time.h
    pub fn b_time_ns() -> u64;
    pub fn b_time_wall_ns() -> u64;
    pub fn b_tsc_hz() -> u64;
    pub fn b_delay_us(us: u64);
    // smp.h
    pub fn b_smp_enqueue(f: TaskFn, arg: *mut c_void) -> i32;
    pub fn b_smp_run() -> i32;
    pub fn b_smp_wait() -> i32;
    pub fn b_smp_busy() -> i32;
    pub fn b_smp_numcores() -> u32;
    pub fn b_smp_id() -> u32;
    pub fn b_smp_stats(core: u32, out: *mut CoreStats) -> i32;
    // net.h
    pub fn b_net_tx(frame: *const u8, len: u64, iface: u32) -> i64;
    pub fn b_net_rx(mem: *mut u8, iface: u32) -> i64;
    pub fn b_net_rx_zc(iface: u32, frame: *mut *mut u8) -> i64;
    pub fn b_net_rx_release(iface: u32, frame: *mut u8) -> i32;
    pub fn b_net_count() -> u32;
    pub fn b_net_info(iface: u32, out: *mut NetInfo) -> i32;
    pub fn b_net_stats(iface: u32, out: *mut NetStats) -> i32;
    // nvs.h
    pub fn b_nvs_read(mem: *mut u8, start: u64, count: u64, drive: u32) -> i64;
    pub fn b_nvs_write(mem: *const u8, start: u64, count: u64, drive: u32) -> i64;
    pub fn b_nvs_flush(drive: u32) -> i32;
    pub fn b_nvs_count() -> u32;
    pub fn b_nvs_info(drive: u32, out: *mut NvsInfo) -> i32;
    pub fn b_nvs_stats(drive: u32, out: *mut NvsStats) -> i32;
    // file.h
    pub fn b_file_list(cursor: *mut u32, out: *mut FileInfo, drive: u32) -> i32;
    pub fn b_file_stat(name: *const u8, out: *mut FileInfo, drive: u32) -> i32;
    pub fn b_file_read(name: *const u8, mem: *mut u8, len: u64, off: u64, drive: u32) -> i64;
    pub fn b_file_write(name: *const u8, mem: *const u8, len: u64, off: u64, drive: u32) -> i64;
    pub fn b_file_create(name: *const u8, bytes: u64, drive: u32) -> i32;
    pub fn b_file_delete(name: *const u8, drive: u32) -> i32;
    pub fn b_file_truncate(name: *const u8, size: u64, drive: u32) -> i32;
    // program.h, system.h
    pub fn b_exit(code: i32);
    pub fn b_heap(start: *mut *mut u8, bytes: *mut u64) -> i32;
    pub fn b_program_area() -> u64;
    pub fn b_mem_free() -> u64;
}
