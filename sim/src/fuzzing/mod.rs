//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz), as ordinary code.
//!
//! Each target is one function here; the fuzz targets are thin wrappers around them, and
//! `tests/fuzz_corpus.rs` replays the committed corpus (`fuzz/corpus/<target>/`) through the
//! same functions on stable Rust. A function panics exactly when the target has found a bug.
//!
//! * [`scenario_parse`]: bytes to the scenario parser; whatever parses prints and re-parses to
//!   the same scenario.
//! * [`core_ops()`]: a typed operation sequence ([`CoreOpsInput`]) turned into a [`Scenario`] and
//!   run by the simulator (every invariant checked) and by the reference model, which must agree.
//! * [`sim_swarm`]: a seed and a few knobs ([`SwarmInput`]) to the explorer's generator, then
//!   the same check.
//! * [`options_and_specs`]: arbitrary options, child specs and text ([`OptionsInput`]), and a
//!   short sequence of inputs driving a [`dynsup::DynamicSupervisor`] by hand.
//!
//! Typed inputs are decoded from bytes with [`arbitrary::Unstructured`] and
//! `arbitrary_take_rest`, exactly as `libfuzzer-sys` decodes them, so a crash file replays the
//! same input here. [`scenario_of_input`] turns a `core_ops` or `sim_swarm` crash file into the
//! scenario to save as a `.scn` file (see `sim/examples/fuzz_to_scenario.rs`).
//!
//! ```
//! use dynsup_sim::fuzzing::{self, TARGETS};
//! // Any bytes are a valid input of every target; a target panics only on a bug.
//! for target in TARGETS {
//!     assert!(fuzzing::run_target(target, b"child w\nat 0 start w\n"));
//! }
//! fuzzing::scenario_parse(b"\xff not a scenario");
//! ```
//!
//! [`Scenario`]: crate::scenario::Scenario

mod core_ops;
mod options;
mod parse;
mod swarm;

use arbitrary::{Arbitrary, Unstructured};

pub use core_ops::{
    core_ops_input, CoreOp, CoreOpsInput, InitKnob, ReasonKnob, RefKnob, RestartKnob, ShutdownKnob,
    StopKnob, SupervisorKnobs, TemplateKnobs, MAX_OPS, MAX_TEMPLATES,
};
pub use options::{
    options_and_specs_input, AutoShutdownKnob, ChildTypeKnob, DriverInput, IntKnob, ModulesKnob,
    OptionsInput, OptionsKnobs, OutcomeKnob, PidKnob, SpecKnobs, SpecShutdownKnob, StrategyKnob,
    TextReason, TimeKnob, MAX_INPUTS,
};
pub use parse::scenario_parse;
pub use swarm::{sim_swarm_input, SwarmInput, MAX_SWARM_STEPS};

use crate::scenario::Scenario;

/// The names of the fuzz targets, as `fuzz/Cargo.toml` and `fuzz/corpus/` name them.
pub const TARGETS: [&str; 4] = [
    "scenario_parse",
    "core_ops",
    "sim_swarm",
    "options_and_specs",
];

/// Decodes a typed input from fuzzer bytes as `libfuzzer-sys` does (`arbitrary_take_rest`).
/// `None` when the bytes do not decode (the fuzzer skips such inputs too).
pub fn decode<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}

/// The `core_ops` target on raw fuzzer bytes.
pub fn core_ops(data: &[u8]) {
    if let Some(input) = decode::<CoreOpsInput>(data) {
        core_ops_input(&input);
    }
}

/// The `sim_swarm` target on raw fuzzer bytes.
pub fn sim_swarm(data: &[u8]) {
    if let Some(input) = decode::<SwarmInput>(data) {
        sim_swarm_input(&input);
    }
}

/// The `options_and_specs` target on raw fuzzer bytes.
pub fn options_and_specs(data: &[u8]) {
    if let Some(input) = decode::<OptionsInput>(data) {
        options_and_specs_input(&input);
    }
}

/// Runs the target called `target` on `data`; `false` if there is no such target.
pub fn run_target(target: &str, data: &[u8]) -> bool {
    match target {
        "scenario_parse" => scenario_parse(data),
        "core_ops" => core_ops(data),
        "sim_swarm" => sim_swarm(data),
        "options_and_specs" => options_and_specs(data),
        _ => return false,
    }
    true
}

/// The scenario a `core_ops`, `sim_swarm` or `scenario_parse` input stands for, to save as a
/// `.scn` file that `dynsup-sim run` replays. `None` for other targets, and for bytes that do
/// not decode or parse.
pub fn scenario_of_input(target: &str, data: &[u8]) -> Option<Scenario> {
    match target {
        "core_ops" => decode::<CoreOpsInput>(data).map(|input| input.scenario()),
        "sim_swarm" => decode::<SwarmInput>(data).map(|input| input.scenario()),
        "scenario_parse" => crate::scenario::parse(&String::from_utf8_lossy(data)).ok(),
        _ => None,
    }
}
