//! `dynsup-sim`: the deterministic simulation harness of [`dynsup`], the Rust port of Elixir's
//! `DynamicSupervisor`.
//!
//! It answers one question: does the supervisor do exactly what OTP's does? To find out, it
//! runs the sans-IO core of `dynsup` in a deterministic, single-threaded simulator over virtual
//! time, checks invariants after every delivery, and compares what happened with an
//! obviously correct reference model and with transcripts recorded on the real BEAM.
//!
//! # Entry points
//!
//! - [`scenario`]: scenario files (`docs/scenarios.md`), a small text format of child templates
//!   and timed steps; [`scenario::parse`] and [`scenario::parse_file`] read them.
//! - [`runner`]: [`runner::run`] runs a scenario on the simulator, with every invariant checked,
//!   and returns its [`transcript::Transcript`]; [`runner::ScenarioRun`] runs it step by step.
//! - [`threads`]: [`threads::run_threads`] runs the same scenario on `dynsup`'s threaded
//!   runtime, in real time, and returns the same kind of transcript.
//! - `tokio` (feature `tokio`): `tokio::run_tokio` runs it on `dynsup`'s tokio runtime, on
//!   tokio's paused (virtual) clock or in real time.
//! - [`model`]: the reference model; [`model::run`] computes a scenario's transcript straight
//!   from the rules of `docs/semantics.md`.
//! - [`explore`]: random scenarios from seeds, each run with every invariant checked and
//!   compared with the model ([`explore::check_scenario`], [`explore::explore_seeds`]); every
//!   failure is shrunk to a small scenario that replays it.
//! - [`coverage`]: which supervisor situations a run reached (a failed restart retried, a kill
//!   timer firing, ...), counted during every scenario run.
//! - [`simulation`]: the simulator itself ([`simulation::Simulation`]), for any
//!   [`dynsup::Worker`], driven call by call; [`invariants`] are the checkers it runs.
//! - [`transcript`]: what a run prints: one line per step, then its events.
//! - [`check`]: testing your own workers from `cargo test`: a test body run over many seeds,
//!   with seeded faults, the invariants after every delivery, shrinking and replay files
//!   (`docs/testing-your-workers.md`).
//!
//! # Features
//!
//! - `cli` (default): the `dynsup-sim` binary (`run`, `explore` and `bench` subcommands) and
//!   its dependencies (`clap`, `indicatif`); implies `json`. A library user can turn it off with
//!   `default-features = false`: the library needs none of these dependencies.
//! - `json`: JSON output of the benchmark report (`serde`, `serde_json`).
//! - `fuzzing`: the `fuzzing` module, the bodies of the fuzz targets in `fuzz/` and their
//!   `arbitrary` inputs (`arbitrary`).
//!
//! # Example
//!
//! Parse a scenario, run it on the simulator and print its transcript; then explore a few
//! random seeds:
//!
//! ```
//! use dynsup_sim::{explore, runner, scenario};
//!
//! let scenario = scenario::parse(
//!     "supervisor max_restarts=1\n\
//!      child w\n\
//!      at 0 start w\n\
//!      at 10 kill w#1\n\
//!      at 20 count\n",
//! )
//! .unwrap();
//! let transcript = runner::run(&scenario).unwrap();
//! print!("{transcript}");
//! assert_eq!(
//!     transcript.to_string(),
//!     "@0 start w -> ok w#1\n  up w#1\n\
//!      @10 kill w#1 -> ok\n  down w#1 killed\n  up w#2\n\
//!      @20 count -> active=1 specs=1 supervisors=0 workers=1\n"
//! );
//!
//! // Ten random scenarios of 30 steps each: all agree with the reference model.
//! assert!(explore::explore_seeds(0..10, 30).is_none());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The worked example of the guide (`sim/tests/worked_example/session.rs`) names this crate
// `dynsup_sim`, as a user does; the benchmark includes that very file.
extern crate self as dynsup_sim;

#[doc(hidden)]
pub mod bench;
pub mod check;
pub mod coverage;
pub mod explore;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod invariants;
pub mod model;
pub mod model_check;
pub mod runner;
pub mod scenario;
#[doc(hidden)]
pub mod scripted_worker;
pub mod simulation;
#[doc(hidden)]
pub mod testing;
pub mod threads;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod transcript;
pub mod tree;
