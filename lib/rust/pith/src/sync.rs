//! Sharing data between the program and its tasks: `Mutex<T>`, a spin
//! lock that owns its data (sys/sync.rs), and the atomics of
//! `core::sync::atomic` (re-exported as `atomic`) and `Arc` from alloc.
//!
//! The lock spins with `pause`: hold it briefly. Never take one in code
//! that may interrupt its holder on the same core, and do not fault or
//! panic in a task while holding one (the task ends, the lock stays).

pub use crate::sys::sync::{Mutex, MutexGuard};
pub use alloc::sync::Arc;
pub use core::sync::atomic;
