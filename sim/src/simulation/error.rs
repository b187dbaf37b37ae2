//! Errors of a simulation run.

use std::fmt;

use dynsup::{DriverError, Pid};

use super::checker::Violation;

/// Why a simulation could not go on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// The restart of the child keyed `pid` failed more than `attempts` times in a row without
    /// the supervisor giving up: the run does not settle.
    RestartLoop {
        /// The restarting entry's key (the pid of the child that died).
        pid: Pid,
        /// How many failed attempts were seen.
        attempts: u64,
    },
    /// The supervisor waits forever for a child that never exits (shutdown `infinity` on a
    /// worker that hangs).
    WaitsForever {
        /// A child it is waiting for.
        pid: Pid,
    },
    /// More deliveries than the step limit allows.
    StepLimit {
        /// The limit.
        limit: u64,
    },
    /// An invariant checker found a violation.
    Violation(Violation),
    /// The simulator broke the core's protocol: a bug in the simulator.
    Driver(DriverError),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::RestartLoop { pid, attempts } => write!(
                f,
                "does not settle: the restart of child {pid} failed {attempts} times in a row"
            ),
            SimError::WaitsForever { pid } => write!(
                f,
                "does not settle: the supervisor waits forever for child {pid} to shut down"
            ),
            SimError::StepLimit { limit } => {
                write!(f, "does not settle: more than {limit} deliveries")
            }
            SimError::Violation(violation) => write!(f, "{violation}"),
            SimError::Driver(err) => write!(f, "simulator bug: {err}"),
        }
    }
}

impl std::error::Error for SimError {}

impl From<DriverError> for SimError {
    fn from(err: DriverError) -> Self {
        SimError::Driver(err)
    }
}
