//! The tokio runtime's clock: milliseconds since the supervisor started, measured with
//! `tokio::time::Instant`, so that a paused tokio clock (`start_paused`) makes it virtual.

use std::time::Duration;

use crate::time::Instant;

/// Milliseconds since the supervisor started, on tokio's clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    epoch: tokio::time::Instant,
}

impl Clock {
    /// A clock whose zero is tokio's now.
    pub(crate) fn start() -> Self {
        Clock {
            epoch: tokio::time::Instant::now(),
        }
    }

    /// The current instant (floor to whole milliseconds).
    pub(crate) fn now(&self) -> Instant {
        let millis = self.epoch.elapsed().as_millis();
        Instant::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
    }

    /// The tokio instant of `at` (far in the future if it does not fit).
    pub(crate) fn at(&self, at: Instant) -> tokio::time::Instant {
        self.epoch
            .checked_add(Duration::from_millis(at.as_millis()))
            .unwrap_or_else(|| self.epoch + Duration::from_secs(86_400 * 365 * 30))
    }
}
