//! Tree conformance on the runtimes: every tree scenario file, run on tokio's paused (virtual)
//! clock, on a multi-threaded tokio runtime in real time (two worker threads) and on the
//! threaded runtime in real time, prints the golden transcript that the real
//! Elixir `Supervisor` and `DynamicSupervisor` printed (the snapshots of
//! `tests/tree_conformance.rs`), killed supervisors included (their children end `killed`
//! through the broken link, `docs/trees.md` "Killing a supervisor"). Each file runs twice on
//! each runtime; the real-time files run in parallel (each tree has its own registry and clock,
//! and on tokio its own runtime).
#![cfg(not(loom))]

mod real_time_support;

use std::sync::{Arc, Mutex, PoisonError};

use dynsup_sim::threads::run_tree_threads;
use dynsup_sim::tokio::{run_tree_tokio, run_tree_tokio_multi_thread};
use dynsup_sim::tree::{self, Tree};
use real_time_support::{tree_files, tree_golden as golden};

/// How many scenarios run at once on threads, and on the multi-threaded tokio runtime (each on
/// a runtime of its own).
const PARALLEL: usize = 16;

/// Worker threads of each tree's multi-threaded tokio runtime.
const WORKER_THREADS: usize = 2;

/// Runs every file with `run`, `parallel` at a time, each twice when `twice`; returns how many
/// equal their golden, and the failures.
fn run_all(
    runtime: &str,
    parallel: usize,
    twice: bool,
    run: fn(&Tree) -> Result<String, String>,
) -> (usize, Vec<String>) {
    let files = tree_files();
    let total = files.len();
    let queue = Arc::new(Mutex::new(files));
    let result = Arc::new(Mutex::new((0usize, Vec::new())));
    let workers: Vec<_> = (0..parallel.max(1))
        .map(|_| {
            let (queue, result) = (queue.clone(), result.clone());
            let runtime = runtime.to_owned();
            std::thread::spawn(move || loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let Some((name, parsed)) = next else { return };
                let expected = golden(&name);
                let runs = if twice { 2 } else { 1 };
                let mut failure = None;
                for _ in 0..runs {
                    let actual = run(&parsed).map(|t| t.trim_end().to_owned());
                    match actual {
                        Ok(actual) if actual == expected => {}
                        Ok(actual) => {
                            failure = Some(format!(
                                "{name}: the {runtime} transcript differs\n--- golden\n{expected}\n--- {runtime}\n{actual}\n"
                            ));
                            break;
                        }
                        Err(err) => {
                            failure = Some(format!("{name}: {err}"));
                            break;
                        }
                    }
                }
                let mut result = result.lock().unwrap_or_else(PoisonError::into_inner);
                match failure {
                    None => result.0 += 1,
                    Some(f) => result.1.push(f),
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a scenario worker panicked");
    }
    let (passed, failures) =
        std::mem::take(&mut *result.lock().unwrap_or_else(PoisonError::into_inner));
    println!(
        "{runtime}: {passed} of {total} equal, {} differ",
        failures.len()
    );
    assert_eq!(passed + failures.len(), total);
    (passed, failures)
}

fn assert_all(outcome: &(usize, Vec<String>)) {
    let (passed, failures) = outcome;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(*passed, tree_files().len());
}

#[test]
fn tree_transcripts_on_tokio_with_the_paused_clock_equal_the_goldens() {
    let outcome = run_all("tokio", 2, true, |t| {
        run_tree_tokio(t, true)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    });
    assert_all(&outcome);
}

/// In real time on a multi-threaded tokio runtime (two worker threads, no paused clock), every
/// tree file prints its golden, as on threads.
#[test]
fn tree_transcripts_on_a_multi_threaded_tokio_runtime_in_real_time_equal_the_goldens() {
    let outcome = run_all("tokio multi-thread", PARALLEL, true, |t| {
        run_tree_tokio_multi_thread(t, WORKER_THREADS)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    });
    assert_all(&outcome);
}

#[test]
fn tree_transcripts_on_threads_in_real_time_equal_the_goldens() {
    let outcome = run_all("threads", PARALLEL, true, |t| {
        run_tree_threads(t)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    });
    assert_all(&outcome);
}

/// A failed restart retried for ever does not hang tokio's paused clock: the runner gives up.
#[test]
fn a_restart_loop_on_tokio_is_reported_unsettled() {
    let text = "sup root max_restarts=1000000 max_seconds=1\n\
                child w init=ok,stop:boom\n\
                at 10 exit w#1 boom\n\
                at 20 count\n";
    let parsed = tree::parse_tree(text).expect("parses");
    let outcome = run_tree_tokio(&parsed, true);
    assert!(outcome.is_err(), "{outcome:?}");
}
