//! The model checker as a workload: `dynsup-sim check` on a set of configurations with one
//! job, with two, and as two one-job searches at once. The last is the machine's own ceiling
//! for two workers: two copies of the same work that share nothing but the cores, their caches
//! and the memory. The two-job search's speedup is judged against it, so that a machine whose
//! cores slow each other down does not pass for a search that scales badly.

use std::time::Duration;

use crate::model_check::config::CheckConfig;
use crate::model_check::search::search;

use super::timing::{per_second, timed};
use super::BenchError;

/// One round's figures, in distinct states per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckRound {
    /// The set searched with one job.
    pub one_job: f64,
    /// The set searched with two jobs.
    pub two_jobs: f64,
    /// Two one-job searches of the set at once, on two threads: their states together.
    pub two_apart: f64,
}

impl CheckRound {
    /// How much faster two jobs are than one.
    pub fn speedup(&self) -> f64 {
        self.two_jobs / self.one_job.max(f64::MIN_POSITIVE)
    }

    /// How much more two independent one-job searches do than one: what two workers can
    /// get on this machine at most.
    pub fn ceiling(&self) -> f64 {
        self.two_apart / self.one_job.max(f64::MIN_POSITIVE)
    }
}

/// Searches every configuration of `set` with `jobs` jobs: the distinct states and how long
/// it took. A violation or an incomplete search is an error: the workload is the complete
/// search of configurations that hold.
fn search_set(set: &[CheckConfig], jobs: usize) -> Result<(u64, Duration), BenchError> {
    let (elapsed, states) = timed(|| -> Result<u64, BenchError> {
        let mut states = 0;
        for (index, config) in set.iter().enumerate() {
            let report = search(config, jobs, &mut |_, _, _| {})
                .map_err(|problem| BenchError(format!("configuration {index}: {problem}")))?;
            if let Some(found) = &report.violation {
                return Err(BenchError(format!(
                    "configuration {index} breaks a rule: {}",
                    found.violation.message
                )));
            }
            if !report.complete {
                return Err(BenchError(format!(
                    "configuration {index} was not searched completely (a bound stopped it)"
                )));
            }
            states += report.states;
        }
        Ok(states)
    });
    Ok((states?, elapsed))
}

/// One round: the set with one job, then twice at once with one job each, then with two jobs.
pub fn round(set: &[CheckConfig]) -> Result<CheckRound, BenchError> {
    let (states, lone) = search_set(set, 1)?;
    let (together, (first, second)) = timed(|| {
        std::thread::scope(|scope| {
            let other = scope.spawn(|| search_set(set, 1));
            let mine = search_set(set, 1);
            let other = other
                .join()
                .unwrap_or_else(|_| Err(BenchError("a search thread panicked".into())));
            (mine, other)
        })
    });
    let apart = first?.0 + second?.0;
    let (two_states, two) = search_set(set, 2)?;
    Ok(CheckRound {
        one_job: per_second(lone, states),
        two_jobs: per_second(two, two_states),
        two_apart: per_second(together, apart),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_check::config::default_set;

    #[test]
    fn a_round_searches_the_set_three_ways() {
        let set = vec![default_set().remove(0)];
        let round = round(&set).unwrap();
        assert!(round.one_job > 0.0 && round.two_jobs > 0.0 && round.two_apart > 0.0);
        assert!(round.speedup() > 0.0 && round.ceiling() > 0.0);
    }

    #[test]
    fn a_search_that_breaks_a_bound_is_an_error() {
        let mut config = default_set().remove(0);
        config.bounds.depth = 3;
        let error = search_set(&[config], 1).unwrap_err();
        assert!(error.0.contains("not searched completely"), "{error}");
    }
}
