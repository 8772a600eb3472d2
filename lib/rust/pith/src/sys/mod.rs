//! The bindings: the only module of the crate allowed `unsafe` (lib.rs
//! denies `unsafe_code` everywhere else). Each unsafe block says why it is
//! sound. What the rest of the crate builds on:
//!
//! | file | what |
//! |---|---|
//! | `ffi.rs` | the C declarations: `b_*` functions and their structs |
//! | `call.rs` | a safe function per C call, checking what the C side trusts |
//! | `sync.rs` | `Mutex`, a spin lock around an `UnsafeCell` |
//! | `heap.rs` | the global allocator over `b_heap` |
//! | `task.rs` | closures and `fn(usize)` as work-queue tasks |
//! | `frame.rs` | `RxFrame`, a zero-copy received frame released on drop |
//! | `rt.rs` | `main` (the C entry), argv, panics, exit, the unwinder stubs |
//!
//! The contracts relied on are the headers' (include/pith/*.h): a call
//! reads or writes only through the pointers it is given, within the
//! lengths it is given, and keeps none of them after it returns (except
//! the ones the zero-copy receive hands out, which are the driver's).

mod ffi;

pub mod call;
pub mod frame;
pub mod heap;
pub mod rt;
pub mod sync;
pub mod task;

pub use ffi::{CoreStats, FileInfo, NetInfo, NetStats, NvsInfo, NvsStats, FILE_NAME_MAX};
