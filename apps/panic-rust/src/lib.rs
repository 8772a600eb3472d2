//! panic-rust [task|oom|exit N]: panics on purpose, for
//! tests/system/test_rust.py.
//!
//! - no argument: panics in main. The panic handler prints
//!   `panic-rust: panicked at 'on purpose: 42 is not 41', src/lib.rs:L:C`
//!   and the program ends with exit code 101.
//! - `task`: a spawned task panics on another core; it alone is stopped
//!   (the kernel reports the fault), join says so, and the program goes on
//!   to exit with code 3.
//! - `oom`: asks for 1 TiB; the allocation-failure handler says so and
//!   ends the program with 101.
//! - `exit N`: `pith::process::exit(N)` from deep inside a call.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;
use pith::{env, println, process, task};

pith::main!(main);

fn main() -> i32 {
    match env::arg(1) {
        None => {
            println!("panic-rust: about to panic");
            let (a, b) = (6 * 7, 41);
            if a != b {
                panic!("on purpose: {} is not {}", a, b);
            }
            println!("panic-rust: not reached");
            0
        }
        Some("task") => in_a_task(),
        Some("oom") => {
            let v: Vec<u8> = Vec::with_capacity(1 << 40);
            println!("panic-rust: got {} bytes?", v.capacity());
            0
        }
        Some("exit") => {
            let code = env::arg(2).and_then(|s| s.parse().ok()).unwrap_or(0);
            deep(code, 10);
            println!("panic-rust: not reached");
            0
        }
        Some(other) => {
            println!("usage: panic-rust [task|oom|exit N] (not {other})");
            2
        }
    }
}

fn in_a_task() -> i32 {
    let h = task::spawn(|| -> u32 { panic!("in a task on core {}", pith::system::core_id()) });
    match h.join() {
        Ok(_) => println!("panic-rust: the task returned?"),
        Err(e) => println!("panic-rust: join: {e}"),
    }
    let ok = task::spawn(|| 7).join();
    println!("panic-rust: after it, another task gave {ok:?}");
    3
}

fn deep(code: i32, depth: u32) {
    if depth == 0 {
        process::exit(code);
    }
    deep(code, depth - 1);
    println!("panic-rust: unwound?");
}
