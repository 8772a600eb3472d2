//! Raw Ethernet frames (include/pith/net.h) on the machine's NICs,
//! numbered 0 .. `count()`-1. A frame is what goes on the wire from the
//! destination MAC on, without the FCS: 14 to 1514 bytes sent, up to 1518
//! received (a VLAN tag). Any core may call; the driver serialises calls
//! on one interface.

use crate::error::{check, Error, Result};
use crate::sys::{call, frame};

pub use crate::sys::call::NET_RX_MAX as RX_MAX;
pub use crate::sys::frame::RxFrame;

/// Bytes of an Ethernet header: the shortest frame.
pub const FRAME_MIN: usize = 14;
/// The longest frame sent: header and a 1500-byte MTU.
pub const FRAME_MAX: usize = 1514;

/// Interfaces the kernel drives.
pub fn count() -> u32 {
    call::net_count()
}

/// Sends one frame (copied: the slice is free again on return). Its
/// length; Err(NoDevice), Err(Invalid) for a length outside 14..=1514,
/// Err(Again) when every transmit slot is busy (nothing sent).
pub fn tx(iface: u32, frame: &[u8]) -> Result<usize> {
    check(call::net_tx(iface, frame)).map(|n| n as usize)
}

/// Copies the next received frame into buf (at least `RX_MAX` bytes):
/// Ok(Some(length)), or Ok(None) when none is waiting. Err(Invalid) for a
/// smaller buf; Err(NoDevice).
pub fn rx(iface: u32, buf: &mut [u8]) -> Result<Option<usize>> {
    let buf: &mut [u8; RX_MAX] = match buf.get_mut(..RX_MAX) {
        Some(b) => b.try_into().map_err(|_| Error::Invalid)?,
        None => return Err(Error::Invalid),
    };
    match check(call::net_rx(iface, buf))? {
        0 => Ok(None),
        n => Ok(Some(n as usize)),
    }
}

/// Zero-copy receive: the next frame in the driver's own buffer, lent
/// until the `RxFrame` is dropped (which gives it back to the device).
/// Ok(None) when none is waiting. Keep few frames at a time: each one held
/// is a receive buffer the device cannot fill.
pub fn rx_zc(iface: u32) -> Result<Option<RxFrame>> {
    frame::rx_zc(iface).map_err(Error::from_code)
}

/// An interface's description (struct b_net_info).
#[derive(Clone, Copy, Debug)]
pub struct Info {
    /// Its MAC address.
    pub mac: [u8; 6],
    /// 1500 unless the device says otherwise.
    pub mtu: u16,
    /// Whether the link is up (devices without status: up).
    pub link_up: bool,
    /// Whether interrupts reach the program's callback.
    pub irq: bool,
    /// "pci" or "mmio".
    pub transport: &'static str,
    /// Buffers posted for receive.
    pub rx_ring: u16,
    /// Transmit slots.
    pub tx_ring: u16,
}

/// Interface iface's description; Err(NoDevice).
pub fn info(iface: u32) -> Result<Info> {
    let i = call::net_info(iface).map_err(|e| Error::from_code(e as i64))?;
    Ok(Info {
        mac: i.mac,
        mtu: i.mtu,
        link_up: i.link_up != 0,
        irq: i.irq != 0,
        transport: transport(&i.transport),
        rx_ring: i.rx_ring,
        tx_ring: i.tx_ring,
    })
}

/// The interface's counters (struct b_net_stats).
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Frames handed to the device.
    pub tx_frames: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Refused for lack of a transmit slot.
    pub tx_drops: u64,
    /// Refused as bad, or the device broke the ring's rules.
    pub tx_errors: u64,
    /// Frames handed to the program.
    pub rx_frames: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Received but discarded (too long, bad).
    pub rx_drops: u64,
    /// The device broke the receive ring's rules.
    pub rx_errors: u64,
    /// Interrupts taken.
    pub interrupts: u64,
}

/// Interface iface's counters; Err(NoDevice).
pub fn stats(iface: u32) -> Result<Stats> {
    let s = call::net_stats(iface).map_err(|e| Error::from_code(e as i64))?;
    Ok(Stats {
        tx_frames: s.tx_frames,
        tx_bytes: s.tx_bytes,
        tx_drops: s.tx_drops,
        tx_errors: s.tx_errors,
        rx_frames: s.rx_frames,
        rx_bytes: s.rx_bytes,
        rx_drops: s.rx_drops,
        rx_errors: s.rx_errors,
        interrupts: s.interrupts,
    })
}

/// "pci" or "mmio" from the C struct's NUL-padded field.
pub(crate) fn transport(field: &[u8; 6]) -> &'static str {
    match field {
        [b'p', b'c', b'i', 0, ..] => "pci",
        [b'm', b'm', b'i', b'o', 0, ..] => "mmio",
        _ => "?",
    }
}

/// A MAC address as text: 52:54:00:12:34:56.
pub struct Mac(pub [u8; 6]);

impl core::fmt::Display for Mac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let m = &self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}
