//! The kernel's error codes (include/pith/error.h) as a Rust type.
//! Every call returns 0 (or a count) on success and a negative `B_E*`
//! code, Linux's errno value, on failure.

use core::fmt;

/// A failed call: which `B_E*` code the kernel gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// B_ENOENT: no file of that name.
    NotFound,
    /// B_EIO: the device reported an error.
    Io,
    /// B_ENOEXEC: not a program Pith can load.
    NotExecutable,
    /// B_EAGAIN: full or busy now: try again later.
    Again,
    /// B_ENOMEM.
    NoMemory,
    /// B_EFAULT: a pointer that cannot be right.
    Fault,
    /// B_EBUSY: in use.
    Busy,
    /// B_EEXIST: a file of that name exists.
    Exists,
    /// B_ENODEV: no such core, interface or drive.
    NoDevice,
    /// B_EINVAL: an argument out of range.
    Invalid,
    /// B_ENOSPC: no room on the disk, in the directory or the file.
    NoSpace,
    /// B_EROFS: the drive is read-only.
    ReadOnly,
    /// B_ERANGE: past the end.
    Range,
    /// B_EDEADLK: the call would wait for itself.
    Deadlock,
    /// B_ENAMETOOLONG: a name longer than the format allows.
    NameTooLong,
    /// B_ECORRUPT: data on the disk fails its checks.
    Corrupt,
    /// B_EFAULTED: the program or task faulted and was stopped.
    Faulted,
    /// A code this crate does not know.
    Other(i32),
}

/// `Result` with `pith::Error`.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// The error for a negative `B_E*` code.
    pub fn from_code(code: i64) -> Error {
        match code {
            -2 => Error::NotFound,
            -5 => Error::Io,
            -8 => Error::NotExecutable,
            -11 => Error::Again,
            -12 => Error::NoMemory,
            -14 => Error::Fault,
            -16 => Error::Busy,
            -17 => Error::Exists,
            -19 => Error::NoDevice,
            -22 => Error::Invalid,
            -28 => Error::NoSpace,
            -30 => Error::ReadOnly,
            -34 => Error::Range,
            -35 => Error::Deadlock,
            -36 => Error::NameTooLong,
            -117 => Error::Corrupt,
            -256 => Error::Faulted,
            c => Error::Other(c as i32),
        }
    }

    /// The `B_E*` code (negative).
    pub fn code(self) -> i32 {
        match self {
            Error::NotFound => -2,
            Error::Io => -5,
            Error::NotExecutable => -8,
            Error::Again => -11,
            Error::NoMemory => -12,
            Error::Fault => -14,
            Error::Busy => -16,
            Error::Exists => -17,
            Error::NoDevice => -19,
            Error::Invalid => -22,
            Error::NoSpace => -28,
            Error::ReadOnly => -30,
            Error::Range => -34,
            Error::Deadlock => -35,
            Error::NameTooLong => -36,
            Error::Corrupt => -117,
            Error::Faulted => -256,
            Error::Other(c) => c,
        }
    }

    /// The name of the code, as error.h spells it without `B_`.
    pub fn name(self) -> &'static str {
        match self {
            Error::NotFound => "ENOENT",
            Error::Io => "EIO",
            Error::NotExecutable => "ENOEXEC",
            Error::Again => "EAGAIN",
            Error::NoMemory => "ENOMEM",
            Error::Fault => "EFAULT",
            Error::Busy => "EBUSY",
            Error::Exists => "EEXIST",
            Error::NoDevice => "ENODEV",
            Error::Invalid => "EINVAL",
            Error::NoSpace => "ENOSPC",
            Error::ReadOnly => "EROFS",
            Error::Range => "ERANGE",
            Error::Deadlock => "EDEADLK",
            Error::NameTooLong => "ENAMETOOLONG",
            Error::Corrupt => "ECORRUPT",
            Error::Faulted => "EFAULTED",
            Error::Other(_) => "error",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Other(c) => write!(f, "error {c}"),
            e => f.write_str(e.name()),
        }
    }
}

/// Ok(value) for a count or 0, Err for a negative code.
pub(crate) fn check(r: i64) -> Result<u64> {
    if r < 0 {
        Err(Error::from_code(r))
    } else {
        Ok(r as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [
            -2, -5, -8, -11, -12, -14, -16, -17, -19, -22, -28, -30, -34, -35, -36, -117, -256, -99,
        ] {
            let e = Error::from_code(code);
            assert_eq!(e.code() as i64, code, "{e}");
        }
        assert_eq!(Error::from_code(-99), Error::Other(-99));
        assert_eq!(check(3), Ok(3));
        assert_eq!(check(-28), Err(Error::NoSpace));
        assert_eq!(alloc::format!("{}", Error::NotFound), "ENOENT");
    }
}
