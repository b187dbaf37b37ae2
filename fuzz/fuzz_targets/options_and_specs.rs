//! Options, child specs and text through validation, then a supervisor driven by hand.
#![no_main]

use dynsup_sim::fuzzing::{options_and_specs_input, OptionsInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: OptionsInput| options_and_specs_input(&input));
