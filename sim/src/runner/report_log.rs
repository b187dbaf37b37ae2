//! The reports of a real runtime, as a scenario target reads them: one log shared by the
//! runtime's observer and the target (the threaded and the tokio runtime alike).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use dynsup::runtime::Report;
use dynsup::{Event, Pid, StartOutcome};

use crate::runner::target::Observation;

/// Every report of a runtime, in order; clones share the log.
#[derive(Clone, Debug, Default)]
pub struct ReportLog(Arc<Mutex<Vec<Report>>>);

impl ReportLog {
    fn reports(&self) -> MutexGuard<'_, Vec<Report>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `report` (what the runtime's observer calls).
    pub fn push(&self, report: &Report) {
        self.reports().push(report.clone());
    }

    /// How many reports there are so far.
    pub fn len(&self) -> usize {
        self.reports().len()
    }

    /// Whether nothing was reported yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `pid`'s end has been reported.
    pub fn has_down(&self, pid: Pid) -> bool {
        self.reports()
            .iter()
            .any(|report| matches!(report, Report::ChildDown { pid: p, .. } if *p == pid))
    }

    /// Appends to `out` the observations of the reports after the first `*seen`, and moves
    /// `*seen` past them.
    pub fn observe(&self, seen: &mut usize, out: &mut Vec<Observation>) {
        let reports = self.reports();
        for report in reports.get(*seen..).unwrap_or(&[]) {
            out.push(match report {
                Report::StartAttempt { attempt, outcome } => match outcome {
                    StartOutcome::Started { pid, .. } => Observation::Up {
                        attempt: *attempt,
                        pid: *pid,
                    },
                    StartOutcome::Ignore => Observation::Ignored { attempt: *attempt },
                    StartOutcome::Failed(reason) => Observation::Failed {
                        attempt: *attempt,
                        reason: reason.clone(),
                    },
                },
                Report::ChildDown { pid, reason } => Observation::Down {
                    pid: *pid,
                    reason: reason.clone(),
                },
                Report::Supervisor(Event::SupervisorDown { reason }) => {
                    Observation::SupervisorDown {
                        reason: reason.clone(),
                    }
                }
                _ => continue,
            });
        }
        *seen = reports.len();
    }
}
