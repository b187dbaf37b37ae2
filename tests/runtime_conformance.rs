//! Conformance of the real threaded runtime: every scenario file, run on threads in real time,
//! prints the golden transcript that the real Elixir DynamicSupervisor printed (the snapshot
//! of `tests/conformance.rs`), except scenarios whose restart intensity depends on timing
//! within 50 ms of a second boundary (real time may cross it; they are listed, with why, and
//! pinned by name in [`TIMING_SENSITIVE`], so that a new or changed scenario cannot slip out of
//! the check unnoticed).
//!
//! The scenarios run in parallel (each has its own supervisor and clock), so the whole test
//! takes about as long as the longest scenario.
#![cfg(not(loom))]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use dynsup_sim::runner::ScenarioRun;
use dynsup_sim::scenario::{self, Op, Scenario};
use dynsup_sim::simulation::TraceEvent;
use dynsup_sim::threads::run_threads;

/// How close before a second boundary (in ms) a timing-sensitive instant makes a scenario
/// unreliable in real time.
const BOUNDARY_MARGIN_MS: u64 = 50;

/// The scenarios [`timing_sensitive`] skips, by name, in order: exactly these.
const TIMING_SENSITIVE: [&str; 5] = [
    "d32a_window_r1_p1_stamps_0_1.scn",
    "d32c_window_r1_p1_950_2020.scn",
    "d34a_window_defaults_5950.scn",
    "s6_stamps_across_one_boundary.scn",
    "s6_window_p1_three_seconds.scn",
];

/// How many scenarios run at once.
const PARALLEL: usize = 24;

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

/// Why real time may not reproduce this scenario's transcript, if it may not: a child dies
/// (by a step, or during the run as the simulator times it) within the margin before a second
/// boundary, so the restart it causes could be stamped with the next second.
fn timing_sensitive(scenario: &Scenario) -> Option<String> {
    let near = |t: u64| t % 1000 >= 1000 - BOUNDARY_MARGIN_MS;
    for step in &scenario.steps {
        let dies = matches!(step.op, Op::Exit(..) | Op::Kill(..));
        if dies && near(step.at_ms) {
            return Some(format!(
                "step `{}` is {} ms before a second boundary",
                step.transcript_text(),
                1000 - step.at_ms % 1000
            ));
        }
    }
    let mut run = ScenarioRun::new(scenario).ok()?;
    for index in 0..scenario.steps.len() {
        run.run_step(index).ok()?;
    }
    run.simulation().trace().iter().find_map(|entry| {
        let at = entry.at.as_millis();
        (matches!(entry.event, TraceEvent::Down { .. }) && near(at)).then(|| {
            format!(
                "a child dies at {at} ms, {} ms before a second boundary",
                1000 - at % 1000
            )
        })
    })
}

/// The scenario files, shortest first: the pool pops the longest from the back first, so it
/// finishes early.
fn scenario_files() -> Vec<(PathBuf, Scenario)> {
    let mut files: Vec<(PathBuf, Scenario)> = std::fs::read_dir("tests/scenarios")
        .expect("tests/scenarios is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        .map(|path| {
            let parsed = scenario::parse_file(&path).expect("scenario parses");
            (path, parsed)
        })
        .collect();
    let last = |s: &Scenario| s.steps.last().map_or(0, |step| step.at_ms);
    files.sort_by(|a, b| last(&a.1).cmp(&last(&b.1)).then(b.0.cmp(&a.0)));
    files
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn threaded_transcripts_equal_the_goldens() {
    let queue = Arc::new(Mutex::new(scenario_files()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let skipped = Arc::new(Mutex::new(Vec::new()));
    let passed = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (queue, failures, skipped, passed) =
                (queue.clone(), failures.clone(), skipped.clone(), passed.clone());
            std::thread::spawn(move || loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let Some((path, scenario)) = next else {
                    return;
                };
                let name = name_of(&path);
                if let Some(why) = timing_sensitive(&scenario) {
                    skipped
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((name, why));
                    continue;
                }
                let expected = golden(&name);
                let outcome = run_threads(&scenario).map(|t| t.to_string().trim_end().to_owned());
                match outcome {
                    Ok(actual) if actual == expected => {
                        *passed.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                    }
                    Ok(actual) => failures
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(format!(
                            "{name}: the threaded transcript differs\n--- golden\n{expected}\n--- threads\n{actual}\n"
                        )),
                    Err(err) => failures
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(format!("{name}: {err}")),
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a scenario worker panicked");
    }
    let mut skipped = skipped.lock().unwrap_or_else(PoisonError::into_inner);
    skipped.sort();
    let passed = *passed.lock().unwrap_or_else(PoisonError::into_inner);
    for (name, why) in skipped.iter() {
        println!("skipped {name}: {why}");
    }
    let failures = failures.lock().unwrap_or_else(PoisonError::into_inner);
    println!(
        "{passed} equal, {} differ, {} skipped",
        failures.len(),
        skipped.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let skipped_names: Vec<&str> = skipped.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        skipped_names, TIMING_SENSITIVE,
        "the timing-sensitive scenarios changed: update TIMING_SENSITIVE if that is intended"
    );
    assert_eq!(passed + TIMING_SENSITIVE.len(), scenario_files().len());
}
