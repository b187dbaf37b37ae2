//! What the real-time conformance tests share (the threaded runtime's and the multi-threaded
//! tokio runtime's): the golden transcripts, the scenario files, which scenarios real time
//! cannot reproduce (and the pinned list of them), and a pool that runs the scenarios in
//! parallel and compares each transcript with its golden.
#![allow(dead_code)] // Each test target uses its own part of it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use dynsup_sim::runner::ScenarioRun;
use dynsup_sim::scenario::{self, Op, Scenario};
use dynsup_sim::simulation::TraceEvent;
use dynsup_sim::tree::{self, Tree};

/// How close before a second boundary (in ms) a timing-sensitive instant makes a scenario
/// unreliable in real time.
pub const BOUNDARY_MARGIN_MS: u64 = 50;

/// The scenarios that real time may not reproduce, as [`timing_sensitive`] finds them, sorted:
/// every real-time run skips exactly these five (a new one must be added here on purpose).
/// Each has a child die 50 ms before a second boundary.
pub const REAL_TIME_SKIPS: [&str; 5] = [
    "d32a_window_r1_p1_stamps_0_1.scn",
    "d32c_window_r1_p1_950_2020.scn",
    "d34a_window_defaults_5950.scn",
    "s6_stamps_across_one_boundary.scn",
    "s6_window_p1_three_seconds.scn",
];

/// The golden transcript: the snapshot's text after its second `---` line.
pub fn golden(name: &str) -> String {
    snapshot_body(&format!(
        "tests/snapshots/conformance__transcript@{name}.snap"
    ))
}

/// The golden transcript of tree scenario `name` (`tests/tree_conformance.rs`'s snapshot).
pub fn tree_golden(name: &str) -> String {
    snapshot_body(&format!(
        "tests/snapshots/tree_conformance__transcript@{name}.snap"
    ))
}

/// The text of the snapshot at `path` after its second `---` line.
fn snapshot_body(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
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
pub fn timing_sensitive(scenario: &Scenario) -> Option<String> {
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

/// The race files of `tests/scenarios` (docs/races.md), by name, sorted: the runtimes leave
/// them out, since they have no `:sys.suspend` (a race step is a `RaceStep` error there);
/// the simulator runs them (`tests/conformance.rs`).
pub fn race_files_left_out() -> Vec<String> {
    scn_paths("tests/scenarios")
        .into_iter()
        .filter(|path| scenario::is_race_file(path))
        .map(|path| name_of(&path))
        .collect()
}

/// The format-1 scenario files with their parsed scenarios, sorted by name (race files,
/// docs/races.md, are left out: see [`race_files_left_out`]).
pub fn scenario_files() -> Vec<(PathBuf, Scenario)> {
    scn_paths("tests/scenarios")
        .into_iter()
        .filter(|path| !scenario::is_race_file(path))
        .map(|path| {
            let parsed = scenario::parse_file(&path).expect("scenario parses");
            (path, parsed)
        })
        .collect()
}

/// The tree scenario files (`tests/tree_scenarios`, docs/tree-scenarios.md) by name, parsed,
/// sorted by name.
pub fn tree_files() -> Vec<(String, Tree)> {
    scn_paths("tests/tree_scenarios")
        .iter()
        .map(|path| {
            let parsed = tree::parse_file(path).expect("tree file parses");
            (name_of(path), parsed)
        })
        .collect()
}

/// The `.scn` files of the directory `dir`, sorted.
fn scn_paths(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{dir} is not readable: {err}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        .collect();
    paths.sort();
    paths
}

/// The file name of `path`.
pub fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a run of every scenario found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// How many transcripts equal their golden.
    pub passed: usize,
    /// Each scenario whose transcript differs or that failed to run, with why.
    pub failures: Vec<String>,
    /// The skipped scenarios' names, sorted.
    pub skipped: Vec<String>,
}

/// Runs every scenario but the timing-sensitive ones with `run` (its transcript as text, or
/// why it failed), `parallel` at a time (each has its own supervisor and clock, so the whole
/// run takes about as long as its longest scenario), and compares each with its golden.
/// `runtime` names the runtime in the messages.
pub fn run_in_parallel(
    runtime: &'static str,
    parallel: usize,
    run: fn(&Scenario) -> Result<String, String>,
) -> Outcome {
    // Longest last: the pool pops from the back, so the longest start first.
    let mut files = scenario_files();
    let last = |s: &Scenario| s.steps.last().map_or(0, |step| step.at_ms);
    files.sort_by(|a, b| last(&a.1).cmp(&last(&b.1)).then(b.0.cmp(&a.0)));
    let queue = Arc::new(Mutex::new(files));
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let workers: Vec<_> = (0..parallel)
        .map(|_| {
            let (queue, outcome) = (queue.clone(), outcome.clone());
            std::thread::spawn(move || loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let Some((path, scenario)) = next else {
                    return;
                };
                let name = name_of(&path);
                if let Some(why) = timing_sensitive(&scenario) {
                    println!("skipped {name}: {why}");
                    let mut outcome = outcome.lock().unwrap_or_else(PoisonError::into_inner);
                    outcome.skipped.push(name);
                    continue;
                }
                let expected = golden(&name);
                let result = run(&scenario).map(|t| t.trim_end().to_owned());
                let mut outcome = outcome.lock().unwrap_or_else(PoisonError::into_inner);
                match result {
                    Ok(actual) if actual == expected => outcome.passed += 1,
                    Ok(actual) => outcome.failures.push(format!(
                        "{name}: the {runtime} transcript differs\n--- golden\n{expected}\n--- {runtime}\n{actual}\n"
                    )),
                    Err(err) => outcome.failures.push(format!("{name}: {err}")),
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a scenario worker panicked");
    }
    let mut outcome = std::mem::take(&mut *outcome.lock().unwrap_or_else(PoisonError::into_inner));
    outcome.skipped.sort();
    println!(
        "{runtime}: {} equal, {} differ, {} skipped",
        outcome.passed,
        outcome.failures.len(),
        outcome.skipped.len()
    );
    outcome
}

/// Asserts that every scenario ran and equals its golden, but for exactly the pinned
/// [`REAL_TIME_SKIPS`].
pub fn assert_conforms(outcome: &Outcome) {
    assert!(
        outcome.failures.is_empty(),
        "{}",
        outcome.failures.join("\n")
    );
    assert_eq!(
        outcome.skipped, REAL_TIME_SKIPS,
        "the timing-sensitive scenarios are not the pinned list"
    );
    assert_eq!(
        outcome.passed + REAL_TIME_SKIPS.len(),
        scenario_files().len(),
        "some scenario neither passed nor was skipped"
    );
    // The race files left out are exactly those named `rNN_*` (docs/races.md), at least 20.
    let races = race_files_left_out();
    assert!(races.len() >= 20, "only {} race files", races.len());
    for name in &races {
        let numbered = name.len() > 3
            && name.starts_with('r')
            && name.as_bytes()[1..3].iter().all(u8::is_ascii_digit);
        assert!(
            numbered,
            "{name} is left out as a race file but is not named rNN_*"
        );
    }
}
