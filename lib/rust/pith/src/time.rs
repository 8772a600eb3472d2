//! Clocks (include/pith/time.h): `Instant`, monotonic nanoseconds since
//! the kernel calibrated its TSC at boot, and `WallTime`, UTC from the
//! real-time clock (read at boot, to the second) plus the monotonic clock.
//! Durations are `core::time::Duration`.

use crate::sys::call;
use core::fmt;
use core::ops::{Add, Sub};
pub use core::time::Duration;

/// A point on the monotonic clock: never goes back, shared by all cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// Now.
    pub fn now() -> Instant {
        Instant(call::time_ns())
    }

    /// Nanoseconds since boot.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time from earlier to self; zero if earlier is later.
    pub fn duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Time since self.
    pub fn elapsed(self) -> Duration {
        Instant::now().duration_since(self)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, d: Duration) -> Instant {
        Instant(
            self.0
                .saturating_add(d.as_nanos().min(u64::MAX as u128) as u64),
        )
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

/// Time since boot.
pub fn uptime() -> Duration {
    Duration::from_nanos(call::time_ns())
}

/// The TSC's rate in Hz.
pub fn tsc_hz() -> u64 {
    call::tsc_hz()
}

/// Busy-waits at least us microseconds.
pub fn delay_us(us: u64) {
    call::delay_us(us)
}

/// Busy-waits at least d.
pub fn delay(d: Duration) {
    let us = d.as_nanos().saturating_add(999) / 1000;
    call::delay_us(us.min(u64::MAX as u128) as u64)
}

/// A point in UTC: nanoseconds since 1970-01-01 00:00:00. On a machine
/// without a real-time clock it starts at 1970.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallTime(u64);

/// A UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// The year, e.g. 2025.
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
    /// 0..1e9.
    pub nanos: u32,
}

impl WallTime {
    /// Now.
    pub fn now() -> WallTime {
        WallTime(call::time_wall_ns())
    }

    /// Nanoseconds since the Unix epoch.
    pub fn unix_nanos(self) -> u64 {
        self.0
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_secs(self) -> u64 {
        self.0 / 1_000_000_000
    }

    /// The calendar date and time (proleptic Gregorian, UTC).
    pub fn civil(self) -> Civil {
        let secs = self.unix_secs();
        let (year, month, day) = civil_from_days((secs / 86400) as i64);
        let s = (secs % 86400) as u32;
        Civil {
            year,
            month,
            day,
            hour: s / 3600,
            minute: s / 60 % 60,
            second: s % 60,
            nanos: (self.0 % 1_000_000_000) as u32,
        }
    }
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's
/// civil_from_days ("chrono-Compatible Low-Level Date Algorithms").
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], from March
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// ISO 8601: 2025-01-31T12:34:56Z.
impl fmt::Display for Civil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.civil().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        let t = WallTime(1_700_000_000 * 1_000_000_000 + 5);
        let c = t.civil();
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second, c.nanos),
            (2023, 11, 14, 22, 13, 20, 5)
        );
        assert_eq!(alloc::format!("{t}"), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn instants_saturate() {
        let a = Instant(5);
        assert_eq!(Instant(3) - a, Duration::ZERO);
        assert_eq!(a + Duration::from_nanos(7), Instant(12));
        assert_eq!(
            Instant(u64::MAX - 1) + Duration::from_secs(1),
            Instant(u64::MAX)
        );
    }
}
