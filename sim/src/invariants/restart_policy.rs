//! Restart policy, from the trace alone: a restart is a new start of an entry whose process
//! exited on its own with a reason that, by the child's restart type, calls for one (temporary
//! children never, transient ones only after an abnormal exit); a child the supervisor
//! signalled is never restarted; pids are never reused; and every child that comes up can be
//! classified (its spec is known from the `start_child` call or the restart that started it).

use dynsup::Pid;

use super::observed::Observed;
use super::violation;
use crate::simulation::{TraceEntry, TraceEvent, Violation};

/// Checks each start against what the trace says the supervisor owes.
pub fn check_start(observed: &Observed, entry: &TraceEntry) -> Result<(), Violation> {
    let at = entry.at;
    match entry.event {
        TraceEvent::Up { pid, .. } if observed.ever_up(pid) => Err(violation(
            "pid-reuse",
            at,
            format!("pid {pid} started twice"),
        )),
        TraceEvent::Spawned {
            restart_of: Some(old),
            ..
        } => {
            if observed.owed(old).is_some() {
                return Ok(());
            }
            let Some(spec) = observed.spec(old) else {
                return Err(violation(
                    "restart-policy",
                    at,
                    format!("a restart of child {old}, whose spec was never seen"),
                ));
            };
            if observed.signalled(old) {
                return Err(violation(
                    "terminated-restarted",
                    at,
                    format!("child {old} was terminated, then restarted"),
                ));
            }
            Err(violation(
                "restart-policy",
                at,
                format!(
                    "{} child {old} restarted, but no exit of it calls for a restart",
                    spec.restart
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Checks that every child that came up has a known spec.
pub fn check_classified(observed: &Observed, at: dynsup::Instant) -> Result<(), Violation> {
    match observed.unclassified() {
        None => Ok(()),
        Some(pid) => Err(unclassified(pid, at)),
    }
}

/// A child the checkers cannot classify: a violation, never a skip.
pub(crate) fn unclassified(pid: Pid, at: dynsup::Instant) -> Violation {
    violation(
        "restart-policy",
        at,
        format!("child {pid} came up, but no start_child answer or restart names it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec};
    use dynsup::{CallId, ExitReason, Restart};

    #[test]
    fn a_temporary_child_restarted_fires() {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Temporary)));
        observe(
            &mut observed,
            &[entry(
                10,
                TraceEvent::ExitArrived {
                    pid: Pid(1),
                    reason: ExitReason::other("boom"),
                },
            )],
        );
        let restart = entry(
            10,
            TraceEvent::Spawned {
                attempt: 1,
                pid: Pid(2),
                restart_of: Some(Pid(1)),
            },
        );
        let violation = check_start(&observed, &restart).unwrap_err();
        assert_eq!(violation.invariant, "restart-policy");
    }

    #[test]
    fn a_transient_child_restarted_after_shutdown_fires_and_after_a_crash_does_not() {
        for (reason, fires) in [
            (ExitReason::Shutdown, true),
            (ExitReason::ShutdownWith("x".into()), true),
            (ExitReason::Normal, true),
            (ExitReason::Killed, false),
        ] {
            let mut observed = Observed::default();
            observe(&mut observed, &permanent_up(1, spec(Restart::Transient)));
            let exit = TraceEvent::ExitArrived {
                pid: Pid(1),
                reason,
            };
            observe(&mut observed, &[entry(10, exit)]);
            let restart = TraceEvent::Spawned {
                attempt: 1,
                pid: Pid(2),
                restart_of: Some(Pid(1)),
            };
            assert_eq!(check_start(&observed, &entry(10, restart)).is_err(), fires);
        }
    }

    #[test]
    fn a_terminated_child_restarted_fires() {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(
            &mut observed,
            &[
                entry(
                    5,
                    TraceEvent::Signalled {
                        pid: Pid(1),
                        kill: false,
                    },
                ),
                entry(
                    5,
                    TraceEvent::ExitArrived {
                        pid: Pid(1),
                        reason: ExitReason::Shutdown,
                    },
                ),
            ],
        );
        let restart = TraceEvent::Spawned {
            attempt: 1,
            pid: Pid(2),
            restart_of: Some(Pid(1)),
        };
        let violation = check_start(&observed, &entry(5, restart)).unwrap_err();
        assert_eq!(violation.invariant, "terminated-restarted");
    }

    #[test]
    fn a_reused_pid_fires() {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        let again = TraceEvent::Up {
            attempt: 7,
            pid: Pid(1),
        };
        let violation = check_start(&observed, &entry(5, again)).unwrap_err();
        assert_eq!(violation.invariant, "pid-reuse");
    }

    #[test]
    fn a_child_nobody_asked_for_cannot_be_classified() {
        let mut observed = Observed::default();
        // Up with no start_child answer naming it.
        observe(
            &mut observed,
            &[
                entry(
                    0,
                    TraceEvent::StartRequested {
                        call: CallId(1),
                        spec: spec(Restart::Permanent),
                    },
                ),
                entry(
                    0,
                    TraceEvent::Up {
                        attempt: 0,
                        pid: Pid(9),
                    },
                ),
            ],
        );
        let violation = check_classified(&observed, dynsup::Instant::ZERO).unwrap_err();
        assert_eq!(violation.invariant, "restart-policy");
        // A restart of an unknown entry is one too.
        let restart = TraceEvent::Spawned {
            attempt: 1,
            pid: Pid(10),
            restart_of: Some(Pid(3)),
        };
        assert!(check_start(&observed, &entry(0, restart)).is_err());
    }
}
