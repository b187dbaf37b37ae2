//! What the core hands back to its driver: effects to perform, replies, and report events.

use crate::child_spec::{ChildType, Modules};
use crate::error::{StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;

/// Identifies one call, chosen by the driver; the reply to it carries the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub u64);

/// Something the driver must do, in the order the core emits them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect<F, A> {
    /// Run a child's start function, as if inside the supervisor process, and report the
    /// outcome with [`handle_start_result`](crate::DynamicSupervisor::handle_start_result).
    /// The supervisor is blocked until then: other inputs are queued, not served.
    Start {
        /// The start function.
        function: F,
        /// Its arguments: the supervisor's extra arguments, then the spec's own.
        args: Vec<A>,
        /// `Some(old)` when this is a restart of the child that was `old`.
        restart_of: Option<Pid>,
    },
    /// Send the child the exit signal `shutdown` (a child that traps exits may take its time).
    Shutdown {
        /// The child.
        pid: Pid,
    },
    /// Kill the child (an untrappable exit signal); it ends with reason `killed`.
    Kill {
        /// The child.
        pid: Pid,
    },
    /// Answer a call.
    Reply {
        /// The call being answered.
        call: CallId,
        /// The answer.
        reply: Reply,
    },
    /// The supervisor process ends with this reason; all its children are already down.
    Exit {
        /// Its exit reason, as its parent and monitors see it.
        reason: ExitReason,
    },
}

/// The answer to one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The answer to `start_child`.
    StartChild(Result<Started, StartError>),
    /// The answer to `terminate_child`.
    TerminateChild(Result<(), TerminateError>),
    /// The answer to `which_children`: one row per entry, in ascending pid order, as OTP
    /// lists its pid-keyed map (the BEAM keeps that order for maps of up to 32 keys; this
    /// crate keeps it at every size). With increasing pids (as every driver in this repository hands
    /// out) that is creation order, and a restarted child appears at its new pid's place, at
    /// the end; a restarting entry (no pid in its row) keeps its old pid's place.
    WhichChildren(Vec<ChildInfo>),
    /// The answer to `count_children`.
    CountChildren(ChildCounts),
    /// `stop` finished: every child is down and the supervisor has exited.
    Stopped,
    /// The supervisor was not alive to serve the call (the caller's `:noproc` exit).
    NoProc,
}

/// A successful `start_child`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// `{:ok, pid}` or `{:ok, pid, info}`: the child runs.
    Running {
        /// The new child.
        pid: Pid,
        /// The extra info of `{:ok, pid, info}`, if any.
        info: Option<String>,
    },
    /// `:ignore`: the start function declined; nothing is stored.
    Ignored,
}

/// What a child's start function returned, as the driver reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartOutcome {
    /// It started a process, linked to the supervisor.
    Started {
        /// The new process; never reused.
        pid: Pid,
        /// Extra info of `{:ok, pid, info}`.
        info: Option<String>,
    },
    /// It returned `:ignore`.
    Ignore,
    /// It returned `{:error, reason}`, raised, threw or exited.
    Failed(ExitReason),
}

/// One row of `which_children`: OTP's `{:undefined, pid | :restarting, type, modules}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildInfo {
    /// The child's process, or `None` while its restart is being retried (`:restarting`).
    pub pid: Option<Pid>,
    /// Worker or supervisor.
    pub child_type: ChildType,
    /// Its modules.
    pub modules: Modules,
}

/// The answer of `count_children`, from maintained counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChildCounts {
    /// All entries, running and restarting.
    pub specs: u64,
    /// Running entries (bookkeeping, not a liveness probe).
    pub active: u64,
    /// Entries of type supervisor, restarting ones included.
    pub supervisors: u64,
    /// Entries of type worker, restarting ones included.
    pub workers: u64,
}

/// A report of what the supervisor did, for logs, tests and invariant checkers. Events never
/// need an answer; a driver may ignore them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A child started by `start_child` is running.
    ChildStarted {
        /// The child.
        pid: Pid,
    },
    /// A running child's exit was processed (OTP's `child_terminated` report when abnormal).
    ChildExited {
        /// The child.
        pid: Pid,
        /// Its exit reason.
        reason: ExitReason,
        /// Whether the decision table asks for a restart.
        will_restart: bool,
    },
    /// A restart was counted against intensity, stamped with this whole second.
    RestartCounted {
        /// The child being restarted (its old pid).
        pid: Pid,
        /// The whole-second stamp.
        second: u64,
    },
    /// A restart succeeded.
    ChildRestarted {
        /// The old pid.
        old: Pid,
        /// The new pid.
        new: Pid,
    },
    /// A restart returned `:ignore`: the child is gone for good.
    RestartIgnored {
        /// The old pid.
        old: Pid,
    },
    /// A restart failed and will be retried from the back of the mailbox (`start_error`).
    RestartFailed {
        /// The old pid, the entry's key while it is restarting.
        old: Pid,
        /// Why the start failed.
        reason: ExitReason,
    },
    /// More than `max_restarts` restarts fell in the window: the supervisor shuts down.
    IntensityExceeded,
    /// A child ended during termination with a reason its shutdown did not ask for
    /// (`shutdown_error`), for example `killed` after its timeout.
    ShutdownError {
        /// The child.
        pid: Pid,
        /// How it ended.
        reason: ExitReason,
    },
    /// A child was terminated by `terminate_child` and removed.
    ChildTerminated {
        /// The child.
        pid: Pid,
    },
    /// The supervisor ended.
    SupervisorDown {
        /// Its exit reason.
        reason: ExitReason,
    },
}
