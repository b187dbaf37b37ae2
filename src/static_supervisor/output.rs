//! What the static supervisor hands back to its driver: effects, replies, rows and events.

use crate::child_spec::{ChildType, Modules};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::static_supervisor::error::{ChildError, FailedToStartChild};
use crate::supervisor::output::{CallId, ChildCounts, Started};

/// A child's process as `which_children` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildPid {
    /// The child runs as this process.
    Running(Pid),
    /// `:restarting`: its restart failed and is being retried.
    Restarting,
    /// `:undefined`: the spec is kept without a process (ignored, terminated, or a transient
    /// child that exited cleanly).
    Undefined,
}

/// One row of `which_children`: OTP's `{id, pid | :restarting | :undefined, type, modules}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildRow<I> {
    /// The child's id.
    pub id: I,
    /// Its process.
    pub pid: ChildPid,
    /// Worker or supervisor.
    pub child_type: ChildType,
    /// Its modules.
    pub modules: Modules,
}

/// Something the driver must do, in the order the core emits them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect<I, F, A> {
    /// Run child `id`'s start function inside the supervisor and report the outcome with
    /// [`handle_start_result`](crate::static_supervisor::Supervisor::handle_start_result); the
    /// supervisor is blocked until then.
    Start {
        /// The child.
        id: I,
        /// The start function.
        function: F,
        /// Its arguments.
        args: Vec<A>,
    },
    /// Send the child the exit signal `shutdown`.
    Shutdown {
        /// The child's process.
        pid: Pid,
    },
    /// Kill the child; it ends with reason `killed`.
    Kill {
        /// The child's process.
        pid: Pid,
    },
    /// Answer a call.
    Reply {
        /// The call being answered.
        call: CallId,
        /// The answer.
        reply: Reply<I>,
    },
    /// Start-up is over: every child is started (`Ok`, `start_link` returns `{:ok, pid}`), or
    /// one failed and the started ones are down again (`Err`, `start_link` returns
    /// `{:error, {:shutdown, {:failed_to_start_child, id, reason}}}`, and an
    /// [`Effect::Exit`] follows).
    Initialized(Result<(), FailedToStartChild<I>>),
    /// The supervisor process ends with this reason; all its children are already down.
    Exit {
        /// Its exit reason.
        reason: ExitReason,
    },
}

/// The answer to one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<I> {
    /// `start_child(spec)`: the child runs or was ignored; or `already_started`,
    /// `already_present`, a spec error, or the start's failure.
    StartChild(Result<Started, ChildError>),
    /// `restart_child(id)`: or `running`, `restarting`, `not_found`, or the start's failure.
    RestartChild(Result<Started, ChildError>),
    /// `terminate_child(id)`: or `not_found`.
    TerminateChild(Result<(), ChildError>),
    /// `delete_child(id)`: or `running`, `restarting`, `not_found`.
    DeleteChild(Result<(), ChildError>),
    /// `which_children()`: the last started first.
    WhichChildren(Vec<ChildRow<I>>),
    /// `count_children()`.
    CountChildren(ChildCounts),
    /// `stop` finished: every child is down and the supervisor has exited.
    Stopped,
    /// The supervisor was not alive to serve the call.
    NoProc,
}

/// A report of what the supervisor did, for logs, tests and checkers; never needs an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<I> {
    /// Child `id` runs as `pid` (a start, a restart, or `restart_child`).
    ChildStarted {
        /// The child.
        id: I,
        /// Its process.
        pid: Pid,
    },
    /// Child `id`'s start returned `:ignore`.
    ChildIgnored {
        /// The child.
        id: I,
    },
    /// A running child's exit was processed.
    ChildExited {
        /// The child.
        id: I,
        /// Its exit reason.
        reason: ExitReason,
        /// Whether its restart type asks for a restart.
        will_restart: bool,
    },
    /// A restart was counted against intensity, stamped with this whole second.
    RestartCounted {
        /// The child whose exit (or retry) caused it.
        id: I,
        /// The whole-second stamp.
        second: u64,
    },
    /// A start during a restart failed: the child is `:restarting` and a retry is queued.
    RestartFailed {
        /// The child whose start failed.
        id: I,
        /// Why.
        reason: ExitReason,
    },
    /// More than `max_restarts` restarts fell in the window: the supervisor shuts down.
    IntensityExceeded,
    /// A significant child's exit shut the supervisor down (`auto_shutdown`).
    AutoShutdown {
        /// The significant child.
        id: I,
    },
    /// A child ended during termination with a reason its shutdown did not ask for.
    ShutdownError {
        /// The child.
        id: I,
        /// How it ended.
        reason: ExitReason,
    },
    /// A child was terminated by the supervisor (its process is down).
    ChildTerminated {
        /// The child.
        id: I,
    },
    /// The supervisor ended.
    SupervisorDown {
        /// Its exit reason.
        reason: ExitReason,
    },
}
