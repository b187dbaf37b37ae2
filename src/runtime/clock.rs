//! The runtime's clock: the only place in the crate that reads the wall clock.
//!
//! It turns `std::time::Instant` into the core's [`Instant`]: whole milliseconds since the
//! supervisor started. So restart intensity stamps whole seconds since the supervisor's start,
//! and a second boundary falls every 1000 ms after `start_link`. Under `cfg(loom)` there is no
//! real time: the clock stands still at zero, and timed waits are plain waits (see
//! [`crate::sync::wait_timeout`]), so the loom models never depend on a timeout firing.

use std::time::Duration;

use crate::time::Instant;

/// Milliseconds since the supervisor started, read from the monotonic clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    #[cfg(not(loom))]
    epoch: std::time::Instant,
}

impl Clock {
    /// A clock whose zero is now.
    pub(crate) fn start() -> Self {
        Clock {
            #[cfg(not(loom))]
            epoch: std::time::Instant::now(),
        }
    }

    /// The current instant (floor to whole milliseconds).
    #[cfg(not(loom))]
    pub(crate) fn now(&self) -> Instant {
        let millis = self.epoch.elapsed().as_millis();
        Instant::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
    }

    /// The current instant: under loom time stands still.
    #[cfg(loom)]
    pub(crate) fn now(&self) -> Instant {
        Instant::ZERO
    }

    /// How long until `deadline`, rounded up to a whole millisecond so that a wait for it
    /// never wakes a little early; zero once it has passed.
    pub(crate) fn until(&self, deadline: Instant) -> Duration {
        let left = deadline.as_millis().saturating_sub(self.now().as_millis());
        Duration::from_millis(left)
    }

    /// The instant `timeout` from now (saturating; `None` means never).
    pub(crate) fn deadline(&self, timeout: Option<Duration>) -> Option<Instant> {
        timeout.map(|timeout| {
            let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
            // Round a sub-millisecond remainder up, so a 1.5 ms timeout waits 2 ms.
            let millis = if timeout.subsec_nanos() % 1_000_000 == 0 {
                millis
            } else {
                millis.saturating_add(1)
            };
            self.now().saturating_add_millis(millis)
        })
    }
}
