//! Invariant checkers: independent observers of a simulation, run after every delivery. They
//! never drive the system; each re-derives what must hold from the history and the state.
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
mod restart_policy;
mod shutdown;

use std::collections::BTreeMap;

use dynsup::{Event, Instant, Pid, Restart, Shutdown};

use crate::simulation::{Checker, TraceEntry, View, Violation};

// The checkers one by one: the parts of `Invariants`.
#[doc(hidden)]
pub use child_counts::check_counts;
#[doc(hidden)]
pub use intensity::IntensityChecker;
#[doc(hidden)]
pub use liveness::check_at_rest;
#[doc(hidden)]
pub use restart_policy::RestartPolicyChecker;
#[doc(hidden)]
pub use shutdown::ShutdownChecker;

/// What the checkers remember of each child: its restart type and shutdown.
#[doc(hidden)]
pub type ChildPolicies = BTreeMap<Pid, (Restart, Shutdown)>;

/// Builds a [`Violation`].
pub(crate) fn violation(invariant: &'static str, at: Instant, detail: String) -> Violation {
    Violation {
        invariant,
        detail,
        at,
    }
}

/// Every invariant of the harness, checked after every delivery.
#[derive(Debug, Default)]
pub struct Invariants {
    policies: ChildPolicies,
    intensity: IntensityChecker,
    restart_policy: RestartPolicyChecker,
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

    /// Learns the policies of children that are in the table now.
    fn learn_policies<F, A>(&mut self, view: &View<'_, F, A>, new_events: &[(Instant, Event)]) {
        for (_, event) in new_events {
            match event {
                Event::ChildStarted { pid } => {
                    if let Some(entry) = view.supervisor.view().entry(*pid) {
                        self.policies
                            .insert(*pid, (entry.spec.restart(), entry.spec.shutdown()));
                    }
                }
                Event::ChildRestarted { old, new } => {
                    if let Some(&policy) = self.policies.get(old) {
                        self.policies.insert(*new, policy);
                    }
                }
                _ => {}
            }
        }
    }
}

impl<F, A> Checker<F, A> for Invariants {
    fn check(&mut self, view: &View<'_, F, A>) -> Result<(), Violation> {
        let new_trace: &[TraceEntry] = view.trace;
        let new_events = view.events;
        self.learn_policies(view, new_events);
        check_counts(view)?;
        self.intensity.check(new_events)?;
        self.restart_policy
            .check(&self.policies, new_trace, new_events)?;
        self.shutdown.check(view, &self.policies, new_trace)?;
        if view.at_rest {
            check_at_rest(view)?;
        }
        Ok(())
    }
}
