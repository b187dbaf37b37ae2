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
    /// A termination overlooks the exit of its child already queued in the mailbox, and waits
    /// for a down that never comes (caught by `liveness`). Only an interleaving shows it: the
    /// exit must arrive while the supervisor is busy, so that it is queued.
    QueuedExitOverlooked,
    /// `max_children` counts running entries only, not restarting ones, so a start call
    /// served while a restart is pending escapes the limit (caught by `child-counts`). Only an
    /// interleaving shows it: the call must be queued behind the exit whose restart fails.
    RestartingUncounted,
}

impl CoreDefect {
    /// Every planted defect, for tests to iterate over.
    pub const ALL: [CoreDefect; 9] = [
        CoreDefect::UncountedRestart,
        CoreDefect::TemporaryRestarted,
        CoreDefect::TransientRestartedAfterShutdown,
        CoreDefect::EarlyKill,
        CoreDefect::OrphansOnStop,
        CoreDefect::ActiveCounterDrift,
        CoreDefect::RetryDropped,
        CoreDefect::QueuedExitOverlooked,
        CoreDefect::RestartingUncounted,
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
            CoreDefect::RetryDropped | CoreDefect::QueuedExitOverlooked => "liveness",
            CoreDefect::RestartingUncounted => "child-counts",
        }
    }

    /// Whether only some interleaving of messages shows this defect: the simulator, which
    /// settles the supervisor before each step, never does, and `dynsup-sim check` must.
    pub fn needs_interleaving(self) -> bool {
        matches!(
            self,
            CoreDefect::QueuedExitOverlooked | CoreDefect::RestartingUncounted
        )
    }
}
