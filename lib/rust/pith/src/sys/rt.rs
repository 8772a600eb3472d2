//! The program's runtime: the C entry `main`, the arguments, exit, and
//! what a no_std program with `alloc` must define: the panic handler, the
//! allocation-failure handler, and the two unwinder symbols the prebuilt
//! liballoc refers to.
//!
//! `lib/program/start.c` calls `int main(int argc, char **argv)`. Here it
//! keeps argv for `env::args` and calls `__pith_main`, which the program's
//! `pith::main!(f)` defines; its value is the exit code.
//!
//! A panic prints `NAME: panicked at 'MESSAGE', FILE:LINE:COL` as one
//! console write and ends the program with exit code 101 (`b_exit`), as
//! Rust's std does; so does a failed allocation, with `NAME: memory
//! allocation of N bytes failed`. In a task (another core, or core 0 inside
//! `b_smp_run`/`b_smp_wait`) `b_exit` does nothing, and a task cannot be
//! left any other way than returning or faulting: the handler executes
//! `ud2`, the kernel reports the fault and ends only that task, and
//! `b_smp_wait` counts it.

use super::{call, ffi, task};
use crate::console::Buffered;
use core::alloc::Layout;
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// Rust's exit code for a panic (std's too).
pub const PANIC_EXIT: i32 = 101;

static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicPtr<*const u8> = AtomicPtr::new(core::ptr::null_mut());

extern "Rust" {
    // Defined by pith::main! in the program's crate.
    fn __pith_main() -> i32;
}

/// The program's entry, called by _start (lib/program/start.c) on core 0.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn main(argc: i32, argv: *mut *const u8) -> i32 {
    ARGV.store(argv, Ordering::Relaxed);
    ARGC.store(
        if argv.is_null() {
            0
        } else {
            argc.max(0) as usize
        },
        Ordering::Release,
    );
    // SAFETY: pith::main! defines __pith_main with this signature (a safe
    // Rust fn); without it the link fails, it cannot be called wrongly.
    unsafe { __pith_main() }
}

pub fn arg_count() -> usize {
    ARGC.load(Ordering::Acquire)
}

/// argv[i] without its NUL, or None past argc.
pub fn arg(i: usize) -> Option<&'static [u8]> {
    if i >= arg_count() {
        return None;
    }
    // SAFETY: the kernel passes argc NUL-terminated strings in argv[0..argc)
    // (program.h), copied to the top of the program's stack above main's
    // frame. Nothing writes them while the program or any of its tasks
    // runs (the kernel waits for its tasks before it loads anything else),
    // which is as long as any code of the program can hold them: 'static
    // for the program. i < argc was checked.
    unsafe {
        let s = *ARGV.load(Ordering::Relaxed).add(i);
        if s.is_null() {
            return None;
        }
        let mut n = 0;
        while *s.add(n) != 0 {
            n += 1;
        }
        Some(core::slice::from_raw_parts(s, n))
    }
}

/// Ends the program with code; in a task, ends that task as a fault.
pub fn exit(code: i32) -> ! {
    // SAFETY: no pointers. From the program's flow it does not return.
    unsafe { ffi::b_exit(code) };
    stop_task()
}

/// Ends the calling task: ud2 makes the kernel report an invalid-opcode
/// fault and resume the core at the task's end (kernel/wq.c).
fn stop_task() -> ! {
    // SAFETY: ud2 raises #UD; the kernel never returns to it.
    unsafe { core::arch::asm!("ud2", options(noreturn, nomem, nostack)) }
}

/// One flag per core: set while that core prints a panic, so a panic in
/// the printing does not recurse (cores beyond 64 share flags; a false
/// "panic while panicking" is the worst that can come of it).
static PANICKING: [AtomicBool; 64] = {
    const F: AtomicBool = AtomicBool::new(false);
    [F; 64]
};

fn program_name() -> &'static str {
    arg(0)
        .and_then(|a| core::str::from_utf8(a).ok())
        .unwrap_or("program")
}

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let core = call::smp_id();
    let flag = &PANICKING[core as usize % 64];
    if flag.swap(true, Ordering::Acquire) {
        call::output(b"panic while panicking\n");
        exit(PANIC_EXIT);
    }
    let mut out = Buffered::new();
    let _ = write!(out, "{}: {}", program_name(), info);
    if task::in_task() {
        let _ = write!(out, " (in a task on core {core}: the task is stopped)");
    }
    let _ = out.write_str("\n");
    out.flush();
    flag.store(false, Ordering::Release);
    exit(PANIC_EXIT)
}

// Rust 1.63 has no default for no_std programs (that came in 1.68). As
// std does, say which allocation failed and end the program (101; in a
// task, the task).
#[cfg(not(test))]
#[alloc_error_handler]
fn out_of_memory(layout: Layout) -> ! {
    let mut out = Buffered::new();
    let _ = write!(
        out,
        "{}: memory allocation of {} bytes failed\n",
        program_name(),
        layout.size()
    );
    out.flush();
    exit(PANIC_EXIT)
}

/// The prebuilt liballoc was compiled to unwind: its cleanup paths refer
/// to these two. Programs are built with panic = "abort", so nothing
/// unwinds and neither is ever called; if one were, say so and stop.
fn never_unwinds(what: &str) -> ! {
    let mut out = Buffered::new();
    let _ = write!(
        out,
        "{}: {what} called, but Pith's Rust programs never unwind\n",
        program_name()
    );
    out.flush();
    exit(PANIC_EXIT)
}

#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {
    never_unwinds("rust_eh_personality")
}

#[cfg(not(test))]
#[allow(non_snake_case)]
#[no_mangle]
pub extern "C" fn _Unwind_Resume() -> ! {
    never_unwinds("_Unwind_Resume")
}

// The prebuilt core compares slices with `bcmp` (LLVM's memcmp that only
// tells equal from different), which lib/program/string.c does not define
// (GCC never calls it). Here it is memcmp itself, whose result is a valid
// bcmp result. Weak, so a strong bcmp that string.c may gain one day takes
// over without a clash. Its own section, so the link drops it when unused.
#[cfg(not(test))]
core::arch::global_asm!(
    ".section .text.bcmp,\"ax\",@progbits",
    ".weak bcmp",
    ".type bcmp,@function",
    "bcmp:",
    "    jmp memcmp",
    ".size bcmp, . - bcmp",
    ".text",
);
