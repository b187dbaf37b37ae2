//! Detects the situations of a scenario run from what the simulator observes: the trace
//! (starts, exits, signals), the supervisor's report events, its read-only view, and each
//! step's answer. Nothing in the core counts anything.

use std::collections::{BTreeMap, BTreeSet};

use dynsup::{Event, ExitReason, Instant, Pid, Restart, Shutdown};

use super::counts::Coverage;
use super::situation::Situation;
use crate::scenario::{Op, Template};
use crate::simulation::{TraceEntry, TraceEvent, View};
use crate::transcript::StepResult;

/// What the observer knows of a child in the table.
#[derive(Clone, Copy, Debug)]
struct Kid {
    restart: Restart,
    shutdown: Shutdown,
    /// Whether a cleanup of its template takes exactly its shutdown timeout.
    ties: bool,
}

/// The termination in progress (from its first signal to its end), as far as seen.
#[derive(Debug, Default)]
struct Termination {
    /// The children signalled, with when each was sent the `shutdown` signal (`None`: killed
    /// at once, as `brutal_kill` asks).
    signalled: BTreeMap<Pid, Option<Instant>>,
    /// The distinct shutdowns of the children signalled (see [`shutdown_key`]).
    shutdowns: BTreeSet<(u8, u64)>,
    brutal: bool,
    at_once: bool,
    in_time: bool,
    killed_by_timer: bool,
}

/// A shutdown as an ordered key: `brutal_kill`, each timeout, `infinity`.
fn shutdown_key(shutdown: Shutdown) -> (u8, u64) {
    match shutdown {
        Shutdown::BrutalKill => (0, 0),
        Shutdown::Timeout { millis } => (1, millis),
        Shutdown::Infinity => (2, 0),
    }
}

/// Watches one scenario run and counts the [`Situation`]s it reaches: run after every
/// delivery (as part of the runner's checker) and after every step.
#[derive(Debug)]
pub struct Observer {
    coverage: Coverage,
    /// Per template: whether its cleanup takes exactly its shutdown timeout.
    ties: Vec<bool>,
    max_restarts: u64,
    max_seconds: u64,
    max_children: Option<u64>,
    kids: BTreeMap<Pid, Kid>,
    /// Entries whose restart failed and is being retried.
    restarting: BTreeSet<Pid>,
    /// Processes seen down whose exit the supervisor has not processed yet.
    exits_pending: BTreeSet<Pid>,
    /// The restart stamps of the last `max_seconds` seconds.
    stamps: Vec<u64>,
    restarts: u64,
    last_counted: Option<Pid>,
    refused: bool,
    termination: Termination,
}

impl Observer {
    /// An observer of a run of these templates under a supervisor with these options.
    pub fn new(
        templates: &[Template],
        max_restarts: u64,
        max_seconds: u64,
        max_children: Option<u64>,
    ) -> Self {
        Observer {
            coverage: Coverage::new(),
            ties: templates
                .iter()
                .map(|t| {
                    t.trap_exit
                        && matches!(t.shutdown, Shutdown::Timeout { millis } if millis == t.stop_ms)
                })
                .collect(),
            max_restarts,
            max_seconds,
            max_children,
            kids: BTreeMap::new(),
            restarting: BTreeSet::new(),
            exits_pending: BTreeSet::new(),
            stamps: Vec::new(),
            restarts: 0,
            last_counted: None,
            refused: false,
            termination: Termination::default(),
        }
    }

    /// What the run reached so far.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    fn hit(&mut self, situation: Situation) {
        self.coverage.hit(situation);
    }

    /// Observes the state after one delivery.
    pub fn observe<A>(&mut self, view: &View<'_, usize, A>) {
        for entry in view.trace {
            self.trace_entry(entry);
        }
        for (index, (_, event)) in view.events.iter().enumerate() {
            let later = view.events.get(index + 1..).unwrap_or(&[]);
            self.event(view, event, later);
        }
        let sup = view.supervisor.view();
        if sup.is_blocked() && sup.mailbox_len() > 0 {
            self.hit(Situation::QueuedBehindBlocked);
        }
    }

    fn trace_entry(&mut self, entry: &TraceEntry) {
        match &entry.event {
            TraceEvent::Signalled { pid, kill } => {
                let Some(kid) = self.kids.get(pid).copied() else {
                    return;
                };
                self.termination
                    .shutdowns
                    .insert(shutdown_key(kid.shutdown));
                match (kill, kid.shutdown) {
                    (false, _) => {
                        self.termination.signalled.insert(*pid, Some(entry.at));
                    }
                    (true, Shutdown::BrutalKill) => {
                        self.termination.signalled.insert(*pid, None);
                        self.termination.brutal = true;
                    }
                    (true, _) => {
                        self.termination.killed_by_timer = true;
                        self.hit(Situation::KillTimerFired);
                        if kid.ties {
                            self.hit(Situation::KillTimerTie);
                        }
                    }
                }
            }
            TraceEvent::Down { pid, reason } => {
                let Some(&signalled) = self.termination.signalled.get(pid) else {
                    self.exits_pending.insert(*pid);
                    return;
                };
                let Some(signalled) = signalled.filter(|_| *reason != ExitReason::Killed) else {
                    return;
                };
                if entry.at == signalled {
                    self.termination.at_once = true;
                } else if self.kids.get(pid).map(|k| k.shutdown) == Some(Shutdown::Infinity) {
                    self.hit(Situation::InfinityWaitedOut);
                } else {
                    self.termination.in_time = true;
                }
            }
            _ => {}
        }
    }

    fn learn<A>(&mut self, view: &View<'_, usize, A>, pid: Pid) {
        if let Some(entry) = view.supervisor.view().entry(pid) {
            let template = entry.spec.start().function;
            let kid = Kid {
                restart: entry.spec.restart(),
                shutdown: entry.spec.shutdown(),
                ties: self.ties.get(template).copied().unwrap_or(false),
            };
            self.kids.insert(pid, kid);
        }
    }

    fn event<A>(&mut self, view: &View<'_, usize, A>, event: &Event, later: &[(Instant, Event)]) {
        match event {
            Event::ChildStarted { pid } => self.learn(view, *pid),
            Event::ChildExited { pid, reason, .. } => {
                self.exits_pending.remove(pid);
                let restarted = later
                    .iter()
                    .any(|(_, e)| matches!(e, Event::RestartCounted { pid: p, .. } if p == pid));
                self.exited(*pid, reason, restarted);
            }
            Event::RestartCounted { pid, second } => self.counted(*pid, *second),
            Event::ChildRestarted { old, new } => {
                if let Some(kid) = self.kids.remove(old) {
                    self.kids.insert(*new, kid);
                }
                if self.restarting.remove(old) {
                    self.hit(Situation::FailedRestartRecovers);
                }
                let counts = view.supervisor.view().counts();
                if self.max_children.is_some_and(|max| counts.specs >= max) {
                    self.hit(Situation::RestartAtMaxChildren);
                }
                if self.restarts > self.max_restarts {
                    self.hit(Situation::RestartsOutlastWindow);
                }
            }
            Event::RestartIgnored { old } => {
                self.hit(Situation::RestartIgnored);
                self.kids.remove(old);
                self.restarting.remove(old);
            }
            Event::RestartFailed { old, .. } => {
                self.restarting.insert(*old);
            }
            Event::IntensityExceeded => self.intensity_exceeded(),
            Event::ChildTerminated { pid } => self.child_terminated(*pid),
            Event::SupervisorDown { .. } => self.supervisor_down(),
            Event::ShutdownError { .. } => {}
        }
    }

    fn exited(&mut self, pid: Pid, reason: &ExitReason, restarted: bool) {
        let Some(kid) = self.kids.get(&pid).copied() else {
            return;
        };
        let clean = matches!(reason, ExitReason::Normal | ExitReason::Shutdown);
        let situation = match (kid.restart, restarted) {
            (Restart::Permanent, true) if *reason == ExitReason::Normal => {
                Some(Situation::PermanentNormalRestarted)
            }
            (Restart::Transient, false) if clean => Some(Situation::TransientCleanRemoved),
            (Restart::Transient, false) if matches!(reason, ExitReason::ShutdownWith(_)) => {
                Some(Situation::TransientShutdownTermRemoved)
            }
            (Restart::Transient, true) if !reason.is_clean() => {
                Some(Situation::TransientAbnormalRestarted)
            }
            (Restart::Temporary, false) if !reason.is_clean() => {
                Some(Situation::TemporaryCrashRemoved)
            }
            _ => None,
        };
        if let Some(situation) = situation {
            self.hit(situation);
        }
        if restarted && *reason == ExitReason::Killed {
            self.hit(Situation::KilledRestarted);
        }
        if !restarted {
            self.kids.remove(&pid);
        }
    }

    fn counted(&mut self, pid: Pid, second: u64) {
        self.restarts += 1;
        self.last_counted = Some(pid);
        if self.restarting.contains(&pid) {
            self.hit(Situation::FailedRestartRetried);
        }
        let window = self.max_seconds;
        self.stamps.retain(|&s| second.saturating_sub(s) <= window);
        if self.stamps.iter().any(|&s| second - s == window) {
            self.hit(Situation::WindowEdge);
        }
        self.stamps.push(second);
    }

    fn intensity_exceeded(&mut self) {
        let pid = self.last_counted.unwrap_or(Pid(u64::MAX));
        let situation = if self.max_restarts == 0 {
            Situation::IntensityFirstRestart
        } else if self.restarting.contains(&pid) {
            Situation::IntensityFailingChain
        } else {
            Situation::IntensityExits
        };
        self.hit(situation);
        self.kids.remove(&pid);
        self.restarting.remove(&pid);
        if self.kids.keys().any(|p| !self.restarting.contains(p)) {
            self.hit(Situation::IntensityStopsOthers);
        }
    }

    fn child_terminated(&mut self, pid: Pid) {
        let termination = std::mem::take(&mut self.termination);
        self.kids.remove(&pid);
        if self.restarting.remove(&pid) {
            self.hit(Situation::TerminateRestarting);
            return;
        }
        if self.exits_pending.remove(&pid) {
            self.hit(Situation::ExitConsumedByTermination);
            return;
        }
        let situation = if termination.brutal {
            Situation::TerminateBrutalKill
        } else if termination.at_once {
            Situation::TerminateAtOnce
        } else if termination.in_time {
            Situation::TerminateCleanupInTime
        } else {
            return;
        };
        self.hit(situation);
    }

    fn supervisor_down(&mut self) {
        let termination = std::mem::take(&mut self.termination);
        if !self.restarting.is_empty() {
            self.hit(Situation::StopWhileRestartPending);
        }
        if !self.exits_pending.is_empty() {
            self.hit(Situation::ExitConsumedByTermination);
        }
        if termination.shutdowns.is_empty() {
            self.hit(Situation::StopEmpty);
        }
        if termination.shutdowns.len() >= 2 {
            self.hit(Situation::StopSeveralTimeouts);
        }
        if termination.killed_by_timer && termination.in_time {
            self.hit(Situation::StopMixedOutcomes);
        }
        self.kids.clear();
        self.restarting.clear();
        self.exits_pending.clear();
        self.stamps.clear();
    }

    /// Observes what a step answered, with the supervisor's state right after it.
    pub fn step(&mut self, op: &Op, result: &StepResult, specs: u64, active: u64) {
        let restarting = specs > active;
        match (op, result) {
            (_, StepResult::NoProc) => self.hit(Situation::CallAfterDown),
            (Op::Start { .. }, StepResult::Ignore) => self.hit(Situation::StartIgnored),
            (Op::Start { .. }, StepResult::StartFailed(_)) => self.hit(Situation::StartFailed),
            (Op::Start { .. }, StepResult::MaxChildren) => {
                self.refused = true;
                self.hit(Situation::MaxChildrenRefused);
                if restarting {
                    self.hit(Situation::MaxChildrenWhileRestarting);
                }
            }
            (Op::Start { .. }, StepResult::Started(_)) if self.refused => {
                self.refused = false;
                self.hit(Situation::MaxChildrenSlotFreed);
            }
            (Op::Terminate(_), StepResult::NotFound) => self.hit(Situation::TerminateNotFound),
            (Op::Which, StepResult::Which(entries)) if entries.iter().any(Option::is_none) => {
                self.hit(Situation::CallFindsRestarting);
            }
            (Op::Count, StepResult::Counts(counts)) if counts.specs > counts.active => {
                self.hit(Situation::CallFindsRestarting);
            }
            _ => {}
        }
    }
}
