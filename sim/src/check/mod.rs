//! Testing your own workers: run them under the deterministic simulator from `cargo test`,
//! over many seeds, with faults from each seed, the library's invariants after every
//! delivery, shrinking and replay files. `docs/testing-your-workers.md` is the guide.
//!
//! It lives in `dynsup-sim` because it *is* the simulator driven from a test: the same
//! [`Simulation`](crate::simulation::Simulation), the same [`invariants`](crate::invariants)
//! and the same `ChaCha8Rng` seeding as the explorer, with no dependency beyond the library
//! (`dynsup-sim` with `default-features = false`). A separate crate would re-export all of it.
//!
//! * [`Check`] is the builder: the supervisor's [`Config`](dynsup::Config), a function making
//!   the user's spawner (the same spawner the runtimes take), seeds, faults, limits.
//! * [`Sim`] is what the test body drives: start children, send, call, let virtual time pass,
//!   look at the workers' state; [`Sim::operation`] and [`Sim::draw`] are the body's own
//!   random choices, recorded so a failing run can be shrunk.
//! * [`Check::check`] runs the body over every seed and panics with a [`Report`] at the first
//!   failure: `SEED=` first, then the failure, shrunk, with its replay file and the commands
//!   that rerun it. `DYNSUP_SEED=17` (or `10..20`) reruns seeds, `DYNSUP_SEEDS=10000` scales
//!   their number, `DYNSUP_REPLAY=file` replays a file.
//!
//! ```
//! use dynsup::{Answer, ChildSpec, Context, Init, Next, Options, Worker};
//! use dynsup_sim::check::{ensure_eq, started_pid, Check};
//!
//! /// Counts pings; forgets them when it restarts (nothing is persisted: that is fine here).
//! struct Counter(u64);
//! impl Worker for Counter {
//!     type Message = ();
//!     type Call = ();
//!     type Reply = u64;
//!     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
//!         Init::Ok
//!     }
//!     fn handle_message(&mut self, (): (), _ctx: &mut Context<()>) -> Next {
//!         self.0 += 1;
//!         Next::Continue
//!     }
//!     fn handle_call(&mut self, (): (), _ctx: &mut Context<()>) -> Answer<u64> {
//!         Answer::Reply(self.0)
//!     }
//! }
//!
//! let config = Options::default().max_restarts(1_000).validate().unwrap();
//! // A fresh spawner per run; this one makes `Counter`s, so `sim.worker(pid)` is a `&Counter`.
//! let make_spawner = || |_: &&str, _: &[()]| Box::new(Counter(0));
//! let passed = Check::new(config, make_spawner).name("counter").seeds(0..20).check(|sim| {
//!     let reply = sim.start_child(ChildSpec::new("counter", vec![]))?;
//!     let Some(pid) = started_pid(&reply) else { return Ok(()) };
//!     while let Some(op) = sim.operation(2) {
//!         if op == 0 {
//!             sim.send(pid, ());
//!         } else {
//!             sim.advance(10)?;
//!         }
//!     }
//!     sim.advance(1)?;
//!     // The worker's own state, read directly, agrees with its answer to a call (unless a
//!     // fault ended it first).
//!     let Some(seen) = sim.worker(pid).map(|counter| counter.0) else { return Ok(()) };
//!     if let Ok(answer) = sim.call(pid, (), 1_000)? {
//!         ensure_eq(answer, seen, "the count")?;
//!     }
//!     Ok(())
//! });
//! assert_eq!(passed.seeds, 20);
//! ```

mod any_worker;
mod builder;
mod decider;
mod failure;
mod faults;
mod report;
mod seeds;
mod shrink;
mod sim;
mod tape;

pub use any_worker::{AnyWorker, BoxedAnyWorker};
pub use builder::{Check, Passed, Run};
pub use failure::{ensure, ensure_eq, Failed, FailureKind};
pub use faults::{FaultKind, FaultPlan, SeedFaults};
pub use report::{Divergence, Report};
pub use seeds::{parse_seeds, REPLAY_DIR_VAR, REPLAY_VAR, SEEDS_VAR, SEED_VAR};
pub use sim::{started_pid, Sim};
pub use tape::{Decision, Record, Tape, TapeError};
