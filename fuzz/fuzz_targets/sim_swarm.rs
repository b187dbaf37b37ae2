//! A seed and knobs to the explorer's generator, checked against the reference model.
#![no_main]

use dynsup_sim::fuzzing::{sim_swarm_input, SwarmInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: SwarmInput| sim_swarm_input(&input));
