//! Conformance of the tokio runtime: every scenario file, run on tokio's paused (virtual)
//! clock, prints the golden transcript that the real Elixir DynamicSupervisor printed (the
//! snapshot of `tests/conformance.rs`). Virtual time is exact, so no scenario is skipped.
//! In real time on a multi-threaded runtime, every scenario prints its golden too, but for
//! the pinned timing-sensitive ones the threaded runtime skips (`real_time_support`).
#![cfg(not(loom))]

mod real_time_support;

use dynsup_sim::scenario;
use dynsup_sim::tokio::{run_tokio, run_tokio_multi_thread};
use real_time_support::{assert_conforms, golden, name_of, run_in_parallel, scenario_files};

/// How many scenarios run at once on the multi-threaded runtime (each on a runtime of its
/// own).
const PARALLEL: usize = 24;

/// Worker threads of each scenario's multi-threaded runtime.
const WORKER_THREADS: usize = 2;

#[test]
fn tokio_transcripts_on_the_paused_clock_equal_the_goldens() {
    let files = scenario_files();
    let mut failures = Vec::new();
    let mut passed = 0usize;
    for (path, parsed) in &files {
        let name = name_of(path);
        let expected = golden(&name);
        match run_tokio(parsed, true).map(|t| t.to_string().trim_end().to_owned()) {
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

/// In real time on a multi-threaded runtime (two worker threads), every scenario prints its
/// golden, but for the pinned timing-sensitive ones the threaded runtime skips too.
#[test]
fn tokio_transcripts_in_real_time_on_a_multi_threaded_runtime_equal_the_goldens() {
    let outcome = run_in_parallel("tokio multi-thread", PARALLEL, |scenario| {
        run_tokio_multi_thread(scenario, WORKER_THREADS)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    });
    assert_conforms(&outcome);
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
    let text = "supervisor max_restarts=1000000000 max_seconds=1\n\
                child w init=ok,stop:boom\n\
                at 0 start w\n\
                at 10 exit w#1 boom\n\
                at 20 count\n";
    let parsed = scenario::parse(text).expect("parses");
    assert!(run_tokio(&parsed, true).is_err());
}
