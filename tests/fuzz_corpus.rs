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
