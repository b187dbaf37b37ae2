//! `dynsup-sim check`: an exhaustive, bounded model checker over every interleaving of
//! messages the BEAM allows.
//!
//! The simulator resolves each race one fixed way; here every enabled transition is taken from
//! every state: a client call reaching the supervisor, a child exiting with each class of
//! reason, an exit signal reaching the supervisor, a signal reaching a child, a trapping child
//! finishing its `terminate`, a kill timer firing, the clock moving to the next deadline or
//! whole second, the parent exiting. Messages between one sender and one receiver keep their
//! order (the BEAM's only promise); everything else interleaves freely. Every state is checked
//! ([`world::World::apply`]) against rules restated here from what the world observed, never
//! from the core's own counters or flags; states at rest are checked for liveness.
//!
//! States are deduplicated by a 64-bit fingerprint after a symmetry reduction that renames pids
//! to 1, 2, ... in their order (only their order and identity matter to the supervisor).
//!
//! ```
//! use dynsup_sim::model_check::{config::default_set, search::search};
//! let mut config = default_set().remove(0);
//! config.bounds.depth = 6;
//! let report = search(&config, 1, &mut |_, _, _| {}).unwrap();
//! assert!(report.violation.is_none());
//! assert!(report.states > 100);
//! ```

pub mod config;
pub mod fingerprint;
pub mod recording;
pub mod scenario_path;
pub mod search;
mod tracked_core;
pub mod world;
