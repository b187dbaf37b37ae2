//! The explorer: random scenarios from seeds, run with every invariant checked and compared
//! with the reference model; every failure shrunk to a small scenario file that replays it.

mod generate;
mod shrink;

use std::fmt;

pub use generate::generate;
pub use shrink::shrink;

use crate::model::{self, Defect};
use crate::runner::{self, RunError};
use crate::scenario::Scenario;

/// A scenario that failed: which check, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// A stable name for the check that failed (an invariant's name, `model-mismatch`,
    /// `does-not-settle`, `invalid-supervisor`): a shrunk scenario must fail the same check.
    pub check: String,
    /// What exactly went wrong.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.detail)
    }
}

fn failure_of(err: &RunError) -> Failure {
    let check = match err {
        RunError::Violation(violation) => violation.invariant.to_owned(),
        RunError::RestartLoop { .. } | RunError::WaitsForever { .. } => "does-not-settle".into(),
        RunError::Config(_) => "invalid-supervisor".into(),
        _ => "simulator-error".into(),
    };
    Failure {
        check,
        detail: err.to_string(),
    }
}

/// Runs `scenario` with every invariant checked, then compares its transcript with the
/// reference model's (with `defect` planted in the model, for tests of the harness itself).
pub fn check_scenario(scenario: &Scenario, defect: Option<Defect>) -> Result<(), Failure> {
    let simulated = runner::run(scenario).map_err(|err| failure_of(&err))?;
    let modelled = model::run(scenario, defect).map_err(|err| Failure {
        check: "model-error".into(),
        detail: err.to_string(),
    })?;
    if simulated == modelled {
        return Ok(());
    }
    let (ours, theirs) = (simulated.to_string(), modelled.to_string());
    let line = ours
        .lines()
        .zip(theirs.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| ours.lines().count().min(theirs.lines().count()));
    let show = |text: &str| text.lines().nth(line).unwrap_or("(end)").to_owned();
    Err(Failure {
        check: "model-mismatch".into(),
        detail: format!(
            "transcript line {}: simulator `{}`, model `{}`",
            line + 1,
            show(&ours),
            show(&theirs)
        ),
    })
}
