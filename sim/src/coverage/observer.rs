//! Detects the situations of a scenario run from what the simulator observes: the trace
//! (starts, exits, signals), the supervisor's report events, its read-only view, and each
//! step's answer. Nothing in the core counts anything.

use dynsup::{Event, ExitReason, Instant, Pid, Restart, Shutdown};

use super::counts::Coverage;
use super::retries::Retries;
use super::situation::Situation;
use crate::scenario::{Op, Template};
use crate::simulation::{TraceEntry, TraceEvent, View};
use crate::transcript::StepResult;

/// How a termination in progress signalled a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    /// Not signalled.
    None,
    /// Sent the `shutdown` signal at this time.
    Shutdown(Instant),
    /// Killed at once (`brutal_kill`).
    Kill,
}

/// What the observer knows of a child in the table.
#[derive(Clone, Copy, Debug)]
struct Kid {
    restart: Restart,
    shutdown: Shutdown,
    /// Whether a cleanup of its template takes exactly its shutdown timeout.
    ties: bool,
    /// Its restart failed and is being retried.
    restarting: bool,
    /// Seen down, its exit not processed yet.
    exit_pending: bool,
    signal: Signal,
}

/// The children in the table, indexed by pid (the simulator numbers pids from 1, so the table
/// is as long as the pids handed out: a lookup is an index, nothing is allocated per child).
#[derive(Debug, Default)]
struct Kids {
    slots: Vec<Option<Kid>>,
    restarting: usize,
    exits_pending: usize,
}

/// Pids beyond this are not tracked (a scenario run hands out far fewer).
const PIDS_TRACKED: u64 = 1 << 24;

impl Kids {
    fn get(&self, pid: Pid) -> Option<&Kid> {
        self.slots.get(usize::try_from(pid.0).ok()?)?.as_ref()
    }

    fn get_mut(&mut self, pid: Pid) -> Option<&mut Kid> {
        self.slots.get_mut(usize::try_from(pid.0).ok()?)?.as_mut()
    }

    fn insert(&mut self, pid: Pid, kid: Kid) {
        self.remove(pid);
        let Ok(index) = usize::try_from(pid.0) else {
            return;
        };
        if pid.0 >= PIDS_TRACKED {
            return;
        }
        if self.slots.len() <= index {
            self.slots.resize(index + 1, None);
        }
        self.restarting += usize::from(kid.restarting);
        self.exits_pending += usize::from(kid.exit_pending);
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(kid);
        }
    }

    fn remove(&mut self, pid: Pid) -> Option<Kid> {
        let kid = self
            .slots
            .get_mut(usize::try_from(pid.0).ok()?)
            .and_then(Option::take)?;
        self.restarting = self.restarting.saturating_sub(usize::from(kid.restarting));
        self.exits_pending = self
            .exits_pending
            .saturating_sub(usize::from(kid.exit_pending));
        Some(kid)
    }

    /// Sets whether `pid`'s restart is being retried; returns what it was.
    fn set_restarting(&mut self, pid: Pid, restarting: bool) -> bool {
        let Some(kid) = self.get_mut(pid) else {
            return false;
        };
        let was = std::mem::replace(&mut kid.restarting, restarting);
        self.restarting =
            (self.restarting + usize::from(restarting)).saturating_sub(usize::from(was));
        was
    }

    /// Sets whether `pid` is down with its exit not processed yet; returns what it was.
    fn set_exit_pending(&mut self, pid: Pid, pending: bool) -> bool {
        let Some(kid) = self.get_mut(pid) else {
            return false;
        };
        let was = std::mem::replace(&mut kid.exit_pending, pending);
        self.exits_pending =
            (self.exits_pending + usize::from(pending)).saturating_sub(usize::from(was));
        was
    }

    /// Whether any child other than `pid` runs (is in the table and not restarting).
    fn others_running(&self, pid: Pid) -> bool {
        self.slots.iter().enumerate().any(|(index, slot)| {
            slot.is_some_and(|kid| !kid.restarting) && u64::try_from(index) != Ok(pid.0)
        })
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.restarting = 0;
        self.exits_pending = 0;
    }
}

/// The termination in progress (from its first signal to its end), as far as seen.
#[derive(Debug, Default)]
struct Termination {
    /// The distinct shutdowns of the children signalled (see [`shutdown_key`]; at most one
    /// per template).
    shutdowns: Vec<(u8, u64)>,
    brutal: bool,
    at_once: bool,
    in_time: bool,
    killed_by_timer: bool,
}

impl Termination {
    /// Ends it: clears everything, keeping the allocation.
    fn reset(&mut self) {
        self.shutdowns.clear();
        self.brutal = false;
        self.at_once = false;
        self.in_time = false;
        self.killed_by_timer = false;
    }
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
    kids: Kids,
    /// The restart stamps of the last `max_seconds` seconds.
    stamps: Vec<u64>,
    restarts: u64,
    last_counted: Option<Pid>,
    refused: bool,
    termination: Termination,
    /// The entries whose restart failed and waits for its retry, as the trace shows them.
    retries: Retries,
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
            kids: Kids::default(),
            stamps: Vec::new(),
            restarts: 0,
            last_counted: None,
            refused: false,
            termination: Termination::default(),
            retries: Retries::default(),
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
        self.retries.trace_entry(&entry.event);
        if matches!(entry.event, TraceEvent::MaxChildrenRefused { .. }) && self.retries.any() {
            self.hit(Situation::MaxChildrenWhileRestarting);
        }
        match &entry.event {
            TraceEvent::Signalled { pid, kill } => {
                let Some(kid) = self.kids.get_mut(*pid) else {
                    return;
                };
                let shutdown = kid.shutdown;
                let ties = kid.ties;
                match (kill, shutdown) {
                    (false, _) => kid.signal = Signal::Shutdown(entry.at),
                    (true, Shutdown::BrutalKill) => kid.signal = Signal::Kill,
                    (true, _) => {}
                }
                let key = shutdown_key(shutdown);
                let termination = &mut self.termination;
                if !termination.shutdowns.contains(&key) {
                    termination.shutdowns.push(key);
                }
                match (kill, shutdown) {
                    (false, _) => {}
                    (true, Shutdown::BrutalKill) => termination.brutal = true,
                    (true, _) => {
                        termination.killed_by_timer = true;
                        self.hit(Situation::KillTimerFired);
                        if ties {
                            self.hit(Situation::KillTimerTie);
                        }
                    }
                }
            }
            TraceEvent::Down { pid, reason } => {
                let Some(kid) = self.kids.get(*pid).copied() else {
                    return;
                };
                let signalled = match kid.signal {
                    Signal::None => {
                        self.kids.set_exit_pending(*pid, true);
                        return;
                    }
                    Signal::Kill => return,
                    Signal::Shutdown(_) if *reason == ExitReason::Killed => return,
                    Signal::Shutdown(at) => at,
                };
                if entry.at == signalled {
                    self.termination.at_once = true;
                    return;
                }
                // A cleanup that took time and ended before any kill (waited out, with
                // `infinity`), or at the kill timer's instant with a head start.
                self.termination.in_time = true;
                let took = entry.at.as_millis().checked_sub(signalled.as_millis());
                if kid.ties
                    && matches!(kid.shutdown, Shutdown::Timeout { millis } if took == Some(millis))
                {
                    self.hit(Situation::HeadStartTie);
                }
                if kid.shutdown == Shutdown::Infinity {
                    self.hit(Situation::InfinityWaitedOut);
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
                restarting: false,
                exit_pending: false,
                signal: Signal::None,
            };
            self.kids.insert(pid, kid);
        }
    }

    fn event<A>(&mut self, view: &View<'_, usize, A>, event: &Event, later: &[(Instant, Event)]) {
        match event {
            Event::ChildStarted { pid } => self.learn(view, *pid),
            Event::ChildExited { pid, reason, .. } => {
                self.kids.set_exit_pending(*pid, false);
                let restarted = later
                    .iter()
                    .any(|(_, e)| matches!(e, Event::RestartCounted { pid: p, .. } if p == pid));
                self.exited(*pid, reason, restarted);
            }
            Event::RestartCounted { pid, second } => self.counted(*pid, *second),
            Event::ChildRestarted { old, new } => {
                if let Some(kid) = self.kids.remove(*old) {
                    if kid.restarting {
                        self.hit(Situation::FailedRestartRecovers);
                    }
                    let fresh = Kid {
                        restarting: false,
                        exit_pending: false,
                        signal: Signal::None,
                        ..kid
                    };
                    self.kids.insert(*new, fresh);
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
                self.kids.remove(*old);
            }
            Event::RestartFailed { old, .. } => {
                self.kids.set_restarting(*old, true);
            }
            Event::IntensityExceeded => self.intensity_exceeded(),
            Event::ChildTerminated { pid } => self.child_terminated(*pid),
            Event::SupervisorDown { .. } => self.supervisor_down(),
            Event::ShutdownError { .. } => {}
        }
    }

    fn exited(&mut self, pid: Pid, reason: &ExitReason, restarted: bool) {
        let Some(kid) = self.kids.get(pid).copied() else {
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
            self.kids.remove(pid);
        }
    }

    fn counted(&mut self, pid: Pid, second: u64) {
        self.restarts += 1;
        self.last_counted = Some(pid);
        if self.kids.get(pid).is_some_and(|kid| kid.restarting) {
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
        let retried = self.kids.remove(pid).is_some_and(|kid| kid.restarting);
        let situation = if self.max_restarts == 0 {
            Situation::IntensityFirstRestart
        } else if retried {
            Situation::IntensityFailingChain
        } else {
            Situation::IntensityExits
        };
        self.hit(situation);
        if self.kids.others_running(pid) {
            self.hit(Situation::IntensityStopsOthers);
        }
    }

    fn child_terminated(&mut self, pid: Pid) {
        let kid = self.kids.remove(pid);
        let termination = &self.termination;
        let situation = match kid {
            Some(kid) if kid.restarting => Some(Situation::TerminateRestarting),
            Some(kid) if kid.exit_pending => Some(Situation::ExitConsumedByTermination),
            _ if termination.brutal => Some(Situation::TerminateBrutalKill),
            _ if termination.at_once => Some(Situation::TerminateAtOnce),
            _ if termination.in_time => Some(Situation::TerminateCleanupInTime),
            _ => None,
        };
        self.termination.reset();
        if let Some(situation) = situation {
            self.hit(situation);
        }
    }

    fn supervisor_down(&mut self) {
        let termination = &self.termination;
        let several = termination.shutdowns.len() >= 2;
        let empty = termination.shutdowns.is_empty();
        let mixed = termination.killed_by_timer && termination.in_time;
        self.termination.reset();
        if self.kids.restarting > 0 {
            self.hit(Situation::StopWhileRestartPending);
        }
        if self.kids.exits_pending > 0 {
            self.hit(Situation::ExitConsumedByTermination);
        }
        if empty {
            self.hit(Situation::StopEmpty);
        }
        if several {
            self.hit(Situation::StopSeveralTimeouts);
        }
        if mixed {
            self.hit(Situation::StopMixedOutcomes);
        }
        self.kids.clear();
        self.stamps.clear();
    }

    /// Observes what a step answered, once its answer is known.
    pub fn step(&mut self, op: &Op, result: &StepResult) {
        match (op, result) {
            (_, StepResult::NoProc) => self.hit(Situation::CallAfterDown),
            (Op::Start { .. }, StepResult::Ignore) => self.hit(Situation::StartIgnored),
            (Op::Start { .. }, StepResult::StartFailed(_)) => self.hit(Situation::StartFailed),
            (Op::Start { .. }, StepResult::MaxChildren) => {
                self.refused = true;
                self.hit(Situation::MaxChildrenRefused);
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
