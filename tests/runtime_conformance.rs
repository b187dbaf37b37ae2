//! Conformance of the real threaded runtime: every scenario file, run on threads in real time,
//! prints the golden transcript that the real Elixir DynamicSupervisor printed (the snapshot
//! of `tests/conformance.rs`), except scenarios whose restart intensity depends on timing
//! within 50 ms of a second boundary (real time may cross it): exactly the pinned list
//! `real_time_support::REAL_TIME_SKIPS`.
//!
//! The scenarios run in parallel (each has its own supervisor and clock), so the whole test
//! takes about as long as the longest scenario.
#![cfg(not(loom))]

mod real_time_support;

use dynsup_sim::threads::run_threads;
use real_time_support::{assert_conforms, run_in_parallel};

/// How many scenarios run at once.
const PARALLEL: usize = 24;

#[test]
fn threaded_transcripts_equal_the_goldens() {
    let outcome = run_in_parallel("threads", PARALLEL, |scenario| {
        run_threads(scenario)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    });
    assert_conforms(&outcome);
}
