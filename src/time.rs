//! Time as the core sees it: instants handed in by the driver, never read from a clock.

use std::fmt;

/// A point in time, in whole milliseconds since an arbitrary epoch chosen by the driver.
///
/// The core never reads a clock: every input carries the `Instant` at which it happens. The
/// epoch only matters for restart intensity, which stamps each restart with
/// [`Instant::whole_seconds`]; OTP's second boundaries fall at multiples of 1000 ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The epoch itself.
    pub const ZERO: Instant = Instant(0);

    /// The instant `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The whole second this instant falls in (floor), as `:erlang.monotonic_time(1)` gives it.
    pub const fn whole_seconds(self) -> u64 {
        self.0 / 1000
    }

    /// This instant plus `millis`, saturating at the far future.
    pub const fn saturating_add_millis(self, millis: u64) -> Self {
        Instant(self.0.saturating_add(millis))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_floor() {
        assert_eq!(Instant::from_millis(999).whole_seconds(), 0);
        assert_eq!(Instant::from_millis(1000).whole_seconds(), 1);
        assert_eq!(Instant::from_millis(5950).whole_seconds(), 5);
        assert_eq!(
            Instant::from_millis(u64::MAX).saturating_add_millis(5),
            Instant::from_millis(u64::MAX)
        );
    }
}
