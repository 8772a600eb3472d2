//! Files on a BMFS disk (include/pith/file.h): one flat directory of up to
//! 64 files, each reserving whole 2 MiB blocks, names of at most 31
//! printable bytes. Every call names the drive; calls on one drive are
//! serialised by the kernel.

use crate::error::{check, Error, Result};
use crate::sys::call::{self, CName};
use crate::sys::{FileInfo, FILE_NAME_MAX};
use alloc::vec::Vec;

/// Bytes of a file name, at most.
pub const NAME_MAX: usize = FILE_NAME_MAX;

/// A file's directory entry.
#[derive(Clone, Copy)]
pub struct Entry {
    name: [u8; NAME_MAX + 1],
    /// Bytes in the file.
    pub size: u64,
    /// Bytes it may grow to (whole 2 MiB blocks).
    pub reserved: u64,
}

impl Entry {
    fn from(i: FileInfo) -> Entry {
        Entry {
            name: i.name,
            size: i.size,
            reserved: i.reserved,
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        let n = self.name.iter().position(|&b| b == 0).unwrap_or(NAME_MAX);
        core::str::from_utf8(&self.name[..n]).unwrap_or("?")
    }
}

impl core::fmt::Debug for Entry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name())
            .field("size", &self.size)
            .field("reserved", &self.reserved)
            .finish()
    }
}

fn cname(name: &str) -> Result<CName> {
    if name.is_empty() || name.as_bytes().contains(&0) {
        return Err(Error::Invalid);
    }
    CName::new(name).ok_or(Error::NameTooLong)
}

/// The files of drive, in directory order (an iterator of `Result<Entry>`;
/// it stops after the first error).
pub fn list(drive: u32) -> List {
    List {
        drive,
        cursor: 0,
        done: false,
    }
}

/// See `list`.
pub struct List {
    drive: u32,
    cursor: u32,
    done: bool,
}

impl Iterator for List {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        if self.done {
            return None;
        }
        match call::file_list(&mut self.cursor, self.drive) {
            Ok(Some(info)) => Some(Ok(Entry::from(info))),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(Error::from_code(e as i64)))
            }
        }
    }
}

/// The entry of file name; Err(NotFound), Err(NameTooLong).
pub fn stat(name: &str, drive: u32) -> Result<Entry> {
    call::file_stat(&cname(name)?, drive)
        .map(Entry::from)
        .map_err(|e| Error::from_code(e as i64))
}

/// Reads up to buf.len() bytes from offset off: the bytes read (0 at or
/// past the end). Err(NotFound), Err(Io).
pub fn read(name: &str, buf: &mut [u8], off: u64, drive: u32) -> Result<usize> {
    check(call::file_read(&cname(name)?, buf, off, drive)).map(|n| n as usize)
}

/// The whole file.
pub fn read_all(name: &str, drive: u32) -> Result<Vec<u8>> {
    let size = stat(name, drive)?.size;
    let mut data = alloc::vec![0u8; size as usize];
    let n = read(name, &mut data, 0, drive)?;
    data.truncate(n);
    Ok(data)
}

/// Writes data at offset off, growing the file within its reserved space
/// (a gap is zero-filled): data.len(). Err(NoSpace) past the reserved
/// space, Err(ReadOnly), Err(NotFound), Err(Io).
pub fn write(name: &str, data: &[u8], off: u64, drive: u32) -> Result<usize> {
    check(call::file_write(&cname(name)?, data, off, drive)).map(|n| n as usize)
}

/// Creates an empty file reserving at least bytes (whole 2 MiB blocks, at
/// least one). Err(Exists), Err(NoSpace), Err(Invalid) or
/// Err(NameTooLong) for a bad name, Err(ReadOnly).
pub fn create(name: &str, bytes: u64, drive: u32) -> Result<()> {
    check(call::file_create(&cname(name)?, bytes, drive) as i64).map(|_| ())
}

/// Deletes file name. Err(NotFound), Err(ReadOnly).
pub fn delete(name: &str, drive: u32) -> Result<()> {
    check(call::file_delete(&cname(name)?, drive) as i64).map(|_| ())
}

/// Sets the file's size (at most its reserved space; growing zero-fills).
pub fn truncate(name: &str, size: u64, drive: u32) -> Result<()> {
    check(call::file_truncate(&cname(name)?, size, drive) as i64).map(|_| ())
}
