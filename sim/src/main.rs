//! The `dynsup-sim` command line.
fn main() {}
