//! An operation sequence as a scenario, run by the simulator and the reference model.
#![no_main]

use dynsup_sim::fuzzing::{core_ops_input, CoreOpsInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: CoreOpsInput| core_ops_input(&input));
