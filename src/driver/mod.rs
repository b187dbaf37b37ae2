//! The one driver protocol: what every driver of the core (the simulator, the runtimes, the
//! benchmarks, the fuzz drivers) shares.
//!
//! * [`Host`] wraps the sans-IO [`DynamicSupervisor`](crate::DynamicSupervisor): it numbers
//!   calls, start attempts and pids, and turns the core's effects into [`Action`]s.
//! * [`Spawner`] makes a worker for each start attempt; one spawner serves every driver.
//! * [`Process`] runs one worker's callbacks with its [`Context`](crate::Context) and timers,
//!   and turns a panic in user code into an exit with reason `panic`.
//!
//! A driver owns the processes and the transport (a queue of virtual deliveries, channels
//! between threads, tasks); everything else comes from here.

mod calls;
mod core;
mod host;
mod process;
mod spawner;

pub use calls::Calls;
pub use core::{Core, CoreOutput, Output, StaticReport, StaticRequest};
pub use host::{Action, CoreAction, Host, Pids, Request, StartAttempt};
pub(crate) use process::guarded;
pub use process::{Process, ShutdownOutcome, PANIC};
pub use spawner::Spawner;
