//! The console: `print!`/`println!` over `b_output`, and typed input from
//! `b_input`.
//!
//! `b_output` never interleaves one call's bytes with another core's, so
//! each `print!` formats into a 512-byte buffer on the stack and writes it
//! with one call: lines shorter than that never mix with other cores'
//! output. A longer one goes out in 512-byte pieces. No allocation, no
//! lock: printing works in tasks, in the panic handler and with the heap
//! exhausted.

use crate::sys::call;
use crate::time;
use alloc::string::String;
use core::fmt;

const BUF: usize = 512;

/// A `fmt::Write` that collects output and writes it in as few
/// `b_output` calls as it can; `flush` (or dropping it) sends the rest.
pub struct Buffered {
    buf: [u8; BUF],
    len: usize,
}

impl Buffered {
    /// An empty buffer.
    pub const fn new() -> Self {
        Buffered {
            buf: [0; BUF],
            len: 0,
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            call::output(&self.buf[..self.len]);
            self.len = 0;
        }
    }
}

impl Default for Buffered {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for Buffered {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut bytes = s.as_bytes();
        while !bytes.is_empty() {
            if self.len == BUF {
                self.flush();
            }
            let n = bytes.len().min(BUF - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

impl Drop for Buffered {
    fn drop(&mut self) {
        self.flush();
    }
}

#[doc(hidden)]
pub fn _print(args: fmt::Arguments<'_>) {
    let mut out = Buffered::new();
    let _ = fmt::write(&mut out, args);
}

/// Prints to the console (serial port): `print!("{} {}", a, b)`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::_print(format_args!($($arg)*)) };
}

/// Prints to the console with a newline, as one write (lines < 512 bytes).
#[macro_export]
macro_rules! println {
    () => { $crate::console::_print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::_print(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Writes bytes to the console as they are (one call: not interleaved).
pub fn write_bytes(bytes: &[u8]) {
    call::output(bytes);
}

/// The next byte typed, or None when none is waiting (never blocks).
pub fn read_byte() -> Option<u8> {
    match call::input() {
        0 => None,
        b => Some(b),
    }
}

/// Waits for the next byte typed (polling every 100 microseconds).
pub fn wait_byte() -> u8 {
    loop {
        if let Some(b) = read_byte() {
            return b;
        }
        time::delay_us(100);
    }
}

/// Reads a line typed on the console, echoing it, up to Enter (CR or LF,
/// not included) or max bytes; backspace (BS or DEL) erases. Blocks.
pub fn read_line(max: usize) -> String {
    let mut line = String::new();
    loop {
        match wait_byte() {
            b'\r' | b'\n' => {
                write_bytes(b"\n");
                return line;
            }
            8 | 127 => {
                if line.pop().is_some() {
                    write_bytes(b"\x08 \x08");
                }
            }
            b @ 0x20..=0x7e if line.len() < max => {
                line.push(b as char);
                write_bytes(&[b]);
            }
            _ => {}
        }
    }
}
