//! Conformance of the tokio runtime: every scenario file, run on tokio's paused (virtual)
//! clock, prints the golden transcript that the real Elixir DynamicSupervisor printed (the
//! snapshot of `tests/conformance.rs`). Virtual time is exact, so no scenario is skipped.
#![cfg(not(loom))]

use std::path::PathBuf;

use dynsup_sim::scenario;
use dynsup_sim::tokio::run_tokio;

/// The golden transcript: the snapshot's text after its second `---` line.
fn golden(name: &str) -> String {
    let path = format!("tests/snapshots/conformance__transcript@{name}.snap");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    for _ in 0..2 {
        if !lines.by_ref().any(|line| line == "---") {
            panic!("{path}: no second --- line");
        }
    }
    let body: Vec<&str> = lines.collect();
    body.join("\n").trim_end().to_owned()
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/scenarios")
        .expect("tests/scenarios is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        .collect();
    files.sort();
    files
}

#[test]
fn tokio_transcripts_on_the_paused_clock_equal_the_goldens() {
    let files = scenario_files();
    let mut failures = Vec::new();
    let mut passed = 0usize;
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = scenario::parse_file(path).expect("scenario parses");
        let expected = golden(&name);
        match run_tokio(&parsed, true).map(|t| t.to_string().trim_end().to_owned()) {
            Ok(actual) if actual == expected => passed += 1,
            Ok(actual) => failures.push(format!(
                "{name}: the tokio transcript differs\n--- golden\n{expected}\n--- tokio\n{actual}\n"
            )),
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    println!("{passed} of {} equal on the paused clock", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(passed, files.len());
}

/// The same runner in real time (no paused clock): a short scenario with a trapping child's
/// 300 ms cleanup still prints its golden.
#[test]
fn a_scenario_in_real_time_equals_its_golden() {
    let name = "e43a_terminate_infinity_waits.scn";
    let parsed = scenario::parse_file(std::path::Path::new(&format!("tests/scenarios/{name}")))
        .expect("parses");
    let actual = run_tokio(&parsed, false).expect("runs");
    assert_eq!(actual.to_string().trim_end(), golden(name));
}

/// A restart retried for ever does not hang the paused clock: the runner gives up.
#[test]
fn a_restart_loop_is_reported_unsettled() {
    let text = "supervisor max_restarts=1000000 max_seconds=1\n\
                child w init=ok,stop:boom\n\
                at 0 start w\n\
                at 10 exit w#1 boom\n\
                at 20 count\n";
    let parsed = scenario::parse(text).expect("parses");
    assert!(run_tokio(&parsed, true).is_err());
}
