//! `dynsup-sim check` finds what the fixed-order simulator cannot: each core defect that only
//! an interleaving of messages shows (`CoreDefect::needs_interleaving`) passes the explorer's
//! first seeds, and the exhaustive search of the default configurations finds it, with the
//! expected checker, on a shortest path that replays to the same violation.

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

fn explorer_passes(defect: CoreDefect, seed: u64) -> bool {
    let scenario = generate(seed, STEPS);
    let Ok(mut run) = ScenarioRun::with_core_defect(&scenario, defect) else {
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
        if let Some(seed) = (0..SEEDS).find(|&seed| !explorer_passes(defect, seed)) {
            panic!("{defect:?}: the simulator found it at seed {seed}: not interleaving-only");
        }
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
