//! Reports: what an observer of a running supervisor is told, on the driver thread, as it
//! happens.

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::supervisor::output::{Event, StartOutcome};

/// Something that happened in a running supervisor, given to the observer installed with
/// [`Builder::observer`](crate::runtime::Builder::observer).
///
/// Together these are the runtime's trace: every start attempt with its outcome, every child
/// process's end as a monitor would see it, and the core's own report events: `E` is the
/// core's event type, the [`DynamicSupervisor`](crate::DynamicSupervisor)'s [`Event`] by
/// default, [`StaticReport`](crate::driver::StaticReport) for a static supervisor.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Report<E = Event> {
    /// A start attempt finished its `init` (an explicit `start_child`, a restart or a retry).
    StartAttempt {
        /// The attempt's sequence number: 0 for the first start attempt of this supervisor,
        /// then 1, 2, ... in the order the spawner was called.
        attempt: u64,
        /// What the start gave: a running process, `ignore`, or a failure (`panic` when the
        /// spawner or `init` panicked).
        outcome: StartOutcome,
    },
    /// A child process ended, as a monitor sees it: its own exit reason, `shutdown` when it
    /// did not trap exits and was asked to stop, or `killed` when the runtime killed it.
    ChildDown {
        /// The child.
        pid: Pid,
        /// How it ended.
        reason: ExitReason,
    },
    /// A report event of the supervisor core (restarts, intensity, shutdown errors, its own
    /// end as [`Event::SupervisorDown`]; a killed supervisor's end `killed` is reported the same
    /// way, by the runtime, since its core is not run any more). A killed supervisor's observer
    /// still gets the `ChildDown` of each of its children as they end.
    Supervisor(E),
}
