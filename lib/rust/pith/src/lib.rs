//! Pith for Rust programs: safe bindings to the kernel API of
//! `include/pith/` for a program loaded from disk (docs/PROGRAMS.md,
//! "Rust"), plus what a `no_std` program with `alloc` needs: a global
//! allocator over the program's heap, a panic handler that reports and
//! exits with code 101, and the entry point.
//!
//! ```ignore
//! #![no_std]
//! extern crate alloc;
//! use pith::println;
//!
//! fn main() -> i32 {
//!     for arg in pith::env::args() {
//!         println!("{arg}");
//!     }
//!     0
//! }
//! pith::main!(main);
//! ```
//!
//! Every call goes to the C functions of `lib/program/api.c`, which the
//! program is linked with; `sys` declares them and is the only module
//! allowed `unsafe` (each use says why it is sound). The public modules:
//!
//! | module | what |
//! |---|---|
//! | `console` | `print!`/`println!` (one console write per call), input |
//! | `env` | the program's arguments |
//! | `time` | `Instant` (monotonic), `WallTime` (UTC), delays |
//! | `task` | the work queue: `spawn` a closure, `join`, `wait` |
//! | `sync` | `Mutex`, a spin lock for data shared with tasks |
//! | `net` | raw Ethernet frames: send, receive (copied or zero-copy) |
//! | `storage` | 4096-byte sectors of a drive |
//! | `file` | files on a BMFS disk |
//! | `process` | `exit`, exit codes from `main` |
//! | `system` | cores, memory, the heap |
//!
//! Calls return `Result<T, Error>`; `Error` is the kernel's `B_E*` code.

// The host tests (`make rust-unit`) run on std; programs never do.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(test, allow(dead_code, unused_imports))]
// Rust 1.63 (Debian 12) requires a no_std program that uses alloc to name
// its allocation-failure handler, an unstable attribute until Rust 1.68
// made it optional. The Makefile sets RUSTC_BOOTSTRAP=pith for this crate
// only, and this is the only unstable feature used.
#![feature(alloc_error_handler)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;

#[allow(unsafe_code)]
#[allow(missing_docs)]
mod sys;

pub mod console;
pub mod env;
pub mod error;
pub mod file;
pub mod net;
pub mod process;
pub mod storage;
pub mod sync;
pub mod system;
pub mod task;
pub mod time;

pub use error::{Error, Result};

/// Names the program's main function: `pith::main!(main);` at the top
/// level of the program's crate. The function takes no arguments (see
/// `env::args`) and returns `()`, an `i32` exit code, or a
/// `Result<(), E: Debug>` (an `Err` is printed, exit code 1); see
/// `process::Termination`.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        #[doc(hidden)]
        #[no_mangle]
        pub fn __pith_main() -> i32 {
            $crate::process::Termination::report($main())
        }
    };
}
