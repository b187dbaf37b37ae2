//! The host: the one place that turns the core's effects into a driver's actions, with the
//! pid, call and start-attempt numbering every driver shares.

use crate::child_spec::ValidChildSpec;
use crate::driver::calls::Calls;
use crate::error::DriverError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::supervisor::output::{CallId, Effect, Event, Reply, StartOutcome};
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

/// What the driver must do next, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<F, A, T> {
    /// A report event of the core (for logs, traces and checkers; nothing to do).
    Event(Event),
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
        reply: Reply,
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
#[derive(Debug)]
pub struct Host<F, A, T> {
    core: DynamicSupervisor<F, A>,
    callers: Calls<T>,
    next_call: u64,
    next_pid: u64,
    next_attempt: u64,
    pending: Option<StartAttempt>,
}

impl<F: Clone, A: Clone, T> Host<F, A, T> {
    /// A host around `core`; pids start at 1, attempts at 0.
    pub fn new(core: DynamicSupervisor<F, A>) -> Self {
        Host {
            core,
            callers: Calls::new(),
            next_call: 0,
            next_pid: 1,
            next_attempt: 0,
            pending: None,
        }
    }

    /// The core, read-only.
    pub fn view(&self) -> SupervisorView<'_, F, A> {
        self.core.view()
    }

    /// The core itself (read-only), for checkers that take it.
    pub fn core(&self) -> &DynamicSupervisor<F, A> {
        &self.core
    }

    /// Plants `defect` in the core: for the harness's own tests, never for production.
    #[cfg(feature = "planted-defects")]
    pub fn plant_core_defect(&mut self, defect: crate::CoreDefect) {
        self.core.plant_defect(defect);
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
        request: Request<F, A>,
        caller: T,
    ) -> Result<(), DriverError> {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.callers.insert(call, caller);
        let accepted = match request {
            Request::StartChild(spec) => self.core.start_child(now, call, spec),
            Request::TerminateChild(pid) => self.core.terminate_child(now, call, pid),
            Request::WhichChildren => self.core.which_children(now, call),
            Request::CountChildren => self.core.count_children(now, call),
            Request::Stop(reason) => self.core.stop(now, call, reason),
        };
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
    pub fn poll_action(&mut self) -> Option<Action<F, A, T>> {
        loop {
            if let Some(event) = self.core.poll_event() {
                return Some(Action::Event(event));
            }
            let action = match self.core.poll_effect()? {
                Effect::Start {
                    function,
                    args,
                    restart_of,
                } => {
                    let start = StartAttempt {
                        attempt: self.next_attempt,
                        pid: Pid(self.next_pid),
                    };
                    self.next_attempt += 1;
                    self.next_pid += 1;
                    self.pending = Some(start);
                    Action::Start {
                        start,
                        function,
                        args,
                        restart_of,
                    }
                }
                Effect::Shutdown { pid } => Action::Shutdown { pid },
                Effect::Kill { pid } => Action::Kill { pid },
                Effect::Reply { call, reply } => match self.callers.remove(call) {
                    Some(caller) => Action::Reply { caller, reply },
                    // Every call the core answers was made through `call`.
                    None => continue,
                },
                Effect::Exit { reason } => Action::Exit { reason },
            };
            return Some(action);
        }
    }
}
