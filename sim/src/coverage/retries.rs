//! The entries whose restart failed and waits for its retry, followed from the trace alone, in
//! trace order: the moment a call is answered can then be judged exactly, even when a resumed
//! supervisor handles a whole mailbox within one delivery (docs/races.md).

use std::collections::{BTreeMap, BTreeSet};

use dynsup::{CallId, Pid};

use crate::simulation::TraceEvent;

/// Restarting entries (keyed by the pid of the process that ended), from the trace.
#[derive(Debug, Default)]
pub(crate) struct Retries {
    /// Restart attempts asked for and not resolved yet: attempt -> the entry it restarts.
    spawning: BTreeMap<u64, Pid>,
    /// Entries whose last restart attempt failed.
    restarting: BTreeSet<Pid>,
    /// `terminate_child` calls that reached the supervisor, not answered yet.
    terminating: BTreeMap<CallId, Pid>,
}

impl Retries {
    /// Takes one trace event into account.
    pub(crate) fn trace_entry(&mut self, event: &TraceEvent) {
        match event {
            TraceEvent::Spawned {
                attempt,
                restart_of: Some(old),
                ..
            } => {
                self.spawning.insert(*attempt, *old);
            }
            TraceEvent::Failed { attempt, .. } => {
                if let Some(old) = self.spawning.remove(attempt) {
                    self.restarting.insert(old);
                }
            }
            TraceEvent::Up { attempt, .. } | TraceEvent::Ignored { attempt } => {
                if let Some(old) = self.spawning.remove(attempt) {
                    self.restarting.remove(&old);
                }
            }
            TraceEvent::TerminateRequested { call, pid } => {
                self.terminating.insert(*call, *pid);
            }
            TraceEvent::TerminateAnswered { call } => {
                if let Some(pid) = self.terminating.remove(call) {
                    self.restarting.remove(&pid);
                }
            }
            TraceEvent::SupervisorDown { .. } => {
                self.spawning.clear();
                self.restarting.clear();
                self.terminating.clear();
            }
            _ => {}
        }
    }

    /// Whether some entry is restarting now.
    pub(crate) fn any(&self) -> bool {
        !self.restarting.is_empty()
    }
}
