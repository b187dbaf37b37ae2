//! The explorer as a workload: random 200-step scenarios from consecutive seeds, each run in
//! the simulator with every invariant checker on and compared with the reference model, as
//! `dynsup-sim explore` does; on one thread, so the figure is per core.

use crate::explore::{check_scenario, generate};

use super::timing::{per_second, timed};
use super::BenchError;

/// Generates and checks the scenarios of `seeds` seeds from `first` with `steps` steps each;
/// returns seeds per second. A seed that fails is an error: the explorer found a bug.
pub fn seeds_per_second(first: u64, seeds: u64, steps: usize) -> Result<f64, BenchError> {
    let (elapsed, checked) = timed(|| -> Result<(), BenchError> {
        for seed in first..first.saturating_add(seeds) {
            let scenario = generate(seed, steps);
            check_scenario(&scenario).map_err(|failure| {
                BenchError(format!(
                    "explore seed {seed} fails: {failure} (replay: dynsup-sim explore --seed {seed})"
                ))
            })?;
        }
        Ok(())
    });
    checked?;
    Ok(per_second(elapsed, seeds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_seeds_pass() {
        assert!(seeds_per_second(0, 3, 20).unwrap() > 0.0);
    }
}
