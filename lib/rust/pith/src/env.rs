//! The program's arguments: `argv[0]` is the name it was run by (`hello`
//! or `hello.app`, as typed), the words after it are `argv[1..]`
//! (docs/PROGRAMS.md). They stay valid as long as the program runs, so
//! they are `&'static str`.

use crate::sys::rt;

/// The arguments, `argv[0]` first.
pub fn args() -> Args {
    Args {
        next: 0,
        end: rt::arg_count(),
    }
}

/// Argument i, or None past the last. A word that is not UTF-8 (the
/// console passes bytes) is cut before its first bad byte; `arg_bytes`
/// gives it whole.
pub fn arg(i: usize) -> Option<&'static str> {
    rt::arg(i).map(|b| match core::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    })
}

/// Argument i as bytes.
pub fn arg_bytes(i: usize) -> Option<&'static [u8]> {
    rt::arg(i)
}

/// An iterator over the arguments (see `args`).
pub struct Args {
    next: usize,
    end: usize,
}

impl Iterator for Args {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        arg(self.next - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Args {}
