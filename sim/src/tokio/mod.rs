//! Scenario files on the tokio runtime (`dynsup-sim run --runtime tokio FILE`, feature
//! `tokio`): the same steps, the same scripted workers and the same transcript as the
//! simulator, on a current-thread tokio runtime ([`run_tokio`]) or, in real time, on a
//! multi-threaded one ([`run_tokio_multi_thread`]); tree files likewise ([`run_tree_tokio`],
//! [`run_tree_tokio_multi_thread`]).
//!
//! With `paused`, tokio's clock starts paused (`start_paused(true)`): time is virtual, it
//! advances only when every task is idle, to the next timer, so each step runs at exactly its
//! time and a run takes no real time. Each step sleeps (`tokio::time::sleep_until`) until its
//! time on the supervisor's clock, then waits until the supervisor has settled (a round trip
//! through its mailbox during which nothing new was reported), then runs. A trapping scripted
//! worker's `stop_ms` is its cleanup time on tokio's clock (the runtime's
//! [`cleanup_time`](dynsup::tokio_runtime::Builder::cleanup_time) setting), interruptible by a
//! kill, as the simulator's `set_cleanup_time` does in virtual time.
//!
//! ```
//! use dynsup_sim::{runner, scenario, tokio};
//!
//! let scenario = scenario::parse("child w\nat 0 start w\nat 20 kill w#1\nat 40 count\n").unwrap();
//! let on_tokio = tokio::run_tokio(&scenario, true).unwrap();
//! assert_eq!(on_tokio.to_string(), runner::run(&scenario).unwrap().to_string());
//! ```

mod run;
mod tree;

pub use run::{run_tokio, run_tokio_multi_thread, TokioError, SETTLE_TIMEOUT};
pub use tree::{run_tree_tokio, run_tree_tokio_multi_thread};
// The runtime as a target of the runner's step executor: `run_tokio`'s machinery.
#[doc(hidden)]
pub use run::TokioTarget;
