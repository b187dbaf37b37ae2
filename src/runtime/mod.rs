//! The real runtime: the sans-IO [`DynamicSupervisor`](crate::DynamicSupervisor) driven on
//! threads, with each child a [`Worker`](crate::Worker) on a thread of its own.
//!
//! [`Supervisor::start_link`] validates the options and starts a *driver* thread that owns the
//! core and serves the supervisor's mailbox; it returns a cloneable [`Supervisor`] handle whose
//! calls (`start_child`, `terminate_child`, `which_children`, `count_children`, `stop`) are
//! messages to that mailbox, answered as the core answers them. It is the same loop as the
//! deterministic simulator in `dynsup-sim`, with real threads and a real clock, so the OTP
//! semantics carry over unchanged: one message at a time, the start function running "inside"
//! the supervisor (the driver spawns the child's thread, which runs `init` while the core stays
//! blocked), failed restarts retried from the back of the mailbox, and the termination protocol
//! with one kill timer per distinct shutdown timeout.
//!
//! # Processes are threads
//!
//! * A worker's [`init`](crate::Worker::init), [`handle_message`](crate::Worker::handle_message)
//!   and [`terminate`](crate::Worker::terminate) run on its own thread. A panic in any of them
//!   is an abnormal exit with reason `panic` (caught with `catch_unwind`): in `init` the start
//!   fails with `panic`; later the child exits with `panic` and its restart type decides.
//! * Asked to shut down, a worker that does not trap exits ends at once with `shutdown`. One
//!   that traps exits has `terminate` called and ends as it says:
//!   [`Termination::Exit`](crate::Termination::Exit) at once,
//!   [`Termination::ExitAfter`](crate::Termination::ExitAfter) after that many milliseconds, or
//!   [`Termination::Hang`](crate::Termination::Hang) never (only a kill ends it).
//! * **A thread cannot be killed.** A kill (a `brutal_kill` shutdown, a shutdown timeout that
//!   runs out, or [`Supervisor::kill`]) is what the runtime *reports*: the child is `killed` at
//!   once, as far as the supervisor and its observer are concerned; it gets no more messages;
//!   its `terminate` is never run (or, if it is already running, its result is ignored); and
//!   its thread ends as soon as the current callback returns (a worker waiting in
//!   `ExitAfter` or `Hang` ends at once). A worker blocked for ever inside a callback therefore
//!   leaks its thread, even though it is reported dead; [`Supervisor::live_threads`] counts such
//!   threads. Write callbacks that return.
//!
//! # Time
//!
//! The runtime's clock (the only clock read in this crate) counts milliseconds from
//! `start_link`; restart intensity stamps whole seconds of it, and kill deadlines come from the
//! core's `poll_timeout`, which the driver sleeps until. Timing is best effort (a restart at
//! 999 ms may be stamped second 1 on a busy machine); the semantics never depend on speed.
//!
//! # Example
//!
//! ```
//! use dynsup::runtime::{BoxedWorker, Supervisor};
//! use dynsup::{ChildSpec, ExitReason, Init, Next, Options, Restart, Started, Worker};
//!
//! /// A worker that crashes when told to.
//! struct Fragile;
//! impl Worker for Fragile {
//!     type Message = &'static str;
//!     fn init(&mut self) -> Init {
//!         Init::Ok
//!     }
//!     fn handle_message(&mut self, message: &'static str) -> Next {
//!         if message == "crash" {
//!             panic!("told to crash");
//!         }
//!         Next::Continue
//!     }
//! }
//!
//! let spawner = |_: &&str, _: &[()]| -> BoxedWorker<&'static str> { Box::new(Fragile) };
//! let sup = Supervisor::start_link(Options::default().max_restarts(0), spawner).unwrap();
//! let spec = ChildSpec::new("fragile", vec![]).restart(Restart::Permanent);
//! let Ok(Started::Running { pid, .. }) = sup.start_child(spec) else { panic!() };
//! # std::panic::set_hook(Box::new(|_| {}));
//! // The crash exceeds max_restarts = 0: the supervisor shuts down.
//! sup.send(pid, "crash");
//! assert_eq!(sup.wait_exit(None), Some(ExitReason::Shutdown));
//! ```

mod builder;
mod channel;
mod child;
mod clock;
mod driver;
mod error;
mod handle;
mod oneshot;
mod report;
mod send_worker;
mod watch;

pub use builder::Builder;
pub use error::{NoProc, StartChildError, StartLinkError, StopError, TerminateChildError};
pub use handle::Supervisor;
pub use report::Report;
pub use send_worker::SendWorker;

/// The spawner and the boxed worker are the same for every driver; re-exported here for
/// convenience.
pub use crate::driver::Spawner;
pub use crate::worker::BoxedWorker;
