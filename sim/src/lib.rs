//! `dynsup-sim`: the deterministic simulator, scenario runner and explorer for `dynsup`.
#![forbid(unsafe_code)]
pub mod scenario;
