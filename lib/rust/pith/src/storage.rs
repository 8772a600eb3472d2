//! Storage (include/pith/nvs.h): 4096-byte sectors of the machine's
//! drives, numbered 0 .. `count()`-1. Buffers are `Sector`s, whose type
//! makes them 16-byte aligned as the driver wants; a `Vec<Sector>` or an
//! array of them holds several. Calls wait for the device; any core may
//! make them.

use crate::error::{check, Error, Result};
use crate::sys::call;

pub use crate::sys::call::{Sector, SECTOR_SIZE};

impl Sector {
    /// A sector of zeros.
    pub const fn zeroed() -> Sector {
        Sector([0; SECTOR_SIZE])
    }
}

impl Default for Sector {
    fn default() -> Self {
        Sector::zeroed()
    }
}

impl core::ops::Deref for Sector {
    type Target = [u8; SECTOR_SIZE];

    fn deref(&self) -> &[u8; SECTOR_SIZE] {
        &self.0
    }
}

impl core::ops::DerefMut for Sector {
    fn deref_mut(&mut self) -> &mut [u8; SECTOR_SIZE] {
        &mut self.0
    }
}

/// Drives the kernel drives.
pub fn count() -> u32 {
    call::nvs_count()
}

/// Reads bufs.len() sectors from sector start: the number read (fewer when
/// the device failed part way; those are exact). Err(Invalid) for no
/// buffers, Err(Range) past the end, Err(NoDevice), Err(Io).
pub fn read(drive: u32, start: u64, bufs: &mut [Sector]) -> Result<usize> {
    check(call::nvs_read(drive, start, bufs)).map(|n| n as usize)
}

/// Writes bufs.len() sectors at sector start; as `read`, and
/// Err(ReadOnly). Data may stay in the device's cache until `flush`.
pub fn write(drive: u32, start: u64, bufs: &[Sector]) -> Result<usize> {
    check(call::nvs_write(drive, start, bufs)).map(|n| n as usize)
}

/// Makes every completed write durable. Err(Io), Err(NoDevice).
pub fn flush(drive: u32) -> Result<()> {
    check(call::nvs_flush(drive) as i64).map(|_| ())
}

/// A drive's description (struct b_nvs_info).
#[derive(Clone, Copy, Debug)]
pub struct Info {
    /// 4096-byte sectors.
    pub sectors: u64,
    /// Whether writes are refused.
    pub read_only: bool,
    /// Whether it has a write cache to flush.
    pub flush: bool,
    /// "pci" or "mmio".
    pub transport: &'static str,
    /// Descriptors in its request ring.
    pub queue_size: u16,
    /// Asynchronous requests in flight at once.
    pub max_inflight: u16,
    /// Sectors one asynchronous request may have.
    pub max_request: u16,
}

/// Drive drive's description; Err(NoDevice).
pub fn info(drive: u32) -> Result<Info> {
    let i = call::nvs_info(drive).map_err(|e| Error::from_code(e as i64))?;
    Ok(Info {
        sectors: i.sectors,
        read_only: i.read_only != 0,
        flush: i.flush != 0,
        transport: crate::net::transport(&i.transport),
        queue_size: i.queue_size,
        max_inflight: i.max_inflight,
        max_request: i.max_request,
    })
}

/// A drive's counters (struct b_nvs_stats).
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Read requests completed.
    pub reads: u64,
    /// Write requests completed.
    pub writes: u64,
    /// Flushes completed.
    pub flushes: u64,
    /// Sectors read.
    pub sectors_read: u64,
    /// Sectors written.
    pub sectors_written: u64,
    /// Requests the device failed.
    pub errors: u64,
}

/// Drive drive's counters; Err(NoDevice).
pub fn stats(drive: u32) -> Result<Stats> {
    let s = call::nvs_stats(drive).map_err(|e| Error::from_code(e as i64))?;
    Ok(Stats {
        reads: s.reads,
        writes: s.writes,
        flushes: s.flushes,
        sectors_read: s.sectors_read,
        sectors_written: s.sectors_written,
        errors: s.errors,
    })
}
