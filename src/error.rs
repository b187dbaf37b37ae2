//! Error types: one enum per operation, each variant named after the OTP error it mirrors.

use std::fmt;

use crate::exit_reason::ExitReason;
use crate::options::{AutoShutdown, Strategy};
use crate::pid::Pid;
use crate::time::Instant;

/// Invalid supervisor options (OTP's `{:supervisor_data, reason}`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `{:invalid_strategy, v}`: only one_for_one is allowed.
    InvalidStrategy(Strategy),
    /// `{:invalid_intensity, v}`: max_restarts must be an integer ≥ 0.
    InvalidIntensity(i64),
    /// `{:invalid_period, v}`: max_seconds must be an integer > 0.
    InvalidPeriod(i64),
    /// `{:invalid_max_children, v}`: max_children must be infinity or an integer ≥ 0.
    InvalidMaxChildren(i64),
    /// `{:invalid_auto_shutdown, v}`: auto_shutdown must be never.
    InvalidAutoShutdown(AutoShutdown),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidStrategy(s) => {
                write!(
                    f,
                    "invalid strategy {s:?}: a DynamicSupervisor only supports one_for_one"
                )
            }
            ConfigError::InvalidIntensity(v) => {
                write!(f, "invalid max_restarts {v}: must be an integer >= 0")
            }
            ConfigError::InvalidPeriod(v) => {
                write!(f, "invalid max_seconds {v}: must be an integer > 0")
            }
            ConfigError::InvalidMaxChildren(v) => {
                write!(
                    f,
                    "invalid max_children {v}: must be infinity or an integer >= 0"
                )
            }
            ConfigError::InvalidAutoShutdown(v) => {
                write!(
                    f,
                    "invalid auto_shutdown {v:?}: a DynamicSupervisor only supports never"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// An invalid child specification, reported to the caller without contacting the supervisor.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecError {
    /// `{:invalid_restart_type, v}`: not permanent, transient or temporary.
    InvalidRestartType(String),
    /// `{:invalid_shutdown, v}`: not brutal_kill, infinity or an integer ≥ 0.
    InvalidShutdown(String),
    /// `{:invalid_child_type, v}`: not worker or supervisor.
    InvalidChildType(String),
    /// `{:invalid_modules, v}`: a module name is empty or holds whitespace; the whole list is
    /// reported, as Elixir does.
    InvalidModules(Vec<String>),
    /// `{:invalid_significant, v}`: a DynamicSupervisor child cannot be significant.
    InvalidSignificant(bool),
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::InvalidRestartType(v) => write!(
                f,
                "invalid restart type {v:?}: expected permanent, transient or temporary"
            ),
            SpecError::InvalidShutdown(v) => write!(
                f,
                "invalid shutdown {v:?}: expected brutal_kill, infinity or milliseconds >= 0"
            ),
            SpecError::InvalidChildType(v) => {
                write!(f, "invalid child type {v:?}: expected worker or supervisor")
            }
            SpecError::InvalidModules(v) => write!(
                f,
                "invalid modules {v:?}: each name must be non-empty without whitespace"
            ),
            SpecError::InvalidSignificant(v) => write!(
                f,
                "invalid significant {v}: a DynamicSupervisor child cannot be significant"
            ),
        }
    }
}

impl std::error::Error for SpecError {}

/// Why `start_child` did not start a child (the `{:error, reason}` replies).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StartError {
    /// `{:error, :max_children}`: the supervisor already holds `max_children` entries.
    MaxChildren,
    /// `{:error, reason}`: the start function failed with this reason.
    Failed(ExitReason),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::MaxChildren => f.write_str("max_children reached"),
            StartError::Failed(reason) => write!(f, "start failed: {reason}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Why `terminate_child` did nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TerminateError {
    /// `{:error, :not_found}`: the pid is not a child of this supervisor.
    NotFound,
}

impl fmt::Display for TerminateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TerminateError::NotFound => f.write_str("not found: the pid is not a child"),
        }
    }
}

impl std::error::Error for TerminateError {}

/// A driver broke the sans-IO protocol (for example, reported a start result while no start
/// was pending, or passed a `now` earlier than a previous one). The core's state is unchanged when this is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverError {
    /// `handle_start_result` was called while no start was pending.
    NoStartPending,
    /// A start result named a pid that is already a child: pids must never be reused.
    PidInUse(Pid),
    /// A call or input carried a `now` earlier than the latest `now` the core was given:
    /// time must never go backwards. Equal instants are accepted.
    TimeWentBackwards {
        /// The instant the refused call or input carried.
        now: Instant,
        /// The latest instant the core had been given before it.
        latest: Instant,
    },
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::NoStartPending => {
                f.write_str("a start result arrived but no start is pending")
            }
            DriverError::PidInUse(pid) => {
                write!(f, "pid {pid} is already a child; pids must not be reused")
            }
            DriverError::TimeWentBackwards { now, latest } => write!(
                f,
                "time went backwards: now is {} ms but the latest instant given was {} ms",
                now.as_millis(),
                latest.as_millis()
            ),
        }
    }
}

impl std::error::Error for DriverError {}
