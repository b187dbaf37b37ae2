//! The static supervisor's errors: invalid specs and start specs, and the `{:error, _}`
//! answers of its calls by child id.

use std::fmt;

use crate::error::{ConfigError, SpecError};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;

/// A child spec a static supervisor refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaticSpecError {
    /// The spec's own keys are invalid.
    Spec(SpecError),
    /// `{:bad_combination, [auto_shutdown: :never, significant: true]}`.
    SignificantWithAutoShutdownNever,
    /// `{:bad_combination, [restart: :permanent, significant: true]}`.
    SignificantPermanent,
}

impl fmt::Display for StaticSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaticSpecError::Spec(e) => e.fmt(f),
            StaticSpecError::SignificantWithAutoShutdownNever => {
                f.write_str("bad combination: significant child under auto_shutdown never")
            }
            StaticSpecError::SignificantPermanent => {
                f.write_str("bad combination: a permanent child cannot be significant")
            }
        }
    }
}

impl std::error::Error for StaticSpecError {}

/// Why a static supervisor could not be created (`{:error, reason}` of `start_link` before any
/// child is started).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitError<I> {
    /// `{:supervisor_data, reason}`: invalid flags.
    Flags(ConfigError),
    /// `{:start_spec, reason}`: an invalid child spec.
    StartSpec(StaticSpecError),
    /// `{:start_spec, {:duplicate_child_name, id}}`: two children share an id.
    DuplicateChildName(I),
}

impl<I: fmt::Debug> fmt::Display for InitError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::Flags(e) => write!(f, "invalid flags: {e}"),
            InitError::StartSpec(e) => write!(f, "invalid start spec: {e}"),
            InitError::DuplicateChildName(id) => write!(f, "duplicate child name {id:?}"),
        }
    }
}

impl<I: fmt::Debug> std::error::Error for InitError<I> {}

/// The start-up failure `{:shutdown, {:failed_to_start_child, id, reason}}`: a child's start
/// function failed while the supervisor started its children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedToStartChild<I> {
    /// The child that failed.
    pub id: I,
    /// Why its start failed.
    pub reason: ExitReason,
}

impl<I: fmt::Debug> FailedToStartChild<I> {
    /// The supervisor's exit reason: `{:shutdown, {:failed_to_start_child, id, reason}}`, a
    /// clean `shutdown` with the detail as text.
    pub fn exit_reason(&self) -> ExitReason {
        ExitReason::ShutdownWith(format!(
            "failed_to_start_child:{:?}:{}",
            self.id, self.reason
        ))
    }
}

/// The `{:error, _}` answers of the calls by child id. Each call documents which it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChildError {
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
    /// `{:error, reason}` (for `start_child`, OTP's `{:error, {reason, child}}`): the start
    /// function failed.
    Failed(ExitReason),
    /// `{:error, reason}`: `start_child` with an invalid spec.
    InvalidSpec(StaticSpecError),
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::AlreadyStarted(pid) => write!(f, "already started as {pid}"),
            ChildError::AlreadyPresent => f.write_str("already present"),
            ChildError::Running => f.write_str("running"),
            ChildError::Restarting => f.write_str("restarting"),
            ChildError::NotFound => f.write_str("not found"),
            ChildError::Failed(reason) => write!(f, "start failed: {reason}"),
            ChildError::InvalidSpec(e) => write!(f, "invalid spec: {e}"),
        }
    }
}

impl std::error::Error for ChildError {}
