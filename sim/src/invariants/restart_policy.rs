//! Restart policy: temporary children are never restarted, transient ones only after an
//! abnormal exit, a terminated child never; pids are never reused.

use std::collections::BTreeSet;

use dynsup::{Event, Instant, Pid, Restart};

use super::{violation, ChildPolicies};
use crate::simulation::{TraceEntry, TraceEvent, Violation};

/// Checks every exit decision and restart against the child's restart type.
#[derive(Debug, Default)]
pub struct RestartPolicyChecker {
    started: BTreeSet<Pid>,
    terminated: BTreeSet<Pid>,
}

impl RestartPolicyChecker {
    /// Checks the new trace entries and supervisor events.
    pub fn check(
        &mut self,
        policies: &ChildPolicies,
        trace: &[TraceEntry],
        events: &[(Instant, Event)],
    ) -> Result<(), Violation> {
        for entry in trace {
            if let TraceEvent::Up { pid, .. } = entry.event {
                if !self.started.insert(pid) {
                    return Err(violation(
                        "pid-reuse",
                        entry.at,
                        format!("pid {pid} started twice"),
                    ));
                }
            }
        }
        for (at, event) in events {
            let at = *at;
            match event {
                Event::ChildExited {
                    pid,
                    reason,
                    will_restart,
                } => {
                    let Some(&(restart, _)) = policies.get(pid) else {
                        continue;
                    };
                    let expected = match restart {
                        Restart::Permanent => true,
                        Restart::Transient => !reason.is_clean(),
                        Restart::Temporary => false,
                    };
                    if *will_restart != expected {
                        return Err(violation(
                            "restart-policy",
                            at,
                            format!(
                                "{restart} child {pid} exited {reason}: restart {will_restart}, expected {expected}"
                            ),
                        ));
                    }
                }
                Event::ChildTerminated { pid } => {
                    self.terminated.insert(*pid);
                }
                Event::RestartCounted { pid, .. } | Event::ChildRestarted { old: pid, .. }
                    if self.terminated.contains(pid) =>
                {
                    return Err(violation(
                        "terminated-restarted",
                        at,
                        format!("child {pid} was terminated, then restarted"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
