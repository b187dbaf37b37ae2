//! Invariant checkers: independent observers of a simulation, run after every delivery. They
//! never drive the system; each re-derives what must hold from what the simulator observed
//! (the trace: the specs clients sent, the starts the supervisor asked for, the exit signals
//! that reached it, the signals it sent, the processes that came up and went down) and the set
//! of live processes, with its own statement of the rule. They never read the core's report
//! events, its restart flags or its helpers; they read its `count_children` figures only to
//! check them, and at rest its table only to compare it with the live processes. A child a
//! checker cannot classify is a violation, never a skip.
//!
//! [`Invariants`] is all of them together, a [`Checker`] for
//! [`Simulation::set_checker`](crate::simulation::Simulation::set_checker): child counts, the
//! restart intensity, the restart policy of each exit, shutdown order and timeouts, and
//! liveness at rest. A violation stops the simulation with
//! [`SimError::Violation`](crate::simulation::SimError::Violation). The scenario runner
//! ([`crate::runner`]) always runs them.
//!
//! ```
//! use dynsup::{BoxedWorker, ChildSpec, Context, Init, Options, Reply, Started, Worker};
//! use dynsup_sim::invariants::Invariants;
//! use dynsup_sim::simulation::Simulation;
//!
//! struct Idle;
//! impl Worker for Idle {
//!     type Message = ();
//!     type Call = ();
//!     type Reply = ();
//!     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
//!         Init::Ok
//!     }
//! }
//!
//! let config = Options::default().max_restarts(3).max_seconds(5).validate().unwrap();
//! let spawner = |_: &&str, _: &[()]| -> BoxedWorker<(), (), ()> { Box::new(Idle) };
//! let mut sim = Simulation::new(config, spawner);
//! sim.set_checker(Box::new(Invariants::new(3, 5)));
//! let call = sim.start_child(ChildSpec::new("idle", vec![])).unwrap();
//! let Reply::StartChild(Ok(Started::Running { pid, .. })) = sim.wait_reply(call).unwrap() else {
//!     panic!("not started")
//! };
//! sim.kill_child(pid);
//! // The permanent child is restarted, and every invariant holds all along.
//! sim.run_to_quiescence().unwrap();
//! assert_eq!(sim.live_children().len(), 1);
//! ```

mod child_counts;
mod intensity;
mod liveness;
mod observed;
mod restart_policy;
mod shutdown;
#[cfg(test)]
mod testing;

use dynsup::Instant;

use crate::simulation::{Checker, View, Violation};

// The checkers one by one: the parts of `Invariants`.
#[doc(hidden)]
pub use child_counts::check_counts;
#[doc(hidden)]
pub use intensity::IntensityChecker;
#[doc(hidden)]
pub use liveness::{check_at_rest, check_owed};
#[doc(hidden)]
pub use observed::{must_restart, Observed, Owed};
#[doc(hidden)]
pub use restart_policy::{check_classified, check_start};
#[doc(hidden)]
pub use shutdown::ShutdownChecker;

/// Builds a [`Violation`].
pub(crate) fn violation(invariant: &'static str, at: Instant, detail: String) -> Violation {
    Violation {
        invariant,
        detail,
        at,
    }
}

/// Every invariant of the harness, checked after every delivery.
///
/// Each checker rebuilds what it checks from the simulator's trace ([`Observed`]: the specs
/// clients sent, the starts, exit signals and signals that crossed the supervisor's boundary)
/// and the set of live processes, never from the core's own report events, flags or helpers;
/// only the counters it checks and, at rest, the table it compares with the live processes
/// are read from the core.
#[derive(Debug, Default)]
pub struct Invariants {
    observed: Observed,
    intensity: IntensityChecker,
    shutdown: ShutdownChecker,
}

impl Invariants {
    /// A fresh set of checkers for a supervisor with `max_restarts` in `max_seconds`.
    pub fn new(max_restarts: u64, max_seconds: u64) -> Self {
        Invariants {
            intensity: IntensityChecker::new(max_restarts, max_seconds),
            ..Invariants::default()
        }
    }
}

impl<F, A> Checker<F, A> for Invariants {
    fn check(&mut self, view: &View<'_, F, A>) -> Result<(), Violation> {
        for entry in view.trace {
            check_start(&self.observed, entry)?;
            self.intensity.check(&self.observed, entry)?;
            self.shutdown.check(&self.observed, entry, view.live)?;
            self.observed.apply(entry);
        }
        check_classified(&self.observed, view.now)?;
        ShutdownChecker::check_orphans(&self.observed, view.live, view.now)?;
        if view.at_rest {
            let supervisor = view.supervisor.view();
            let max_children = supervisor.config().max_children();
            let (counts, live) = (supervisor.counts(), view.live);
            check_counts(counts, max_children, &self.observed, live, view.now)?;
            check_owed(&self.observed, view.now)?;
            check_at_rest(view)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use dynsup::{DynamicSupervisor, ExitReason, Options, Pid, Restart};

    use super::testing::{entry, permanent_up, spec};
    use super::*;
    use crate::simulation::{TraceEntry, TraceEvent};

    /// Runs the combined checker over `trace` in one delivery, with no live process.
    fn check(trace: &[TraceEntry]) -> Result<(), Violation> {
        let core = DynamicSupervisor::<&str, ()>::with_options(Options::default())
            .expect("default options");
        let live: BTreeMap<Pid, ()> = BTreeMap::new();
        let view = View {
            now: Instant::from_millis(10),
            supervisor: &core,
            trace,
            events: &[],
            live: &live,
            at_rest: false,
        };
        Invariants::new(3, 5).check(&view)
    }

    #[test]
    fn the_combined_checker_fires_on_a_restarted_temporary_child() {
        let mut trace = permanent_up(1, spec(Restart::Temporary));
        trace.push(entry(
            10,
            TraceEvent::Down {
                pid: Pid(1),
                reason: ExitReason::other("boom"),
            },
        ));
        trace.push(entry(
            10,
            TraceEvent::ExitArrived {
                pid: Pid(1),
                reason: ExitReason::other("boom"),
            },
        ));
        assert_eq!(check(&trace), Ok(()));
        trace.push(entry(
            10,
            TraceEvent::Spawned {
                attempt: 1,
                pid: Pid(2),
                restart_of: Some(Pid(1)),
            },
        ));
        assert_eq!(check(&trace).unwrap_err().invariant, "restart-policy");
    }

    #[test]
    fn the_combined_checker_fires_on_a_child_it_cannot_classify() {
        let trace = [entry(
            0,
            TraceEvent::Up {
                attempt: 0,
                pid: Pid(1),
            },
        )];
        assert_eq!(check(&trace).unwrap_err().invariant, "restart-policy");
    }
}
