//! The worked example of `docs/testing-your-workers.md` as a workload: the fixed session's
//! check body (100 operations per seed, faults chosen by each seed) over consecutive seeds, each
//! run once, on one thread: how many seeds per second a user's own check runs.

use crate::check::Check;

use super::timing::{per_second, timed};
use super::BenchError;

// The example's worker, spawner and body: the very file its test includes.
include!("../../tests/worked_example/session.rs");

/// Checks the fixed session over `seeds` seeds from `first`; returns seeds per second. A seed
/// that fails is an error: the example found a bug.
pub fn seeds_per_second(first: u64, seeds: u64) -> Result<f64, BenchError> {
    let (elapsed, outcome) = timed(|| {
        Check::new(config(), sessions(true))
            .name("bench_user_check")
            .seeds(first..first.saturating_add(seeds))
            .run_twice(false)
            .run(body)
    });
    let passed =
        outcome.map_err(|report| BenchError(format!("the worked example fails: {report}")))?;
    Ok(per_second(elapsed, passed.seeds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_seeds_pass() {
        assert!(seeds_per_second(0, 3).unwrap() > 0.0);
    }
}
