//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz targets'
//! bodies in `dynsup_sim::fuzzing`, on stable Rust: every input that once found a bug, and the
//! minimized corpus of each target, must pass.

use std::fs;
use std::path::{Path, PathBuf};

use dynsup_sim::fuzzing::{self, TARGETS};

/// The committed corpus of `target`, in a stable order.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let files = corpus(target);
    assert!(!files.is_empty(), "the corpus of {target} is empty");
    for file in &files {
        let data = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // A panic names the file, so that `cargo +nightly fuzz run TARGET FILE` reproduces it.
        eprintln!("{target}: {}", file.display());
        assert!(
            fuzzing::run_target(target, &data),
            "unknown target {target}"
        );
    }
}

#[test]
fn scenario_parse_corpus() {
    replay("scenario_parse");
}

#[test]
fn core_ops_corpus() {
    replay("core_ops");
}

#[test]
fn sim_swarm_corpus() {
    replay("sim_swarm");
}

#[test]
fn options_and_specs_corpus() {
    replay("options_and_specs");
}

#[test]
fn every_target_has_a_corpus_within_the_size_budget() {
    for target in TARGETS {
        let files = corpus(target);
        let bytes: u64 = files
            .iter()
            .map(|f| fs::metadata(f).map_or(0, |m| m.len()))
            .sum();
        assert!(files.len() <= 60, "{target}: {} files", files.len());
        assert!(bytes <= 256 * 1024, "{target}: {bytes} bytes");
    }
}

#[test]
fn crash_inputs_convert_to_scenarios_that_parse() {
    for target in ["core_ops", "sim_swarm"] {
        for file in corpus(target) {
            let data = fs::read(&file).expect("readable");
            if let Some(scenario) = fuzzing::scenario_of_input(target, &data) {
                let text = scenario.to_string();
                let parsed = dynsup_sim::scenario::parse(&text).expect("the scenario parses");
                assert_eq!(parsed, scenario, "{}", file.display());
            }
        }
    }
}

/// Everything a scenario file controls is bounded: these inputs end with a clear error at once
/// instead of running for minutes or filling memory.
mod limits {
    use dynsup_sim::runner::{self, RunError};
    use dynsup_sim::scenario::{self, MAX_LIVE_CHILDREN, MAX_STEPS};

    fn text(lines: impl IntoIterator<Item = String>) -> String {
        lines.into_iter().map(|l| l + "\n").collect()
    }

    #[test]
    fn many_starts_with_infinite_max_children_stop_at_the_children_limit() {
        let starts = usize::try_from(MAX_LIVE_CHILDREN).unwrap() + 10;
        let file = text(
            std::iter::once("child w".to_owned()).chain((0..starts).map(|_| "at 0 start w".into())),
        );
        let parsed = scenario::parse(&file).unwrap();
        match runner::run(&parsed) {
            Err(err @ RunError::Limit(_)) => {
                assert!(err.to_string().contains("children at once"), "{err}");
            }
            other => panic!("expected the children limit, got {other:?}"),
        }
    }

    #[test]
    fn a_huge_transcript_stops_at_the_transcript_limit() {
        let name = "a".repeat(64);
        let file = text(
            std::iter::once(format!("child {name}"))
                .chain((0..1000).map(|_| format!("at 0 start {name}")))
                .chain((0..5000).map(|_| "at 0 which".to_owned())),
        );
        let parsed = scenario::parse(&file).unwrap();
        match runner::run(&parsed) {
            Err(err @ RunError::Limit(_)) => {
                assert!(err.to_string().contains("transcript"), "{err}");
            }
            other => panic!("expected the transcript limit, got {other:?}"),
        }
    }

    #[test]
    fn the_largest_durations_only_move_virtual_time() {
        let file = text(
            [
                "supervisor max_restarts=1000000000 max_seconds=1000000000".to_owned(),
                "child w trap_exit=true stop_ms=1000000000 shutdown=infinity".to_owned(),
                "child v trap_exit=true stop_ms=1000000000 shutdown=1000000000".to_owned(),
            ]
            .into_iter()
            .chain((0..50).map(|_| "at 0 start w".to_owned()))
            .chain((0..50).map(|_| "at 0 start v".to_owned()))
            .chain((1..=25).map(|k| format!("at 1000000000 terminate w#{k}")))
            .chain(["at 1000000000 stop".to_owned()]),
        );
        let parsed = scenario::parse(&file).unwrap();
        dynsup_sim::explore::check_scenario(&parsed).unwrap();
    }

    #[test]
    fn a_restart_retried_forever_is_reported_not_run_forever() {
        let file = "supervisor max_restarts=1000000000 max_seconds=1000000000\n\
                    child w init=ok,stop:x\nat 0 start w\nat 0 kill w#1\n";
        let parsed = scenario::parse(file).unwrap();
        assert!(matches!(
            runner::run(&parsed),
            Err(RunError::RestartLoop { .. })
        ));
    }

    #[test]
    fn more_steps_than_the_limits_is_a_parse_error() {
        let file = text(
            std::iter::once("child w".to_owned())
                .chain((0..=MAX_STEPS).map(|_| "at 0 stop".to_owned())),
        );
        let err = scenario::parse(&file).unwrap_err();
        // The line limit (as many lines as steps) comes first.
        assert!(err.to_string().contains("100000"), "{err}");
    }
}
