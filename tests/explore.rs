//! The explorer finds planted defects, shrinks them to small scenarios that replay, and every
//! seed runs identically twice.

use dynsup_sim::explore::{check_scenario, explore_seeds, generate};
use dynsup_sim::testing::{check_scenario_with, explore_seeds_with, Defect};
use dynsup_sim::{runner, scenario};

#[test]
fn the_unplanted_model_agrees_on_a_seed_range() {
    assert!(explore_seeds(0..200, 100).is_none());
}

#[test]
fn every_planted_defect_is_found_and_shrunk_to_a_replayable_scenario() {
    for defect in Defect::ALL {
        let finding = explore_seeds_with(0..300, 100, Some(defect))
            .unwrap_or_else(|| panic!("{defect:?} not found within 300 seeds"));
        assert!(
            finding.shrunk.steps.len() <= 10,
            "{defect:?}: shrunk to {} steps",
            finding.shrunk.steps.len()
        );
        // The shrunk scenario, written and parsed back, still fails the same check, and only
        // because of the defect.
        let replayed = scenario::parse(&finding.shrunk.to_string()).expect("shrunk file parses");
        let failure = check_scenario_with(&replayed, Some(defect)).expect_err("replay fails");
        assert_eq!(failure.check, finding.failure.check, "{defect:?}");
        assert_eq!(check_scenario(&replayed), Ok(()), "{defect:?}");
    }
}

#[test]
fn a_thousand_seeds_run_identically_twice() {
    for seed in 0..1000 {
        let scenario = generate(seed, 40);
        let first = runner::run(&scenario).map(|t| t.to_string());
        let second = runner::run(&generate(seed, 40)).map(|t| t.to_string());
        assert_eq!(first, second, "seed {seed}");
    }
}
