//! The explorer: random scenarios from seeds, run with every invariant checked and compared
//! with the reference model; every failure shrunk to a small scenario file that replays it.
//!
//! * [`generate()`] makes a scenario from a seed (the same seed, the same scenario);
//! * [`check_scenario`] runs one in the simulator with every invariant checked and compares its
//!   transcript with [`crate::model`]'s (race files too: the model has a mailbox); a
//!   [`Failure`] names the check that failed;
//! * [`shrink_failure`] (over [`shrink()`]) makes a failing scenario smaller while it fails the
//!   same check;
//! * [`explore_seeds`] does all three over a range of seeds and returns the first [`Finding`];
//! * [`check_scenario_counted`] and [`coverage_of_seeds`] also count the supervisor situations
//!   the runs reached ([`crate::coverage`]).
//!
//! `dynsup-sim explore` is this over many seeds, on every core.
//!
//! ```
//! use dynsup_sim::explore;
//!
//! let scenario = explore::generate(7, 25);
//! assert_eq!(scenario, explore::generate(7, 25));
//! assert_eq!(explore::check_scenario(&scenario), Ok(()));
//! if let Some(finding) = explore::explore_seeds(0..20, 25) {
//!     panic!("seed {} fails: {}\n{}", finding.seed, finding.failure, finding.shrunk);
//! }
//! ```

mod generate;
pub(crate) mod shrink;

use std::fmt;

pub use generate::generate;
pub use shrink::shrink;

use crate::coverage::Coverage;
use crate::model;
use crate::runner::{self, RunError};
use crate::scenario::Scenario;
use crate::testing::Defect;
use crate::transcript;

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

/// Runs `scenario` with every invariant checked, then compares what each step returned and
/// caused with the reference model's. The comparison works on data; text is made only to
/// describe a mismatch.
///
/// ```
/// use dynsup_sim::{explore, scenario};
/// let scenario = scenario::parse("child w\nat 0 start w\nat 10 kill w#1\n").unwrap();
/// assert_eq!(explore::check_scenario(&scenario), Ok(()));
/// ```
pub fn check_scenario(scenario: &Scenario) -> Result<(), Failure> {
    check_scenario_with(scenario, None)
}

/// [`check_scenario`], adding the supervisor situations the run reached to `coverage`.
///
/// ```
/// use dynsup_sim::coverage::{Coverage, Situation};
/// use dynsup_sim::{explore, scenario};
/// let scenario = scenario::parse("child w\nat 0 start w\nat 10 terminate w#2\n").unwrap();
/// let mut coverage = Coverage::new();
/// assert_eq!(explore::check_scenario_counted(&scenario, &mut coverage), Ok(()));
/// assert_eq!(coverage.count(Situation::TerminateNotFound), 1);
/// ```
pub fn check_scenario_counted(scenario: &Scenario, coverage: &mut Coverage) -> Result<(), Failure> {
    check_scenario_counted_with(scenario, None, coverage)
}

/// [`check_scenario`] with `defect` planted in the model (see [`crate::testing`]).
pub(crate) fn check_scenario_with(
    scenario: &Scenario,
    defect: Option<Defect>,
) -> Result<(), Failure> {
    check_scenario_counted_with(scenario, defect, &mut Coverage::new())
}

/// [`check_scenario_counted`] with `defect` planted in the model (see [`crate::testing`]).
pub(crate) fn check_scenario_counted_with(
    scenario: &Scenario,
    defect: Option<Defect>,
    coverage: &mut Coverage,
) -> Result<(), Failure> {
    let mut simulated =
        runner::run_records_counted(scenario, coverage).map_err(|err| failure_of(&err))?;
    let mut modelled = model::run_records(scenario, defect).map_err(|err| Failure {
        check: "model-error".into(),
        detail: err.to_string(),
    })?;
    let same = simulated.len() == modelled.len()
        && simulated
            .iter_mut()
            .zip(modelled.iter_mut())
            .all(|(ours, theirs)| ours.same_as(theirs));
    if same {
        return Ok(());
    }
    let ours = transcript::write(scenario, &simulated).to_string();
    let theirs = transcript::write(scenario, &modelled).to_string();
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

/// Candidate scenarios the shrinker may try for one failure.
pub const SHRINK_ATTEMPTS_MAX: usize = 20_000;

/// Shrinks a scenario that fails `failure.check` while it keeps failing that same check (at
/// most [`SHRINK_ATTEMPTS_MAX`] candidates are tried).
///
/// ```
/// use dynsup_sim::explore::{self, Failure};
/// use dynsup_sim::scenario;
/// // `max_seconds=0` is a supervisor line OTP rejects: every run fails `invalid-supervisor`.
/// let mut failing = scenario::parse("child w\nat 0 start w\nat 5 count\nat 9 which\n").unwrap();
/// failing.supervisor.max_seconds = 0;
/// let failure = explore::check_scenario(&failing).unwrap_err();
/// assert_eq!(failure.check, "invalid-supervisor");
/// let shrunk = explore::shrink_failure(&failing, &failure);
/// assert!(shrunk.steps.len() <= failing.steps.len());
/// assert_eq!(explore::check_scenario(&shrunk).unwrap_err().check, "invalid-supervisor");
/// ```
pub fn shrink_failure(scenario: &Scenario, failure: &Failure) -> Scenario {
    shrink_failure_with(scenario, failure, None)
}

/// [`shrink_failure`] with `defect` planted in the model (see [`crate::testing`]).
pub(crate) fn shrink_failure_with(
    scenario: &Scenario,
    failure: &Failure,
    defect: Option<Defect>,
) -> Scenario {
    shrink(scenario, SHRINK_ATTEMPTS_MAX, |candidate| {
        check_scenario_with(candidate, defect).is_err_and(|f| f.check == failure.check)
    })
}

/// A failing seed, its scenario, the failure, and the shrunk scenario.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The seed.
    pub seed: u64,
    /// The generated scenario.
    pub scenario: Scenario,
    /// How it failed.
    pub failure: Failure,
    /// The smallest scenario found that fails the same check.
    pub shrunk: Scenario,
}

/// Runs the seeds in order (each a scenario of `steps` steps from [`generate()`], checked with
/// [`check_scenario`]) and returns the first failure, shrunk; `None` if every seed passes.
///
/// ```
/// use dynsup_sim::explore;
/// assert!(explore::explore_seeds(0..5, 20).is_none());
/// ```
pub fn explore_seeds(seeds: impl IntoIterator<Item = u64>, steps: usize) -> Option<Finding> {
    explore_seeds_with(seeds, steps, None)
}

/// [`explore_seeds`] with `defect` planted in the model (see [`crate::testing`]).
pub(crate) fn explore_seeds_with(
    seeds: impl IntoIterator<Item = u64>,
    steps: usize,
    defect: Option<Defect>,
) -> Option<Finding> {
    seeds.into_iter().find_map(|seed| {
        let scenario = generate(seed, steps);
        let failure = check_scenario_with(&scenario, defect).err()?;
        let shrunk = shrink_failure_with(&scenario, &failure, defect);
        Some(Finding {
            seed,
            scenario,
            failure,
            shrunk,
        })
    })
}

/// The supervisor situations that the scenarios of `seeds` (each of `steps` steps from
/// [`generate()`]) reach, added up over every seed (failing seeds count what they reached).
///
/// ```
/// use dynsup_sim::coverage::Situation;
/// use dynsup_sim::explore;
/// let coverage = explore::coverage_of_seeds(0..20, 50);
/// assert!(coverage.count(Situation::FailedRestartRetried) > 0);
/// ```
pub fn coverage_of_seeds(seeds: impl IntoIterator<Item = u64>, steps: usize) -> Coverage {
    let mut coverage = Coverage::new();
    for seed in seeds {
        // A failure is the explorer's business: here only what the run reached counts.
        let _ = check_scenario_counted(&generate(seed, steps), &mut coverage);
    }
    coverage
}
