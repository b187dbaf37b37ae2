//! The host: the one place that turns the core's effects into a driver's actions, with the
//! pid, call and start-attempt numbering every driver shares.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::child_spec::ValidChildSpec;
use crate::driver::calls::Calls;
use crate::driver::core::{Core, Output};
use crate::error::DriverError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::supervisor::output::{CallId, Event, Reply, StartOutcome};
use crate::supervisor::view::SupervisorView;
use crate::supervisor::DynamicSupervisor;
use crate::time::Instant;
use crate::worker::Init;

/// One start attempt: its sequence number (0, 1, 2, ... per supervisor, in the order the
/// spawner is called) and the pid its process gets if `init` succeeds.
///
/// Pids are handed out per attempt, as the BEAM creates the process before its `init` runs,
/// from an increasing counter starting at 1, so `which_children` lists children in creation
/// order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StartAttempt {
    /// The attempt's sequence number.
    pub attempt: u64,
    /// The process's pid.
    pub pid: Pid,
}

impl StartAttempt {
    /// What this attempt's `init` answer means for the core (and for a runtime's reports).
    pub fn outcome(self, init: &Init) -> StartOutcome {
        match init {
            Init::Ok => StartOutcome::Started {
                pid: self.pid,
                info: None,
            },
            Init::Ignore => StartOutcome::Ignore,
            Init::Stop(reason) => StartOutcome::Failed(reason.clone()),
        }
    }
}

/// A client's call to the supervisor, as a driver receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request<F, A> {
    /// `start_child(spec)`; the spec was validated by the caller, as OTP does.
    StartChild(ValidChildSpec<F, A>),
    /// `terminate_child(pid)`.
    TerminateChild(Pid),
    /// `which_children()`.
    WhichChildren,
    /// `count_children()`.
    CountChildren,
    /// `stop(reason)`.
    Stop(ExitReason),
}

/// The pid allocator of one runtime instance or tree: every supervisor of a tree takes its
/// children's pids from the same counter, so pids are unique across the whole tree. Clones
/// share the counter.
///
/// ```
/// use dynsup::driver::Pids;
/// use dynsup::Pid;
///
/// let pids = Pids::new();
/// let shared = pids.clone();
/// assert_eq!(pids.next(), Pid(1));
/// assert_eq!(shared.next(), Pid(2));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Pids {
    next: Arc<AtomicU64>,
}

impl Pids {
    /// A fresh counter: the first pid is 1.
    pub fn new() -> Self {
        Pids::default()
    }

    /// The next pid.
    pub fn next(&self) -> Pid {
        Pid(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// The [`Action`] of a host of core `C` whose callers are `T`.
pub type CoreAction<C, T> =
    Action<<C as Core>::Function, <C as Core>::Arg, T, <C as Core>::Reply, <C as Core>::Event>;

/// What the driver must do next, in order. `R` is the core's reply type and `E` its report
/// events (the [`DynamicSupervisor`]'s by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<F, A, T, R = Reply, E = Event> {
    /// A report event of the core (for logs, traces and checkers; nothing to do).
    Event(E),
    /// Make the worker with the spawner and run its `init` as process `start.pid`, then answer
    /// with [`Host::start_result`]. The supervisor is blocked until then.
    Start {
        /// The attempt.
        start: StartAttempt,
        /// The start function.
        function: F,
        /// Its arguments (the supervisor's extra arguments first).
        args: Vec<A>,
        /// `Some(old)` when this restarts the child that was `old`.
        restart_of: Option<Pid>,
    },
    /// Send the child the exit signal `shutdown`.
    Shutdown {
        /// The child.
        pid: Pid,
    },
    /// Kill the child (reason `killed`); report its death with [`Host::child_exited`].
    Kill {
        /// The child.
        pid: Pid,
    },
    /// Give `reply` to the caller that made the call.
    Reply {
        /// Who called (what the driver passed to [`Host::call`]).
        caller: T,
        /// The answer.
        reply: R,
    },
    /// The supervisor exits with this reason; every child is already down.
    Exit {
        /// Its exit reason.
        reason: ExitReason,
    },
}

/// The sans-IO core plus everything a driver would otherwise number by itself: call ids (and
/// who made each call, `T`), start attempts and pids. The simulator, the threaded runtime, the
/// benchmarks and the fuzz drivers all drive the core through it.
///
/// Feed inputs with [`call`](Host::call), [`start_result`](Host::start_result),
/// [`child_exited`](Host::child_exited), [`parent_exited`](Host::parent_exited) and
/// [`timeout`](Host::timeout); after each, take [`poll_action`](Host::poll_action) until it
/// returns `None` and perform every action in order; then wait until
/// [`deadline`](Host::deadline) for the next `timeout`.
///
/// ```
/// use dynsup::driver::{Action, Host, Request};
/// use dynsup::{ChildSpec, DynamicSupervisor, Init, Instant, Options, Reply, Started};
///
/// let core = DynamicSupervisor::<&str, ()>::with_options(Options::default()).unwrap();
/// let mut host: Host<&str, (), &str> = Host::new(core);
/// let spec = ChildSpec::new("worker", vec![]).validate().unwrap();
/// host.call(Instant::ZERO, Request::StartChild(spec), "client").unwrap();
/// let Some(Action::Start { start, .. }) = host.poll_action() else { panic!() };
/// // ... the driver runs the worker's init as process `start.pid`; it succeeded:
/// host.start_result(Instant::ZERO, start, Init::Ok).unwrap();
/// let mut actions = Vec::new();
/// while let Some(action) = host.poll_action() {
///     actions.push(action);
/// }
/// assert!(actions.contains(&Action::Reply {
///     caller: "client",
///     reply: Reply::StartChild(Ok(Started::Running { pid: start.pid, info: None })),
/// }));
/// ```
///
/// `C` is the core: the [`DynamicSupervisor`] by default, or the static
/// [`Supervisor`](crate::static_supervisor::Supervisor) (any [`Core`]).
#[derive(Debug)]
pub struct Host<F, A, T, C = DynamicSupervisor<F, A>> {
    core: C,
    callers: Calls<T>,
    next_call: u64,
    pids: Pids,
    next_attempt: u64,
    pending: Option<StartAttempt>,
    types: std::marker::PhantomData<fn() -> (F, A)>,
}

impl<F, A, T, C: Core<Function = F, Arg = A>> Host<F, A, T, C> {
    /// A host around `core`; pids start at 1, attempts at 0.
    pub fn new(core: C) -> Self {
        Self::with_pids(core, Pids::new())
    }

    /// A host around `core` taking its pids from `pids`, shared with the other supervisors of
    /// its tree.
    pub fn with_pids(core: C, pids: Pids) -> Self {
        Host {
            core,
            callers: Calls::new(),
            next_call: 0,
            pids,
            next_attempt: 0,
            pending: None,
            types: std::marker::PhantomData,
        }
    }

    /// The pid allocator this host takes its pids from.
    pub fn pids(&self) -> &Pids {
        &self.pids
    }

    /// Whether the core still has a start-up to finish (see [`Core::has_start_up`]).
    pub fn has_start_up(&self) -> bool {
        self.core.has_start_up()
    }

    /// The core itself (read-only), for checkers that take it.
    pub fn core(&self) -> &C {
        &self.core
    }

    /// The start attempt the supervisor is blocked in, if any.
    pub fn pending_start(&self) -> Option<StartAttempt> {
        self.pending
    }

    /// The next deadline at which [`timeout`](Host::timeout) has work.
    pub fn deadline(&self) -> Option<Instant> {
        self.core.poll_timeout()
    }

    /// A client's call, answered later by an [`Action::Reply`] to `caller` (at once with
    /// [`Reply::NoProc`] when the supervisor is down).
    pub fn call(
        &mut self,
        now: Instant,
        request: C::Request,
        caller: T,
    ) -> Result<(), DriverError> {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.callers.insert(call, caller);
        let accepted = self.core.call(now, call, request);
        if accepted.is_err() {
            self.callers.remove(call);
        }
        accepted
    }

    /// The outcome of `start`'s `init` (a spawner that panicked is `Init::Stop(panic)`).
    pub fn start_result(
        &mut self,
        now: Instant,
        start: StartAttempt,
        init: Init,
    ) -> Result<(), DriverError> {
        if self.pending != Some(start) {
            return Err(DriverError::NoStartPending);
        }
        let outcome = start.outcome(&init);
        self.core.handle_start_result(now, outcome)?;
        self.pending = None;
        Ok(())
    }

    /// Child `pid` ended with `reason` (by itself, or killed by an [`Action::Kill`]).
    pub fn child_exited(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        self.core.handle_child_exit(now, pid, reason)
    }

    /// The parent's exit signal with `reason`.
    pub fn parent_exited(&mut self, now: Instant, reason: ExitReason) -> Result<(), DriverError> {
        self.core.handle_parent_exit(now, reason)
    }

    /// The deadline from [`deadline`](Host::deadline) was reached.
    pub fn timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        self.core.handle_timeout(now)
    }

    /// The next thing to do: report events first, then effects, in the core's order.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<CoreAction<C, T>> {
        loop {
            let action = match self.core.poll_output()? {
                Output::Event(event) => Action::Event(event),
                Output::Start {
                    function,
                    args,
                    restart_of,
                } => {
                    let start = StartAttempt {
                        attempt: self.next_attempt,
                        pid: self.pids.next(),
                    };
                    self.next_attempt += 1;
                    self.pending = Some(start);
                    Action::Start {
                        start,
                        function,
                        args,
                        restart_of,
                    }
                }
                Output::Shutdown { pid } => Action::Shutdown { pid },
                Output::Kill { pid } => Action::Kill { pid },
                Output::Reply { call, reply } => match self.callers.remove(call) {
                    Some(caller) => Action::Reply { caller, reply },
                    // Every call the core answers was made through `call`.
                    None => continue,
                },
                Output::Exit { reason } => Action::Exit { reason },
            };
            return Some(action);
        }
    }
}

impl<F: Clone, A: Clone, T> Host<F, A, T> {
    /// The core, read-only.
    pub fn view(&self) -> SupervisorView<'_, F, A> {
        self.core.view()
    }

    /// Suspends the supervisor (see [`DynamicSupervisor::suspend`]); `false` when it is down.
    pub fn suspend(&mut self) -> bool {
        self.core.suspend()
    }

    /// Resumes the supervisor (see [`DynamicSupervisor::resume`]); `Ok(false)` when it is
    /// down. Its actions are then polled as after any input.
    pub fn resume(&mut self, now: Instant) -> Result<bool, DriverError> {
        self.core.resume(now)
    }

    /// Plants `defect` in the core: for the harness's own tests, never for production.
    #[cfg(feature = "planted-defects")]
    pub fn plant_core_defect(&mut self, defect: crate::CoreDefect) {
        self.core.plant_defect(defect);
    }
}
