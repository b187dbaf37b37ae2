//! Planted defects in the core, for the harness's own tests, never for production.
//!
//! Compiled only with the `planted-defects` feature, which release builds never enable. Each
//! [`CoreDefect`] breaks one rule of the core at one decision point, so that a test can show
//! that the invariant checker guarding that rule fires (see `tests/planted_core_defects.rs`).

/// One planted defect of the core: for the harness's own tests, never for production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreDefect {
    /// One restart in each window is not counted against intensity: the supervisor allows
    /// `max_restarts + 1` (caught by `restart-intensity`).
    UncountedRestart,
    /// A temporary child that exits abnormally is restarted (caught by `restart-policy`).
    TemporaryRestarted,
    /// A transient child that exits with `shutdown` is restarted (caught by `restart-policy`).
    TransientRestartedAfterShutdown,
    /// Kill timers fire at half the child's shutdown timeout (caught by `shutdown-timing`).
    EarlyKill,
    /// The supervisor exits without terminating its children (caught by `no-orphans`).
    OrphansOnStop,
    /// Removing a child that is not restarted forgets to decrement `active` (caught by
    /// `child-counts`).
    ActiveCounterDrift,
    /// A restart that failed is never retried (caught by `liveness`).
    RetryDropped,
}

impl CoreDefect {
    /// Every planted defect, for tests to iterate over.
    pub const ALL: [CoreDefect; 7] = [
        CoreDefect::UncountedRestart,
        CoreDefect::TemporaryRestarted,
        CoreDefect::TransientRestartedAfterShutdown,
        CoreDefect::EarlyKill,
        CoreDefect::OrphansOnStop,
        CoreDefect::ActiveCounterDrift,
        CoreDefect::RetryDropped,
    ];

    /// The name of the invariant checker that must catch this defect.
    pub fn expected_invariant(self) -> &'static str {
        match self {
            CoreDefect::UncountedRestart => "restart-intensity",
            CoreDefect::TemporaryRestarted | CoreDefect::TransientRestartedAfterShutdown => {
                "restart-policy"
            }
            CoreDefect::EarlyKill => "shutdown-timing",
            CoreDefect::OrphansOnStop => "no-orphans",
            CoreDefect::ActiveCounterDrift => "child-counts",
            CoreDefect::RetryDropped => "liveness",
        }
    }
}
