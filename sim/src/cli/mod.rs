//! The subcommands of `dynsup-sim`.

pub mod run;
