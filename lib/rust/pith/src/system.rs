//! The machine: cores, memory and the program's heap.

use crate::error::{Error, Result};
use crate::sys::{call, heap};

/// Cores online, core 0 (the program's) included.
pub fn cores() -> u32 {
    call::smp_numcores()
}

/// The calling core's number, 0 .. cores()-1.
pub fn core_id() -> u32 {
    call::smp_id()
}

/// A core's counters since boot (struct b_core_stats).
#[derive(Clone, Copy, Debug)]
pub struct CoreStats {
    /// Its local APIC id.
    pub apic_id: u32,
    /// Tasks it has run.
    pub tasks_run: u64,
    /// Tasks of those that faulted.
    pub tasks_failed: u64,
    /// Nanoseconds in tasks.
    pub busy_ns: u64,
    /// Nanoseconds polling or asleep (not counted on core 0).
    pub idle_ns: u64,
}

/// Core core's counters; Err(NoDevice) for a core that is not online.
pub fn core_stats(core: u32) -> Result<CoreStats> {
    let s = call::smp_stats(core).map_err(|e| Error::from_code(e as i64))?;
    Ok(CoreStats {
        apic_id: s.apic_id,
        tasks_run: s.tasks_run,
        tasks_failed: s.tasks_failed,
        busy_ns: s.busy_ns,
        idle_ns: s.idle_ns,
    })
}

/// Bytes of free RAM: the program area less the running program's image.
pub fn mem_free() -> u64 {
    call::mem_free()
}

/// Bytes of the program area: the largest memory image a program may have.
pub fn program_area() -> u64 {
    call::program_area()
}

/// The heap the global allocator hands out (`b_heap`: from the end of the
/// program's image to its stack).
#[derive(Clone, Copy, Debug)]
pub struct HeapUsage {
    /// Bytes in all.
    pub size: usize,
    /// Bytes ever handed out: freed blocks stay counted, kept for reuse
    /// by requests of their size class. It does not grow when a program
    /// frees what it allocates and allocates the same sizes again.
    pub claimed: usize,
}

/// The heap's size and use; zeros until the first allocation.
pub fn heap() -> HeapUsage {
    let (size, claimed) = heap::usage();
    HeapUsage { size, claimed }
}
