//! `dynsup`: Elixir's `DynamicSupervisor` with the exact OTP semantics, as a pure sans-IO
//! state machine.
//!
//! The supervisor's logic lives in [`DynamicSupervisor`], which performs no I/O, reads no clock
//! and spawns nothing. A *driver* (the deterministic simulator in `dynsup-sim`, or a threaded
//! runtime) feeds it inputs and performs the effects it asks for. The semantics follow
//! `docs/semantics.md`: restart decisions, restart intensity on whole-second stamps, the
//! `max_children` cap that counts restarting children, the termination protocol with one kill
//! timer per distinct timeout, and the FIFO mailbox whose ordering decides the races.
//!
//! # The layers
//!
//! * The **core**, [`DynamicSupervisor`]: the sans-IO state machine (below), inspected through
//!   [`DynamicSupervisor::view`].
//! * The **static supervisor**, [`static_supervisor::Supervisor`]: Elixir's `Supervisor`
//!   (one_for_one, one_for_all, rest_for_one, children by id, significant children) as a
//!   sans-IO core with the same driver protocol (`docs/static-supervisor.md`).
//! * The **Worker API**, [`Worker`] with its [`Context`] (pid, time, timers) and
//!   [`Answer`] for calls: what a user writes, once, for every driver
//!   (`docs/worker-api.md` says why its callbacks are synchronous).
//! * The **driver protocol**, [`driver`]: [`driver::Host`] turns the core's effects into
//!   actions (one numbering of calls, start attempts and pids), [`driver::Process`] runs a
//!   worker's callbacks (a panic is an exit with reason `panic`), and one [`Spawner`] makes
//!   workers for every driver.
//! * The **runtimes**: [`runtime`] on threads, `tokio_runtime` on tokio tasks (feature
//!   `tokio`); the simulator lives in the `dynsup-sim` crate.
//!
//! # The sans-IO contract
//!
//! * **Calls** (`start_child`, `terminate_child`, `which_children`, `count_children`, `stop`)
//!   are queued in the supervisor's mailbox with a driver-chosen [`CallId`], and answered by an
//!   [`Effect::Reply`] carrying that id once the supervisor reaches them.
//! * **Inputs** from the world: [`handle_start_result`](DynamicSupervisor::handle_start_result),
//!   [`handle_child_exit`](DynamicSupervisor::handle_child_exit),
//!   [`handle_parent_exit`](DynamicSupervisor::handle_parent_exit),
//!   [`handle_timeout`](DynamicSupervisor::handle_timeout).
//! * **Outputs** are pulled: [`poll_effect`](DynamicSupervisor::poll_effect) gives what to do
//!   (start a child, signal or kill one, reply, exit) in order;
//!   [`poll_event`](DynamicSupervisor::poll_event) gives reports;
//!   [`poll_timeout`](DynamicSupervisor::poll_timeout) gives the next deadline.
//! * **Inspection** is read-only, through [`DynamicSupervisor::view`] and its
//!   [`SupervisorView`].
//!
//! After each input, drain `poll_effect` and perform every effect in order. An
//! [`Effect::Start`] blocks the supervisor until `handle_start_result` answers it (the start
//! function runs inside the supervisor, as in OTP); inputs that arrive meanwhile are queued.
//!
//! **Time** is passed in: every input takes `now`, an [`Instant`] in milliseconds that never
//! decreases (an earlier one is refused with [`DriverError::TimeWentBackwards`]). Nothing in this crate's core reads a clock.
//!
//! # Example: driving the core by hand
//!
//! ```
//! use dynsup::{
//!     CallId, ChildSpec, DynamicSupervisor, Effect, ExitReason, Instant, Options, Pid, Reply,
//!     StartOutcome, Started,
//! };
//!
//! // One restart allowed in the window.
//! let mut sup = DynamicSupervisor::<&str, u32>::with_options(
//!     Options::default().max_restarts(1).extra_arguments(vec![7]),
//! )
//! .unwrap();
//! let t0 = Instant::from_millis(0);
//!
//! // start_child: the core asks us to run the start function with the extra arguments first.
//! let spec = ChildSpec::new("worker", vec![42]).validate().unwrap(); // validated by the caller
//! sup.start_child(t0, CallId(1), spec).unwrap();
//! let Some(Effect::Start { function, args, restart_of: None }) = sup.poll_effect() else {
//!     panic!("expected a start")
//! };
//! assert_eq!((function, args), ("worker", vec![7, 42]));
//! // We "spawn" it as process 1 and report the outcome; the reply follows.
//! sup.handle_start_result(t0, StartOutcome::Started { pid: Pid(1), info: None }).unwrap();
//! assert_eq!(
//!     sup.poll_effect(),
//!     Some(Effect::Reply {
//!         call: CallId(1),
//!         reply: Reply::StartChild(Ok(Started::Running { pid: Pid(1), info: None })),
//!     })
//! );
//!
//! // The child crashes: a permanent child is restarted (one restart is allowed).
//! sup.handle_child_exit(Instant::from_millis(100), Pid(1), ExitReason::other("boom")).unwrap();
//! assert!(matches!(sup.poll_effect(), Some(Effect::Start { restart_of: Some(Pid(1)), .. })));
//! sup.handle_start_result(
//!     Instant::from_millis(100),
//!     StartOutcome::Started { pid: Pid(2), info: None },
//! )
//! .unwrap();
//!
//! // A second crash in the same window exceeds the intensity: the supervisor shuts down.
//! sup.handle_child_exit(Instant::from_millis(200), Pid(2), ExitReason::Killed).unwrap();
//! assert_eq!(sup.poll_effect(), Some(Effect::Exit { reason: ExitReason::Shutdown }));
//! assert!(!sup.view().is_alive());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod call_error;
mod child_spec;
pub mod driver;
mod error;
mod exit_reason;
mod options;
mod pack;
mod pid;
mod queue_copy;
mod restart_intensity;
pub mod runtime;
pub mod static_supervisor;
mod supervisor;
mod sync;
mod time;
#[cfg(feature = "tokio")]
pub mod tokio_runtime;
mod worker;

pub use call_error::CallError;
pub use child_spec::{ChildSpec, ChildType, Modules, Restart, Shutdown, StartCall, ValidChildSpec};
pub use driver::Spawner;
pub use error::{ConfigError, DriverError, SpecError, StartError, TerminateError};
pub use exit_reason::{ExitReason, InvalidExitReason};
pub use options::{AutoShutdown, Config, MaxChildren, Options, Strategy, SupervisorFlags};
pub use pack::{Pack, UnpackError};
pub use pid::Pid;
pub use restart_intensity::{Intensity, RestartLog};
/// Planted defects of the core: for the harness's own tests, never for production.
#[cfg(feature = "planted-defects")]
pub use supervisor::defect::CoreDefect;
pub use supervisor::output::{
    CallId, ChildCounts, ChildInfo, Effect, Event, Reply, StartOutcome, Started,
};
pub use supervisor::view::{Entry, EntryState, SupervisorView};
pub use supervisor::DynamicSupervisor;
pub use time::Instant;
pub use worker::{
    Answer, BoxedWorker, Context, DynWorker, Init, Next, TimerRef, Timers, Worker, UNHANDLED_CALL,
};
