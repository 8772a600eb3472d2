//! Rust functions as work-queue tasks. The queue takes a C function and
//! one pointer (`b_smp_enqueue(void (*)(void *), void *)`). A closure goes
//! in a `Box`, whose pointer is the argument, and a trampoline made for
//! that closure's type takes it back out and calls it exactly once. An
//! `extern "C" fn(usize)` goes in as it is, its argument as the pointer.
//!
//! The trampolines count the tasks running on core 0 (inside the program's
//! own `b_smp_run`/`b_smp_wait`), so `in_task` can tell the program's
//! flow from a task: every other core only ever runs tasks.

use super::{call, ffi};
use alloc::boxed::Box;
use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, Ordering};

static CORE0_DEPTH: AtomicU32 = AtomicU32::new(0);

/// Whether the caller runs as a task (not the program's main flow).
/// Tasks queued with `enqueue_raw` on core 0 are not seen.
pub fn in_task() -> bool {
    call::smp_id() != 0 || CORE0_DEPTH.load(Ordering::Relaxed) != 0
}

extern "C" fn trampoline<F: FnOnce() + Send + 'static>(arg: *mut c_void) {
    // SAFETY: arg is the Box<F> that queue() leaked for this very
    // trampoline (same F), and the queue calls a task once: the box is
    // taken back exactly once.
    let f = unsafe { Box::from_raw(arg.cast::<F>()) };
    let core0 = call::smp_id() == 0;
    if core0 {
        CORE0_DEPTH.fetch_add(1, Ordering::Relaxed);
    }
    f();
    if core0 {
        CORE0_DEPTH.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Queues f. Err((code, f)) when the queue refused it (B_EAGAIN: full), so
/// the caller can run it itself. F: Send + 'static because another core
/// runs it, maybe after the caller's frame is gone.
pub fn queue<F: FnOnce() + Send + 'static>(f: F) -> Result<(), (i32, F)> {
    let arg = Box::into_raw(Box::new(f));
    // SAFETY: trampoline::<F> matches the pointer's type; it is the only
    // user of arg once queued (see trampoline).
    let r = unsafe { ffi::b_smp_enqueue(trampoline::<F>, arg.cast()) };
    if r == 0 {
        return Ok(());
    }
    // SAFETY: not queued, so nothing else holds arg: take the box back.
    Err((r, *unsafe { Box::from_raw(arg) }))
}

/// Queues f(arg) with no allocation: 0 or the B_E* code.
pub fn enqueue_raw(f: extern "C" fn(usize), arg: usize) -> i32 {
    // SAFETY: extern "C" fn(usize) and extern "C" fn(*mut c_void) have the
    // same ABI on x86-64 (one 8-byte integer argument, in rdi, no return
    // value), so the kernel's call hands f its usize back unchanged. f is
    // a safe function: any usize is a valid argument.
    let f: ffi::TaskFn = unsafe { core::mem::transmute(f) };
    // SAFETY: the argument is an integer, not something f dereferences.
    unsafe { ffi::b_smp_enqueue(f, arg as *mut c_void) }
}
