//! The runtime's errors: one enum per operation, each variant the OTP outcome it mirrors.

use std::fmt;

use crate::error::{ConfigError, SpecError};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;

/// The supervisor could not be started.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartLinkError {
    /// The options are invalid (OTP's `{:supervisor_data, reason}`).
    Config(ConfigError),
    /// The operating system refused to create the supervisor's thread.
    Spawn(String),
    /// `{:error, {:already_started, pid}}`: the name is registered to `pid`.
    AlreadyStarted(Pid),
    /// The supervisor ended before it was started (its driver panicked).
    Exited(ExitReason),
}

impl fmt::Display for StartLinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartLinkError::Config(err) => write!(f, "{err}"),
            StartLinkError::Spawn(err) => write!(f, "cannot start the supervisor thread: {err}"),
            StartLinkError::AlreadyStarted(pid) => write!(f, "already started as {pid}"),
            StartLinkError::Exited(reason) => write!(f, "the supervisor exited: {reason}"),
        }
    }
}

impl std::error::Error for StartLinkError {}

impl From<ConfigError> for StartLinkError {
    fn from(err: ConfigError) -> Self {
        StartLinkError::Config(err)
    }
}

/// `start_child` did not start a child.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartChildError {
    /// The child spec is invalid; found in the caller, the supervisor was not contacted.
    Invalid(SpecError),
    /// `{:error, :max_children}`: the supervisor already has `max_children` entries.
    MaxChildren,
    /// `{:error, reason}`: the worker's `init` returned `Stop(reason)`, or panicked (`panic`).
    Failed(ExitReason),
    /// The supervisor already runs this many child threads (its thread limit): no thread was
    /// made. Every running child goes on. (A worker whose own `init` stops with the reason
    /// [`THREAD_LIMIT`](crate::runtime::THREAD_LIMIT) reads the same.)
    ThreadLimit(usize),
    /// The supervisor is not alive (the caller's `:noproc` exit).
    NoProc,
}

impl fmt::Display for StartChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartChildError::Invalid(err) => write!(f, "invalid child spec: {err}"),
            StartChildError::MaxChildren => f.write_str("max_children reached"),
            StartChildError::Failed(reason) => write!(f, "the child failed to start: {reason}"),
            StartChildError::ThreadLimit(limit) => write!(
                f,
                "the supervisor already runs its limit of {limit} child threads"
            ),
            StartChildError::NoProc => f.write_str("the supervisor is not alive"),
        }
    }
}

impl std::error::Error for StartChildError {}

/// `terminate_child` did not terminate a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TerminateChildError {
    /// `{:error, :not_found}`: the pid is not one of the supervisor's children.
    NotFound,
    /// The supervisor is not alive.
    NoProc,
}

impl fmt::Display for TerminateChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TerminateChildError::NotFound => f.write_str("not_found"),
            TerminateChildError::NoProc => f.write_str("the supervisor is not alive"),
        }
    }
}

impl std::error::Error for TerminateChildError {}

/// The supervisor is not alive (the caller's `:noproc` exit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoProc;

impl fmt::Display for NoProc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the supervisor is not alive")
    }
}

impl std::error::Error for NoProc {}

/// `stop` did not see the supervisor stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopError {
    /// The supervisor was not alive.
    NoProc,
    /// The timeout passed first. As in OTP, the supervisor is not interrupted: it goes on
    /// shutting its children down (and may stay blocked for ever on a child whose shutdown is
    /// `infinity` and which never exits).
    Timeout,
}

impl fmt::Display for StopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopError::NoProc => f.write_str("the supervisor is not alive"),
            StopError::Timeout => f.write_str("the supervisor did not stop within the timeout"),
        }
    }
}

impl std::error::Error for StopError {}
