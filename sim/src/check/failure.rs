//! Why a run failed: a test body's assertion, a library invariant, a simulator limit, or a
//! panic; and the signature that shrinking keeps ("the same assertion still fails").

use std::fmt;
use std::panic::Location;

use crate::simulation::SimError;

/// What kind of failure it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The test body said so ([`ensure`](super::ensure), [`Failed::assertion`], or an error
    /// turned into a `Failed` with `?`).
    Assertion,
    /// One of the library's invariants (`dynsup_sim::invariants`) broke, under this name.
    Invariant(&'static str),
    /// The simulation could not go on (a restart loop, a wait that never ends, the step
    /// limit), under the error's name.
    Simulator(&'static str),
    /// The test body panicked.
    Panic,
    /// The check itself was set up wrong (an environment variable, a replay file).
    Setup,
}

/// A failed run: what failed, where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The message.
    pub message: String,
    /// Where in the test an assertion failed, when known.
    pub location: Option<String>,
}

impl Failed {
    /// A failed assertion of the test body, at the caller's line.
    #[track_caller]
    pub fn assertion(message: impl fmt::Display) -> Self {
        Failed {
            kind: FailureKind::Assertion,
            message: message.to_string(),
            location: Some(Location::caller().to_string()),
        }
    }

    pub(crate) fn new(kind: FailureKind, message: impl fmt::Display) -> Self {
        Failed {
            kind,
            message: message.to_string(),
            location: None,
        }
    }

    /// What stays the same while a failing run is shrunk: the kind, and the assertion's line
    /// (or its message when the line is unknown), the invariant or the simulator error.
    pub fn signature(&self) -> String {
        match &self.kind {
            FailureKind::Assertion => match &self.location {
                Some(location) => format!("assertion at {location}"),
                None => format!("assertion: {}", self.message),
            },
            FailureKind::Invariant(name) => format!("invariant {name}"),
            FailureKind::Simulator(name) => format!("simulator: {name}"),
            FailureKind::Panic => format!("panic: {}", self.message),
            FailureKind::Setup => format!("setup: {}", self.message),
        }
    }
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.location) {
            (FailureKind::Assertion, Some(location)) => {
                write!(f, "assertion failed at {location}: {}", self.message)
            }
            (FailureKind::Assertion, None) => write!(f, "assertion failed: {}", self.message),
            (FailureKind::Invariant(_), _) => write!(f, "{}", self.message),
            (FailureKind::Simulator(_), _) => write!(f, "simulation: {}", self.message),
            (FailureKind::Panic, _) => write!(f, "the test body panicked: {}", self.message),
            (FailureKind::Setup, _) => write!(f, "check set up wrong: {}", self.message),
        }
    }
}

impl std::error::Error for Failed {}

impl From<SimError> for Failed {
    fn from(err: SimError) -> Self {
        let kind = match &err {
            SimError::Violation(violation) => FailureKind::Invariant(violation.invariant),
            SimError::RestartLoop { .. } => FailureKind::Simulator("restart-loop"),
            SimError::WaitsForever { .. } => FailureKind::Simulator("waits-forever"),
            SimError::StepLimit { .. } => FailureKind::Simulator("step-limit"),
            _ => FailureKind::Simulator("driver"),
        };
        Failed::new(kind, err)
    }
}

impl From<String> for Failed {
    fn from(message: String) -> Self {
        Failed::new(FailureKind::Assertion, message)
    }
}

impl From<&str> for Failed {
    fn from(message: &str) -> Self {
        Failed::new(FailureKind::Assertion, message)
    }
}

/// Fails the run with `message` unless `condition` holds; the failure names the caller's
/// line, which shrinking keeps the same.
///
/// ```
/// use dynsup_sim::check::ensure;
/// assert!(ensure(1 + 1 == 2, "arithmetic").is_ok());
/// let failed = ensure(false, "never").unwrap_err();
/// assert!(failed.to_string().starts_with("assertion failed at "));
/// ```
#[track_caller]
pub fn ensure(condition: bool, message: impl fmt::Display) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(Failed::assertion(message))
    }
}

/// Fails the run unless `left == right`, naming both and the caller's line.
#[track_caller]
pub fn ensure_eq<T: PartialEq + fmt::Debug>(
    left: T,
    right: T,
    what: impl fmt::Display,
) -> Result<(), Failed> {
    if left == right {
        Ok(())
    } else {
        Err(Failed::assertion(format!("{what}: {left:?} != {right:?}")))
    }
}
