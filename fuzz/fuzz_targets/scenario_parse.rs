//! Bytes to the scenario parser: never a panic; what parses prints and re-parses to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynsup_sim::fuzzing::scenario_parse(data));
