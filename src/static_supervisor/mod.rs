//! The static `Supervisor` as a sans-IO core: children by id, started in order at start-up,
//! restarted under one_for_one, one_for_all or rest_for_one, shut down one at a time in
//! reverse start order (docs/static-supervisor.md).

mod children;
pub mod error;
pub mod flags;
mod job;
mod mailbox;
pub mod output;
mod shutdown;
pub mod spec;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::fmt;

use crate::child_spec::{Restart, Shutdown};
use crate::error::DriverError;
use crate::exit_reason::ExitReason;
use crate::options::{AutoShutdown, Strategy};
use crate::pid::Pid;
use crate::restart_intensity::{Intensity, RestartLog};
use crate::supervisor::output::{CallId, StartOutcome, Started};
use crate::time::Instant;

use children::{Child, Children};
pub use error::{ChildError, FailedToStartChild, InitError, StaticSpecError};
pub use flags::{Flags, StaticConfig};
use job::{Job, Purpose, Step, Stopping, Waiting};
use mailbox::{Message, Request};
pub use output::{ChildPid, ChildRow, Effect, Event, Reply};
use shutdown::ended_as_asked;
pub use spec::{StaticChildSpec, ValidStaticSpec};

/// The kind of job a start result belongs to (other than `start_child`).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Init,
    Restart,
    RestartChild(CallId),
    Other,
}

/// What the supervisor is doing.
#[derive(Clone, Debug)]
enum Phase<I, F, A> {
    /// Serving the mailbox.
    Ready,
    /// Running a job (start-up, a restart, a call's work, the shutdown).
    Busy(Job<I, F, A>),
    /// The supervisor has exited with this reason.
    Down(ExitReason),
}

/// Elixir's static `Supervisor` as a pure state machine: no clock, no threads, no I/O.
///
/// `I` is the child id type, `F` names a start function and `A` is its argument type. The
/// driver protocol is the [`DynamicSupervisor`](crate::DynamicSupervisor)'s: calls carry a
/// [`CallId`] and are answered by an [`Effect::Reply`]; inputs are
/// [`handle_start_result`](Self::handle_start_result),
/// [`handle_child_exit`](Self::handle_child_exit),
/// [`handle_parent_exit`](Self::handle_parent_exit) and
/// [`handle_timeout`](Self::handle_timeout); outputs are pulled with
/// [`poll_effect`](Self::poll_effect), [`poll_event`](Self::poll_event) and
/// [`poll_timeout`](Self::poll_timeout); [`view`](Self::view) inspects.
///
/// [`start`](Self::start) creates the supervisor, which then asks for its children's starts
/// one at a time, in order, and reports the end of start-up with [`Effect::Initialized`].
/// Every `now` must never decrease ([`DriverError::TimeWentBackwards`]).
///
/// ```
/// use dynsup::static_supervisor::{ChildPid, Effect, Flags, StaticChildSpec, Supervisor};
/// use dynsup::{ChildSpec, Instant, Pid, StartOutcome};
///
/// let t0 = Instant::ZERO;
/// let specs = vec![
///     StaticChildSpec::new("a", ChildSpec::new("start_a", vec![1u8])),
///     StaticChildSpec::new("b", ChildSpec::new("start_b", vec![2u8])),
/// ];
/// let mut sup = Supervisor::start(t0, Flags::default(), specs).unwrap();
/// // Children start in order, each once the previous one is running.
/// assert!(matches!(sup.poll_effect(), Some(Effect::Start { id: "a", .. })));
/// sup.handle_start_result(t0, StartOutcome::Started { pid: Pid(1), info: None }).unwrap();
/// assert!(matches!(sup.poll_effect(), Some(Effect::Start { id: "b", .. })));
/// sup.handle_start_result(t0, StartOutcome::Started { pid: Pid(2), info: None }).unwrap();
/// assert_eq!(sup.poll_effect(), Some(Effect::Initialized(Ok(()))));
/// assert_eq!(sup.view().pid_of(&"b"), Some(ChildPid::Running(Pid(2))));
/// ```
#[derive(Clone, Debug)]
pub struct Supervisor<I, F, A> {
    config: StaticConfig,
    children: Children<I, F, A>,
    restarts: RestartLog,
    mailbox: VecDeque<Message<I, F, A>>,
    phase: Phase<I, F, A>,
    effects: VecDeque<Effect<I, F, A>>,
    events: VecDeque<Event<I>>,
    latest: Instant,
}

impl<I: Clone + Eq + fmt::Debug, F: Clone, A: Clone> Supervisor<I, F, A> {
    /// `Supervisor.start_link(children, flags)`: validates the flags and the specs in order
    /// (each spec, then its id's uniqueness), then begins starting the children in order.
    ///
    /// # Errors
    ///
    /// [`InitError`] for invalid flags, an invalid spec or a duplicate id; no child is
    /// started then.
    pub fn start(
        now: Instant,
        flags: Flags,
        specs: Vec<StaticChildSpec<I, F, A>>,
    ) -> Result<Self, InitError<I>> {
        let config = flags.validate().map_err(InitError::Flags)?;
        let mut children = Children::new();
        for spec in specs {
            let valid = spec
                .validate(config.auto_shutdown())
                .map_err(InitError::StartSpec)?;
            if children.get(&valid.id).is_some() {
                return Err(InitError::DuplicateChildName(valid.id));
            }
            children.push(Child {
                id: valid.id,
                spec: valid.spec,
                significant: valid.significant,
                pid: ChildPid::Undefined,
            });
        }
        let steps: Vec<Step<I>> = children.ids_from(0).into_iter().map(Step::Start).collect();
        let mut sup = Supervisor {
            config,
            children,
            restarts: RestartLog::new(),
            mailbox: VecDeque::new(),
            phase: Phase::Ready,
            effects: VecDeque::new(),
            events: VecDeque::new(),
            latest: now,
        };
        sup.begin(now, Job::new(Purpose::Init, steps));
        Ok(sup)
    }

    // ----- calls -----------------------------------------------------------------------

    /// `start_child(spec)`, answered with [`Reply::StartChild`]: the spec is validated by the
    /// supervisor (against its `auto_shutdown`), then its id is looked up
    /// (`already_started`, `already_present`), then the child is started and added last.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn start_child(
        &mut self,
        now: Instant,
        call: CallId,
        spec: StaticChildSpec<I, F, A>,
    ) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::StartChild(spec))
    }

    /// `restart_child(id)`, answered with [`Reply::RestartChild`]: starts a child that has no
    /// process; `running`, `restarting` or `not_found` otherwise.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn restart_child(&mut self, now: Instant, call: CallId, id: I) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::RestartChild(id))
    }

    /// `terminate_child(id)`, answered with [`Reply::TerminateChild`]: shuts the child down
    /// with its own shutdown; a temporary child is then forgotten, any other keeps its spec.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn terminate_child(
        &mut self,
        now: Instant,
        call: CallId,
        id: I,
    ) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::TerminateChild(id))
    }

    /// `delete_child(id)`, answered with [`Reply::DeleteChild`]: forgets a child that has no
    /// process; `running`, `restarting` or `not_found` otherwise.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn delete_child(&mut self, now: Instant, call: CallId, id: I) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::DeleteChild(id))
    }

    /// `which_children()`, answered with [`Reply::WhichChildren`], the last started first.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn which_children(&mut self, now: Instant, call: CallId) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::WhichChildren)
    }

    /// `count_children()`, answered with [`Reply::CountChildren`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn count_children(&mut self, now: Instant, call: CallId) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::CountChildren)
    }

    /// `Supervisor.stop(sup, reason)`: terminates every child, exits with `reason`, and answers
    /// [`Reply::Stopped`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn stop(
        &mut self,
        now: Instant,
        call: CallId,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.enqueue(now, call, Request::Stop(reason))
    }

    fn enqueue(
        &mut self,
        now: Instant,
        call: CallId,
        request: Request<I, F, A>,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if self.alive() {
            self.receive(now, Message::Call { call, request });
        } else {
            self.reply(call, Reply::NoProc);
        }
        Ok(())
    }

    fn advance(&mut self, now: Instant) -> Result<(), DriverError> {
        if now < self.latest {
            return Err(DriverError::TimeWentBackwards {
                now,
                latest: self.latest,
            });
        }
        self.latest = now;
        Ok(())
    }

    // ----- inputs ----------------------------------------------------------------------

    /// The outcome of the pending [`Effect::Start`].
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`], [`DriverError::NoStartPending`], or
    /// [`DriverError::PidInUse`] when the pid is already a child's; nothing changes then.
    pub fn handle_start_result(
        &mut self,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), DriverError> {
        if now < self.latest {
            return Err(DriverError::TimeWentBackwards {
                now,
                latest: self.latest,
            });
        }
        let Phase::Busy(job) = &mut self.phase else {
            return Err(DriverError::NoStartPending);
        };
        let Waiting::Start(id) = &job.waiting else {
            return Err(DriverError::NoStartPending);
        };
        if let StartOutcome::Started { pid, .. } = &outcome {
            if self.children.id_of(*pid).is_some() {
                return Err(DriverError::PidInUse(*pid));
            }
        }
        let id = id.clone();
        job.waiting = Waiting::Nothing;
        self.latest = now;
        self.started(now, id, outcome);
        Ok(())
    }

    /// A child process ended with `reason` (its `{:EXIT, pid, reason}`, or the DOWN a shutdown
    /// waits for). Exits of unknown pids are ignored.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn handle_child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if !self.alive() {
            return Ok(());
        }
        if let Phase::Busy(job) = &mut self.phase {
            if let Waiting::Down(stopping) = &job.waiting {
                if stopping.pid == pid {
                    let stopping = stopping.clone();
                    job.waiting = Waiting::Nothing;
                    self.down(&stopping, reason);
                    self.proceed(now);
                    return Ok(());
                }
            }
        }
        self.receive(now, Message::Exit { pid, reason });
        Ok(())
    }

    /// The parent's `{:EXIT, parent, reason}`: once the mailbox reaches it, the supervisor
    /// terminates its children and exits with the same reason.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn handle_parent_exit(
        &mut self,
        now: Instant,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.advance(now)?;
        if self.alive() {
            self.receive(now, Message::ParentExit { reason });
        }
        Ok(())
    }

    /// Kills the child being shut down once its shutdown timeout has passed. Idempotent.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        self.advance(now)?;
        if let Phase::Busy(Job {
            waiting: Waiting::Down(stopping),
            ..
        }) = &mut self.phase
        {
            if stopping.kill_at.is_some_and(|at| at <= now) {
                stopping.kill_at = None;
                let pid = stopping.pid;
                self.effects.push_back(Effect::Kill { pid });
            }
        }
        Ok(())
    }

    // ----- outputs ---------------------------------------------------------------------

    /// The next effect to perform, in order.
    #[must_use]
    pub fn poll_effect(&mut self) -> Option<Effect<I, F, A>> {
        self.effects.pop_front()
    }

    /// The next report event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<I>> {
        self.events.pop_front()
    }

    /// The instant at which [`handle_timeout`](Self::handle_timeout) has work: the kill
    /// deadline of the child being shut down.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Busy(Job {
                waiting: Waiting::Down(stopping),
                ..
            }) => stopping.kill_at,
            _ => None,
        }
    }

    // ----- the process loop ------------------------------------------------------------

    fn reply(&mut self, call: CallId, reply: Reply<I>) {
        self.effects.push_back(Effect::Reply { call, reply });
    }

    fn receive(&mut self, now: Instant, message: Message<I, F, A>) {
        self.mailbox.push_back(message);
        self.run(now);
    }

    /// Serves the mailbox until it is empty or a job blocks the supervisor.
    fn run(&mut self, now: Instant) {
        while matches!(self.phase, Phase::Ready) {
            let Some(message) = self.mailbox.pop_front() else {
                return;
            };
            match message {
                Message::Call { call, request } => self.handle_request(now, call, request),
                Message::Exit { pid, reason } => self.handle_exit(now, pid, reason),
                Message::Retry { id } => {
                    let restarting = self
                        .children
                        .get(&id)
                        .is_some_and(|c| c.pid == ChildPid::Restarting);
                    if restarting {
                        self.restart(now, id);
                    }
                }
                Message::ParentExit { reason } => self.shut_down(now, reason, None),
            }
        }
    }

    fn handle_request(&mut self, now: Instant, call: CallId, request: Request<I, F, A>) {
        match request {
            Request::StartChild(spec) => {
                let valid = match spec.validate(self.config.auto_shutdown()) {
                    Ok(valid) => valid,
                    Err(e) => {
                        let reply = Reply::StartChild(Err(ChildError::InvalidSpec(e)));
                        return self.reply(call, reply);
                    }
                };
                let error = match self.children.get(&valid.id).map(|c| c.pid) {
                    None => None,
                    Some(ChildPid::Running(pid)) => Some(ChildError::AlreadyStarted(pid)),
                    Some(_) => Some(ChildError::AlreadyPresent),
                };
                if let Some(error) = error {
                    return self.reply(call, Reply::StartChild(Err(error)));
                }
                self.effects.push_back(Effect::Start {
                    id: valid.id.clone(),
                    function: valid.spec.start().function.clone(),
                    args: valid.spec.start().args.clone(),
                });
                let id = valid.id.clone();
                let mut job = Job::new(Purpose::StartChild { call, spec: valid }, []);
                job.waiting = Waiting::Start(id);
                self.phase = Phase::Busy(job);
            }
            Request::RestartChild(id) => match self.children.get(&id).map(|c| c.pid) {
                None => self.reply(call, Reply::RestartChild(Err(ChildError::NotFound))),
                Some(ChildPid::Running(_)) => {
                    self.reply(call, Reply::RestartChild(Err(ChildError::Running)));
                }
                Some(ChildPid::Restarting) => {
                    self.reply(call, Reply::RestartChild(Err(ChildError::Restarting)));
                }
                Some(ChildPid::Undefined) => {
                    self.begin(
                        now,
                        Job::new(Purpose::RestartChild { call }, [Step::Start(id)]),
                    );
                }
            },
            Request::TerminateChild(id) => {
                if self.children.get(&id).is_none() {
                    self.reply(call, Reply::TerminateChild(Err(ChildError::NotFound)));
                } else {
                    let job = Job::new(Purpose::TerminateChild { call }, [Step::Terminate(id)]);
                    self.begin(now, job);
                }
            }
            Request::DeleteChild(id) => {
                let reply = match self.children.get(&id).map(|c| c.pid) {
                    None => Err(ChildError::NotFound),
                    Some(ChildPid::Running(_)) => Err(ChildError::Running),
                    Some(ChildPid::Restarting) => Err(ChildError::Restarting),
                    Some(ChildPid::Undefined) => {
                        self.children.remove(&id);
                        Ok(())
                    }
                };
                self.reply(call, Reply::DeleteChild(reply));
            }
            Request::WhichChildren => {
                let rows = self.children.rows();
                self.reply(call, Reply::WhichChildren(rows));
            }
            Request::CountChildren => {
                let counts = self.children.counts();
                self.reply(call, Reply::CountChildren(counts));
            }
            Request::Stop(reason) => self.shut_down(now, reason, Some(call)),
        }
    }

    /// OTP's `do_restart`: the exit of a running child (docs/static-supervisor.md §2).
    fn handle_exit(&mut self, now: Instant, pid: Pid, reason: ExitReason) {
        let Some(id) = self.children.id_of(pid) else {
            return;
        };
        let Some(child) = self.children.get(&id) else {
            return;
        };
        let (restart, significant) = (child.spec.restart(), child.significant);
        let will_restart = match restart {
            Restart::Permanent => true,
            _ if reason.is_clean() => false,
            Restart::Transient => true,
            Restart::Temporary => false,
        };
        self.events.push_back(Event::ChildExited {
            id: id.clone(),
            reason,
            will_restart,
        });
        if will_restart {
            return self.restart(now, id);
        }
        self.children.del_child(&id);
        let shut_down = significant
            && match self.config.auto_shutdown() {
                AutoShutdown::Never => false,
                AutoShutdown::AnySignificant => true,
                AutoShutdown::AllSignificant => !self.children.any_significant_alive(),
            };
        if shut_down {
            self.events.push_back(Event::AutoShutdown { id });
            self.shut_down(now, ExitReason::Shutdown, None);
        }
    }

    /// OTP's `restart/2`: counts the restart, then restarts under the strategy (§3, §4).
    fn restart(&mut self, now: Instant, id: I) {
        let second = now.whole_seconds();
        self.events.push_back(Event::RestartCounted {
            id: id.clone(),
            second,
        });
        let verdict = self.restarts.add(
            second,
            self.config.max_restarts(),
            self.config.max_seconds(),
        );
        if verdict == Intensity::Exceeded {
            self.children.del_child(&id);
            self.events.push_back(Event::IntensityExceeded);
            return self.shut_down(now, ExitReason::Shutdown, None);
        }
        let Some(position) = self.children.position(&id) else {
            return;
        };
        let affected = match self.config.strategy() {
            Strategy::OneForOne => {
                let job = Job::new(Purpose::Restart, [Step::Start(id)]);
                return self.begin(now, job);
            }
            Strategy::OneForAll => self.children.ids_from(0),
            Strategy::RestForOne => self.children.ids_from(position),
        };
        // The exited child has no process any more; its siblings go down last-started first
        // and come back in start order.
        self.children.set_pid(&id, ChildPid::Undefined);
        let terminate = affected.iter().rev().cloned().map(Step::Terminate);
        let start = affected.iter().cloned().map(Step::Start);
        let steps: Vec<Step<I>> = terminate.chain(start).collect();
        self.begin(now, Job::new(Purpose::Restart, steps));
    }

    /// Terminates every child, last started first, then exits with `reason` (§5).
    fn shut_down(&mut self, now: Instant, reason: ExitReason, reply_to: Option<CallId>) {
        let steps = self.terminations_last_started_first();
        self.begin(now, Job::new(Purpose::Stop { reason, reply_to }, steps));
    }

    /// One termination step per running child, last started first (§5).
    fn terminations_last_started_first(&self) -> Vec<Step<I>> {
        self.children
            .running_ids()
            .into_iter()
            .rev()
            .map(Step::Terminate)
            .collect()
    }

    // ----- jobs ------------------------------------------------------------------------

    fn begin(&mut self, now: Instant, job: Job<I, F, A>) {
        self.phase = Phase::Busy(job);
        self.proceed(now);
    }

    /// Runs the job's steps until one has to wait, then finishes the job when none is left.
    fn proceed(&mut self, now: Instant) {
        loop {
            let Phase::Busy(job) = &mut self.phase else {
                return;
            };
            if !matches!(job.waiting, Waiting::Nothing) {
                return;
            }
            let Some(step) = job.steps.pop_front() else {
                return self.finish(now);
            };
            match step {
                Step::Start(id) => {
                    let Some(child) = self.children.get(&id) else {
                        continue;
                    };
                    let effect = Effect::Start {
                        id: id.clone(),
                        function: child.spec.start().function.clone(),
                        args: child.spec.start().args.clone(),
                    };
                    self.effects.push_back(effect);
                    job.waiting = Waiting::Start(id);
                }
                Step::Terminate(id) => self.terminate(now, id),
            }
        }
    }

    /// OTP's `do_terminate` then `del_child` for one child: a child with a process is sent
    /// its shutdown (or its exit, already queued, is taken instead).
    fn terminate(&mut self, now: Instant, id: I) {
        let Some(child) = self.children.get(&id) else {
            return;
        };
        let ChildPid::Running(pid) = child.pid else {
            self.children.del_child(&id);
            return;
        };
        let stopping = Stopping {
            id,
            pid,
            shutdown: child.spec.shutdown(),
            restart: child.spec.restart(),
            kill_at: None,
        };
        let queued = self
            .mailbox
            .iter()
            .position(|m| matches!(m, Message::Exit { pid: p, .. } if *p == pid));
        if let Some(Message::Exit { reason, .. }) = queued.and_then(|i| self.mailbox.remove(i)) {
            return self.down(&stopping, reason);
        }
        let (effect, kill_at) = match stopping.shutdown {
            Shutdown::BrutalKill => (Effect::Kill { pid }, None),
            Shutdown::Timeout { millis } => (
                Effect::Shutdown { pid },
                Some(now.saturating_add_millis(millis)),
            ),
            Shutdown::Infinity => (Effect::Shutdown { pid }, None),
        };
        self.effects.push_back(effect);
        if let Phase::Busy(job) = &mut self.phase {
            job.waiting = Waiting::Down(Stopping {
                kill_at,
                ..stopping
            });
        }
    }

    /// The child being terminated is down with `reason`.
    fn down(&mut self, stopping: &Stopping<I>, reason: ExitReason) {
        if !ended_as_asked(stopping.shutdown, stopping.restart, &reason) {
            self.events.push_back(Event::ShutdownError {
                id: stopping.id.clone(),
                reason,
            });
        }
        self.events.push_back(Event::ChildTerminated {
            id: stopping.id.clone(),
        });
        self.children.del_child(&stopping.id);
    }

    /// The outcome of child `id`'s start within the current job.
    fn started(&mut self, now: Instant, id: I, outcome: StartOutcome) {
        let Phase::Busy(job) = &mut self.phase else {
            return;
        };
        if let Purpose::StartChild { .. } = job.purpose {
            let Phase::Busy(Job {
                purpose: Purpose::StartChild { call, spec },
                ..
            }) = std::mem::replace(&mut self.phase, Phase::Ready)
            else {
                return;
            };
            let (pid, reply) = match outcome {
                StartOutcome::Started { pid, info } => (
                    Some(ChildPid::Running(pid)),
                    Ok(Started::Running { pid, info }),
                ),
                StartOutcome::Ignore if spec.spec.restart() == Restart::Temporary => {
                    (None, Ok(Started::Ignored))
                }
                StartOutcome::Ignore => (Some(ChildPid::Undefined), Ok(Started::Ignored)),
                StartOutcome::Failed(reason) => (None, Err(ChildError::Failed(reason))),
            };
            if let Some(pid) = pid {
                self.note_start(&spec.id, pid);
                self.children.push(Child {
                    id: spec.id,
                    spec: spec.spec,
                    significant: spec.significant,
                    pid,
                });
            }
            self.reply(call, Reply::StartChild(reply));
            return self.run(now);
        }
        let kind = match &job.purpose {
            Purpose::Init => Kind::Init,
            Purpose::Restart => Kind::Restart,
            Purpose::RestartChild { call } => Kind::RestartChild(*call),
            _ => Kind::Other,
        };
        match outcome {
            StartOutcome::Started { pid, info } => {
                self.note_start(&id, ChildPid::Running(pid));
                self.children.set_pid(&id, ChildPid::Running(pid));
                if let Kind::RestartChild(call) = kind {
                    let reply = Reply::RestartChild(Ok(Started::Running { pid, info }));
                    self.reply(call, reply);
                }
            }
            StartOutcome::Ignore => {
                self.note_start(&id, ChildPid::Undefined);
                // OTP's start_children forgets a temporary child that ignores.
                let temporary = self
                    .children
                    .get(&id)
                    .is_some_and(|c| c.spec.restart() == Restart::Temporary);
                if temporary && matches!(kind, Kind::Init | Kind::Restart) {
                    self.children.remove(&id);
                } else {
                    self.children.set_pid(&id, ChildPid::Undefined);
                }
                if let Kind::RestartChild(call) = kind {
                    self.reply(call, Reply::RestartChild(Ok(Started::Ignored)));
                }
            }
            StartOutcome::Failed(reason) => match kind {
                Kind::Init => {
                    // §1.2: the started children go down, last started first.
                    let steps = self.terminations_last_started_first();
                    self.phase = Phase::Busy(Job::new(Purpose::InitAbort { id, reason }, steps));
                }
                Kind::Restart => {
                    // §4: the rest of the restart is abandoned; a retry is queued.
                    if let Phase::Busy(job) = &mut self.phase {
                        job.steps.clear();
                    }
                    self.children.set_pid(&id, ChildPid::Restarting);
                    self.events.push_back(Event::RestartFailed {
                        id: id.clone(),
                        reason,
                    });
                    self.mailbox.push_back(Message::Retry { id });
                }
                Kind::RestartChild(call) => {
                    self.reply(call, Reply::RestartChild(Err(ChildError::Failed(reason))));
                }
                Kind::Other => {}
            },
        }
        self.proceed(now);
    }

    fn note_start(&mut self, id: &I, pid: ChildPid) {
        let event = match pid {
            ChildPid::Running(pid) => Event::ChildStarted {
                id: id.clone(),
                pid,
            },
            _ => Event::ChildIgnored { id: id.clone() },
        };
        self.events.push_back(event);
    }

    /// The job has no step left.
    fn finish(&mut self, now: Instant) {
        let Phase::Busy(job) = std::mem::replace(&mut self.phase, Phase::Ready) else {
            return;
        };
        match job.purpose {
            Purpose::Init => self.effects.push_back(Effect::Initialized(Ok(()))),
            Purpose::InitAbort { id, reason } => {
                let failure = FailedToStartChild { id, reason };
                let reason = failure.exit_reason();
                self.effects.push_back(Effect::Initialized(Err(failure)));
                return self.exit(reason, None);
            }
            Purpose::Restart | Purpose::RestartChild { .. } | Purpose::StartChild { .. } => {}
            Purpose::TerminateChild { call } => self.reply(call, Reply::TerminateChild(Ok(()))),
            Purpose::Stop { reason, reply_to } => return self.exit(reason, reply_to),
        }
        self.run(now);
    }

    /// The supervisor process ends; calls still queued find it gone.
    fn exit(&mut self, reason: ExitReason, reply_to: Option<CallId>) {
        self.children.clear();
        if let Some(call) = reply_to {
            self.reply(call, Reply::Stopped);
        }
        self.events.push_back(Event::SupervisorDown {
            reason: reason.clone(),
        });
        self.effects.push_back(Effect::Exit {
            reason: reason.clone(),
        });
        for message in std::mem::take(&mut self.mailbox) {
            if let Message::Call { call, .. } = message {
                self.reply(call, Reply::NoProc);
            }
        }
        self.phase = Phase::Down(reason);
    }
}

/// Inspection, instant and outside the mailbox.
impl<I, F, A> Supervisor<I, F, A> {
    /// A read-only view of the supervisor's state.
    pub fn view(&self) -> View<'_, I, F, A> {
        View { sup: self }
    }

    fn alive(&self) -> bool {
        !matches!(self.phase, Phase::Down(_))
    }
}

/// A read-only view of a static supervisor, read directly without going through the mailbox.
#[derive(Clone, Copy, Debug)]
pub struct View<'a, I, F, A> {
    sup: &'a Supervisor<I, F, A>,
}

impl<I: Clone + Eq, F, A> View<'_, I, F, A> {
    /// Whether the supervisor process is alive.
    pub fn is_alive(&self) -> bool {
        self.sup.alive()
    }

    /// The supervisor's exit reason, once it is down.
    pub fn exit_reason(&self) -> Option<&ExitReason> {
        match &self.sup.phase {
            Phase::Down(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether a job (start-up, a restart, a shutdown, a call's work) is in progress.
    pub fn is_busy(&self) -> bool {
        matches!(self.sup.phase, Phase::Busy(_))
    }

    /// The validated flags.
    pub fn config(&self) -> &StaticConfig {
        &self.sup.config
    }

    /// The children's ids, in start order.
    pub fn ids(&self) -> Vec<I> {
        self.sup.children.iter().map(|c| c.id.clone()).collect()
    }

    /// Child `id`'s process, if `id` is a child.
    pub fn pid_of(&self, id: &I) -> Option<ChildPid> {
        self.sup.children.get(id).map(|c| c.pid)
    }

    /// The `which_children` rows, the last started first.
    pub fn rows(&self) -> Vec<ChildRow<I>> {
        self.sup.children.rows()
    }

    /// How many restarts the intensity log holds.
    pub fn restarts_in_log(&self) -> u64 {
        self.sup.restarts.len()
    }

    /// How many messages wait in the mailbox.
    pub fn mailbox_len(&self) -> usize {
        self.sup.mailbox.len()
    }

    /// The latest `now` the supervisor was given.
    pub fn latest_time(&self) -> Instant {
        self.sup.latest
    }
}
