//! `dynsup-sim`: the deterministic simulator, scenario runner and explorer for `dynsup`.
#![forbid(unsafe_code)]

pub mod bench;
pub mod explore;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod invariants;
pub mod model;
pub mod runner;
pub mod scenario;
pub mod scripted_worker;
pub mod simulation;
pub mod threads;
pub mod transcript;
