//! The work queue (include/pith/smp.h): one queue shared by every core; a
//! task runs to completion on whichever core takes it first. Core 0 runs
//! the program and takes tasks only while the program waits (`wait`,
//! `JoinHandle::join`, `run_one`).
//!
//! - `spawn(closure)` queues a closure and gives a `JoinHandle` for its
//!   value; `spawn_fn(f, arg)` does the same for `fn(usize)`.
//! - `enqueue(f, arg)` queues an `extern "C" fn(usize)` with no
//!   allocation at all: the C form, for many small tasks.
//! - `wait()` runs tasks until every one queued so far has finished, and
//!   says how many faulted.
//!
//! A task that faults, or panics (the panic handler prints the message and
//! stops the task with a fault), is reported on the console; only that
//! task ends. Tasks on other cores run on the core's 16 KiB stack: keep
//! big arrays on the heap there.

use crate::error::{check, Error, Result};
use crate::sync::Mutex;
use crate::sys::{call, task as sys};
use alloc::sync::Arc;

/// B_EAGAIN when the queue was full; the closure is run by the caller
/// then instead (see `spawn`).
const EAGAIN: i32 = -11;

/// Queues f, a closure run once on some core. When the queue is full
/// (2048 tasks), f runs right here instead, before spawn returns: the
/// work gets done either way, and a full queue never waits on itself.
pub fn spawn<T, F>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(None));
    let mine = slot.clone();
    let job = move || {
        let value = f();
        *mine.lock() = Some(value);
    };
    if let Err((code, job)) = sys::queue(job) {
        debug_assert_eq!(code, EAGAIN);
        job();
    }
    JoinHandle { slot }
}

/// Queues f(arg): spawn for a plain function.
pub fn spawn_fn(f: fn(usize), arg: usize) -> JoinHandle<()> {
    spawn(move || f(arg))
}

/// Queues f(arg) with no allocation. Err(Again) when the queue is full
/// (nothing queued: `run_one` and try again, or do the work yourself);
/// Err(Invalid) never, f being a function.
pub fn enqueue(f: extern "C" fn(usize), arg: usize) -> Result<()> {
    check(sys::enqueue_raw(f, arg) as i64).map(|_| ())
}

/// A spawned task's value, once it is there.
pub struct JoinHandle<T> {
    slot: Arc<Mutex<Option<T>>>,
}

impl<T> JoinHandle<T> {
    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.slot.lock().is_some()
    }

    /// Waits for the task and gives its value. On core 0 it runs queued
    /// tasks meanwhile (on the program's 1 MiB stack); on the other cores
    /// it only spins, since a task nested in a task there could overflow
    /// the core's 16 KiB stack. From the program's flow it gives
    /// Err(Faulted) if the task faulted or panicked (the queue emptied
    /// without it finishing); a task joining a task that faults waits for
    /// ever, so join there only tasks that cannot fail.
    pub fn join(self) -> Result<T> {
        let in_task = sys::in_task();
        let may_help = call::smp_id() == 0;
        loop {
            if let Some(v) = self.slot.lock().take() {
                return Ok(v);
            }
            if !in_task && !call::smp_busy() {
                // Nothing queued or running: it has finished or never will.
                return self.slot.lock().take().ok_or(Error::Faulted);
            }
            if !(may_help && call::smp_run() != 0) {
                core::hint::spin_loop();
            }
        }
    }
}

/// Runs queued tasks until every task queued so far has finished, on
/// every core; the number of them that faulted since the last wait.
/// Err(Deadlock) from a task (it would wait for itself).
pub fn wait() -> Result<u32> {
    check(call::smp_wait() as i64).map(|n| n as u32)
}

/// Runs one queued task on this core: whether there was one.
pub fn run_one() -> bool {
    call::smp_run() != 0
}

/// Whether any task is queued or running.
pub fn busy() -> bool {
    call::smp_busy()
}

/// Whether the caller is a task rather than the program's main flow.
pub fn in_task() -> bool {
    sys::in_task()
}
