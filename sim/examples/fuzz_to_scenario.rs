//! Turns a fuzz input (a crash or corpus file of the `core_ops`, `sim_swarm` or
//! `scenario_parse` target) into the scenario file it stands for, which `dynsup-sim run`
//! replays:
//!
//! ```text
//! cargo run -p dynsup-sim --features fuzzing --example fuzz_to_scenario -- core_ops \
//!     fuzz/artifacts/core_ops/crash-... > tests/scenarios/found.scn
//! cargo run -p dynsup-sim -- run tests/scenarios/found.scn
//! ```
//!
//! The scenario goes to standard output. With `--check`, it also runs the target's check and
//! prints the failure, if any, on standard error (exit status 1).

use std::process::ExitCode;

use dynsup_sim::explore::check_scenario;
use dynsup_sim::fuzzing::{scenario_of_input, TARGETS};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    args.retain(|a| a != "--check");
    let [target, file] = args.as_slice() else {
        eprintln!("usage: fuzz_to_scenario [--check] TARGET FILE   (TARGET: core_ops, sim_swarm or scenario_parse)");
        return ExitCode::from(2);
    };
    if !TARGETS.contains(&target.as_str()) {
        eprintln!("fuzz_to_scenario: unknown target {target:?} (one of {TARGETS:?})");
        return ExitCode::from(2);
    }
    let data = match std::fs::read(file) {
        Ok(data) => data,
        Err(err) => {
            eprintln!("fuzz_to_scenario: {file}: {err}");
            return ExitCode::from(2);
        }
    };
    let Some(scenario) = scenario_of_input(target, &data) else {
        eprintln!("fuzz_to_scenario: {file} is not a scenario input of {target}");
        return ExitCode::from(2);
    };
    print!("# from the {target} fuzz input {file}\n{scenario}");
    if check {
        if let Err(failure) = check_scenario(&scenario) {
            eprintln!("fuzz_to_scenario: {failure}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
