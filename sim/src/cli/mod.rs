//! The subcommands of `dynsup-sim`.

pub mod defect;
pub mod explore;
pub mod run;
