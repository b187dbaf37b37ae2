//! The race goldens are among `dynsup-sim check`'s interleavings: every race file of
//! `tests/scenarios/` (docs/races.md) becomes a checker configuration and a path of checker
//! transitions (`dynsup_sim::model_check::scenario_path`), each transition enabled where it is
//! taken (the search's own `World::steps`), every checker rule kept on the way, and what the
//! world records (replies, start attempts, deaths, the supervisor's exit) prints the golden
//! transcript from the real OTP exactly.

mod real_time_support;

use dynsup_sim::model_check::scenario_path::{config_of, walk, Walk, WalkError};
use dynsup_sim::model_check::world::Step;
use dynsup_sim::scenario;
use dynsup_sim::transcript;
use real_time_support::{golden, race_files_left_out};

/// The race files the checker does not model, with the reason `config_of` gives: none. A file
/// refused tomorrow must be added here on purpose.
const REFUSED: [(&str, &str); 0] = [];

/// The transcript the walk's records print (the one transcript writer the runners use).
fn walked(scenario: &scenario::Scenario, walk: &Walk) -> String {
    transcript::write(scenario, &walk.records)
        .to_string()
        .trim_end()
        .to_owned()
}

#[test]
fn every_race_golden_is_a_path_of_the_checker() {
    let names = race_files_left_out();
    assert!(names.len() >= 25, "only {} race files", names.len());
    let mut refused = Vec::new();
    let mut covered = 0;
    for name in &names {
        let path = format!("tests/scenarios/{name}");
        let parsed = scenario::parse_file(std::path::Path::new(&path)).expect("a race file parses");
        let walk = match walk(name, &parsed) {
            Ok(walk) => walk,
            Err(WalkError::Refused(why)) => {
                refused.push((name.clone(), why.0));
                continue;
            }
            Err(error) => panic!("{name}: {error}"),
        };
        assert_eq!(walked(&parsed, &walk), golden(name), "{name}");
        // The window's messages were held and delivered at `resume`: the path delivers at
        // least one exit or call after the checker's clients and children sent them.
        assert!(
            walk.path
                .iter()
                .any(|step| matches!(step, Step::DeliverExit(_) | Step::Call(_))),
            "{name}: {:?}",
            walk.path
        );
        covered += 1;
    }
    let pinned: Vec<(String, String)> = REFUSED
        .iter()
        .map(|(name, why)| ((*name).to_owned(), (*why).to_owned()))
        .collect();
    assert_eq!(refused, pinned);
    assert_eq!(covered + refused.len(), names.len());
    assert_eq!(covered, 25);
}

/// The comparison can fail: the written order decides. r01 queues the exit behind the
/// terminate (the golden answers `ok`); written the other way round (r14's order) the same
/// walk restarts the child first and the terminate answers `error not_found`.
#[test]
fn the_written_order_decides_the_replies() {
    let name = "r01_exit_behind_terminate.scn";
    let mut parsed = scenario::parse_file(std::path::Path::new(&format!("tests/scenarios/{name}")))
        .expect("a race file parses");
    let terminate = parsed
        .steps
        .iter()
        .position(|step| matches!(step.op, scenario::Op::Terminate(_)))
        .expect("r01 terminates");
    parsed.steps.swap(terminate, terminate + 1);
    let swapped = walk(name, &parsed).expect("the swapped file walks");
    let text = walked(&parsed, &swapped);
    assert!(
        text.contains("@100 terminate w#1 -> error not_found"),
        "{text}"
    );
    assert!(text.contains("up w#2"), "{text}");
    assert_ne!(text, golden(name));
}

/// What the checker does not model is refused with its reason, before any transition.
#[test]
fn a_file_the_checker_does_not_model_is_refused() {
    for (text, why) in [
        (
            "child w\nat 0 start w\nat 100 suspend\nat 150 exit w#1 boom\nat 150 resume\n",
            "a window from 100 ms to 150 ms",
        ),
        (
            "child w\nat 0 start w\nat 100 exit w#1 shutdown:bye\n",
            "the checker's exits are",
        ),
        (
            "child w\nat 0 start w\nat 100 suspend\nat 100 count\nat 100 count\nat 100 count\n\
             at 100 count\nat 100 count\nat 100 resume\n",
            "5 calls in one window",
        ),
    ] {
        let parsed = scenario::parse(text).expect("the file parses");
        let refusal = config_of("file", &parsed).expect_err(text);
        assert!(refusal.0.contains(why), "{text}: {refusal}");
        assert!(matches!(walk("file", &parsed), Err(WalkError::Refused(_))));
    }
}
