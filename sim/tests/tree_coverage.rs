//! Coverage of tree situations: the default `explore --trees` run reaches every tree
//! situation the tree format can produce; each situation's detector fires on a golden tree
//! scenario that shows it, and stays quiet on one that does not.

use std::sync::OnceLock;

use dynsup_sim::coverage::Coverage;
use dynsup_sim::tree::{self, coverage::TreeSituation, explore};

/// Seeds of the coverage test, from 0. `dynsup-sim explore --trees` runs 10,000 seeds of 200
/// steps by default; this debug-build test runs the first ones with the same steps.
const SEEDS: u64 = 300;
/// Steps per tree scenario: `dynsup-sim explore`'s default.
const STEPS: u64 = 200;

fn default_run() -> &'static Coverage<TreeSituation> {
    static COVERAGE: OnceLock<Coverage<TreeSituation>> = OnceLock::new();
    COVERAGE.get_or_init(|| explore::coverage_of_tree_seeds(0..SEEDS, STEPS))
}

#[test]
fn the_default_explore_trees_run_reaches_every_tree_situation() {
    let coverage = default_run();
    let missing = coverage.missing();
    assert!(
        missing.is_empty(),
        "never reached in tree seeds 0..{SEEDS} of {STEPS} steps: {missing:?}\n{coverage}"
    );
    assert!(TreeSituation::ALL.len() - TreeSituation::AWAITING_INTERLEAVING.len() >= 10);
}

#[test]
fn no_run_reaches_a_tree_situation_awaiting_interleaving_steps() {
    let coverage = default_run();
    for situation in TreeSituation::AWAITING_INTERLEAVING {
        assert_eq!(
            coverage.count(situation),
            0,
            "{situation} is reachable today"
        );
    }
}

/// The coverage of golden tree scenario `name` (tests/tree_scenarios/NAME.scn).
fn coverage_of(name: &str) -> Coverage<TreeSituation> {
    let path = format!(
        "{}/../tests/tree_scenarios/{name}.scn",
        env!("CARGO_MANIFEST_DIR")
    );
    let parsed = tree::parse_file(std::path::Path::new(&path)).expect("the golden parses");
    let mut coverage = Coverage::new();
    tree::run_counted(&parsed, &mut coverage).expect("the golden runs clean");
    coverage
}

/// A golden tree scenario that shows each situation reachable today.
fn witness(situation: TreeSituation) -> &'static str {
    use TreeSituation::*;
    match situation {
        EscalationTwoLevels => "esc_two_levels",
        RootGaveUp => "nm_noproc_after_root_gave_up",
        ChildSupRestarted => "st_ofo_sup_child_restarted",
        OneForAllSiblingsRestarted => "st_ofa_crash_middle",
        RestForOneLaterRestarted => "st_rfo_crash_first",
        StaticFailedRestartRetried => "fr_ofo_retry",
        StaticStartupFailure => "su_root_middle_fails",
        StaticStartupIgnored => "su_ignore_keeps_spec",
        SignificantAutoShutdown => "sig_any_temporary",
        ShutdownMixedTimeouts => "sd_mixed_timeouts",
        ShutdownTimerKill => "sd_mixed_timeouts",
        MidSupervisorKilled => "kill_mid_children_killed",
        StaticAlreadyPresent => "api_start_already_present",
        StaticRunning => "api_lifecycle",
        StaticNotFound => "api_temporary_terminated_not_found",
        StaticAlreadyStarted => "api_start_already_started",
        NameAlreadyStarted => "nm_dynamic_parent_already_started",
        StaticRestarting => unreachable!("awaits interleaving steps"),
    }
}

#[test]
fn each_detector_fires_on_a_golden_that_shows_its_situation() {
    for situation in TreeSituation::ALL {
        if TreeSituation::AWAITING_INTERLEAVING.contains(&situation) {
            continue;
        }
        let name = witness(situation);
        let coverage = coverage_of(name);
        assert!(
            coverage.count(situation) > 0,
            "{situation} not reached by {name}\n{coverage}"
        );
    }
}

#[test]
fn detectors_stay_quiet_where_their_situation_does_not_happen() {
    use TreeSituation::*;
    // one_for_one restarts only the child that exited.
    let ofo = coverage_of("st_ofo_crash_middle");
    assert_eq!(ofo.count(OneForAllSiblingsRestarted), 0, "{ofo}");
    assert_eq!(ofo.count(RestForOneLaterRestarted), 0, "{ofo}");
    // rest_for_one after its last child exits restarts no later one.
    let rfo_last = coverage_of("st_rfo_crash_last");
    assert_eq!(rfo_last.count(RestForOneLaterRestarted), 0, "{rfo_last}");
    // The exit of a child that is not significant does not trigger auto_shutdown.
    let bystander = coverage_of("sig_nonsignificant_temporary");
    assert_eq!(bystander.count(SignificantAutoShutdown), 0, "{bystander}");
    // A supervisor stopped by its parent is not an auto_shutdown.
    let stopped = coverage_of("sd_stop_whole_tree");
    assert_eq!(stopped.count(SignificantAutoShutdown), 0, "{stopped}");
    // One level of escalation is not two.
    let one_level = coverage_of("esc_dynamic_mid_gives_up");
    assert_eq!(one_level.count(EscalationTwoLevels), 0, "{one_level}");
    // A restart that succeeds at once is not a retried failed restart.
    assert_eq!(ofo.count(StaticFailedRestartRetried), 0, "{ofo}");
}
