//! The deterministic simulator: one supervisor, its child processes and a client, driven by a
//! single-threaded scheduler over virtual time.
//!
//! Every message between processes (calls, exit signals, timer expiries, worker messages and
//! calls) is a delivery in one queue ordered by (time, tie class, sequence number), so
//! messages sent at the same instant arrive in the order they were sent, and the clock jumps
//! straight to the next due delivery. A child's start runs inside the supervisor and takes no
//! virtual time. The supervisor is driven through [`dynsup::driver::Host`] and each child
//! through [`dynsup::driver::Process`], exactly as on the runtimes, so a panic in a worker is
//! an exit with reason `panic` here too. Nothing reads a wall clock and nothing is random: the
//! same calls give the same trace, byte for byte.
//!
//! A [`Simulation`] takes a [`Config`] and a [`Spawner`] (any `Fn(&F, &[A]) -> worker`, as for the
//! threaded runtime); the client's calls return a [`CallId`] whose reply arrives once the
//! simulation has run far enough. See [`Simulation`] for a worker with timers and calls.
//!
//! ```
//! use dynsup::{BoxedWorker, ChildSpec, Context, ExitReason, Init, Instant, Options, Reply, Worker};
//! use dynsup_sim::simulation::Simulation;
//!
//! struct Idle;
//! impl Worker for Idle {
//!     type Message = ();
//!     type Call = ();
//!     type Reply = ();
//!     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
//!         Init::Ok
//!     }
//! }
//!
//! let spawner = |_: &&str, _: &[()]| -> BoxedWorker<(), (), ()> { Box::new(Idle) };
//! let mut sim = Simulation::new(Options::default().validate().unwrap(), spawner);
//! let call = sim.start_child(ChildSpec::new("idle", vec![])).unwrap();
//! assert!(matches!(sim.wait_reply(call).unwrap(), Reply::StartChild(Ok(_))));
//! let pid = sim.newest_child().unwrap();
//! sim.run_until(Instant::from_millis(1_000)).unwrap();
//! sim.exit_child(pid, ExitReason::other("boom"));
//! sim.run_to_quiescence().unwrap();
//! // The permanent child was restarted at t = 1 s of virtual time.
//! assert_eq!(sim.now(), Instant::from_millis(1_000));
//! assert_ne!(sim.newest_child(), Some(pid));
//! assert!(!sim.trace().is_empty());
//! ```

mod checker;
mod error;
mod processes;
pub(crate) mod queue;
mod reorder;
mod trace;

pub use checker::{Checker, LiveChildren, View, Violation};
pub use error::SimError;
pub use trace::{SpecSeen, TraceEntry, TraceEvent};

use std::collections::{BTreeMap, BTreeSet};

use processes::Processes;
use queue::Queue;

use dynsup::driver::{Action, Calls, Host, Process, Request, ShutdownOutcome, Spawner};
use dynsup::{
    CallError, CallId, ChildSpec, Config, DynamicSupervisor, Event, ExitReason, Init, Instant, Pid,
    Reply, SpecError, StartError, Started, Worker,
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

/// How long a trapping worker's cleanup takes in virtual time, once its
/// [`terminate`](dynsup::Worker::terminate) has run. A simulator setting (or a fault), never
/// part of the Worker API: on a runtime the cleanup takes the time it really takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cleanup {
    /// The process exits this many milliseconds after the shutdown signal arrived.
    After(u64),
    /// It never exits by itself: only a kill ends it.
    Never,
}

/// What the simulator keeps of what it observed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum History {
    /// The whole trace and every supervisor event (for runners, replays and tests).
    #[default]
    Keep,
    /// Only what the checker has not seen yet: memory stays flat over long runs.
    Drop,
}

/// Decides each trapping worker's [`Cleanup`] when its shutdown begins.
pub type CleanupTime<W> = Box<dyn FnMut(Pid, &W) -> Cleanup>;

/// Picks which of `n` deliveries due at the same instant (each the oldest of its
/// sender-receiver pair) arrives first: an index below `n`. See
/// [`Simulation::set_same_instant_order`].
pub type SameInstantOrder = Box<dyn FnMut(usize) -> usize>;

/// Decides, for the restart of the child that was `old`, whether its `init` is replaced by a
/// forced outcome (`Some(Init::Stop(..))` or `Some(Init::Ignore)`): a fault. `None` runs the
/// worker's own `init`. See [`Simulation::set_restart_init`].
pub type RestartInit = Box<dyn FnMut(Pid) -> Option<Init>>;

/// How deliveries due at the same instant are ordered beyond their sequence number.
///
/// A trapping child starts its shutdown work when the signal *arrives*, a moment after the
/// supervisor started the kill timer. So when the work takes exactly the shutdown timeout, the
/// kill wins, as on the BEAM (a tie is `killed`, docs/semantics.md §8): the end of a child's
/// shutdown work comes after everything else due at that instant. Unless the child got a head
/// start ([`dynsup::SupervisorView::shutdown_head_start`]): signalled before the supervisor,
/// in the same pass, waited for a gone child's `DOWN`, it began its work before the kill timer
/// started, so its end comes before everything else due at that instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tie {
    /// The end of the shutdown work of a trapping child that got a head start.
    HeadStart,
    /// Ordinary deliveries, in the order they were sent.
    Now,
    /// The end of a trapping child's shutdown work.
    AfterSignalTravel,
}

/// Something in flight between processes.
enum Delivery<F, A, W: Worker + ?Sized> {
    /// A client's call reaches the supervisor's mailbox.
    Call(CallId, Request<F, A>),
    /// A child's exit signal reaches the supervisor.
    ChildExit { pid: Pid, reason: ExitReason },
    /// The parent's exit signal reaches the supervisor.
    ParentExit { reason: ExitReason },
    /// The supervisor's next kill deadline.
    SupervisorTimeout,
    /// A trapping child finishes its shutdown cleanup (begun with a head start or not).
    ChildStops {
        pid: Pid,
        reason: ExitReason,
        head_start: bool,
    },
    /// A message reaches a child.
    Message { pid: Pid, message: W::Message },
    /// A client's call reaches a child.
    WorkerCall {
        pid: Pid,
        call: CallId,
        request: W::Call,
    },
    /// The client gives up waiting for the reply to `call`.
    CallTimeout { call: CallId },
    /// A child's earliest timer may be due.
    Timer { pid: Pid },
}

/// The queue of deliveries, ordered by (time, tie class, sequence number).
type Deliveries<F, A, W> = Queue<(Instant, Tie, u64), Delivery<F, A, W>>;

/// A live child process and the time its timer delivery is scheduled for ([`NO_TIMER`]: none).
struct Child<W: Worker + ?Sized> {
    process: Process<W>,
    timer_scheduled: Instant,
}

/// No timer delivery is scheduled (a timer at the end of time never fires anyway).
const NO_TIMER: Instant = Instant::from_millis(u64::MAX);

/// A simulated DynamicSupervisor with its children, in virtual time.
///
/// `F`/`A` are the core's start-function and argument types, and `S` the [`Spawner`] that
/// makes a worker for each start attempt (the same spawner a runtime takes).
///
/// # Example: one worker, one spawner, the simulator and the threaded runtime
///
/// A session worker with a timer (it expires after 30 s without a ping) and a call (how many
/// pings it saw), run by the same spawner in virtual time and on real threads:
///
/// ```
/// use std::time::Duration;
///
/// use dynsup::runtime::Supervisor;
/// use dynsup::{Answer, BoxedWorker, ChildSpec, Context, ExitReason, Init, Next, Options};
/// use dynsup::{Reply, Restart, Started, TimerRef, Worker};
/// use dynsup_sim::simulation::Simulation;
///
/// enum Msg { Ping, Expire }
///
/// struct Session { pings: u64, expiry: Option<TimerRef> }
///
/// impl Worker for Session {
///     type Message = Msg;
///     type Call = ();
///     type Reply = u64;
///     fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
///         self.expiry = Some(ctx.send_after(30_000, Msg::Expire));
///         Init::Ok
///     }
///     fn handle_message(&mut self, msg: Msg, ctx: &mut Context<Msg>) -> Next {
///         match msg {
///             Msg::Ping => {
///                 self.pings += 1;
///                 if let Some(timer) = self.expiry.take() {
///                     ctx.cancel_timer(timer);
///                 }
///                 self.expiry = Some(ctx.send_after(30_000, Msg::Expire));
///                 Next::Continue
///             }
///             Msg::Expire => Next::Stop(ExitReason::Normal),
///         }
///     }
///     fn handle_call(&mut self, (): (), _ctx: &mut Context<Msg>) -> Answer<u64> {
///         Answer::Reply(self.pings)
///     }
/// }
///
/// let spawner = |_: &&str, _: &[()]| -> BoxedWorker<Msg, (), u64> {
///     Box::new(Session { pings: 0, expiry: None })
/// };
/// let spec = || ChildSpec::new("session", vec![]).restart(Restart::Transient);
///
/// // In the simulator: virtual time, deterministic.
/// let mut sim = Simulation::new(Options::default().validate().unwrap(), spawner);
/// let call = sim.start_child(spec()).unwrap();
/// let Reply::StartChild(Ok(Started::Running { pid, .. })) = sim.wait_reply(call).unwrap() else {
///     panic!("not started")
/// };
/// sim.send(pid, Msg::Ping);
/// let pings = sim.call(pid, (), 5_000);
/// assert_eq!(sim.wait_call(pings).unwrap(), Ok(1));
/// sim.run_until(dynsup::Instant::from_millis(29_000)).unwrap();
/// assert!(sim.is_alive(pid));
/// sim.run_until(dynsup::Instant::from_millis(31_000)).unwrap();
/// assert!(!sim.is_alive(pid), "expired 30 s after its last ping (virtual time)");
///
/// // On real threads, with the same spawner.
/// let sup = Supervisor::start_link(Options::default(), spawner).unwrap();
/// let Ok(Started::Running { pid, .. }) = sup.start_child(spec()) else { panic!() };
/// assert!(sup.send(pid, Msg::Ping));
/// assert_eq!(sup.call(pid, (), Some(Duration::from_secs(5))), Ok(1));
/// sup.stop(ExitReason::Normal, None).unwrap();
/// ```
pub struct Simulation<F, A, S: Spawner<F, A>> {
    now: Instant,
    queue: Deliveries<F, A, S::Worker>,
    next_sequence: u64,
    host: Host<F, A, CallId>,
    children: Processes<Child<S::Worker>>,
    next_call: u64,
    spawner: S,
    cleanup: Option<CleanupTime<S::Worker>>,
    trace: Vec<TraceEntry>,
    supervisor_events: Vec<(Instant, Event)>,
    /// How much of the trace and of the events the checker has seen.
    checked: (usize, usize),
    history: History,
    /// Whether what the current delivery makes observable is recorded: not in no-history mode
    /// with no checker, where nobody could ever read it (it would be dropped at the end of
    /// the delivery).
    recording: bool,
    replies: Calls<Reply>,
    worker_replies: Calls<Result<<S::Worker as Worker>::Reply, CallError>>,
    /// Worker calls whose caller still waits (neither answered nor timed out).
    calls_waiting: BTreeSet<CallId>,
    timeout_scheduled: Option<Instant>,
    failed_restarts: BTreeMap<Pid, u64>,
    deliveries: u64,
    limits: SimLimits,
    error: Option<SimError>,
    checker: Option<Box<dyn Checker<F, A>>>,
    /// How deliveries due at the same instant are ordered (`None`: in the order sent).
    same_instant: Option<SameInstantOrder>,
    /// Forced outcomes of restarts' `init` (`None`: the worker's own).
    restart_init: Option<RestartInit>,
}

impl<F: Clone, A: Clone, S: Spawner<F, A>> Simulation<F, A, S> {
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
            host: Host::new(DynamicSupervisor::new(config)),
            children: Processes::new(),
            next_call: 0,
            spawner,
            cleanup: None,
            trace: Vec::new(),
            supervisor_events: Vec::new(),
            checked: (0, 0),
            history: History::Keep,
            recording: true,
            replies: Calls::new(),
            worker_replies: Calls::new(),
            calls_waiting: BTreeSet::new(),
            timeout_scheduled: None,
            failed_restarts: BTreeMap::new(),
            deliveries: 0,
            limits,
            error: None,
            checker: None,
            same_instant: None,
            restart_init: None,
        }
    }

    /// Plants `defect` in the supervisor core: for the harness's own tests, never for
    /// production.
    #[cfg(feature = "planted-defects")]
    pub fn plant_core_defect(&mut self, defect: dynsup::CoreDefect) {
        self.host.plant_core_defect(defect);
    }

    /// Runs `checker` after every delivery from now on (and once more at rest).
    pub fn set_checker(&mut self, checker: Box<dyn Checker<F, A>>) {
        self.checker = Some(checker);
    }

    /// Whether the trace and the supervisor's events are kept ([`History::Keep`], the default)
    /// or dropped once the checker has seen them ([`History::Drop`], for bulk runs and
    /// benchmarks: memory stays flat, every checker still runs).
    pub fn set_history(&mut self, history: History) {
        self.history = history;
    }

    /// Decides how long each trapping worker's cleanup takes in virtual time (by default
    /// [`Cleanup::After`]`(0)`: it exits as soon as its `terminate` returns).
    pub fn set_cleanup_time(&mut self, cleanup: CleanupTime<S::Worker>) {
        self.cleanup = Some(cleanup);
    }

    /// Lets `order` choose among the deliveries due at the same instant, instead of taking
    /// them in the order they were sent. Only the BEAM's guarantee is kept: messages between
    /// one sender and one receiver arrive in the order sent, so `order` is asked only when
    /// more than one sender-receiver pair has a delivery due (and only the oldest of each
    /// pair is offered). A trapping child's end of cleanup still comes after everything else
    /// due at its instant (a tie is a kill, docs/semantics.md §8), or before everything else
    /// when it got a head start. By default (never set)
    /// deliveries are taken in the order sent, as every golden transcript expects.
    pub fn set_same_instant_order(&mut self, order: SameInstantOrder) {
        self.same_instant = Some(order);
    }

    /// Lets `decide` replace the `init` of every restart by a forced outcome (a failing or an
    /// ignoring `init`), for fault injection. The spawner still makes the worker for that
    /// attempt (one spawn per attempt, as always); its `init` is not run when the outcome is
    /// forced.
    pub fn set_restart_init(&mut self, decide: RestartInit) {
        self.restart_init = Some(decide);
    }

    // ----- observation ----------------------------------------------------------------

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The supervisor core, for inspection.
    pub fn supervisor(&self) -> &DynamicSupervisor<F, A> {
        self.host.core()
    }

    /// The spawner, for inspection.
    pub fn spawner(&self) -> &S {
        &self.spawner
    }

    /// The worker of the live child `pid`, to look at its state.
    pub fn worker(&self, pid: Pid) -> Option<&S::Worker> {
        self.children.get(pid).map(|child| child.process.worker())
    }

    /// Everything observable so far (with [`History::Drop`]: since the last delivery).
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

    /// The live child process with the highest pid (the newest, since pids increase), in O(1).
    pub fn newest_child(&self) -> Option<Pid> {
        self.children.newest()
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

    fn send_call(&mut self, request: Request<F, A>) -> CallId {
        let call = self.new_call();
        self.schedule(self.now, Delivery::Call(call, request));
        call
    }

    /// Sends `start_child(spec)`. An invalid spec is refused here, as OTP refuses it in the
    /// caller; otherwise the answer arrives as a [`Reply`] under the returned id.
    pub fn start_child(&mut self, spec: ChildSpec<F, A>) -> Result<CallId, SpecError> {
        let spec = spec.validate()?;
        Ok(self.send_call(Request::StartChild(spec)))
    }

    /// Sends `terminate_child(pid)`.
    pub fn terminate_child(&mut self, pid: Pid) -> CallId {
        self.send_call(Request::TerminateChild(pid))
    }

    /// Sends `which_children()`.
    pub fn which_children(&mut self) -> CallId {
        self.send_call(Request::WhichChildren)
    }

    /// Sends `count_children()`.
    pub fn count_children(&mut self) -> CallId {
        self.send_call(Request::CountChildren)
    }

    /// Sends `DynamicSupervisor.stop(sup, reason)`.
    pub fn stop(&mut self, reason: ExitReason) -> CallId {
        self.send_call(Request::Stop(reason))
    }

    /// Suspends the supervisor (`:sys.suspend/1`, docs/races.md): from now on every call and
    /// every child's exit that reaches it waits in its mailbox, in arrival order, until
    /// [`resume`](Self::resume); its children keep running, and its parent's exit signal
    /// still acts at once. Returns `false` when the supervisor is down.
    pub fn suspend(&mut self) -> bool {
        let suspended = self.host.suspend();
        if suspended {
            self.record(TraceEvent::Suspended);
        }
        suspended
    }

    /// Resumes the supervisor (`:sys.resume/1`): it handles what waits in its mailbox, in
    /// order, now (a failed restart's retry goes behind them). Returns `Ok(false)` when the
    /// supervisor is down.
    pub fn resume(&mut self) -> Result<bool, SimError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let resumed = self
            .host
            .resume(self.now)
            .map_err(|err| self.fail(err.into()))?;
        if resumed {
            self.record(TraceEvent::Resumed);
        }
        self.drain().map_err(|err| self.fail(err))?;
        self.run_checker()?;
        Ok(resumed)
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
    pub fn send(&mut self, pid: Pid, message: <S::Worker as Worker>::Message) -> bool {
        let alive = self.is_alive(pid);
        if alive {
            self.schedule(self.now, Delivery::Message { pid, message });
        }
        alive
    }

    /// Calls the child `pid` with `request` (GenServer's `call`); the answer, or the
    /// [`CallError`] after `timeout_ms` of virtual time, arrives under the returned id (see
    /// [`wait_call`](Self::wait_call)).
    pub fn call(
        &mut self,
        pid: Pid,
        request: <S::Worker as Worker>::Call,
        timeout_ms: u64,
    ) -> CallId {
        let call = self.new_call();
        self.calls_waiting.insert(call);
        self.schedule(self.now, Delivery::WorkerCall { pid, call, request });
        let deadline = self.now.saturating_add_millis(timeout_ms);
        self.schedule(deadline, Delivery::CallTimeout { call });
        call
    }

    /// Runs until the answer to the worker call `call` arrives and returns it.
    pub fn wait_call(
        &mut self,
        call: CallId,
    ) -> Result<Result<<S::Worker as Worker>::Reply, CallError>, SimError> {
        loop {
            if let Some(answer) = self.worker_replies.remove(call) {
                return Ok(answer);
            }
            if !self.step()? {
                return Err(self.stuck_error());
            }
        }
    }

    /// Takes the answer to the worker call `call`, if it has arrived (without running
    /// anything; [`wait_call`](Self::wait_call) runs until it does).
    pub fn take_call(
        &mut self,
        call: CallId,
    ) -> Option<Result<<S::Worker as Worker>::Reply, CallError>> {
        self.worker_replies.remove(call)
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

    // ----- running ---------------------------------------------------------------------

    /// Delivers the next due message, moving the clock to its time. Returns `false` when
    /// nothing is in flight.
    pub fn step(&mut self) -> Result<bool, SimError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let Some(((at, _, _), delivery)) = self.next_delivery() else {
            return Ok(false);
        };
        self.deliveries += 1;
        if self.deliveries > self.limits.deliveries_max {
            return Err(self.fail(SimError::StepLimit {
                limit: self.limits.deliveries_max,
            }));
        }
        self.now = self.now.max(at);
        self.recording = self.history == History::Keep || self.checker.is_some();
        let delivered = self.deliver(delivery);
        self.recording = true;
        delivered.map_err(|err| self.fail(err))?;
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
        while self.host.view().is_blocked() {
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
        if self.host.view().is_blocked() {
            return Err(self.stuck_error());
        }
        self.run_checker()
    }

    fn run_checker(&mut self) -> Result<(), SimError> {
        let verdict = match self.checker.take() {
            None => Ok(()),
            Some(mut checker) => {
                let view = View {
                    now: self.now,
                    supervisor: self.host.core(),
                    trace: self.trace.get(self.checked.0..).unwrap_or(&[]),
                    events: self.supervisor_events.get(self.checked.1..).unwrap_or(&[]),
                    live: &self.children,
                    at_rest: self.queue.is_empty() && !self.holding(),
                };
                let verdict = checker.check(&view);
                self.checker = Some(checker);
                verdict
            }
        };
        self.checked = (self.trace.len(), self.supervisor_events.len());
        if self.history == History::Drop {
            self.trace.clear();
            self.supervisor_events.clear();
            self.checked = (0, 0);
        }
        verdict.map_err(|violation| self.fail(SimError::Violation(violation)))
    }

    /// Whether a suspended supervisor holds messages in its mailbox: the simulation is then
    /// not at rest, whatever is in flight (what waits is handled once it is resumed).
    fn holding(&self) -> bool {
        let sup = self.host.view();
        sup.is_suspended() && sup.mailbox_len() > 0
    }

    fn stuck_error(&mut self) -> SimError {
        let pid = self
            .host
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

    fn schedule(&mut self, at: Instant, delivery: Delivery<F, A, S::Worker>) {
        self.next_sequence += 1;
        let tie = match delivery {
            Delivery::ChildStops {
                head_start: true, ..
            } => Tie::HeadStart,
            Delivery::ChildStops { .. } => Tie::AfterSignalTravel,
            _ => Tie::Now,
        };
        self.queue.push((at, tie, self.next_sequence), delivery);
    }

    fn deliver(&mut self, delivery: Delivery<F, A, S::Worker>) -> Result<(), SimError> {
        let now = self.now;
        match delivery {
            Delivery::Call(call, request) => {
                if let Request::StartChild(spec) = &request {
                    let spec = SpecSeen {
                        restart: spec.restart(),
                        shutdown: spec.shutdown(),
                        child_type: spec.child_type(),
                    };
                    self.record(TraceEvent::StartRequested { call, spec });
                }
                if let Request::TerminateChild(pid) = &request {
                    let pid = *pid;
                    self.record(TraceEvent::TerminateRequested { call, pid });
                }
                self.host.call(now, request, call)?;
            }
            Delivery::ChildExit { pid, reason } => {
                self.record(TraceEvent::ExitArrived {
                    pid,
                    reason: reason.clone(),
                });
                self.host.child_exited(now, pid, reason)?;
            }
            Delivery::ParentExit { reason } => {
                self.record(TraceEvent::ParentExitArrived {
                    reason: reason.clone(),
                });
                self.host.parent_exited(now, reason)?;
            }
            Delivery::SupervisorTimeout => {
                self.timeout_scheduled = None;
                self.host.timeout(now)?;
            }
            Delivery::ChildStops { pid, reason, .. } => {
                self.die(pid, reason);
            }
            Delivery::Message { pid, message } => {
                if let Some(child) = self.children.get_mut(pid) {
                    let ended = child.process.handle_message(now, message);
                    self.after_callback(pid, ended);
                }
            }
            Delivery::WorkerCall { pid, call, request } => {
                let answer = match self.children.get_mut(pid) {
                    None => Err(CallError::NoProc),
                    Some(child) => {
                        let (reply, ended) = child.process.handle_call(now, request);
                        let answer = match (reply, &ended) {
                            (Some(reply), _) => Ok(reply),
                            (None, Some(reason)) => Err(CallError::Exited(reason.clone())),
                            (None, None) => Err(CallError::Exited(ExitReason::Normal)),
                        };
                        self.after_callback(pid, ended);
                        answer
                    }
                };
                // After its timeout the caller no longer waits: a late answer is dropped.
                if self.calls_waiting.remove(&call) {
                    self.worker_replies.insert(call, answer);
                }
            }
            Delivery::CallTimeout { call } => {
                if self.calls_waiting.remove(&call) {
                    self.worker_replies.insert(call, Err(CallError::Timeout));
                }
            }
            Delivery::Timer { pid } => {
                if let Some(child) = self.children.get_mut(pid) {
                    child.timer_scheduled = NO_TIMER;
                    let ended = child.process.fire_timers(now);
                    self.after_callback(pid, ended);
                }
            }
        }
        self.drain()
    }

    /// After a callback of child `pid`: it ends with `ended`, or its next timer is scheduled.
    fn after_callback(&mut self, pid: Pid, ended: Option<ExitReason>) {
        if let Some(reason) = ended {
            self.die(pid, reason);
            return;
        }
        let Some(child) = self.children.get_mut(pid) else {
            return;
        };
        let Some(at) = child.process.next_timer() else {
            return;
        };
        if child.timer_scheduled <= at {
            return;
        }
        child.timer_scheduled = at;
        self.schedule(at, Delivery::Timer { pid });
    }

    /// Performs every action the supervisor asked for, in order, and records its events.
    fn drain(&mut self) -> Result<(), SimError> {
        let now = self.now;
        while let Some(action) = self.host.poll_action() {
            match action {
                Action::Event(event) => {
                    self.note_event(&event)?;
                    if self.recording {
                        self.supervisor_events.push((now, event));
                    }
                }
                Action::Start {
                    start,
                    function,
                    args,
                    restart_of,
                } => {
                    let attempt = start.attempt;
                    self.record(TraceEvent::Spawned {
                        attempt,
                        pid: start.pid,
                        restart_of,
                    });
                    let spawned =
                        Process::spawn(&mut self.spawner, &function, &args, start.pid, now);
                    let forced = match (restart_of, self.restart_init.as_mut()) {
                        (Some(old), Some(decide)) => decide(old),
                        _ => None,
                    };
                    let init = match spawned {
                        Ok(mut process) => {
                            let init = forced.unwrap_or_else(|| process.init(now));
                            if init == Init::Ok {
                                let child = Child {
                                    process,
                                    timer_scheduled: NO_TIMER,
                                };
                                self.children.insert(start.pid, child);
                                self.record(TraceEvent::Up {
                                    attempt,
                                    pid: start.pid,
                                });
                                self.after_callback(start.pid, None);
                            } else {
                                process.dispose();
                            }
                            init
                        }
                        Err(reason) => Init::Stop(reason),
                    };
                    match &init {
                        Init::Ok => {}
                        Init::Ignore => self.record(TraceEvent::Ignored { attempt }),
                        Init::Stop(reason) => self.record(TraceEvent::Failed {
                            attempt,
                            reason: reason.clone(),
                        }),
                    }
                    self.host.start_result(now, start, init)?;
                }
                Action::Shutdown { pid } => {
                    self.record(TraceEvent::Signalled { pid, kill: false });
                    let head_start = self.host.view().shutdown_head_start(pid);
                    self.ask_to_shut_down(pid, head_start);
                }
                Action::Kill { pid } => {
                    self.record(TraceEvent::Signalled { pid, kill: true });
                    self.die(pid, ExitReason::Killed);
                }
                Action::Reply { caller, reply } => {
                    match &reply {
                        Reply::StartChild(Ok(Started::Running { pid, .. })) => {
                            self.record(TraceEvent::StartAnswered {
                                call: caller,
                                pid: *pid,
                            });
                        }
                        Reply::StartChild(Err(StartError::MaxChildren)) => {
                            self.record(TraceEvent::MaxChildrenRefused { call: caller });
                        }
                        Reply::TerminateChild(Ok(())) => {
                            self.record(TraceEvent::TerminateAnswered { call: caller });
                        }
                        _ => {}
                    }
                    self.replies.insert(caller, reply);
                }
                Action::Exit { reason } => self.record(TraceEvent::SupervisorDown { reason }),
            }
        }
        if let Some(deadline) = self.host.deadline() {
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
                    return Err(SimError::RestartLoop {
                        pid: *old,
                        attempts: *attempts,
                    });
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

    /// The exit signal `shutdown` reaches the child `pid` (which began its shutdown work
    /// before the kill timer started, when `head_start`).
    fn ask_to_shut_down(&mut self, pid: Pid, head_start: bool) {
        let now = self.now;
        let Some(child) = self.children.get_mut(pid) else {
            return;
        };
        match child.process.shutdown(now, &ExitReason::Shutdown) {
            ShutdownOutcome::Exits(reason) => {
                self.die(pid, reason);
            }
            ShutdownOutcome::AlreadyStopping => {}
            ShutdownOutcome::Terminated => {
                let cleanup = match self.cleanup.as_mut() {
                    Some(cleanup) => cleanup(pid, child.process.worker()),
                    None => Cleanup::After(0),
                };
                if let Cleanup::After(millis) = cleanup {
                    let at = now.saturating_add_millis(millis);
                    let reason = ExitReason::Shutdown;
                    let stops = Delivery::ChildStops {
                        pid,
                        reason,
                        head_start,
                    };
                    self.schedule(at, stops);
                }
            }
        }
    }

    /// The child `pid` ends with `reason`: monitors see it now, and its exit signal goes to
    /// the supervisor. Returns whether it was alive.
    fn die(&mut self, pid: Pid, reason: ExitReason) -> bool {
        let Some(child) = self.children.remove(pid) else {
            return false;
        };
        child.process.dispose();
        self.record(TraceEvent::Down {
            pid,
            reason: reason.clone(),
        });
        self.schedule(self.now, Delivery::ChildExit { pid, reason });
        true
    }

    fn record(&mut self, event: TraceEvent) {
        if !self.recording {
            return;
        }
        self.trace.push(TraceEntry {
            at: self.now,
            event,
        });
    }
}
