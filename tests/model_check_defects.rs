//! `dynsup-sim check` finds what the fixed-order simulator cannot: each core defect that only
//! an interleaving of messages shows (`CoreDefect::needs_interleaving`) passes the explorer's
//! first format-1 seeds (those that write no race), and the exhaustive search of the default
//! configurations finds it, with the expected checker, on a shortest path that replays to the
//! same violation. The explorer's race windows (`suspend`/`resume`, docs/races.md) hold
//! messages in the mailbox on purpose: they find these defects too.

use dynsup::CoreDefect;
use dynsup_sim::explore::generate;
use dynsup_sim::model_check::config::default_set;
use dynsup_sim::model_check::search::{replay_from, search_from};
use dynsup_sim::model_check::world::World;
use dynsup_sim::runner::ScenarioRun;

/// Seeds of the explorer that must all pass with the defect planted.
const SEEDS: u64 = 300;
/// Steps of each generated scenario.
const STEPS: usize = 40;

/// Seeds (of [`RACE_STEPS`] steps) among which the explorer's races must find each defect.
const RACE_SEEDS: u64 = 1_000;
/// Steps of each scenario of [`RACE_SEEDS`]: `explore`'s default.
const RACE_STEPS: usize = 200;

/// Whether scenario `seed` writes a race window.
fn races(scenario: &dynsup_sim::scenario::Scenario) -> bool {
    scenario
        .steps
        .iter()
        .any(|step| step.op == dynsup_sim::scenario::Op::Suspend)
}

fn explorer_passes(defect: CoreDefect, seed: u64) -> bool {
    explorer_passes_on(defect, &generate(seed, STEPS))
}

fn explorer_passes_on(defect: CoreDefect, scenario: &dynsup_sim::scenario::Scenario) -> bool {
    let Ok(mut run) = ScenarioRun::with_core_defect(scenario, defect) else {
        return false;
    };
    (0..scenario.steps.len()).all(|index| run.run_step(index).is_ok())
        && run.finish_records().is_ok()
}

#[test]
fn interleaving_defects_escape_the_simulator_and_are_found_by_check() {
    let defects: Vec<CoreDefect> = CoreDefect::ALL
        .into_iter()
        .filter(|defect| defect.needs_interleaving())
        .collect();
    assert!(!defects.is_empty());
    for defect in defects {
        let format_1 = (0..SEEDS).filter(|&seed| !races(&generate(seed, STEPS)));
        if let Some(seed) = format_1
            .clone()
            .find(|&seed| !explorer_passes(defect, seed))
        {
            panic!("{defect:?}: the simulator found it at seed {seed}: not interleaving-only");
        }
        assert!(format_1.count() > 150, "too few format-1 seeds");
        let racing = (0..RACE_SEEDS)
            .map(|seed| generate(seed, RACE_STEPS))
            .filter(races)
            .find(|scenario| !explorer_passes_on(defect, scenario));
        assert!(
            racing.is_some(),
            "{defect:?}: no race window of seeds 0..{RACE_SEEDS} shows it"
        );
        let found = default_set().into_iter().find_map(|config| {
            let mut world = World::new(&config).expect("valid default config");
            world.plant_core_defect(defect);
            let report = search_from(world, &config, 2, &mut |_, _, _| {});
            eprintln!(
                "{defect:?} in {}: {} states, violation: {:?}",
                config.name,
                report.states,
                report.violation.as_ref().map(|found| found.path.len())
            );
            report.violation.map(|found| (config, found))
        });
        let Some((config, found)) = found else {
            panic!("{defect:?}: check found nothing in the default configurations");
        };
        assert_eq!(
            found.violation.checker,
            defect.expected_invariant(),
            "{defect:?} in {}: {}",
            config.name,
            found.violation
        );
        // The shortest path found does not depend on how the levels are cut between threads.
        for jobs in [1, 3] {
            let mut world = World::new(&config).expect("valid default config");
            world.plant_core_defect(defect);
            let other = search_from(world, &config, jobs, &mut |_, _, _| {});
            assert_eq!(
                other.violation.as_ref(),
                Some(&found),
                "{defect:?}: {jobs} jobs"
            );
        }
        let mut world = World::new(&config).expect("valid default config");
        world.plant_core_defect(defect);
        let (_, replayed) = replay_from(world, &config, &found.path);
        assert_eq!(
            replayed.as_ref(),
            Some(&found.violation),
            "{defect:?}: replay"
        );
        // Without the defect the same path breaks no rule (it may stop being possible, as the
        // correct supervisor answers differently): the defect, not the path, is at fault.
        let clean = World::new(&config).expect("valid default config");
        let (_, clean_end) = replay_from(clean, &config, &found.path);
        assert!(
            clean_end.as_ref().is_none_or(|v| v.checker == "replay"),
            "{defect:?}: the path fails without the defect: {clean_end:?}"
        );
    }
}
