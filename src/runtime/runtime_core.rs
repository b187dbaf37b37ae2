//! What both runtimes (threads and tokio) need of a core, and how a supervisor's start-up ends,
//! with the typed errors a failed root start becomes: the parts of the runtimes' driver loops
//! and builders that do not depend on threads or tasks.

use crate::driver::{Core, StaticReport};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::error::StartLinkError;
use crate::runtime::static_error::StaticStartError;
use crate::static_supervisor::{self as fixed, FailedToStartChild};
use crate::supervisor::output::{Event, Reply};
use crate::supervisor::DynamicSupervisor;

/// A core the runtimes (threads and tokio) can run: it and everything it exchanges can move between
/// threads.
pub(crate) trait RuntimeCore:
    Core<
        Function: Clone + Send + 'static,
        Arg: Clone + Send + 'static,
        Request: Send + 'static,
        Reply: Send + 'static,
        Event: Send + 'static,
        StartUpError: Send + 'static,
    > + Send
    + 'static
{
    /// Whether `reply` says the supervisor was not alive.
    fn is_noproc(reply: &Self::Reply) -> bool;

    /// The report event of the supervisor's end with `reason` when the runtime ends it
    /// without its core (a kill): the core's own `SupervisorDown` event.
    fn down_event(reason: ExitReason) -> Self::Event;
}

impl<F: Clone + Send + 'static, A: Clone + Send + 'static> RuntimeCore for DynamicSupervisor<F, A> {
    fn is_noproc(reply: &Reply) -> bool {
        matches!(reply, Reply::NoProc)
    }

    fn down_event(reason: ExitReason) -> Event {
        Event::SupervisorDown { reason }
    }
}

impl<I, F, A> RuntimeCore for fixed::Supervisor<I, F, A>
where
    I: Clone + Eq + std::fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    fn is_noproc(reply: &fixed::Reply<I>) -> bool {
        matches!(reply, fixed::Reply::NoProc)
    }

    fn down_event(reason: ExitReason) -> StaticReport<I> {
        StaticReport::Event(fixed::Event::SupervisorDown { reason })
    }
}

/// How a supervisor's start-up ended, as its starter learns it.
pub(crate) enum StartUp<E> {
    /// Every child started (or the core has no start-up).
    Done,
    /// A child failed to start; the supervisor exits.
    Failed(E),
    /// The supervisor ended before its start-up was over (its driver panicked).
    Exited(ExitReason),
}

/// Who waits for the start-up: the caller of `start_link`, or the parent of a child
/// supervisor.
pub(crate) type StartUpWaiter<E> = Box<dyn FnOnce(StartUp<E>) + Send>;

/// Why a root did not start, whichever the runtime.
pub(crate) enum RootError<E> {
    /// Its name is held by this process.
    AlreadyStarted(Pid),
    /// The operating system refused the driver thread.
    Spawn(String),
    /// A child failed to start during start-up.
    StartUp(E),
    /// It ended before its start-up was over.
    Exited(ExitReason),
}

impl From<RootError<ExitReason>> for StartLinkError {
    fn from(error: RootError<ExitReason>) -> Self {
        match error {
            RootError::AlreadyStarted(pid) => StartLinkError::AlreadyStarted(pid),
            RootError::Spawn(err) => StartLinkError::Spawn(err),
            RootError::StartUp(reason) | RootError::Exited(reason) => {
                StartLinkError::Exited(reason)
            }
        }
    }
}

impl<I> From<RootError<FailedToStartChild<I>>> for StaticStartError<I> {
    fn from(error: RootError<FailedToStartChild<I>>) -> Self {
        match error {
            RootError::AlreadyStarted(pid) => StaticStartError::AlreadyStarted(pid),
            RootError::Spawn(err) => StaticStartError::Spawn(err),
            RootError::StartUp(failed) => StaticStartError::FailedToStartChild(failed),
            RootError::Exited(reason) => StaticStartError::Exited(reason),
        }
    }
}

/// The exit reason of a child supervisor's start refused because its name is in use: OTP's
/// `{:already_started, pid}`.
pub(crate) fn already_started(pid: Pid) -> ExitReason {
    ExitReason::other(format!("already_started:{pid}"))
}

/// The exit reason of a child supervisor's start refused because its flags or options are
/// invalid (`supervisor_data`) or one of its specs is (`start_spec`).
pub(crate) fn invalid_child_supervisor(flags: bool) -> ExitReason {
    ExitReason::other(if flags {
        "supervisor_data"
    } else {
        "start_spec"
    })
}
