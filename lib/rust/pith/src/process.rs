//! Ending the program, and exit codes from `main`.
//!
//! The exit code is what main returns (`pith::main!`), its low byte
//! (0..255) as the Monitor shows it. A panic ends the program with 101.

use crate::sys::rt;
use core::fmt::Debug;

/// The exit code of a panic (Rust's std uses the same).
pub const PANIC_EXIT_CODE: i32 = rt::PANIC_EXIT;

/// Ends the program now with code, as if main had returned it: nothing
/// after it runs and no destructors run. Called from a task, it ends only
/// that task, as a fault the kernel reports (a task cannot end the
/// program).
pub fn exit(code: i32) -> ! {
    rt::exit(code)
}

/// What `main` may return: how it becomes the exit code.
pub trait Termination {
    /// The exit code.
    fn report(self) -> i32;
}

impl Termination for () {
    fn report(self) -> i32 {
        0
    }
}

impl Termination for i32 {
    fn report(self) -> i32 {
        self
    }
}

impl Termination for u8 {
    fn report(self) -> i32 {
        self as i32
    }
}

/// Ok: 0; Err(e): prints `Error: {e:?}` and gives 1.
impl<E: Debug> Termination for Result<(), E> {
    fn report(self) -> i32 {
        match self {
            Ok(()) => 0,
            Err(e) => {
                crate::println!("Error: {e:?}");
                1
            }
        }
    }
}
