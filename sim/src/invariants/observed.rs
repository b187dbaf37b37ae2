//! What the checkers know of the supervisor's children, rebuilt from the trace alone: the spec
//! of every child (from the `start_child` call that started it, carried over to its restarts),
//! the entries the supervisor must hold, the restarts it owes, and the signals it sent. Nothing
//! here reads the core's table, flags, counters or report events.

use std::collections::{BTreeMap, BTreeSet};

use dynsup::{CallId, ChildCounts, ChildType, ExitReason, Instant, Pid, Restart};

use crate::simulation::{SpecSeen, TraceEntry, TraceEvent};

/// Whether a child with restart type `restart` that exited with `reason` on its own (not
/// terminated by its supervisor) must be restarted: the rule of docs/semantics.md §6.1,
/// stated here independently of the core. A permanent child always is; a transient child
/// unless it exited `normal`, `shutdown` or `{shutdown, _}`; a temporary child never.
pub fn must_restart(restart: Restart, reason: &ExitReason) -> bool {
    match restart {
        Restart::Permanent => true,
        Restart::Transient => !matches!(
            reason,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        ),
        Restart::Temporary => false,
    }
}

/// A restart the supervisor owes: the exit that calls for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    /// The child's spec.
    pub spec: SpecSeen,
    /// The reason it exited.
    pub reason: ExitReason,
    /// When the restart fell due: its exit's arrival, or the last failed attempt.
    pub since: Instant,
}

/// The children as the trace shows them, updated one trace entry at a time.
#[derive(Debug, Default)]
pub struct Observed {
    /// Specs of `start_child` calls that reached the supervisor and are not answered yet.
    requested: BTreeMap<CallId, SpecSeen>,
    /// The spec of every child the checkers could classify, by pid (kept after it ends).
    specs: BTreeMap<Pid, SpecSeen>,
    /// Start attempts asked for and not resolved yet: attempt -> (pid, the entry it restarts).
    spawning: BTreeMap<u64, (Pid, Option<Pid>)>,
    /// Every pid that ever came up.
    ever_up: BTreeSet<Pid>,
    /// Children that came up and whose exit has not reached the supervisor yet, with their
    /// spec once known.
    entries: BTreeMap<Pid, Option<SpecSeen>>,
    /// Children that came up and that no `start_child` answer or restart has named yet.
    unnamed: BTreeSet<Pid>,
    /// Children the supervisor sent `shutdown` or `kill`.
    signalled: BTreeSet<Pid>,
    /// Restarts owed, by the pid of the process that exited.
    owed: BTreeMap<Pid, Owed>,
    /// `specs`, `workers` and `supervisors` of the classified entries and the restarts owed,
    /// kept as they change (`active` unused), so that checking them costs nothing.
    held: ChildCounts,
    /// `terminate_child` calls that reached the supervisor and were not answered `ok` yet,
    /// with the pid each names.
    terminating: BTreeMap<CallId, Pid>,
    /// Whether the supervisor is suspended (docs/races.md).
    suspended: bool,
    /// Whether the parent's exit signal reached the supervisor while it was suspended: it is
    /// then taken at once, ahead of the mailbox, whose exits are never handled (r05, r17).
    stopped_while_suspended: bool,
    /// Whether the supervisor has ended.
    supervisor_down: bool,
}

impl Observed {
    /// The spec of child `pid`, if the checkers could classify it.
    pub fn spec(&self, pid: Pid) -> Option<SpecSeen> {
        self.specs.get(&pid).copied()
    }

    /// Whether `pid` ever came up.
    pub fn ever_up(&self, pid: Pid) -> bool {
        self.ever_up.contains(&pid)
    }

    /// Whether the supervisor sent `pid` a signal.
    pub fn signalled(&self, pid: Pid) -> bool {
        self.signalled.contains(&pid)
    }

    /// The restart owed for the entry whose process was `pid`, if any.
    pub fn owed(&self, pid: Pid) -> Option<&Owed> {
        self.owed.get(&pid)
    }

    /// Every restart owed now.
    pub fn owed_restarts(&self) -> &BTreeMap<Pid, Owed> {
        &self.owed
    }

    /// Whether the parent's exit reached the supervisor while it was suspended (it then ends
    /// without handling its mailbox: the restarts owed there are never made, r05 and r17).
    pub fn stopped_while_suspended(&self) -> bool {
        self.stopped_while_suspended
    }

    /// Whether the supervisor has ended.
    pub fn supervisor_down(&self) -> bool {
        self.supervisor_down
    }

    /// What `count_children` must answer: every entry (classified ones; see
    /// [`unclassified`](Self::unclassified)) and every restart owed, by type; running entries
    /// are `active`.
    pub fn expected_counts(&self) -> ChildCounts {
        ChildCounts {
            active: self.entries.len() as u64,
            ..self.held
        }
    }

    /// Counts `spec` in (`add`) or out of the entries held.
    fn tally(&mut self, spec: SpecSeen, add: bool) {
        let step = |n: u64| if add { n + 1 } else { n.saturating_sub(1) };
        self.held.specs = step(self.held.specs);
        match spec.child_type {
            ChildType::Worker => self.held.workers = step(self.held.workers),
            ChildType::Supervisor => self.held.supervisors = step(self.held.supervisors),
        }
    }

    /// The restart owed for `old` is made, refused or no longer due.
    fn settle(&mut self, old: Pid) {
        if let Some(owed) = self.owed.remove(&old) {
            self.tally(owed.spec, false);
        }
    }

    /// The first child that came up but that no `start_child` answer or restart names.
    pub fn unclassified(&self) -> Option<Pid> {
        self.unnamed.first().copied()
    }

    /// Takes one trace entry into account.
    pub fn apply(&mut self, entry: &TraceEntry) {
        match &entry.event {
            TraceEvent::StartRequested { call, spec } => {
                self.requested.insert(*call, *spec);
            }
            TraceEvent::StartAnswered { call, pid } => {
                if let Some(spec) = self.requested.remove(call) {
                    self.specs.insert(*pid, spec);
                    self.unnamed.remove(pid);
                    if let Some(entry) = self.entries.get_mut(pid) {
                        if entry.replace(spec).is_none() {
                            self.tally(spec, true);
                        }
                    }
                }
            }
            TraceEvent::Spawned {
                attempt,
                pid,
                restart_of,
            } => {
                self.spawning.insert(*attempt, (*pid, *restart_of));
                if let Some(spec) = restart_of.and_then(|old| self.spec(old)) {
                    self.specs.insert(*pid, spec);
                }
            }
            TraceEvent::Up { attempt, pid } => {
                self.ever_up.insert(*pid);
                let spec = self.spec(*pid);
                self.entries.insert(*pid, spec);
                match spec {
                    Some(spec) => self.tally(spec, true),
                    None => {
                        self.unnamed.insert(*pid);
                    }
                }
                if let Some((_, Some(old))) = self.spawning.remove(attempt) {
                    self.settle(old);
                }
            }
            TraceEvent::Ignored { attempt } => {
                if let Some((_, Some(old))) = self.spawning.remove(attempt) {
                    self.settle(old);
                }
            }
            TraceEvent::Failed { attempt, .. } => {
                // A failed restart leaves the restart owed: it must be retried.
                if let Some((_, Some(old))) = self.spawning.remove(attempt) {
                    if let Some(owed) = self.owed.get_mut(&old) {
                        owed.since = entry.at;
                    }
                }
            }
            TraceEvent::TerminateRequested { call, pid } => {
                self.terminating.insert(*call, *pid);
            }
            TraceEvent::TerminateAnswered { call } => {
                // A restarting entry is removed by `terminate_child`: its restart is no
                // longer owed (r04 and r25 show such entries; OTP removes them on terminate).
                if let Some(pid) = self.terminating.remove(call) {
                    self.settle(pid);
                }
            }
            TraceEvent::MaxChildrenRefused { .. } => {}
            TraceEvent::Suspended => self.suspended = true,
            TraceEvent::Resumed => self.suspended = false,
            TraceEvent::ParentExitArrived { .. } => {
                self.stopped_while_suspended |= self.suspended;
            }
            TraceEvent::Signalled { pid, .. } => {
                self.signalled.insert(*pid);
                // Terminated instead (its exit met a shutdown already under way).
                self.settle(*pid);
            }
            TraceEvent::ExitArrived { pid, reason } => {
                if self.supervisor_down {
                    return;
                }
                let Some(held) = self.entries.remove(pid) else {
                    return;
                };
                if let Some(spec) = held {
                    self.tally(spec, false);
                }
                // An exit that reaches the mailbox behind a `terminate_child` of the same
                // child is consumed by that termination: no restart (the real OTP: r01, r11).
                if self.signalled(*pid) || self.terminating.values().any(|p| p == pid) {
                    return;
                }
                if let Some(spec) = held {
                    if must_restart(spec.restart, reason) {
                        self.tally(spec, true);
                        let (reason, since) = (reason.clone(), entry.at);
                        self.owed.insert(
                            *pid,
                            Owed {
                                spec,
                                reason,
                                since,
                            },
                        );
                    }
                }
            }
            TraceEvent::SupervisorDown { .. } => {
                self.supervisor_down = true;
                self.terminating.clear();
                self.entries.clear();
                self.owed.clear();
                self.held = ChildCounts::default();
            }
            TraceEvent::Down { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec};

    fn boom(pid: u64) -> TraceEntry {
        entry(
            10,
            TraceEvent::ExitArrived {
                pid: Pid(pid),
                reason: ExitReason::other("boom"),
            },
        )
    }

    fn terminate(call: u64, pid: u64) -> TraceEntry {
        let (call, pid) = (CallId(call), Pid(pid));
        entry(10, TraceEvent::TerminateRequested { call, pid })
    }

    #[test]
    fn an_exit_queued_behind_a_terminate_of_its_child_owes_no_restart() {
        // r01: the terminate reached the mailbox first; the exit is consumed by it.
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(&mut observed, &[terminate(50, 1), boom(1)]);
        assert!(observed.owed(Pid(1)).is_none());
        // r14: the exit came first: the restart is owed, whatever the terminate answers.
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(&mut observed, &[boom(1), terminate(50, 1)]);
        assert!(observed.owed(Pid(1)).is_some());
        // A terminate of another child changes nothing.
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(&mut observed, &[terminate(50, 2), boom(1)]);
        assert!(observed.owed(Pid(1)).is_some());
    }

    #[test]
    fn a_terminate_answered_ok_settles_the_restart_owed_for_its_entry() {
        // A restarting entry removed by `terminate_child`: its restart is no longer owed.
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(&mut observed, &[boom(1), terminate(50, 1)]);
        assert!(observed.owed(Pid(1)).is_some());
        let answered = TraceEvent::TerminateAnswered { call: CallId(50) };
        observe(&mut observed, &[entry(10, answered)]);
        assert!(observed.owed(Pid(1)).is_none());
        assert_eq!(observed.expected_counts().specs, 0);
        // An answer to an unknown call settles nothing.
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        observe(&mut observed, &[boom(1)]);
        let unknown = TraceEvent::TerminateAnswered { call: CallId(51) };
        observe(&mut observed, &[entry(10, unknown)]);
        assert!(observed.owed(Pid(1)).is_some());
    }
}
