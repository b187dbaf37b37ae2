//! The deterministic simulator: one supervisor, its child processes and a client, driven by a
//! single-threaded scheduler over virtual time.
//!
//! Every message between processes (calls, exit signals, timer expiries) is a delivery in one
//! queue ordered by (time, tie class, sequence number), so messages sent at the same instant arrive in the
//! order they were sent, and the clock jumps straight to the next due delivery. A child's start
//! runs inside the supervisor and takes no virtual time; a child that traps exits may take
//! virtual time to shut down. Nothing reads a wall clock and nothing is random: the same calls
//! give the same trace, byte for byte.

mod checker;
mod error;
mod processes;
mod queue;
mod replies;
mod spawner;
mod trace;

use std::collections::BTreeMap;

pub use checker::{Checker, LiveChildren, View, Violation};
pub use error::SimError;
pub use spawner::{BoxedWorker, Spawner};
pub use trace::{TraceEntry, TraceEvent};

use processes::Processes;
use queue::Queue;
use replies::Replies;

use dynsup::{
    CallId, ChildSpec, Config, DynamicSupervisor, Effect, Event, ExitReason, Init, Instant, Next,
    Pid, Reply, SpecError, StartOutcome, Termination, ValidChildSpec,
};

/// Limits that keep every run finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimLimits {
    /// Failed restarts of one child in a row before the run is declared unsettled.
    pub failed_restarts_max: u64,
    /// Deliveries in one simulation before it is declared unsettled.
    pub deliveries_max: u64,
}

impl Default for SimLimits {
    fn default() -> Self {
        SimLimits {
            failed_restarts_max: 100_000,
            deliveries_max: 50_000_000,
        }
    }
}

/// How deliveries due at the same instant are ordered beyond their sequence number.
///
/// A trapping child starts its shutdown work when the signal *arrives*, a moment after the
/// supervisor started the kill timer. So when the work takes exactly the shutdown timeout, the
/// kill wins, as on the BEAM (a tie is `killed`, otp-semantics §8): the end of a child's
/// shutdown work comes after everything else due at that instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tie {
    /// Ordinary deliveries, in the order they were sent.
    Now,
    /// The end of a trapping child's shutdown work.
    AfterSignalTravel,
}

/// Something in flight between processes.
enum Delivery<F, A, M> {
    /// A client's call reaches the supervisor's mailbox.
    Call(ClientCall<F, A>),
    /// A child's exit signal reaches the supervisor.
    ChildExit { pid: Pid, reason: ExitReason },
    /// The parent's exit signal reaches the supervisor.
    ParentExit { reason: ExitReason },
    /// The supervisor's next kill deadline.
    SupervisorTimeout,
    /// A trapping child finishes its shutdown cleanup.
    ChildStops { pid: Pid, reason: ExitReason },
    /// A message reaches a child.
    Message { pid: Pid, message: M },
}

/// A call as the client sent it.
enum ClientCall<F, A> {
    StartChild(CallId, ValidChildSpec<F, A>),
    TerminateChild(CallId, Pid),
    WhichChildren(CallId),
    CountChildren(CallId),
    Stop(CallId, ExitReason),
}

/// A live child process.
struct ChildProcess<M> {
    worker: BoxedWorker<M>,
    /// Whether it was already asked to shut down (a trapping child stops only once).
    stopping: bool,
}

/// A simulated DynamicSupervisor with its children, in virtual time.
///
/// `F`/`A` are the core's start-function and argument types, `M` the workers' message type and
/// `S` the [`Spawner`] that makes a worker for each start attempt.
pub struct Simulation<F, A, M, S> {
    now: Instant,
    queue: Queue<(Instant, Tie, u64), Delivery<F, A, M>>,
    next_sequence: u64,
    supervisor: DynamicSupervisor<F, A>,
    children: Processes<ChildProcess<M>>,
    next_pid: u64,
    next_attempt: u64,
    next_call: u64,
    spawner: S,
    trace: Vec<TraceEntry>,
    supervisor_events: Vec<(Instant, Event)>,
    replies: Replies,
    timeout_scheduled: Option<Instant>,
    failed_restarts: BTreeMap<Pid, u64>,
    deliveries: u64,
    limits: SimLimits,
    error: Option<SimError>,
    checker: Option<Box<dyn Checker<F, A>>>,
}

impl<F: Clone, A: Clone, M, S: Spawner<F, A, M>> Simulation<F, A, M, S> {
    /// A simulation at virtual time zero of a supervisor with `config`.
    pub fn new(config: Config<A>, spawner: S) -> Self {
        Self::with_limits(config, spawner, SimLimits::default())
    }

    /// The same, with explicit limits.
    pub fn with_limits(config: Config<A>, spawner: S, limits: SimLimits) -> Self {
        Simulation {
            now: Instant::ZERO,
            queue: Queue::new(),
            next_sequence: 0,
            supervisor: DynamicSupervisor::new(config),
            children: Processes::new(),
            next_pid: 1,
            next_attempt: 0,
            next_call: 0,
            spawner,
            trace: Vec::new(),
            supervisor_events: Vec::new(),
            replies: Replies::new(),
            timeout_scheduled: None,
            failed_restarts: BTreeMap::new(),
            deliveries: 0,
            limits,
            error: None,
            checker: None,
        }
    }

    /// Runs `checker` after every delivery from now on (and once more at rest).
    pub fn set_checker(&mut self, checker: Box<dyn Checker<F, A>>) {
        self.checker = Some(checker);
    }

    // ----- observation ----------------------------------------------------------------

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The supervisor core, for inspection.
    pub fn supervisor(&self) -> &DynamicSupervisor<F, A> {
        &self.supervisor
    }

    /// The spawner, for inspection.
    pub fn spawner(&self) -> &S {
        &self.spawner
    }

    /// Everything observable so far.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// The supervisor's report events so far, with their times.
    pub fn supervisor_events(&self) -> &[(Instant, Event)] {
        &self.supervisor_events
    }

    /// Whether the child process `pid` is alive.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.children.contains(pid)
    }

    /// The live child processes, in pid order.
    pub fn live_children(&self) -> Vec<Pid> {
        self.children.iter_pids().collect()
    }

    /// Whether anything is still in flight.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }

    /// The time of the next delivery, if any.
    pub fn next_due(&self) -> Option<Instant> {
        self.queue.first_key().map(|(at, _, _)| at)
    }

    // ----- the client's calls ---------------------------------------------------------

    fn new_call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    /// Sends `start_child(spec)`. An invalid spec is refused here, as OTP refuses it in the
    /// caller; otherwise the answer arrives as a [`Reply`] under the returned id.
    pub fn start_child(&mut self, spec: ChildSpec<F, A>) -> Result<CallId, SpecError> {
        let spec = spec.validate()?;
        let call = self.new_call();
        self.send_call(ClientCall::StartChild(call, spec));
        Ok(call)
    }

    /// Sends `terminate_child(pid)`.
    pub fn terminate_child(&mut self, pid: Pid) -> CallId {
        let call = self.new_call();
        self.send_call(ClientCall::TerminateChild(call, pid));
        call
    }

    /// Sends `which_children()`.
    pub fn which_children(&mut self) -> CallId {
        let call = self.new_call();
        self.send_call(ClientCall::WhichChildren(call));
        call
    }

    /// Sends `count_children()`.
    pub fn count_children(&mut self) -> CallId {
        let call = self.new_call();
        self.send_call(ClientCall::CountChildren(call));
        call
    }

    /// Sends `DynamicSupervisor.stop(sup, reason)`.
    pub fn stop(&mut self, reason: ExitReason) -> CallId {
        let call = self.new_call();
        self.send_call(ClientCall::Stop(call, reason));
        call
    }

    /// The parent exits with `reason` (its exit signal reaches the supervisor's mailbox).
    pub fn parent_exit(&mut self, reason: ExitReason) {
        self.schedule(self.now, Delivery::ParentExit { reason });
    }

    /// The child `pid` exits by itself with `reason`, now. Returns whether it was alive.
    pub fn exit_child(&mut self, pid: Pid, reason: ExitReason) -> bool {
        self.die(pid, reason)
    }

    /// The child `pid` is killed from outside, now. Returns whether it was alive.
    pub fn kill_child(&mut self, pid: Pid) -> bool {
        self.die(pid, ExitReason::Killed)
    }

    /// Sends `message` to the child `pid`. Returns whether it was alive when sent.
    pub fn send(&mut self, pid: Pid, message: M) -> bool {
        let alive = self.is_alive(pid);
        if alive {
            self.schedule(self.now, Delivery::Message { pid, message });
        }
        alive
    }

    /// Takes the reply to `call`, if it has arrived.
    pub fn take_reply(&mut self, call: CallId) -> Option<Reply> {
        self.replies.remove(call)
    }

    /// Runs until the reply to `call` arrives and returns it.
    pub fn wait_reply(&mut self, call: CallId) -> Result<Reply, SimError> {
        loop {
            if let Some(reply) = self.take_reply(call) {
                return Ok(reply);
            }
            if !self.step()? {
                return Err(self.stuck_error());
            }
        }
    }

    fn send_call(&mut self, call: ClientCall<F, A>) {
        self.schedule(self.now, Delivery::Call(call));
    }

    // ----- running ---------------------------------------------------------------------

    /// Delivers the next due message, moving the clock to its time. Returns `false` when
    /// nothing is in flight.
    pub fn step(&mut self) -> Result<bool, SimError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let Some(((at, _, _), delivery)) = self.queue.pop_first() else {
            return Ok(false);
        };
        self.deliveries += 1;
        if self.deliveries > self.limits.deliveries_max {
            return Err(self.fail(SimError::StepLimit {
                limit: self.limits.deliveries_max,
            }));
        }
        self.now = self.now.max(at);
        self.deliver(delivery)?;
        self.run_checker()?;
        Ok(true)
    }

    /// Delivers everything due up to `until` and moves the clock there.
    pub fn run_until(&mut self, until: Instant) -> Result<(), SimError> {
        // The clock never goes back: a step written for an earlier time runs now.
        let until = until.max(self.now);
        while self.next_due().is_some_and(|at| at <= until) {
            self.step()?;
        }
        self.now = self.now.max(until);
        Ok(())
    }

    /// Moves the clock to `until`, then lets the supervisor finish what it is in the middle of
    /// (a termination that waits for its children), and delivers everything due by then.
    pub fn settle(&mut self, until: Instant) -> Result<(), SimError> {
        self.run_until(until)?;
        while self.supervisor.view().is_blocked() {
            if !self.step()? {
                return Err(self.stuck_error());
            }
            self.run_until(self.now)?;
        }
        Ok(())
    }

    /// Runs until nothing more is in flight.
    pub fn run_to_quiescence(&mut self) -> Result<(), SimError> {
        while self.step()? {}
        if self.supervisor.view().is_blocked() {
            return Err(self.stuck_error());
        }
        self.run_checker()
    }

    fn run_checker(&mut self) -> Result<(), SimError> {
        let Some(mut checker) = self.checker.take() else {
            return Ok(());
        };
        let view = View {
            now: self.now,
            supervisor: &self.supervisor,
            trace: &self.trace,
            events: &self.supervisor_events,
            live: &self.children,
            at_rest: self.queue.is_empty(),
        };
        let verdict = checker.check(&view);
        self.checker = Some(checker);
        verdict.map_err(|violation| self.fail(SimError::Violation(violation)))
    }

    fn stuck_error(&mut self) -> SimError {
        let pid = self
            .supervisor
            .view()
            .running_pids()
            .into_iter()
            .find(|&pid| self.children.contains(pid))
            .unwrap_or(Pid(0));
        self.fail(SimError::WaitsForever { pid })
    }

    fn fail(&mut self, err: SimError) -> SimError {
        self.error = Some(err.clone());
        err
    }

    fn schedule(&mut self, at: Instant, delivery: Delivery<F, A, M>) {
        self.next_sequence += 1;
        let tie = match delivery {
            Delivery::ChildStops { .. } => Tie::AfterSignalTravel,
            _ => Tie::Now,
        };
        self.queue.push((at, tie, self.next_sequence), delivery);
    }

    fn deliver(&mut self, delivery: Delivery<F, A, M>) -> Result<(), SimError> {
        let now = self.now;
        match delivery {
            Delivery::Call(call) => match call {
                // Validated when sent, as OTP validates in the caller.
                ClientCall::StartChild(call, spec) => {
                    self.supervisor.start_child(now, call, spec)?
                }
                ClientCall::TerminateChild(call, pid) => {
                    self.supervisor.terminate_child(now, call, pid)?
                }
                ClientCall::WhichChildren(call) => self.supervisor.which_children(now, call)?,
                ClientCall::CountChildren(call) => self.supervisor.count_children(now, call)?,
                ClientCall::Stop(call, reason) => self.supervisor.stop(now, call, reason)?,
            },
            Delivery::ChildExit { pid, reason } => {
                self.supervisor.handle_child_exit(now, pid, reason)?
            }
            Delivery::ParentExit { reason } => self.supervisor.handle_parent_exit(now, reason)?,
            Delivery::SupervisorTimeout => {
                self.timeout_scheduled = None;
                self.supervisor.handle_timeout(now)?;
            }
            Delivery::ChildStops { pid, reason } => {
                self.die(pid, reason);
            }
            Delivery::Message { pid, message } => {
                if let Some(child) = self.children.get_mut(pid) {
                    if let Next::Stop(reason) = child.worker.handle_message(message) {
                        self.die(pid, reason);
                    }
                }
            }
        }
        self.drain()
    }

    /// Performs every effect the supervisor asked for, in order, and records its events.
    fn drain(&mut self) -> Result<(), SimError> {
        loop {
            while let Some(event) = self.supervisor.poll_event() {
                self.note_event(&event)?;
                self.supervisor_events.push((self.now, event));
            }
            let Some(effect) = self.supervisor.poll_effect() else {
                break;
            };
            self.perform(effect)?;
        }
        if let Some(deadline) = self.supervisor.poll_timeout() {
            if self.timeout_scheduled != Some(deadline) {
                self.timeout_scheduled = Some(deadline);
                self.schedule(deadline, Delivery::SupervisorTimeout);
            }
        }
        Ok(())
    }

    fn note_event(&mut self, event: &Event) -> Result<(), SimError> {
        match event {
            Event::RestartFailed { old, .. } => {
                let attempts = self.failed_restarts.entry(*old).or_insert(0);
                *attempts += 1;
                if *attempts > self.limits.failed_restarts_max {
                    let err = SimError::RestartLoop {
                        pid: *old,
                        attempts: *attempts,
                    };
                    return Err(self.fail(err));
                }
            }
            Event::ChildRestarted { old, .. }
            | Event::RestartIgnored { old }
            | Event::ChildTerminated { pid: old } => {
                self.failed_restarts.remove(old);
            }
            Event::SupervisorDown { .. } => self.failed_restarts.clear(),
            _ => {}
        }
        Ok(())
    }

    fn perform(&mut self, effect: Effect<F, A>) -> Result<(), SimError> {
        let now = self.now;
        match effect {
            Effect::Start { function, args, .. } => {
                let attempt = self.next_attempt;
                self.next_attempt += 1;
                let mut worker = self.spawner.spawn(&function, &args);
                let outcome = match worker.init() {
                    Init::Ok => {
                        let pid = Pid(self.next_pid);
                        self.next_pid += 1;
                        self.children.insert(
                            pid,
                            ChildProcess {
                                worker,
                                stopping: false,
                            },
                        );
                        self.record(TraceEvent::Up { attempt, pid });
                        StartOutcome::Started { pid, info: None }
                    }
                    Init::Ignore => {
                        self.record(TraceEvent::Ignored { attempt });
                        StartOutcome::Ignore
                    }
                    Init::Stop(reason) => {
                        self.record(TraceEvent::Failed {
                            attempt,
                            reason: reason.clone(),
                        });
                        StartOutcome::Failed(reason)
                    }
                };
                self.supervisor.handle_start_result(now, outcome)?;
            }
            Effect::Shutdown { pid } => {
                self.record(TraceEvent::Signalled { pid, kill: false });
                self.ask_to_shut_down(pid);
            }
            Effect::Kill { pid } => {
                self.record(TraceEvent::Signalled { pid, kill: true });
                self.die(pid, ExitReason::Killed);
            }
            Effect::Reply { call, reply } => {
                self.replies.insert(call, reply);
            }
            Effect::Exit { reason } => self.record(TraceEvent::SupervisorDown { reason }),
        }
        Ok(())
    }

    /// The exit signal `shutdown` reaches the child `pid`.
    fn ask_to_shut_down(&mut self, pid: Pid) {
        let Some(child) = self.children.get_mut(pid) else {
            return;
        };
        if !child.worker.traps_exits() {
            self.die(pid, ExitReason::Shutdown);
            return;
        }
        if child.stopping {
            return;
        }
        child.stopping = true;
        match child.worker.terminate(&ExitReason::Shutdown) {
            Termination::Exit(reason) => {
                self.die(pid, reason);
            }
            Termination::ExitAfter { millis, reason } => {
                let at = self.now.saturating_add_millis(millis);
                self.schedule(at, Delivery::ChildStops { pid, reason });
            }
            Termination::Hang => {}
        }
    }

    /// The child `pid` ends with `reason`: monitors see it now, and its exit signal goes to
    /// the supervisor. Returns whether it was alive.
    fn die(&mut self, pid: Pid, reason: ExitReason) -> bool {
        if self.children.remove(pid).is_none() {
            return false;
        }
        self.record(TraceEvent::Down {
            pid,
            reason: reason.clone(),
        });
        self.schedule(self.now, Delivery::ChildExit { pid, reason });
        true
    }

    fn record(&mut self, event: TraceEvent) {
        self.trace.push(TraceEntry {
            at: self.now,
            event,
        });
    }
}
