//! Scenario files on the real threaded runtime (`dynsup-sim run --runtime threads FILE`): the
//! same steps, the same scripted workers and the same transcript as the simulator, in real
//! time.
//!
//! t = 0 is the supervisor's start (`start_link`), so its restart-intensity seconds fall on
//! the scenario's whole seconds. Each step waits until its time on the supervisor's clock, then
//! for the supervisor to settle (see [`run_threads`]), then runs. Events are collected from the
//! runtime's [`Report`](dynsup::runtime::Report)s by the same step executor and transcript
//! writer as the simulator's: those that happen between two steps' beginnings belong to the earlier
//! step, and after the last step the runner waits until nothing more happens.
//!
//! Real time is not virtual time: a restart a few milliseconds before a second boundary may be
//! stamped with the next second, so a scenario whose restart intensity depends on such timing
//! can print a different transcript (the conformance test skips those, and says why).
//!
//! ```
//! use dynsup_sim::{runner, scenario, threads};
//!
//! let scenario = scenario::parse("child w\nat 0 start w\nat 20 kill w#1\nat 40 count\n").unwrap();
//! let on_threads = threads::run_threads(&scenario).unwrap();
//! // The same transcript as in the simulator (no restart intensity near a second boundary).
//! assert_eq!(on_threads.to_string(), runner::run(&scenario).unwrap().to_string());
//! ```

mod run;
mod tree;

pub use run::{run_threads, ThreadsError, SETTLE_TIMEOUT};
pub use tree::run_tree_threads;
// The runtime as a target of the runner's step executor: `run_threads`'s machinery.
#[doc(hidden)]
pub use run::ThreadsTarget;
