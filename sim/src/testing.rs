//! Knobs for the harness's own tests; **not part of the API** (hidden from the documentation,
//! may change at any time).
//!
//! A checker that cannot tell a wrong supervisor from the right one is vacuous. So the
//! reference model can be run with a planted [`Defect`], and the tests of the harness (and the
//! hidden `--plant-defect` flag of `dynsup-sim run` and `dynsup-sim explore`) check that the
//! explorer and the model-based suite then find a failure. Each function here is the
//! implementation behind its public namesake, which passes `None`: there is one
//! implementation of each.
//!
//! ```
//! use dynsup_sim::testing::{self, Defect};
//! use dynsup_sim::scenario;
//! // A temporary child is never restarted, unless the model is made to.
//! let scenario =
//!     scenario::parse("child w restart=temporary\nat 0 start w\nat 10 exit w#1 boom\n").unwrap();
//! assert_eq!(testing::check_scenario_with(&scenario, None), Ok(()));
//! let failure = testing::check_scenario_with(&scenario, Some(Defect::TemporaryRestarted));
//! assert_eq!(failure.unwrap_err().check, "model-mismatch");
//! ```

use crate::coverage::Coverage;
use crate::explore::{self, Failure, Finding};
use crate::model::{self, Model, ModelError};
use crate::scenario::Scenario;
use crate::transcript::Transcript;

/// A planted bug in the model.
///
/// These knobs exist **only** so that tests can prove that the explorer and the model-based
/// property suite catch bugs: a checker that cannot tell the defective model from the simulator
/// is vacuous. Never use them for anything else; `None` is the real semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Defect {
    /// The restart-intensity window check uses `<` instead of `<=` (docs/semantics.md §6.3: a stamp
    /// `s` stays in the window of a restart stamped `now` while `now - s <= max_seconds`).
    IntensityOffByOne,
    /// A permanent child that `terminate_child` stopped is restarted (docs/semantics.md §5: it never
    /// is, whatever its restart type).
    RestartTerminated,
    /// Temporary children are restarted after abnormal exits, as if they were transient
    /// (docs/semantics.md §6.1: a temporary child is never restarted).
    TemporaryRestarted,
    /// Children that went through a restart are not counted for `max_children` (the bug of
    /// elixir#7655; docs/semantics.md §4.1 counts every entry, running or restarting).
    ///
    /// This covers both a restarting entry and a child restarted after an exit, as Elixir's
    /// tests "restarting on init/exit children counted in max_children" do. A restarting entry
    /// alone can never be seen by a `start` step (the retries of a failed restart are over
    /// before the next step begins), so only the restarted children make this visible.
    MaxChildrenIgnoresRestarting,
}

impl Defect {
    /// Every defect, for tests that try them all.
    pub const ALL: [Defect; 4] = [
        Defect::IntensityOffByOne,
        Defect::RestartTerminated,
        Defect::TemporaryRestarted,
        Defect::MaxChildrenIgnoresRestarting,
    ];
}

/// A planted, deliberately wrong tree checker.
///
/// The tree explorer's oracle is its checkers (the tree reference model is compared by
/// `dynsup-sim run` and `tests/tree_model.rs`). So, to prove that the tree explorer finds,
/// shrinks and replays a failure, a test (or the hidden
/// `--plant-tree-defect` flag of `dynsup-sim run` and `dynsup-sim explore --trees`) adds a
/// checker that rejects something correct. Never use it for anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TreeDefect {
    /// Rejects any supervisor that gives up under a parent: every escalation fails.
    EscalationForbidden,
}

impl TreeDefect {
    /// The name of the check it fails, as a [`Failure`]'s `check`.
    pub fn check(self) -> &'static str {
        match self {
            TreeDefect::EscalationForbidden => "planted-escalation-forbidden",
        }
    }
}

/// [`crate::tree::explore::check_tree_text`] with `defect`'s wrong checker planted.
pub fn check_tree_text_with(
    text: &str,
    defect: Option<TreeDefect>,
    coverage: &mut Coverage<crate::tree::coverage::TreeSituation>,
) -> Result<(), Failure> {
    crate::tree::explore::check_tree_text_with(text, defect, coverage)
}

/// [`crate::tree::explore::shrink_tree_failure`] with `defect`'s wrong checker planted.
pub fn shrink_tree_failure_with(
    text: &str,
    failure: &Failure,
    defect: Option<TreeDefect>,
) -> String {
    crate::tree::explore::shrink_tree_failure_with(text, failure, defect)
}

/// [`model::run`] with `defect` planted in the model (`None`: the real semantics).
pub fn run_model_with(
    scenario: &Scenario,
    defect: Option<Defect>,
) -> Result<Transcript, ModelError> {
    model::run_with(scenario, defect)
}

/// [`Model::new`] with `defect` planted in the model (`None`: the real semantics).
pub fn model_with(scenario: &Scenario, defect: Option<Defect>) -> Result<Model, ModelError> {
    Model::with_defect(scenario, defect)
}

/// [`explore::check_scenario`] with `defect` planted in the model.
pub fn check_scenario_with(scenario: &Scenario, defect: Option<Defect>) -> Result<(), Failure> {
    explore::check_scenario_with(scenario, defect)
}

/// [`explore::check_scenario_counted`] with `defect` planted in the model.
pub fn check_scenario_counted_with(
    scenario: &Scenario,
    defect: Option<Defect>,
    coverage: &mut Coverage,
) -> Result<(), Failure> {
    explore::check_scenario_counted_with(scenario, defect, coverage)
}

/// [`explore::shrink_failure`] with `defect` planted in the model.
pub fn shrink_failure_with(
    scenario: &Scenario,
    failure: &Failure,
    defect: Option<Defect>,
) -> Scenario {
    explore::shrink_failure_with(scenario, failure, defect)
}

/// [`explore::explore_seeds`] with `defect` planted in the model.
pub fn explore_seeds_with(
    seeds: impl IntoIterator<Item = u64>,
    steps: usize,
    defect: Option<Defect>,
) -> Option<Finding> {
    explore::explore_seeds_with(seeds, steps, defect)
}
