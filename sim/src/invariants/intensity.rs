//! Restart intensity: never more than max_restarts restarts stamped inside one window, unless
//! the supervisor then goes down with reason `shutdown`; and never a shutdown before that.

use std::collections::VecDeque;

use dynsup::{Event, ExitReason, Instant};

use super::violation;
use crate::simulation::Violation;

/// Recomputes the restart window from the supervisor's `RestartCounted` events.
#[derive(Debug, Default)]
pub struct IntensityChecker {
    max_restarts: u64,
    max_seconds: u64,
    /// Stamps in the window, oldest first.
    stamps: VecDeque<u64>,
    /// The last restart exceeded the window: the supervisor must shut down now.
    must_shut_down: bool,
    /// The supervisor shut down for intensity: its exit reason must be `shutdown`.
    shut_down: bool,
}

impl IntensityChecker {
    /// A checker for `max_restarts` in `max_seconds`.
    pub fn new(max_restarts: u64, max_seconds: u64) -> Self {
        IntensityChecker {
            max_restarts,
            max_seconds,
            ..IntensityChecker::default()
        }
    }

    /// Checks the new supervisor events.
    pub fn check(&mut self, events: &[(Instant, Event)]) -> Result<(), Violation> {
        for (at, event) in events {
            let at = *at;
            if self.must_shut_down && *event != Event::IntensityExceeded {
                return Err(violation(
                    "restart-intensity",
                    at,
                    format!(
                        "{} restarts inside {} s exceed max_restarts {} but the supervisor went on",
                        self.stamps.len(),
                        self.max_seconds,
                        self.max_restarts
                    ),
                ));
            }
            match event {
                Event::RestartCounted { second, .. } => {
                    if *second != at.whole_seconds() {
                        return Err(violation(
                            "restart-intensity",
                            at,
                            format!("restart stamped {second} at {at}"),
                        ));
                    }
                    let oldest = second.saturating_sub(self.max_seconds);
                    while self.stamps.front().is_some_and(|&s| s < oldest) {
                        self.stamps.pop_front();
                    }
                    self.stamps.push_back(*second);
                    self.must_shut_down = self.stamps.len() as u64 > self.max_restarts;
                }
                Event::IntensityExceeded => {
                    if !self.must_shut_down {
                        return Err(violation(
                            "restart-intensity",
                            at,
                            format!(
                                "shut down for intensity with only {} restarts in the window (max_restarts {})",
                                self.stamps.len(),
                                self.max_restarts
                            ),
                        ));
                    }
                    self.must_shut_down = false;
                    self.shut_down = true;
                }
                Event::SupervisorDown { reason }
                    if self.shut_down && *reason != ExitReason::Shutdown =>
                {
                    return Err(violation(
                        "restart-intensity",
                        at,
                        format!("intensity exceeded but the supervisor exited {reason}"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
