//! The harness proves itself: each defect planted in the core (`CoreDefect`, compiled only with
//! the `planted-defects` feature, which only this workspace's tests enable) is caught by the
//! invariant checker guarding its rule, with the model comparison off, and every seed used
//! passes with no defect planted. Without the checkers (`Invariants::check` always `Ok`), this
//! test fails.

use dynsup::CoreDefect;
use dynsup_sim::explore::{generate, shrink};
use dynsup_sim::runner::{RunError, ScenarioRun};
use dynsup_sim::scenario::Scenario;

/// Seeds tried per defect.
const SEEDS: u64 = 1_000;
/// Steps of each generated scenario.
const STEPS: usize = 40;
/// Candidates the shrinker may try.
const SHRINK_ATTEMPTS: usize = 2_000;

/// Runs `scenario` in the simulator with every invariant checked (no model), with `defect`
/// planted in the core if any.
fn run(scenario: &Scenario, defect: Option<CoreDefect>) -> Result<(), RunError> {
    let mut run = match defect {
        Some(defect) => ScenarioRun::with_core_defect(scenario, defect)?,
        None => ScenarioRun::new(scenario)?,
    };
    for index in 0..scenario.steps.len() {
        run.run_step(index)?;
    }
    run.finish_records().map(drop)
}

/// The name of the invariant violated, or a description of any other failure.
fn failed_check(result: Result<(), RunError>) -> Option<String> {
    match result {
        Ok(()) => None,
        Err(RunError::Violation(violation)) => Some(violation.invariant.to_owned()),
        Err(other) => Some(format!("not a violation: {other}")),
    }
}

#[test]
fn every_planted_core_defect_is_caught_by_its_checker() {
    let mut report = Vec::new();
    // The defects only an interleaving shows are `dynsup-sim check`'s (sim/tests/model_check.rs).
    for defect in CoreDefect::ALL
        .into_iter()
        .filter(|d| !d.needs_interleaving())
    {
        let expected = defect.expected_invariant();
        let found = (0..SEEDS).find_map(|seed| {
            let scenario = generate(seed, STEPS);
            failed_check(run(&scenario, Some(defect))).map(|check| (seed, scenario, check))
        });
        let Some((seed, scenario, check)) = found else {
            panic!("{defect:?}: no violation within {SEEDS} seeds of {STEPS} steps");
        };
        assert_eq!(
            check, expected,
            "{defect:?}: seed {seed} failed the wrong check"
        );
        // With no defect planted, every seed up to and including this one passes.
        for clean in 0..=seed {
            let result = run(&generate(clean, STEPS), None);
            assert!(
                result.is_ok(),
                "seed {clean} fails with no defect planted: {result:?}"
            );
        }
        let shrunk = shrink(&scenario, SHRINK_ATTEMPTS, |candidate| {
            failed_check(run(candidate, Some(defect))).as_deref() == Some(expected)
        });
        assert_eq!(
            failed_check(run(&shrunk, Some(defect))).as_deref(),
            Some(expected),
            "{defect:?}: the shrunk scenario no longer fails {expected}"
        );
        assert!(
            shrunk.steps.len() <= 10,
            "{defect:?}: shrunk to {} steps:\n{shrunk}",
            shrunk.steps.len()
        );
        assert!(
            run(&shrunk, None).is_ok(),
            "{defect:?}: shrunk scenario fails clean"
        );
        report.push(format!(
            "{defect:?}: {expected} at seed {seed} ({STEPS} steps), shrunk to {} steps",
            shrunk.steps.len()
        ));
    }
    println!("{}", report.join("\n"));
}
