//! The hook through which invariant checkers observe a simulation after every delivery.

use std::collections::BTreeMap;
use std::fmt;

use dynsup::{DynamicSupervisor, Event, Instant, Pid};

use super::trace::TraceEntry;

/// What a checker sees after each delivery: the state and the history so far.
pub struct View<'a, F, A> {
    /// The virtual time.
    pub now: Instant,
    /// The supervisor core.
    pub supervisor: &'a DynamicSupervisor<F, A>,
    /// What became observable since the checker last ran (everything, at the first check).
    pub trace: &'a [TraceEntry],
    /// The supervisor's report events since the checker last ran.
    pub events: &'a [(Instant, Event)],
    /// The live child processes.
    pub live: &'a dyn LiveChildren,
    /// Whether nothing is in flight any more (the run is at rest).
    pub at_rest: bool,
}

/// The set of live child processes.
pub trait LiveChildren {
    /// Whether `pid` is alive.
    fn contains(&self, pid: Pid) -> bool;
    /// How many are alive.
    fn len(&self) -> usize;
    /// Whether none is alive.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The live pids in order.
    fn pids(&self) -> Vec<Pid>;
}

impl<T> LiveChildren for BTreeMap<Pid, T> {
    fn contains(&self, pid: Pid) -> bool {
        self.contains_key(&pid)
    }
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
    fn pids(&self) -> Vec<Pid> {
        self.keys().copied().collect()
    }
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's short name, stable across runs (used to decide that a shrunk scenario
    /// still shows the same violation).
    pub invariant: &'static str,
    /// What exactly went wrong.
    pub detail: String,
    /// When.
    pub at: Instant,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invariant {} violated at {}: {}",
            self.invariant, self.at, self.detail
        )
    }
}

/// Observes a simulation after every delivery and once more when it comes to rest.
pub trait Checker<F, A> {
    /// Checks the state after one delivery.
    fn check(&mut self, view: &View<'_, F, A>) -> Result<(), Violation>;
}
