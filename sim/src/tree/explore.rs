//! The explorer on trees: each seed's random tree file ([`super::generate`]) run with every
//! tree checker on and compared with the tree reference model ([`super::reference`]), its tree
//! situations counted, and a failure shrunk to a small tree file
//! that `dynsup-sim run` replays. The flat explorer's [`Failure`] names what failed, so both
//! explorers report the same way.
//!
//! ```
//! use dynsup_sim::coverage::Coverage;
//! use dynsup_sim::tree::{explore, generate};
//! let mut coverage = Coverage::new();
//! let text = generate::tree_text(3, 50);
//! assert_eq!(explore::check_tree_text(&text, &mut coverage), Ok(()));
//! ```

use super::coverage::TreeSituation;
use super::invariants::TreeInvariants;
use super::reference::{self, TreeModelError};
use super::run::run_observed;
use super::shrink::shrink_tree;
use super::{generate, parse_tree, Tree, WorldError};
use crate::coverage::Coverage;
use crate::explore::{Failure, SHRINK_ATTEMPTS_MAX};
use crate::testing::TreeDefect;
use crate::transcript::Transcript;

/// The failure of a tree run: a checker's violation is named by its checker (the text before
/// the first `: ` of its message, one of [`super::invariants::CHECKS`] unless a planted
/// checker fired), the other errors by their kind.
pub fn failure_of(err: &WorldError) -> Failure {
    let (check, detail) = match err {
        WorldError::Violation(message) => match message.split_once(": ") {
            Some((check, detail)) => (check, detail.to_owned()),
            None => ("violation", message.clone()),
        },
        WorldError::DoesNotSettle(_) => ("does-not-settle", err.to_string()),
        WorldError::Driver(_) => ("driver-error", err.to_string()),
        WorldError::TooLarge(_) => ("too-large", err.to_string()),
    };
    Failure {
        check: check.to_owned(),
        detail,
    }
}

/// Parses tree file `text` and runs it with every tree checker on, adding the tree situations
/// it reached to `coverage`. A text that does not parse fails check `parse-error`.
///
/// # Errors
///
/// The [`Failure`]: which check failed, and how.
pub fn check_tree_text(text: &str, coverage: &mut Coverage<TreeSituation>) -> Result<(), Failure> {
    check_tree_text_with(text, None, coverage)
}

/// [`check_tree_text`] with `defect`'s wrong checker planted (see [`crate::testing`]).
pub(crate) fn check_tree_text_with(
    text: &str,
    defect: Option<TreeDefect>,
    coverage: &mut Coverage<TreeSituation>,
) -> Result<(), Failure> {
    check(text, defect, Some(coverage))
}

fn check(
    text: &str,
    defect: Option<TreeDefect>,
    coverage: Option<&mut Coverage<TreeSituation>>,
) -> Result<(), Failure> {
    let tree = parse_tree(text).map_err(|err| Failure {
        check: "parse-error".to_owned(),
        detail: err.to_string(),
    })?;
    let checker = Box::new(TreeInvariants::with_defect(defect));
    let world = run_observed(&tree, Some(checker), coverage).map_err(|err| failure_of(&err))?;
    compare_with_model(&tree, &world)
}

/// The check `reference-model`: the tree world's transcript equals the tree reference model's
/// ([`super::reference`]), unless the model does not cover the tree.
fn compare_with_model(tree: &Tree, world: &Transcript) -> Result<(), Failure> {
    let failure = |detail: String| Failure {
        check: "reference-model".to_owned(),
        detail,
    };
    match reference::run(tree) {
        // The world keeps events in the order they happened: compare the printed texts.
        Ok(model) if model.to_string() == world.to_string() => Ok(()),
        Ok(model) => Err(failure(format!(
            "the tree world and the tree reference model differ\n--- tree world\n{world}--- reference model\n{model}"
        ))),
        Err(TreeModelError::Unsupported { .. }) => Ok(()),
        Err(err) => Err(failure(format!(
            "the tree world settles, the tree reference model does not: {err}"
        ))),
    }
}

/// Shrinks tree file `text`, which fails `failure.check`, while it keeps failing that same
/// check (at most [`SHRINK_ATTEMPTS_MAX`] candidates); the result is a tree file's text.
///
/// ```
/// use dynsup_sim::coverage::Coverage;
/// use dynsup_sim::tree::explore;
/// // A child under an undeclared supervisor: the file fails `parse-error`, whatever else it holds.
/// let text = "sup root\nchild a\nchild b in=nowhere\nat 5 count\nat 9 which\nat 12 count\n";
/// let failure = explore::check_tree_text(text, &mut Coverage::new()).unwrap_err();
/// let shrunk = explore::shrink_tree_failure(text, &failure);
/// assert!(shrunk.lines().count() < text.lines().count());
/// let again = explore::check_tree_text(&shrunk, &mut Coverage::new()).unwrap_err();
/// assert_eq!((failure.check.as_str(), again.check.as_str()), ("parse-error", "parse-error"));
/// ```
pub fn shrink_tree_failure(text: &str, failure: &Failure) -> String {
    shrink_tree_failure_with(text, failure, None)
}

/// [`shrink_tree_failure`] with `defect`'s wrong checker planted (see [`crate::testing`]).
pub(crate) fn shrink_tree_failure_with(
    text: &str,
    failure: &Failure,
    defect: Option<TreeDefect>,
) -> String {
    shrink_tree(text, SHRINK_ATTEMPTS_MAX, |candidate| {
        check(candidate, defect, None).is_err_and(|f| f.check == failure.check)
    })
}

/// Generates and runs the random tree scenario of `seed` with every tree checker on.
///
/// # Errors
///
/// The scenario's text and what went wrong: it did not parse (a generator bug), did not
/// settle, or broke a tree invariant.
pub fn check_seed(seed: u64, steps: u64) -> Result<(), (String, String)> {
    let text = generate::tree_text(seed, steps);
    match check(&text, None, None) {
        Ok(()) => Ok(()),
        Err(failure) => Err((text, failure.to_string())),
    }
}

/// The tree situations the random trees of `seeds` (each of `steps` steps) reach, added up
/// over every seed (failing seeds count what they reached).
///
/// ```
/// use dynsup_sim::tree::{coverage::TreeSituation, explore};
/// let coverage = explore::coverage_of_tree_seeds(0..20, 100);
/// assert!(coverage.count(TreeSituation::ChildSupRestarted) > 0);
/// ```
pub fn coverage_of_tree_seeds(
    seeds: impl IntoIterator<Item = u64>,
    steps: u64,
) -> Coverage<TreeSituation> {
    let mut coverage = Coverage::new();
    for seed in seeds {
        // A failure is the explorer's business: here only what the run reached counts.
        let _ = check_tree_text(&generate::tree_text(seed, steps), &mut coverage);
    }
    coverage
}
