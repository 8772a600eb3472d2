//! Zero-copy receive: `b_net_rx_zc` lends the program the driver's buffer
//! holding the next frame until `b_net_rx_release` gives it back. RxFrame
//! is that loan: it reads as a `&[u8]` and gives the buffer back when it is
//! dropped, so the buffer can be neither kept past its release nor
//! released twice.

use super::ffi;
use core::ops::Deref;

pub struct RxFrame {
    iface: u32,
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the buffer is plain RAM owned by the program until the release,
// which any core may make (net.h: "every call may be made from any core").
unsafe impl Send for RxFrame {}
unsafe impl Sync for RxFrame {}

/// The next frame on iface: Ok(None) when none waits, Err(code).
pub fn rx_zc(iface: u32) -> Result<Option<RxFrame>, i64> {
    let mut ptr: *mut u8 = core::ptr::null_mut();
    // SAFETY: ptr is a local the call writes.
    let n = unsafe { ffi::b_net_rx_zc(iface, &mut ptr) };
    match n {
        n if n < 0 => Err(n),
        0 => Ok(None),
        _ if ptr.is_null() => Err(-14), // B_EFAULT: the kernel broke its word
        n => Ok(Some(RxFrame {
            iface,
            ptr,
            len: n as usize,
        })),
    }
}

impl RxFrame {
    pub fn iface(&self) -> u32 {
        self.iface
    }
}

impl Deref for RxFrame {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: b_net_rx_zc returned len bytes at ptr, which the device
        // does not touch until the release in drop; the slice borrows self,
        // so it cannot outlive that.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for RxFrame {
    fn drop(&mut self) {
        // SAFETY: ptr is a frame this interface lent and not yet got back;
        // drop runs once. A refusal (B_EINVAL) cannot happen for such a
        // pointer and there is nothing to do about one here.
        unsafe { ffi::b_net_rx_release(self.iface, self.ptr) };
    }
}
