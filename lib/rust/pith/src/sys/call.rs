//! One safe function per C call. The arguments the C side trusts (a
//! pointer and its length, a buffer's size or alignment, a NUL-terminated
//! name) are made right here by construction: slices carry their length,
//! `Sector` its alignment, `CName` its terminator. Results stay raw (the
//! C return value): the public modules turn them into `Result`s.

use super::ffi;

/// Bytes of a storage sector (B_NVS_SECTOR).
pub const SECTOR_SIZE: usize = 4096;
/// The receive buffer `b_net_rx` fills (B_NET_RX_MAX).
pub const NET_RX_MAX: usize = 1518;

/// One storage sector in RAM: 4096 bytes, 16-byte aligned as `b_nvs_*`
/// want (B_NVS_ALIGN), on the stack, in a static or on the heap alike.
#[repr(C, align(16))]
#[derive(Clone)]
pub struct Sector(pub [u8; SECTOR_SIZE]);

/// A file name as the file calls take it: at most 31 bytes, no NUL inside,
/// NUL-terminated. Only `CName::new` makes one, so the terminator is there.
pub struct CName([u8; ffi::FILE_NAME_MAX + 1]);

impl CName {
    /// None for a name longer than 31 bytes or one with a NUL in it.
    pub fn new(name: &str) -> Option<CName> {
        let bytes = name.as_bytes();
        if bytes.len() > ffi::FILE_NAME_MAX || bytes.contains(&0) {
            return None;
        }
        let mut buf = [0u8; ffi::FILE_NAME_MAX + 1];
        buf[..bytes.len()].copy_from_slice(bytes);
        Some(CName(buf))
    }

    fn ptr(&self) -> *const u8 {
        self.0.as_ptr()
    }
}

// ---- console and clocks -----------------------------------------------------

pub fn output(bytes: &[u8]) {
    // SAFETY: the slice is valid for reads of its length; b_output copies
    // the bytes out before it returns.
    unsafe { ffi::b_output(bytes.as_ptr(), bytes.len() as u64) }
}

pub fn input() -> u8 {
    // SAFETY: no arguments; it never blocks.
    unsafe { ffi::b_input() }
}

pub fn time_ns() -> u64 {
    // SAFETY: no arguments, no memory touched.
    unsafe { ffi::b_time_ns() }
}

pub fn time_wall_ns() -> u64 {
    // SAFETY: as time_ns.
    unsafe { ffi::b_time_wall_ns() }
}

pub fn tsc_hz() -> u64 {
    // SAFETY: as time_ns.
    unsafe { ffi::b_tsc_hz() }
}

pub fn delay_us(us: u64) {
    // SAFETY: a busy wait; no memory touched.
    unsafe { ffi::b_delay_us(us) }
}

// ---- cores and the work queue ----------------------------------------------

pub fn smp_run() -> i32 {
    // SAFETY: runs one queued task. Every task a Rust program queues went
    // through sys::task, whose trampolines own their argument.
    unsafe { ffi::b_smp_run() }
}

pub fn smp_wait() -> i32 {
    // SAFETY: as smp_run, for every queued task; B_EDEADLK from a task.
    unsafe { ffi::b_smp_wait() }
}

pub fn smp_busy() -> bool {
    // SAFETY: reads a counter.
    unsafe { ffi::b_smp_busy() != 0 }
}

pub fn smp_numcores() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::b_smp_numcores() }
}

pub fn smp_id() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::b_smp_id() }
}

pub fn smp_stats(core: u32) -> Result<ffi::CoreStats, i32> {
    let mut out = ffi::CoreStats::default();
    // SAFETY: out is a local of the struct the call fills.
    match unsafe { ffi::b_smp_stats(core, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}

// ---- network frames ---------------------------------------------------------

pub fn net_count() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::b_net_count() }
}

pub fn net_tx(iface: u32, frame: &[u8]) -> i64 {
    // SAFETY: the slice is valid for reads of its length; the frame is
    // copied before the call returns (net.h). The kernel checks the length.
    unsafe { ffi::b_net_tx(frame.as_ptr(), frame.len() as u64, iface) }
}

/// `buf` must hold NET_RX_MAX bytes: the callers' `rx` checks it.
pub fn net_rx(iface: u32, buf: &mut [u8; NET_RX_MAX]) -> i64 {
    // SAFETY: b_net_rx writes at most B_NET_RX_MAX bytes, which the array
    // has, and keeps no pointer to it.
    unsafe { ffi::b_net_rx(buf.as_mut_ptr(), iface) }
}

pub fn net_info(iface: u32) -> Result<ffi::NetInfo, i32> {
    let mut out = ffi::NetInfo::default();
    // SAFETY: out is a local of the struct the call fills.
    match unsafe { ffi::b_net_info(iface, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}

pub fn net_stats(iface: u32) -> Result<ffi::NetStats, i32> {
    let mut out = ffi::NetStats::default();
    // SAFETY: as net_info.
    match unsafe { ffi::b_net_stats(iface, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}

// ---- storage ----------------------------------------------------------------

pub fn nvs_count() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::b_nvs_count() }
}

pub fn nvs_read(drive: u32, start: u64, bufs: &mut [Sector]) -> i64 {
    // SAFETY: the slice is len whole 4096-byte sectors, 16-byte aligned by
    // Sector's type, valid for writes; the call writes at most that many
    // and waits for the device before it returns.
    unsafe { ffi::b_nvs_read(bufs.as_mut_ptr().cast(), start, bufs.len() as u64, drive) }
}

pub fn nvs_write(drive: u32, start: u64, bufs: &[Sector]) -> i64 {
    // SAFETY: as nvs_read, read only.
    unsafe { ffi::b_nvs_write(bufs.as_ptr().cast(), start, bufs.len() as u64, drive) }
}

pub fn nvs_flush(drive: u32) -> i32 {
    // SAFETY: no pointers.
    unsafe { ffi::b_nvs_flush(drive) }
}

pub fn nvs_info(drive: u32) -> Result<ffi::NvsInfo, i32> {
    let mut out = ffi::NvsInfo::default();
    // SAFETY: out is a local of the struct the call fills.
    match unsafe { ffi::b_nvs_info(drive, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}

pub fn nvs_stats(drive: u32) -> Result<ffi::NvsStats, i32> {
    let mut out = ffi::NvsStats::default();
    // SAFETY: as nvs_info.
    match unsafe { ffi::b_nvs_stats(drive, &mut out) } {
        0 => Ok(out),
        e => Err(e),
    }
}

// ---- files ------------------------------------------------------------------

const EMPTY_INFO: ffi::FileInfo = ffi::FileInfo {
    name: [0; ffi::FILE_NAME_MAX + 1],
    size: 0,
    reserved: 0,
};

/// 1 and the file after *cursor, 0 after the last, or an error.
pub fn file_list(cursor: &mut u32, drive: u32) -> Result<Option<ffi::FileInfo>, i32> {
    let mut out = EMPTY_INFO;
    // SAFETY: cursor and out are valid for the call, which writes only them.
    match unsafe { ffi::b_file_list(cursor, &mut out, drive) } {
        1 => Ok(Some(out)),
        0 => Ok(None),
        e => Err(e),
    }
}

pub fn file_stat(name: &CName, drive: u32) -> Result<ffi::FileInfo, i32> {
    let mut out = EMPTY_INFO;
    // SAFETY: name is NUL-terminated (CName); out is a local.
    match unsafe { ffi::b_file_stat(name.ptr(), &mut out, drive) } {
        0 => Ok(out),
        e => Err(e),
    }
}

pub fn file_read(name: &CName, buf: &mut [u8], off: u64, drive: u32) -> i64 {
    // SAFETY: name is NUL-terminated; the call writes at most buf.len()
    // bytes into buf.
    unsafe { ffi::b_file_read(name.ptr(), buf.as_mut_ptr(), buf.len() as u64, off, drive) }
}

pub fn file_write(name: &CName, data: &[u8], off: u64, drive: u32) -> i64 {
    // SAFETY: name is NUL-terminated; the call reads data.len() bytes.
    unsafe { ffi::b_file_write(name.ptr(), data.as_ptr(), data.len() as u64, off, drive) }
}

pub fn file_create(name: &CName, bytes: u64, drive: u32) -> i32 {
    // SAFETY: name is NUL-terminated.
    unsafe { ffi::b_file_create(name.ptr(), bytes, drive) }
}

pub fn file_delete(name: &CName, drive: u32) -> i32 {
    // SAFETY: name is NUL-terminated.
    unsafe { ffi::b_file_delete(name.ptr(), drive) }
}

pub fn file_truncate(name: &CName, size: u64, drive: u32) -> i32 {
    // SAFETY: name is NUL-terminated.
    unsafe { ffi::b_file_truncate(name.ptr(), size, drive) }
}

// ---- the machine ------------------------------------------------------------

pub fn mem_free() -> u64 {
    // SAFETY: no arguments.
    unsafe { ffi::b_mem_free() }
}

pub fn program_area() -> u64 {
    // SAFETY: no arguments.
    unsafe { ffi::b_program_area() }
}
