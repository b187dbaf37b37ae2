//! The static supervisor's errors on the threaded runtime: OTP's `{:error, _}` answers of the
//! calls by child id, and why `start_link` failed, as typed Rust errors.

use std::fmt;

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::static_supervisor::{ChildError, FailedToStartChild, InitError, StaticSpecError};

/// Why a call by child id of a running static supervisor did not do what it asked.
///
/// ```
/// use dynsup::runtime::StaticChildError;
/// use dynsup::{ExitReason, Pid};
///
/// assert_eq!(StaticChildError::AlreadyStarted(Pid(3)).to_string(), "already started as <3>");
/// let failed = StaticChildError::Failed(ExitReason::other("no_db"));
/// assert_eq!(failed.to_string(), "the child failed to start: no_db");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaticChildError {
    /// `{:error, {:already_started, pid}}`: `start_child` with the id of a running child.
    AlreadyStarted(Pid),
    /// `{:error, :already_present}`: `start_child` with the id of a child without a process.
    AlreadyPresent,
    /// `{:error, :running}`: `restart_child` or `delete_child` of a running child.
    Running,
    /// `{:error, :restarting}`: `restart_child` or `delete_child` of a child whose restart is
    /// being retried.
    Restarting,
    /// `{:error, :not_found}`: no child has this id.
    NotFound,
    /// `{:error, reason}`: the child's start failed (its `init` stopped, or panicked).
    Failed(ExitReason),
    /// `{:error, reason}`: `start_child` with an invalid spec.
    InvalidSpec(StaticSpecError),
    /// The tree already runs its limit of threads: no thread was made.
    ThreadLimit(usize),
    /// The supervisor is not alive (the caller's `:noproc` exit).
    NoProc,
}

impl StaticChildError {
    /// The runtime's error for the core's `error`; `thread_limit` is the tree's limit.
    pub(crate) fn from_core(error: ChildError, thread_limit: usize) -> Self {
        match error {
            ChildError::AlreadyStarted(pid) => StaticChildError::AlreadyStarted(pid),
            ChildError::AlreadyPresent => StaticChildError::AlreadyPresent,
            ChildError::Running => StaticChildError::Running,
            ChildError::Restarting => StaticChildError::Restarting,
            ChildError::NotFound => StaticChildError::NotFound,
            ChildError::Failed(reason)
                if reason == ExitReason::other(crate::runtime::THREAD_LIMIT) =>
            {
                StaticChildError::ThreadLimit(thread_limit)
            }
            ChildError::Failed(reason) => StaticChildError::Failed(reason),
            ChildError::InvalidSpec(error) => StaticChildError::InvalidSpec(error),
        }
    }
}

impl fmt::Display for StaticChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaticChildError::AlreadyStarted(pid) => write!(f, "already started as {pid}"),
            StaticChildError::AlreadyPresent => f.write_str("already present"),
            StaticChildError::Running => f.write_str("running"),
            StaticChildError::Restarting => f.write_str("restarting"),
            StaticChildError::NotFound => f.write_str("not found"),
            StaticChildError::Failed(reason) => write!(f, "the child failed to start: {reason}"),
            StaticChildError::InvalidSpec(error) => write!(f, "invalid child spec: {error}"),
            StaticChildError::ThreadLimit(limit) => {
                write!(f, "the tree already runs its limit of {limit} threads")
            }
            StaticChildError::NoProc => f.write_str("the supervisor is not alive"),
        }
    }
}

impl std::error::Error for StaticChildError {}

/// Why a static supervisor did not start.
///
/// ```
/// use dynsup::runtime::StaticStartError;
/// use dynsup::static_supervisor::FailedToStartChild;
/// use dynsup::ExitReason;
///
/// let failed = FailedToStartChild { id: "db", reason: ExitReason::other("timeout") };
/// let error = StaticStartError::FailedToStartChild(failed);
/// assert_eq!(error.to_string(), "failed to start child \"db\": timeout");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaticStartError<I> {
    /// Invalid flags, an invalid child spec or a duplicate id: nothing was started.
    Init(InitError<I>),
    /// `{:error, {:shutdown, {:failed_to_start_child, id, reason}}}`: a child failed to start
    /// during start-up; the children started before it were shut down again, last first.
    FailedToStartChild(FailedToStartChild<I>),
    /// `{:error, {:already_started, pid}}`: the name is registered to `pid`.
    AlreadyStarted(Pid),
    /// The operating system refused to create the supervisor's thread.
    Spawn(String),
    /// The supervisor ended before its start-up was over (its driver panicked).
    Exited(ExitReason),
}

impl<I: fmt::Debug> fmt::Display for StaticStartError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaticStartError::Init(error) => error.fmt(f),
            StaticStartError::FailedToStartChild(failed) => write!(
                f,
                "failed to start child {:?}: {}",
                failed.id, failed.reason
            ),
            StaticStartError::AlreadyStarted(pid) => write!(f, "already started as {pid}"),
            StaticStartError::Spawn(err) => {
                write!(f, "cannot start the supervisor thread: {err}")
            }
            StaticStartError::Exited(reason) => write!(f, "the supervisor exited: {reason}"),
        }
    }
}

impl<I: fmt::Debug> std::error::Error for StaticStartError<I> {}
