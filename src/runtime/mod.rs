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
//! * A worker's [`init`](crate::Worker::init), [`handle_message`](crate::Worker::handle_message),
//!   [`handle_call`](crate::Worker::handle_call) and [`terminate`](crate::Worker::terminate)
//!   run on its own thread, and so do its timers
//!   ([`Context::send_after`](crate::Context::send_after), on the supervisor's clock). A panic
//!   in any of them is an abnormal exit with reason `panic` (caught with `catch_unwind`): in
//!   `init` the start fails with `panic`; later the child exits with `panic` and its restart
//!   type decides.
//! * [`Supervisor::call`] sends a request to a child's `handle_call` and waits for its reply,
//!   with an optional timeout: [`CallError`](crate::CallError) says why none came.
//! * Asked to shut down, a worker that does not trap exits ends at once with `shutdown`. One
//!   that traps exits has `terminate` called: its cleanup takes the real time it takes (a
//!   `terminate` that sleeps 100 ms exits 100 ms later), then it exits with `shutdown`. A
//!   `terminate` that never returns is ended only by a kill.
//! * **A thread cannot be killed.** A kill (a `brutal_kill` shutdown, a shutdown timeout that
//!   runs out, or [`Supervisor::kill`]) is what the runtime *reports*: the child is `killed` at
//!   once, as far as the supervisor and its observer are concerned; it gets no more messages;
//!   its `terminate` is never run (or, if it is already running, its outcome is ignored); and
//!   its thread ends as soon as the current callback returns. A worker blocked for ever inside
//!   a callback (including `terminate`) therefore leaks its thread, even though it is reported
//!   dead; [`Supervisor::live_threads`] counts such threads. Write callbacks that return.
//!
//! # Static supervisors, trees and names
//!
//! [`StaticSupervisor`] runs the static core (Elixir's `Supervisor`: children by id, started
//! in order, one_for_one, one_for_all, rest_for_one) through the same driver loop, with OTP's
//! errors as [`StaticChildError`] and [`StaticStartError`]. Either kind of supervisor can be
//! the child of either kind: a builder's `supervisors(..)` names the starts that are
//! [`ChildSupervisor`]s. Pids are unique across a tree, names live in a [`Registry`], and
//! stopping a root stops its whole tree, the last started subtree first
//! (`docs/trees.md`). [`Supervisor::kill_supervisor`] (and the static handle's) kills a
//! supervisor as on the BEAM: it dies at once without its shutdown, and its children get the
//! exit signal `killed` through their links.
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
//! use std::time::Duration;
//!
//! use dynsup::runtime::{BoxedWorker, Supervisor};
//! use dynsup::{
//!     Answer, ChildSpec, Context, ExitReason, Init, Next, Options, Restart, Started, Worker,
//! };
//!
//! /// A worker that crashes when told to, and answers calls with how many messages it got.
//! struct Fragile {
//!     seen: u64,
//! }
//! impl Worker for Fragile {
//!     type Message = &'static str;
//!     type Call = ();
//!     type Reply = u64;
//!     fn init(&mut self, _ctx: &mut Context<&'static str>) -> Init {
//!         Init::Ok
//!     }
//!     fn handle_message(&mut self, message: &'static str, _: &mut Context<&'static str>) -> Next {
//!         if message == "crash" {
//!             panic!("told to crash");
//!         }
//!         self.seen += 1;
//!         Next::Continue
//!     }
//!     fn handle_call(&mut self, (): (), _ctx: &mut Context<&'static str>) -> Answer<u64> {
//!         Answer::Reply(self.seen)
//!     }
//! }
//!
//! let spawner = |_: &&str, _: &[()]| -> BoxedWorker<&'static str, (), u64> {
//!     Box::new(Fragile { seen: 0 })
//! };
//! let sup = Supervisor::start_link(Options::default().max_restarts(0), spawner).unwrap();
//! let spec = ChildSpec::new("fragile", vec![]).restart(Restart::Permanent);
//! let Ok(Started::Running { pid, .. }) = sup.start_child(spec) else { panic!() };
//! sup.send(pid, "hello");
//! assert_eq!(sup.call(pid, (), Some(Duration::from_secs(30))), Ok(1));
//! # std::panic::set_hook(Box::new(|_| {}));
//! // The crash exceeds max_restarts = 0: the supervisor shuts down.
//! sup.send(pid, "crash");
//! assert_eq!(sup.wait_exit(None), Some(ExitReason::Shutdown));
//! ```

mod builder;
pub(crate) mod call_failure;
mod channel;
mod child;
mod clock;
pub(crate) mod core_seed;
mod driver;
pub(crate) mod dynamic_call;
mod error;
mod handle;
mod launch;
mod link;
pub(crate) mod mailbox_call;
mod oneshot;
mod registry;
mod report;
mod runtime_core;
mod send_worker;
mod static_builder;
pub(crate) mod static_call;
mod static_error;
mod static_handle;
mod thread_limit;
mod tree;
mod watch;

pub use builder::Builder;
pub use error::{NoProc, StartChildError, StartLinkError, StopError, TerminateChildError};
pub use handle::Supervisor;
pub use registry::Registry;
pub use report::Report;
/// The parts the tokio runtime shares with this one.
#[cfg(feature = "tokio")]
pub(crate) use runtime_core::{already_started, RootError, RuntimeCore, StartUp, StartUpWaiter};
pub use send_worker::SendWorker;
pub use static_builder::StaticBuilder;
pub use static_error::{StaticChildError, StaticStartError};
pub use static_handle::StaticSupervisor;
pub use thread_limit::{default_thread_limit, FALLBACK_THREAD_LIMIT, THREAD_LIMIT};
pub use tree::ChildSupervisor;

/// The spawner and the boxed worker are the same for every driver; re-exported here for
/// convenience.
pub use crate::driver::Spawner;
pub use crate::worker::BoxedWorker;
