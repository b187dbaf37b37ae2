//! Shutdown: no child outlives its supervisor (no orphans), a child killed after its timeout
//! was given exactly its shutdown time, and `infinity` children are never killed by a timer.

use std::collections::BTreeMap;

use dynsup::{Instant, Pid, Shutdown};

use super::{violation, ChildPolicies};
use crate::simulation::{TraceEntry, TraceEvent, View, Violation};

/// Checks the signals the supervisor sends against each child's shutdown.
#[derive(Debug, Default)]
pub struct ShutdownChecker {
    /// When each child was sent `shutdown`.
    asked: BTreeMap<Pid, Instant>,
}

impl ShutdownChecker {
    /// Checks the new trace entries and the state.
    pub fn check<F, A>(
        &mut self,
        view: &View<'_, F, A>,
        policies: &ChildPolicies,
        trace: &[TraceEntry],
    ) -> Result<(), Violation> {
        for entry in trace {
            let at = entry.at;
            match entry.event {
                TraceEvent::Signalled { pid, kill: false } => {
                    self.asked.insert(pid, at);
                }
                TraceEvent::Signalled { pid, kill: true } => {
                    let Some(&(_, shutdown)) = policies.get(&pid) else {
                        continue;
                    };
                    let asked = self.asked.get(&pid).copied();
                    let fail = |detail| Err(violation("shutdown-timing", at, detail));
                    match (shutdown, asked) {
                        (Shutdown::BrutalKill, None) => {}
                        (Shutdown::BrutalKill, Some(_)) => {
                            return fail(format!("brutal_kill child {pid} was sent shutdown"))
                        }
                        (Shutdown::Infinity, _) => {
                            return fail(format!("infinity child {pid} was killed"))
                        }
                        (Shutdown::Timeout { millis }, Some(asked)) => {
                            let given = at.as_millis().saturating_sub(asked.as_millis());
                            if given != millis {
                                return fail(format!(
                                    "child {pid} with shutdown {millis} ms was killed after {given} ms"
                                ));
                            }
                        }
                        (Shutdown::Timeout { .. }, None) => {
                            return fail(format!("child {pid} killed without a shutdown first"))
                        }
                    }
                }
                TraceEvent::SupervisorDown { .. } if !view.live.is_empty() => {
                    return Err(violation(
                        "no-orphans",
                        at,
                        format!("children {:?} outlive their supervisor", view.live.pids()),
                    ));
                }
                _ => {}
            }
        }
        if !view.supervisor.view().is_alive() && !view.live.is_empty() {
            return Err(violation(
                "no-orphans",
                view.now,
                format!("children {:?} outlive their supervisor", view.live.pids()),
            ));
        }
        Ok(())
    }
}
