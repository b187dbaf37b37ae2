//! The sans-IO DynamicSupervisor: inputs in through `handle_*` and the call methods, effects
//! and events out through `poll_*`.

mod awaiting;
mod children;
#[cfg(feature = "planted-defects")]
pub mod defect;
mod mailbox;
pub mod output;
mod pack;
mod relabel;
mod suspension;
mod termination;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use crate::child_spec::{Restart, ValidChildSpec};
use crate::error::{ConfigError, DriverError, StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::options::{Config, Options};
use crate::pid::Pid;
use crate::queue_copy::clone_queue_from;
use crate::restart_intensity::{Intensity, RestartLog};
use crate::time::Instant;

use children::{ChildState, Children};
#[cfg(feature = "planted-defects")]
use defect::CoreDefect;
use mailbox::{Message, Request};
use output::{CallId, Effect, Event, Reply, StartOutcome, Started};
use termination::{Purpose, Termination};
use view::SupervisorView;

/// What the supervisor is doing: only `Ready` serves the mailbox.
#[derive(Debug, Hash)]
pub(crate) enum Phase<F, A> {
    /// Serving the mailbox.
    Ready,
    /// Blocked inside a child's start function.
    Starting(PendingStart<F, A>),
    /// Blocked waiting for children to go down.
    Terminating(Termination),
    /// The supervisor has exited with this reason.
    Down(ExitReason),
}

/// [`clone_from`](Clone::clone_from) reuses a termination's buffers when both phases are
/// terminations.
impl<F: Clone, A: Clone> Clone for Phase<F, A> {
    fn clone(&self) -> Self {
        match self {
            Phase::Ready => Phase::Ready,
            Phase::Starting(pending) => Phase::Starting(pending.clone()),
            Phase::Terminating(termination) => Phase::Terminating(termination.clone()),
            Phase::Down(reason) => Phase::Down(reason.clone()),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        match (self, source) {
            (Phase::Terminating(mine), Phase::Terminating(theirs)) => mine.clone_from(theirs),
            (me, source) => *me = source.clone(),
        }
    }
}

/// The start the supervisor is blocked in.
#[derive(Clone, Debug, Hash)]
pub(crate) enum PendingStart<F, A> {
    /// A `start_child` call.
    Call {
        call: CallId,
        spec: ValidChildSpec<F, A>,
    },
    /// A restart (or a retry) of the entry keyed `old`.
    Restart { old: Pid },
}

/// Elixir's `DynamicSupervisor` as a pure state machine: no clock, no threads, no I/O.
///
/// `F` names a start function and `A` is its argument type; the core clones them into
/// [`Effect::Start`] and never calls anything itself.
///
/// # Method groups
///
/// * **Calls** (what a client asks; each is queued in the mailbox and answered later by an
///   [`Effect::Reply`] with the same [`CallId`]): [`start_child`](Self::start_child),
///   [`terminate_child`](Self::terminate_child), [`which_children`](Self::which_children),
///   [`count_children`](Self::count_children), [`stop`](Self::stop).
/// * **Inputs from the world**: [`handle_start_result`](Self::handle_start_result) (the
///   outcome of an [`Effect::Start`]), [`handle_child_exit`](Self::handle_child_exit) (a child
///   process ended), [`handle_parent_exit`](Self::handle_parent_exit) (the parent ended or
///   asked the supervisor to stop), [`handle_timeout`](Self::handle_timeout) (a deadline from
///   `poll_timeout` passed).
/// * **Outputs**: [`poll_effect`](Self::poll_effect) (things to do, in order),
///   [`poll_event`](Self::poll_event) (reports), [`poll_timeout`](Self::poll_timeout) (the
///   next deadline).
/// * **Inspection** (instant, outside the mailbox, read-only): [`view`](Self::view) returns a
///   [`SupervisorView`] with the counts, the children, liveness, the exit reason and more.
///
/// # Call order
///
/// After every input or call, drain `poll_effect` until it returns `None` and perform each
/// effect in order; then ask `poll_timeout` and call `handle_timeout` once that instant is
/// reached. An [`Effect::Start`] must eventually be answered by exactly one
/// `handle_start_result`; meanwhile other inputs may arrive and are queued, as in OTP where the
/// start function runs inside the supervisor. Report every child's death exactly once, in the
/// order deaths happen relative to the other inputs.
///
/// # Time
///
/// Every call and input carries `now`, which must never decrease. The core remembers the
/// latest `now` it was given ([`SupervisorView::latest_time`]); a `now` earlier than that is
/// refused with [`DriverError::TimeWentBackwards`] and changes nothing. An equal `now` is
/// fine. Restarts are stamped with `now.whole_seconds()`; kill deadlines are
/// `now + shutdown` when a termination begins.
#[derive(Debug)]
pub struct DynamicSupervisor<F, A> {
    config: Config<A>,
    children: Children<F, A>,
    restarts: RestartLog,
    mailbox: VecDeque<Message<F, A>>,
    phase: Phase<F, A>,
    effects: VecDeque<Effect<F, A>>,
    events: VecDeque<Event>,
    /// The latest `now` given to any call or input.
    latest: Instant,
    /// Whether the process is suspended (`:sys.suspend/1`): messages wait in the mailbox and
    /// none is handled until [`resume`](Self::resume).
    suspended: bool,
    /// The defect planted in this core, for the harness's own tests.
    #[cfg(feature = "planted-defects")]
    defect: Option<CoreDefect>,
}

/// Clones field by field; [`clone_from`](Clone::clone_from) reuses the target's buffers (its
/// table, mailbox and output queues), so a model checker that clones a state into the same
/// scratch supervisor again and again allocates nothing once the buffers are large enough.
impl<F: Clone, A: Clone> Clone for DynamicSupervisor<F, A> {
    fn clone(&self) -> Self {
        DynamicSupervisor {
            config: self.config.clone(),
            children: self.children.clone(),
            restarts: self.restarts.clone(),
            mailbox: self.mailbox.clone(),
            phase: self.phase.clone(),
            effects: self.effects.clone(),
            events: self.events.clone(),
            latest: self.latest,
            suspended: self.suspended,
            #[cfg(feature = "planted-defects")]
            defect: self.defect,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.config.clone_from(&source.config);
        self.children.clone_from(&source.children);
        self.restarts.clone_from(&source.restarts);
        clone_queue_from(&mut self.mailbox, &source.mailbox);
        self.phase.clone_from(&source.phase);
        clone_queue_from(&mut self.effects, &source.effects);
        clone_queue_from(&mut self.events, &source.events);
        self.latest = source.latest;
        self.suspended = source.suspended;
        #[cfg(feature = "planted-defects")]
        {
            self.defect = source.defect;
        }
    }
}

/// Hashes everything that decides the supervisor's future behaviour (children, restart log,
/// mailbox, phase, latest time, and how many outputs wait to be polled), for the
/// fingerprints of a model checker: two supervisors with the same options that hash alike
/// answer every future input alike (up to hash collisions). The options are left out: a
/// checker compares supervisors built from the same options.
impl<F: Hash, A: Hash> Hash for DynamicSupervisor<F, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.children.hash(state);
        self.restarts.hash(state);
        self.mailbox.hash(state);
        self.phase.hash(state);
        self.latest.hash(state);
        self.suspended.hash(state);
        self.effects.len().hash(state);
        self.events.len().hash(state);
        #[cfg(feature = "planted-defects")]
        self.defect.hash(state);
    }
}

impl<F: Clone, A: Clone> DynamicSupervisor<F, A> {
    /// A supervisor with validated options.
    pub fn new(config: Config<A>) -> Self {
        DynamicSupervisor {
            config,
            children: Children::new(),
            restarts: RestartLog::new(),
            mailbox: VecDeque::new(),
            phase: Phase::Ready,
            effects: VecDeque::new(),
            events: VecDeque::new(),
            latest: Instant::ZERO,
            suspended: false,
            #[cfg(feature = "planted-defects")]
            defect: None,
        }
    }

    /// Plants `defect` in this core: for the harness's own tests, never for production.
    #[cfg(feature = "planted-defects")]
    pub fn plant_defect(&mut self, defect: CoreDefect) {
        self.defect = Some(defect);
    }

    /// Whether `defect` is planted in this core.
    #[cfg(feature = "planted-defects")]
    pub(crate) fn planted(&self, defect: CoreDefect) -> bool {
        self.defect == Some(defect)
    }

    /// Whether a planted defect restarts a child that exited with `reason` although its policy
    /// says not to (never without the `planted-defects` feature).
    #[cfg(feature = "planted-defects")]
    fn planted_restart(&self, restart: Restart, reason: &ExitReason) -> bool {
        match restart {
            Restart::Temporary => {
                self.planted(CoreDefect::TemporaryRestarted) && !reason.is_clean()
            }
            Restart::Transient => {
                self.planted(CoreDefect::TransientRestartedAfterShutdown)
                    && matches!(reason, ExitReason::Shutdown | ExitReason::ShutdownWith(_))
            }
            Restart::Permanent => false,
        }
    }

    /// Without the `planted-defects` feature no defect is planted: nothing extra is restarted.
    #[cfg(not(feature = "planted-defects"))]
    fn planted_restart(&self, _restart: Restart, _reason: &ExitReason) -> bool {
        false
    }

    /// Validates `options` and builds a supervisor, or returns the first invalid option.
    pub fn with_options(options: Options<A>) -> Result<Self, ConfigError> {
        options.validate().map(Self::new)
    }

    // ----- calls -----------------------------------------------------------------------

    /// `start_child(spec)`, answered with [`Reply::StartChild`].
    ///
    /// The spec is already validated: as in OTP, where `start_child` validates the spec in
    /// the caller without contacting the supervisor, the caller runs
    /// [`ChildSpec::validate`](crate::ChildSpec::validate) first and an invalid spec never
    /// reaches the supervisor (`sup.start_child(now, call, spec.validate()?)?`).
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` is earlier than the latest `now` given;
    /// nothing changes then.
    pub fn start_child(
        &mut self,
        now: Instant,
        call: CallId,
        spec: ValidChildSpec<F, A>,
    ) -> Result<(), DriverError> {
        self.call(now, call, Request::StartChild(spec))
    }

    /// `terminate_child(pid)`, answered with [`Reply::TerminateChild`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn terminate_child(
        &mut self,
        now: Instant,
        call: CallId,
        pid: Pid,
    ) -> Result<(), DriverError> {
        self.call(now, call, Request::TerminateChild(pid))
    }

    /// `which_children()`, answered with [`Reply::WhichChildren`]: one row per entry in
    /// ascending pid order, as OTP lists its pid-keyed map (so with increasing pids, creation
    /// order, and a restarted child at its new pid's place, at the end).
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn which_children(&mut self, now: Instant, call: CallId) -> Result<(), DriverError> {
        self.call(now, call, Request::WhichChildren)
    }

    /// `count_children()`, answered with [`Reply::CountChildren`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn count_children(&mut self, now: Instant, call: CallId) -> Result<(), DriverError> {
        self.call(now, call, Request::CountChildren)
    }

    /// `DynamicSupervisor.stop(sup, reason)`: terminates every child, exits with `reason`,
    /// and answers [`Reply::Stopped`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn stop(
        &mut self,
        now: Instant,
        call: CallId,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.call(now, call, Request::Stop(reason))
    }

    fn call(
        &mut self,
        now: Instant,
        call: CallId,
        request: Request<F, A>,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if self.alive() {
            self.receive(now, Message::Call { call, request });
        } else {
            self.reply(call, Reply::NoProc);
        }
        Ok(())
    }

    /// Refuses a `now` earlier than the latest one, without changing anything.
    fn check_time(&self, now: Instant) -> Result<(), DriverError> {
        if now < self.latest {
            Err(DriverError::TimeWentBackwards {
                now,
                latest: self.latest,
            })
        } else {
            Ok(())
        }
    }

    /// Checks `now` and records it as the latest.
    fn advance(&mut self, now: Instant) -> Result<(), DriverError> {
        self.check_time(now)?;
        self.latest = now;
        Ok(())
    }

    // ----- inputs ----------------------------------------------------------------------

    /// The outcome of the pending [`Effect::Start`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards,
    /// [`DriverError::NoStartPending`] when no start is pending, [`DriverError::PidInUse`]
    /// when the pid is already a child. Nothing changes then.
    pub fn handle_start_result(
        &mut self,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), DriverError> {
        self.check_time(now)?;
        if !matches!(self.phase, Phase::Starting(_)) {
            return Err(DriverError::NoStartPending);
        }
        if let StartOutcome::Started { pid, .. } = &outcome {
            if self.children.contains(*pid) {
                return Err(DriverError::PidInUse(*pid));
            }
        }
        self.latest = now;
        // Moved out, not cloned: the pending start's spec becomes the table's entry.
        let Phase::Starting(pending) = std::mem::replace(&mut self.phase, Phase::Ready) else {
            return Err(DriverError::NoStartPending);
        };
        match pending {
            PendingStart::Call { call, spec } => {
                let reply = match outcome {
                    StartOutcome::Started { pid, info } => {
                        self.children.insert_running(pid, spec);
                        self.events.push_back(Event::ChildStarted { pid });
                        Ok(Started::Running { pid, info })
                    }
                    StartOutcome::Ignore => Ok(Started::Ignored),
                    StartOutcome::Failed(reason) => Err(StartError::Failed(reason)),
                };
                self.reply(call, Reply::StartChild(reply));
            }
            PendingStart::Restart { old } => match outcome {
                StartOutcome::Started { pid, .. } => {
                    if let Some(child) = self.children.remove(old) {
                        self.children.insert_running(pid, child.spec);
                    }
                    self.events
                        .push_back(Event::ChildRestarted { old, new: pid });
                }
                StartOutcome::Ignore => {
                    self.children.remove(old);
                    self.events.push_back(Event::RestartIgnored { old });
                }
                StartOutcome::Failed(reason) => {
                    self.children.set_restarting(old);
                    self.events.push_back(Event::RestartFailed { old, reason });
                    #[cfg(feature = "planted-defects")]
                    if self.planted(CoreDefect::RetryDropped) {
                        self.run(now);
                        return Ok(());
                    }
                    self.mailbox.push_back(Message::Retry { pid: old });
                }
            },
        }
        self.run(now);
        Ok(())
    }

    /// A child process ended with `reason` (its link's `{:EXIT, pid, reason}`, or the DOWN a
    /// termination waits for). Exits of unknown pids are ignored, as OTP does.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn handle_child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if !self.alive() || self.termination_down(now, pid, &reason) {
            return Ok(());
        }
        self.receive(now, Message::Exit { pid, reason });
        Ok(())
    }

    /// The parent's `{:EXIT, parent, reason}`: once the mailbox reaches it, the supervisor
    /// terminates every child and exits with the same `reason` (even `normal`). A suspended
    /// supervisor (see [`suspend`](Self::suspend)) takes it at once, ahead of its mailbox.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn handle_parent_exit(
        &mut self,
        now: Instant,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if self.suspended && matches!(self.phase, Phase::Ready) {
            // A suspended process still takes its parent's exit signal (OTP's `sys` loop
            // handles `{:EXIT, parent, reason}`): it terminates at once, and what waits in
            // the mailbox is never handled.
            self.stop_supervisor(now, reason, None);
        } else if self.alive() {
            self.receive(now, Message::ParentExit { reason });
        }
        Ok(())
    }

    /// Fires the kill timers due at `now`. Idempotent: calling it early or twice does nothing.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`] when `now` goes backwards; nothing changes then.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        self.advance(now)?;
        self.fire_kill_timers(now);
        Ok(())
    }

    // ----- outputs ---------------------------------------------------------------------

    /// The next effect to perform, in order.
    #[must_use]
    pub fn poll_effect(&mut self) -> Option<Effect<F, A>> {
        self.effects.pop_front()
    }

    /// The next report event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next instant at which [`handle_timeout`](Self::handle_timeout) has work: the
    /// earliest kill deadline of a termination in progress.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Terminating(t) => t.timers.iter().map(|timer| timer.deadline).min(),
            _ => None,
        }
    }

    // ----- the process loop ------------------------------------------------------------

    fn reply(&mut self, call: CallId, reply: Reply) {
        self.effects.push_back(Effect::Reply { call, reply });
    }

    /// `message` arrives in the mailbox, which is then served. A message that finds the
    /// supervisor ready (not suspended) and its mailbox empty is handled at once, without the
    /// queue (the same order: it is the only one).
    fn receive(&mut self, now: Instant, message: Message<F, A>) {
        if self.serving() && self.mailbox.is_empty() {
            self.handle_message(now, message);
        } else {
            self.mailbox.push_back(message);
        }
        self.run(now);
    }

    /// Serves the mailbox, one message at a time, until it is empty or the supervisor blocks
    /// (or is suspended: then nothing is served).
    pub(crate) fn run(&mut self, now: Instant) {
        while self.serving() {
            let Some(message) = self.mailbox.pop_front() else {
                return;
            };
            self.handle_message(now, message);
        }
    }

    fn handle_message(&mut self, now: Instant, message: Message<F, A>) {
        match message {
            Message::Call { call, request } => self.handle_request(now, call, request),
            Message::Exit { pid, reason } => self.handle_exit(now, pid, reason),
            Message::Retry { pid } => {
                let restarting = self
                    .children
                    .get(pid)
                    .is_some_and(|child| child.state == ChildState::Restarting);
                if restarting {
                    self.restart(now, pid);
                }
            }
            Message::ParentExit { reason } => self.stop_supervisor(now, reason, None),
        }
    }

    fn handle_request(&mut self, now: Instant, call: CallId, request: Request<F, A>) {
        match request {
            Request::StartChild(spec) => {
                let children = self.children.len();
                // A planted defect counts running entries only, forgetting restarting ones.
                #[cfg(feature = "planted-defects")]
                let children = if self.planted(CoreDefect::RestartingUncounted) {
                    self.children.counts().active
                } else {
                    children
                };
                let full = self
                    .config
                    .max_children()
                    .is_some_and(|max| children >= max);
                if full {
                    self.reply(call, Reply::StartChild(Err(StartError::MaxChildren)));
                } else {
                    self.effects.push_back(Effect::Start {
                        function: spec.start().function.clone(),
                        args: self.arguments(&spec),
                        restart_of: None,
                    });
                    self.phase = Phase::Starting(PendingStart::Call { call, spec });
                }
            }
            Request::TerminateChild(pid) => match self.children.get(pid).map(|c| c.state) {
                None => self.reply(call, Reply::TerminateChild(Err(TerminateError::NotFound))),
                Some(ChildState::Restarting) => {
                    self.children.remove(pid);
                    self.events.push_back(Event::ChildTerminated { pid });
                    self.reply(call, Reply::TerminateChild(Ok(())));
                }
                Some(ChildState::Running) => {
                    self.begin_termination(now, vec![pid], Purpose::Child { call, pid });
                }
            },
            Request::WhichChildren => {
                let infos = self.children.infos();
                self.reply(call, Reply::WhichChildren(infos));
            }
            Request::CountChildren => {
                let counts = self.children.counts();
                self.reply(call, Reply::CountChildren(counts));
            }
            Request::Stop(reason) => self.stop_supervisor(now, reason, Some(call)),
        }
    }

    fn arguments(&self, spec: &ValidChildSpec<F, A>) -> Vec<A> {
        let extra = self.config.extra_arguments();
        let own = &spec.start().args;
        let mut args = Vec::with_capacity(extra.len() + own.len());
        args.extend_from_slice(extra);
        args.extend_from_slice(own);
        args
    }

    /// The decision table of docs/semantics.md §6.1, for an exit of a running entry.
    fn handle_exit(&mut self, now: Instant, pid: Pid, reason: ExitReason) {
        let Some(child) = self.children.get(pid) else {
            return;
        };
        if child.state != ChildState::Running {
            return;
        }
        let will_restart = self.planted_restart(child.spec.restart(), &reason)
            || match child.spec.restart() {
                Restart::Permanent => true,
                _ if reason.is_clean() => false,
                Restart::Transient => true,
                Restart::Temporary => false,
            };
        self.events.push_back(Event::ChildExited {
            pid,
            reason,
            will_restart,
        });
        if will_restart {
            self.restart(now, pid);
        } else {
            self.children.remove(pid);
            #[cfg(feature = "planted-defects")]
            if self.planted(CoreDefect::ActiveCounterDrift) {
                self.children.planted_active_drift();
            }
        }
    }

    /// Counts a restart against intensity, then starts the child again or shuts down.
    fn restart(&mut self, now: Instant, pid: Pid) {
        let second = now.whole_seconds();
        let (max_restarts, max_seconds) = (self.config.max_restarts(), self.config.max_seconds());
        self.events.push_back(Event::RestartCounted { pid, second });
        // A planted defect lets one restart per window go uncounted.
        #[cfg(feature = "planted-defects")]
        let max_restarts = if self.planted(CoreDefect::UncountedRestart) {
            max_restarts.saturating_add(1)
        } else {
            max_restarts
        };
        match self.restarts.add(second, max_restarts, max_seconds) {
            Intensity::Exceeded => {
                self.children.remove(pid);
                self.events.push_back(Event::IntensityExceeded);
                self.stop_supervisor(now, ExitReason::Shutdown, None);
            }
            Intensity::Allowed => {
                let Some(child) = self.children.get(pid) else {
                    return;
                };
                let effect = Effect::Start {
                    function: child.spec.start().function.clone(),
                    args: self.arguments(&child.spec),
                    restart_of: Some(pid),
                };
                self.effects.push_back(effect);
                self.phase = Phase::Starting(PendingStart::Restart { old: pid });
            }
        }
    }

    fn stop_supervisor(&mut self, now: Instant, reason: ExitReason, reply_to: Option<CallId>) {
        let pids = self.children.running_pids();
        #[cfg(feature = "planted-defects")]
        let pids = if self.planted(CoreDefect::OrphansOnStop) {
            Vec::new()
        } else {
            pids
        };
        self.begin_termination(now, pids, Purpose::Supervisor { reason, reply_to });
    }
}

/// Inspection, instant and outside the mailbox; no bounds on `F` and `A`.
impl<F, A> DynamicSupervisor<F, A> {
    /// A read-only view of the supervisor's state, read directly without going through the
    /// mailbox: counts, children, liveness, the exit reason and more.
    pub fn view(&self) -> SupervisorView<'_, F, A> {
        SupervisorView::new(self)
    }

    fn alive(&self) -> bool {
        !matches!(self.phase, Phase::Down(_))
    }
}
