//! The supervisor cores behind the one driver protocol: [`Core`] is what a [`Host`](crate::driver::Host)
//! needs of a sans-IO supervisor, implemented by the [`DynamicSupervisor`] and by the static
//! [`Supervisor`](crate::static_supervisor::Supervisor).

use std::fmt;

use crate::error::DriverError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::static_supervisor::{self as fixed, FailedToStartChild, StaticChildSpec};
use crate::supervisor::output::{CallId, Effect, Event, Reply, StartOutcome};
use crate::supervisor::DynamicSupervisor;
use crate::time::Instant;

/// One output of a core, in the order a driver must handle it: report events and effects
/// merged, with the calls' replies still keyed by [`CallId`].
///
/// ```
/// use dynsup::driver::{Core, Output, Request};
/// use dynsup::{CallId, ChildSpec, DynamicSupervisor, Instant, Options};
///
/// let mut sup = DynamicSupervisor::<&str, ()>::with_options(Options::default()).unwrap();
/// let spec = ChildSpec::new("worker", vec![]).validate().unwrap();
/// Core::call(&mut sup, Instant::ZERO, CallId(1), Request::StartChild(spec)).unwrap();
/// assert!(matches!(sup.poll_output(), Some(Output::Start { function: "worker", .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output<F, A, R, E> {
    /// A report event.
    Event(E),
    /// Run a start function; the core is blocked until its outcome is given back.
    Start {
        /// The start function.
        function: F,
        /// Its arguments.
        args: Vec<A>,
        /// `Some(old)` when this restarts the child that was `old` (the dynamic core says so).
        restart_of: Option<Pid>,
    },
    /// Send the child the exit signal `shutdown`.
    Shutdown {
        /// The child.
        pid: Pid,
    },
    /// Kill the child.
    Kill {
        /// The child.
        pid: Pid,
    },
    /// Answer call `call`.
    Reply {
        /// The call.
        call: CallId,
        /// The answer.
        reply: R,
    },
    /// The supervisor exits with this reason; every child is already down.
    Exit {
        /// Its exit reason.
        reason: ExitReason,
    },
}

/// The [`Output`] of core `C`.
pub type CoreOutput<C> =
    Output<<C as Core>::Function, <C as Core>::Arg, <C as Core>::Reply, <C as Core>::Event>;

/// What one driver loop needs of a sans-IO supervisor core.
///
/// Both cores implement it, so the [`Host`](crate::driver::Host) and the runtimes' driver loops
/// run either: the [`DynamicSupervisor`] (calls by pid, [`Request`](crate::driver::Request)) and
/// the static [`Supervisor`](fixed::Supervisor) (calls by child id, [`StaticRequest`]).
///
/// ```
/// use dynsup::driver::{Core, Output, StaticRequest};
/// use dynsup::static_supervisor::{Flags, Supervisor};
/// use dynsup::{CallId, Instant};
///
/// let mut sup = Supervisor::<&str, &str, ()>::start(Instant::ZERO, Flags::default(), vec![]).unwrap();
/// // No child: start-up is over at once, and is reported as an event.
/// let first = sup.poll_output();
/// assert!(matches!(&first, Some(Output::Event(e)) if Supervisor::<&str, &str, ()>::start_up(e) == Some(Ok(()))));
/// sup.call(Instant::ZERO, CallId(1), StaticRequest::CountChildren).unwrap();
/// assert!(matches!(sup.poll_output(), Some(Output::Reply { call: CallId(1), .. })));
/// ```
pub trait Core {
    /// Start functions.
    type Function;
    /// Their arguments.
    type Arg;
    /// A client's call.
    type Request;
    /// The answer to a call.
    type Reply;
    /// A report event.
    type Event;
    /// Why start-up failed (the static supervisor's `failed_to_start_child`).
    type StartUpError: Clone + fmt::Debug;

    /// A client's call, answered later by an [`Output::Reply`] with the same `call`.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    fn call(
        &mut self,
        now: Instant,
        call: CallId,
        request: Self::Request,
    ) -> Result<(), DriverError>;

    /// The outcome of the pending start.
    ///
    /// # Errors
    ///
    /// The core's [`DriverError`]; nothing changes then.
    fn handle_start_result(
        &mut self,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), DriverError>;

    /// Child `pid` ended with `reason`.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    fn handle_child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError>;

    /// The parent's exit signal.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    fn handle_parent_exit(&mut self, now: Instant, reason: ExitReason) -> Result<(), DriverError>;

    /// The deadline of [`poll_timeout`](Core::poll_timeout) was reached.
    ///
    /// # Errors
    ///
    /// [`DriverError::TimeWentBackwards`]; nothing changes then.
    fn handle_timeout(&mut self, now: Instant) -> Result<(), DriverError>;

    /// The next deadline with work for [`handle_timeout`](Core::handle_timeout).
    fn poll_timeout(&self) -> Option<Instant>;

    /// The next output: report events first, then effects, in the core's order.
    fn poll_output(&mut self) -> Option<CoreOutput<Self>>;

    /// Whether `event` ends the supervisor's start-up, and how: `Some(Ok(()))` when every child
    /// started, `Some(Err(_))` when one failed (the supervisor then exits). A core without a
    /// start-up (the dynamic one) never reports one: it is started as soon as it exists.
    fn start_up(event: &Self::Event) -> Option<Result<(), Self::StartUpError>>;

    /// Whether the core has a start-up to wait for (the static one, from
    /// [`start`](fixed::Supervisor::start) until its start-up event).
    fn has_start_up(&self) -> bool;

    /// The exit reason of a failed start-up, as a parent sees its child's start fail.
    fn start_up_reason(error: &Self::StartUpError) -> ExitReason;
}

impl<F: Clone, A: Clone> Core for DynamicSupervisor<F, A> {
    type Function = F;
    type Arg = A;
    type Request = crate::driver::Request<F, A>;
    type Reply = Reply;
    type Event = Event;
    type StartUpError = ExitReason;

    fn call(
        &mut self,
        now: Instant,
        call: CallId,
        request: Self::Request,
    ) -> Result<(), DriverError> {
        use crate::driver::Request;
        match request {
            Request::StartChild(spec) => self.start_child(now, call, spec),
            Request::TerminateChild(pid) => self.terminate_child(now, call, pid),
            Request::WhichChildren => self.which_children(now, call),
            Request::CountChildren => self.count_children(now, call),
            Request::Stop(reason) => self.stop(now, call, reason),
        }
    }

    fn handle_start_result(
        &mut self,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), DriverError> {
        DynamicSupervisor::handle_start_result(self, now, outcome)
    }

    fn handle_child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        DynamicSupervisor::handle_child_exit(self, now, pid, reason)
    }

    fn handle_parent_exit(&mut self, now: Instant, reason: ExitReason) -> Result<(), DriverError> {
        DynamicSupervisor::handle_parent_exit(self, now, reason)
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        DynamicSupervisor::handle_timeout(self, now)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        DynamicSupervisor::poll_timeout(self)
    }

    fn poll_output(&mut self) -> Option<Output<F, A, Reply, Event>> {
        if let Some(event) = self.poll_event() {
            return Some(Output::Event(event));
        }
        Some(match self.poll_effect()? {
            Effect::Start {
                function,
                args,
                restart_of,
            } => Output::Start {
                function,
                args,
                restart_of,
            },
            Effect::Shutdown { pid } => Output::Shutdown { pid },
            Effect::Kill { pid } => Output::Kill { pid },
            Effect::Reply { call, reply } => Output::Reply { call, reply },
            Effect::Exit { reason } => Output::Exit { reason },
        })
    }

    fn start_up(_event: &Event) -> Option<Result<(), ExitReason>> {
        None
    }

    fn has_start_up(&self) -> bool {
        false
    }

    fn start_up_reason(error: &ExitReason) -> ExitReason {
        error.clone()
    }
}

/// A client's call to a static supervisor, by child id (see [`Core`] for one driven by
/// hand).
///
/// ```
/// use dynsup::driver::StaticRequest;
///
/// let request: StaticRequest<&str, &str, ()> = StaticRequest::RestartChild("cache");
/// assert_eq!(request, StaticRequest::RestartChild("cache"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticRequest<I, F, A> {
    /// `start_child(spec)` (validated by the supervisor, as OTP does).
    StartChild(StaticChildSpec<I, F, A>),
    /// `restart_child(id)`.
    RestartChild(I),
    /// `terminate_child(id)`.
    TerminateChild(I),
    /// `delete_child(id)`.
    DeleteChild(I),
    /// `which_children()`.
    WhichChildren,
    /// `count_children()`.
    CountChildren,
    /// `stop(reason)`.
    Stop(ExitReason),
}

/// A report of a static supervisor: one of its events, or the end of its start-up.
///
/// ```
/// use dynsup::driver::{Core, StaticReport};
/// use dynsup::static_supervisor::Supervisor;
///
/// type Sup = Supervisor<&'static str, &'static str, ()>;
/// assert_eq!(Sup::start_up(&StaticReport::Initialized(Ok(()))), Some(Ok(())));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticReport<I> {
    /// A report event of the core.
    Event(fixed::Event<I>),
    /// Start-up is over: every child started, or one failed (and an exit follows).
    Initialized(Result<(), FailedToStartChild<I>>),
}

impl<I: Clone + Eq + fmt::Debug, F: Clone, A: Clone> Core for fixed::Supervisor<I, F, A> {
    type Function = F;
    type Arg = A;
    type Request = StaticRequest<I, F, A>;
    type Reply = fixed::Reply<I>;
    type Event = StaticReport<I>;
    type StartUpError = FailedToStartChild<I>;

    fn call(
        &mut self,
        now: Instant,
        call: CallId,
        request: Self::Request,
    ) -> Result<(), DriverError> {
        match request {
            StaticRequest::StartChild(spec) => self.start_child(now, call, spec),
            StaticRequest::RestartChild(id) => self.restart_child(now, call, id),
            StaticRequest::TerminateChild(id) => self.terminate_child(now, call, id),
            StaticRequest::DeleteChild(id) => self.delete_child(now, call, id),
            StaticRequest::WhichChildren => self.which_children(now, call),
            StaticRequest::CountChildren => self.count_children(now, call),
            StaticRequest::Stop(reason) => self.stop(now, call, reason),
        }
    }

    fn handle_start_result(
        &mut self,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), DriverError> {
        fixed::Supervisor::handle_start_result(self, now, outcome)
    }

    fn handle_child_exit(
        &mut self,
        now: Instant,
        pid: Pid,
        reason: ExitReason,
    ) -> Result<(), DriverError> {
        fixed::Supervisor::handle_child_exit(self, now, pid, reason)
    }

    fn handle_parent_exit(&mut self, now: Instant, reason: ExitReason) -> Result<(), DriverError> {
        fixed::Supervisor::handle_parent_exit(self, now, reason)
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), DriverError> {
        fixed::Supervisor::handle_timeout(self, now)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        fixed::Supervisor::poll_timeout(self)
    }

    fn poll_output(&mut self) -> Option<Output<F, A, fixed::Reply<I>, StaticReport<I>>> {
        if let Some(event) = self.poll_event() {
            return Some(Output::Event(StaticReport::Event(event)));
        }
        Some(match self.poll_effect()? {
            fixed::Effect::Start { function, args, .. } => Output::Start {
                function,
                args,
                restart_of: None,
            },
            fixed::Effect::Shutdown { pid } => Output::Shutdown { pid },
            fixed::Effect::Kill { pid } => Output::Kill { pid },
            fixed::Effect::Reply { call, reply } => Output::Reply { call, reply },
            fixed::Effect::Initialized(result) => Output::Event(StaticReport::Initialized(result)),
            fixed::Effect::Exit { reason } => Output::Exit { reason },
        })
    }

    fn start_up(event: &StaticReport<I>) -> Option<Result<(), FailedToStartChild<I>>> {
        match event {
            StaticReport::Initialized(result) => Some(result.clone()),
            StaticReport::Event(_) => None,
        }
    }

    fn has_start_up(&self) -> bool {
        true
    }

    fn start_up_reason(error: &FailedToStartChild<I>) -> ExitReason {
        error.exit_reason()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child_spec::ChildSpec;
    use crate::driver::{Action, Host, Pids, Request};
    use crate::options::Options;
    use crate::static_supervisor::{ChildRow, Flags, Supervisor};
    use crate::worker::Init;

    type StaticHost = Host<&'static str, (), u8, Supervisor<&'static str, &'static str, ()>>;

    fn drain<F, A, T, R, E>(
        next: impl FnMut() -> Option<Action<F, A, T, R, E>>,
    ) -> Vec<Action<F, A, T, R, E>> {
        std::iter::from_fn(next).collect()
    }

    #[test]
    fn one_host_drives_the_static_core_and_pids_are_shared_across_hosts() {
        let pids = Pids::new();
        let specs = vec![StaticChildSpec::new("a", ChildSpec::new("start_a", vec![]))];
        let core = Supervisor::start(Instant::ZERO, Flags::default(), specs).unwrap();
        let mut fixed: StaticHost = Host::with_pids(core, pids.clone());
        assert!(fixed.has_start_up());
        let Some(Action::Start { start, .. }) = fixed.poll_action() else {
            panic!("the static core starts its first child")
        };
        assert_eq!(start.pid, Pid(1));
        fixed.start_result(Instant::ZERO, start, Init::Ok).unwrap();
        let actions = drain(|| fixed.poll_action());
        let done = actions.iter().any(|action| {
            matches!(action, Action::Event(e) if Supervisor::<&str, &str, ()>::start_up(e) == Some(Ok(())))
        });
        assert!(
            done,
            "start-up ends with the Initialized report: {actions:?}"
        );

        // A dynamic host of the same tree takes the next pid.
        let dynamic = DynamicSupervisor::<&str, ()>::with_options(Options::default()).unwrap();
        let mut flexible: Host<&str, (), u8> = Host::with_pids(dynamic, pids);
        assert!(!flexible.has_start_up());
        let spec = ChildSpec::new("w", vec![]).validate().unwrap();
        flexible
            .call(Instant::ZERO, Request::StartChild(spec), 1)
            .unwrap();
        let Some(Action::Start { start, .. }) = flexible.poll_action() else {
            panic!("the dynamic core starts the child")
        };
        assert_eq!(start.pid, Pid(2));

        // Calls by id go through the same host.
        fixed
            .call(Instant::ZERO, StaticRequest::WhichChildren, 7)
            .unwrap();
        let replies = drain(|| fixed.poll_action());
        let Some(Action::Reply {
            caller: 7,
            reply: fixed::Reply::WhichChildren(rows),
        }) = replies.first()
        else {
            panic!("which_children answers: {replies:?}")
        };
        assert_eq!(
            rows.iter()
                .map(|row: &ChildRow<&str>| row.id)
                .collect::<Vec<_>>(),
            vec!["a"]
        );
    }
}
