//! The subcommands of `dynsup-sim`.

pub mod bench;
pub mod check;
pub mod check_trees;
pub mod defect;
pub mod explore;
pub mod merge;
pub mod progress;
pub mod run;
