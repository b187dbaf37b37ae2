//! Restart intensity, from the trace alone. Every start the supervisor asks for to restart an
//! entry is a restart (failed retries included: each one is counted, docs/semantics.md §6.2),
//! stamped with its virtual time in whole seconds, rounded down. A new stamp `n` shares the
//! window with each earlier stamp `s` where `n - s <= max_seconds` (§6.3). The rule: never more
//! than `max_restarts` restarts in one window; and when a restart that is owed is not made, the
//! supervisor may only go down, with reason `shutdown`, and only because that restart would
//! have been one too many.
//!
//! A supervisor busy with a `terminate_child` may handle an exit later than it arrived, so a
//! refused restart is judged by the window at the time it fell due, when it was at its fullest.
//! A suspended supervisor (docs/races.md) that its parent stops ends without handling its
//! mailbox: a restart owed there is not made, and that is no violation (r05, r17).
//!
//! Every restart is seen, including a chain of failing retries that runs inside one delivery:
//! the checker reads each `Spawned` entry of the trace, not a snapshot per delivery.

use std::collections::VecDeque;

use dynsup::{ExitReason, Instant};

use super::observed::Observed;
use super::violation;
use crate::simulation::{TraceEntry, TraceEvent, Violation};

/// Counts the restarts the trace shows in a sliding window of whole seconds.
#[derive(Debug, Default)]
pub struct IntensityChecker {
    max_restarts: u64,
    max_seconds: u64,
    /// Stamps in the window, oldest first.
    stamps: VecDeque<u64>,
}

impl IntensityChecker {
    /// A checker for `max_restarts` in `max_seconds`.
    pub fn new(max_restarts: u64, max_seconds: u64) -> Self {
        IntensityChecker {
            max_restarts,
            max_seconds,
            stamps: VecDeque::new(),
        }
    }

    /// How many stamps a restart at `at` would find in its window, itself included.
    fn window_with(&self, at: Instant) -> u64 {
        let now = at.as_millis() / 1_000;
        let earlier = self
            .stamps
            .iter()
            .filter(|&&stamp| now.saturating_sub(stamp) <= self.max_seconds)
            .count() as u64;
        earlier + 1
    }

    /// Checks one trace entry, before `observed` takes it into account.
    pub fn check(&mut self, observed: &Observed, entry: &TraceEntry) -> Result<(), Violation> {
        let at = entry.at;
        match &entry.event {
            TraceEvent::Spawned {
                restart_of: Some(_),
                ..
            } => {
                let in_window = self.window_with(at);
                let now = at.as_millis() / 1_000;
                while self
                    .stamps
                    .front()
                    .is_some_and(|&stamp| now.saturating_sub(stamp) > self.max_seconds)
                {
                    self.stamps.pop_front();
                }
                self.stamps.push_back(now);
                if in_window > self.max_restarts {
                    return Err(violation(
                        "restart-intensity",
                        at,
                        format!(
                            "restart {in_window} inside {} s, but max_restarts is {}",
                            self.max_seconds, self.max_restarts
                        ),
                    ));
                }
                Ok(())
            }
            TraceEvent::SupervisorDown { reason } => {
                let Some((old, owed)) = observed.owed_restarts().iter().next() else {
                    return Ok(());
                };
                // A suspended supervisor takes its parent's exit at once: the exits waiting
                // in its mailbox are never handled, their restarts never made (the real OTP:
                // r05, r17).
                if observed.stopped_while_suspended() {
                    return Ok(());
                }
                // The restart was refused somewhere between the time it fell due and now; the
                // window only shrinks as time passes, so it is judged at its fullest.
                let in_window = self.window_with(owed.since);
                if in_window <= self.max_restarts {
                    return Err(violation(
                        "restart-intensity",
                        at,
                        format!(
                            "went down instead of restarting child {old} with only {} restarts in the window (max_restarts {})",
                            in_window - 1,
                            self.max_restarts
                        ),
                    ));
                }
                if *reason != ExitReason::Shutdown {
                    return Err(violation(
                        "restart-intensity",
                        at,
                        format!("intensity exceeded but the supervisor exited {reason}"),
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec};
    use dynsup::{Pid, Restart};

    fn restart(millis: u64, attempt: u64) -> TraceEntry {
        entry(
            millis,
            TraceEvent::Spawned {
                attempt,
                pid: Pid(100 + attempt),
                restart_of: Some(Pid(1)),
            },
        )
    }

    #[test]
    fn one_restart_too_many_fires_even_inside_one_delivery() {
        let observed = Observed::default();
        let mut checker = IntensityChecker::new(2, 5);
        // A failing restart chain at one instant: the third restart is one too many.
        assert!(checker.check(&observed, &restart(300, 1)).is_ok());
        assert!(checker.check(&observed, &restart(300, 2)).is_ok());
        let violation = checker.check(&observed, &restart(300, 3)).unwrap_err();
        assert_eq!(violation.invariant, "restart-intensity");
    }

    #[test]
    fn the_window_is_counted_in_whole_seconds_with_an_inclusive_edge() {
        let observed = Observed::default();
        // R=1, P=1: stamps 0 and 1 share a window (0.020 s and 1.950 s) ...
        let mut checker = IntensityChecker::new(1, 1);
        assert!(checker.check(&observed, &restart(20, 1)).is_ok());
        assert!(checker.check(&observed, &restart(1_950, 2)).is_err());
        // ... stamps 0 and 2 do not (0.950 s and 2.020 s).
        let mut checker = IntensityChecker::new(1, 1);
        assert!(checker.check(&observed, &restart(950, 1)).is_ok());
        assert!(checker.check(&observed, &restart(2_020, 2)).is_ok());
    }

    #[test]
    fn a_stamp_on_the_edge_of_the_window_still_counts_for_later_restarts() {
        let observed = Observed::default();
        // R=2, P=1: stamps 0, 1 and 1. The third restart still sees stamp 0 (1 - 0 <= 1),
        // so it is one too many, although the second restart was already a second later.
        let mut checker = IntensityChecker::new(2, 1);
        assert!(checker.check(&observed, &restart(20, 1)).is_ok());
        assert!(checker.check(&observed, &restart(1_020, 2)).is_ok());
        assert!(checker.check(&observed, &restart(1_500, 3)).is_err());
    }

    #[test]
    fn a_parent_exit_while_suspended_leaves_the_queued_restarts_unmade() {
        // r05, r17: the stop is taken at once; the exit waiting in the mailbox is never
        // handled, so the supervisor goes down owing a restart it was allowed.
        let down = entry(
            10,
            TraceEvent::SupervisorDown {
                reason: ExitReason::Shutdown,
            },
        );
        let exit = TraceEvent::ExitArrived {
            pid: Pid(1),
            reason: ExitReason::other("boom"),
        };
        let stop = TraceEvent::ParentExitArrived {
            reason: ExitReason::Shutdown,
        };
        let mut suspended = Observed::default();
        observe(&mut suspended, &permanent_up(1, spec(Restart::Permanent)));
        observe(
            &mut suspended,
            &[
                entry(10, TraceEvent::Suspended),
                entry(10, exit.clone()),
                entry(10, stop.clone()),
            ],
        );
        assert!(suspended.stopped_while_suspended());
        assert!(IntensityChecker::new(3, 5).check(&suspended, &down).is_ok());
        // Not suspended (resumed before the stop): the restart had to be made first.
        let mut resumed = Observed::default();
        observe(&mut resumed, &permanent_up(1, spec(Restart::Permanent)));
        observe(
            &mut resumed,
            &[
                entry(10, TraceEvent::Suspended),
                entry(10, TraceEvent::Resumed),
                entry(10, exit),
                entry(10, stop),
            ],
        );
        assert!(!resumed.stopped_while_suspended());
        assert!(IntensityChecker::new(3, 5).check(&resumed, &down).is_err());
    }

    #[test]
    fn going_down_instead_of_a_restart_that_was_allowed_fires() {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        let exit = TraceEvent::ExitArrived {
            pid: Pid(1),
            reason: ExitReason::other("boom"),
        };
        observe(&mut observed, &[entry(10, exit)]);
        let down = entry(
            10,
            TraceEvent::SupervisorDown {
                reason: ExitReason::Shutdown,
            },
        );
        // With max_restarts 1 the restart was allowed: going down is a violation.
        let mut checker = IntensityChecker::new(1, 5);
        assert!(checker.check(&observed, &down).is_err());
        // With max_restarts 0 it is exactly what must happen, with reason shutdown only.
        let mut checker = IntensityChecker::new(0, 5);
        assert!(checker.check(&observed, &down).is_ok());
        let wrong = entry(
            10,
            TraceEvent::SupervisorDown {
                reason: ExitReason::Normal,
            },
        );
        assert!(checker.check(&observed, &wrong).is_err());
    }
}
