//! The `sim_swarm` target: the explorer's generator from a seed and a few knobs.

use arbitrary::Arbitrary;

use crate::explore::{check_scenario, generate};
use crate::scenario::Scenario;

/// The most steps a `sim_swarm` scenario has.
pub const MAX_SWARM_STEPS: usize = 300;

/// A seed for [`generate`], the number of steps, and optional overrides of the generated
/// supervisor line (kept small, so that every generated init script settles).
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwarmInput {
    /// The generator's seed.
    pub seed: u64,
    /// The steps, modulo `MAX_SWARM_STEPS + 1`.
    pub steps: u16,
    /// Overrides `max_children`: `Some(None)` is infinity, `Some(Some(n))` is `n % 6`.
    pub max_children: Option<Option<u8>>,
    /// Overrides `max_restarts` with `n % 11`.
    pub max_restarts: Option<u8>,
    /// Overrides `max_seconds` with `1 + n % 10`.
    pub max_seconds: Option<u8>,
}

impl SwarmInput {
    /// The generated scenario, with the overrides applied.
    pub fn scenario(&self) -> Scenario {
        let steps = usize::from(self.steps) % (MAX_SWARM_STEPS + 1);
        let mut scenario = generate(self.seed, steps);
        if let Some(max_children) = self.max_children {
            scenario.supervisor.max_children = max_children.map(|n| u64::from(n % 6));
        }
        if let Some(n) = self.max_restarts {
            scenario.supervisor.max_restarts = u64::from(n % 11);
        }
        if let Some(n) = self.max_seconds {
            scenario.supervisor.max_seconds = 1 + u64::from(n % 10);
        }
        scenario
    }
}

/// The `sim_swarm` target: [`check_scenario`] passes on the generated scenario.
pub fn sim_swarm_input(input: &SwarmInput) {
    let scenario = input.scenario();
    if let Err(failure) = check_scenario(&scenario) {
        panic!("{failure}\nseed {}\n{scenario}", input.seed);
    }
}
