//! The tokio runtime (feature `tokio`): the sans-IO [`DynamicSupervisor`](crate::DynamicSupervisor)
//! driven by one tokio task per supervisor, with each child a [`Worker`](crate::Worker) in a
//! task of its own once it has something to do.
//!
//! It is the threaded runtime ([`crate::runtime`]) with tasks for threads: the supervisor's
//! task owns the core (through [`driver::Host`](crate::driver::Host)) and serves its mailbox
//! (calls, child notes, the parent's exit, sends, calls to workers, kills) one input at a
//! time; the start function runs inside the supervisor (the spawner and the worker's `init`
//! run on its task, which waits for `init` anyway, as OTP's supervisor does; inputs queued
//! meanwhile reach the core before the start's outcome, and the supervisor yields to the
//! runtime after a failed start); failed restarts are retried from
//! the back of the mailbox; the termination protocol keeps one kill timer per distinct
//! shutdown timeout. The handle, [`Supervisor`], is `async`; its errors and the observer's
//! [`Report`]s are the threaded runtime's.
//!
//! # Processes are tasks
//!
//! * A worker's callbacks stay **synchronous** (`docs/worker-api.md` says why) and run inside
//!   its task (`init`, and `traps_exits` while it has no task, on the supervisor's), through
//!   [`driver::Process`](crate::driver::Process): a panic in any of them is
//!   an exit with reason `panic` (in `init`: a failed start with `panic`). A callback must not
//!   block: it holds a runtime thread while it runs. Work that waits on I/O belongs in a task
//!   the worker starts, which sends its result back as a message ([`Supervisor::send`]).
//! * Timers ([`Context::send_after`](crate::Context::send_after)) run on tokio's clock: the
//!   child's task sleeps (`tokio::time::sleep_until`) until its next timer while it waits for
//!   messages.
//! * A worker gets its task only once it has something to do: a timer set in `init`, a
//!   message, a call, or a shutdown it traps. Until then the supervisor holds it (*idle*):
//!   none of its callbacks could run anyway, and a start costs no task and no task switch.
//! * Asked to shut down, a worker that does not trap exits ends at once with `shutdown` (an
//!   idle one is dropped by the supervisor, which reports its exit itself: exact, since an idle
//!   worker has no task, no running callback and nothing queued; see the driver's docs). One
//!   that traps exits has `terminate` called in its task, then exits with `shutdown` once its
//!   cleanup time ([`Builder::cleanup_time`], zero by default) has passed on tokio's clock.
//!
//! # Kills are aborts
//!
//! A kill (a `brutal_kill` shutdown, a shutdown timeout that runs out, or
//! [`Supervisor::kill`]) aborts the child's task (`JoinHandle::abort`) and is reported
//! `killed` at once: the supervisor and its observer see the child dead, it gets no more
//! messages, and its `terminate` is never run. What the abort can and cannot interrupt:
//!
//! * It **cannot** interrupt a synchronous callback. A callback that is running when the
//!   abort comes (on another worker thread of a multi-threaded runtime) runs to its end; its
//!   outcome (a reply, an exit) is ignored, except that a reply it gives may still reach the
//!   caller. A callback that never returns keeps its runtime thread for ever.
//! * It **does** take effect at the task's next await point, i.e. between callbacks: while
//!   the task waits for a message, a call or its next timer, and while a trapping worker
//!   waits out its cleanup time. Nothing of the worker runs after that point; the worker is
//!   dropped with the task.
//!
//! # Static supervisors, trees and names
//!
//! As on the threaded runtime (`docs/trees.md`): [`StaticSupervisor`] runs the static core,
//! a builder's `supervisors(..)` starts [`ChildSupervisor`]s (each in a task of its own) as
//! children, pids are unique across a tree, and names live in a
//! [`Registry`]. [`Supervisor::kill_supervisor`] (and the static handle's) kills a supervisor
//! as on the BEAM: it dies at once without its shutdown, and its children get the exit signal
//! `killed` through their links.
//!
//! # Time
//!
//! The supervisor's clock counts whole milliseconds of `tokio::time::Instant` since
//! `start_link`: restart intensity stamps whole seconds of it, and kill deadlines are slept
//! until with `tokio::time::sleep_until`. Under a paused tokio clock (`start_paused(true)`,
//! or `tokio::time::pause`) time is virtual: it advances only when every task is idle, to the
//! next timer, so timings are exact and a test of a 5-second restart window takes no time.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//!
//! use dynsup::tokio_runtime::Supervisor;
//! use dynsup::{
//!     Answer, BoxedWorker, ChildSpec, Context, ExitReason, Init, Next, Options, Restart,
//!     Started, Worker,
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
//! let runtime = tokio::runtime::Builder::new_current_thread()
//!     .enable_time()
//!     .start_paused(true)
//!     .build()
//!     .unwrap();
//! runtime.block_on(async {
//!     let spawner = |_: &&str, _: &[()]| -> BoxedWorker<&'static str, (), u64> {
//!         Box::new(Fragile { seen: 0 })
//!     };
//!     let sup = Supervisor::start_link(Options::default().max_restarts(0), spawner)
//!         .await
//!         .unwrap();
//!     let spec = ChildSpec::new("fragile", vec![]).restart(Restart::Permanent);
//!     let Ok(Started::Running { pid, .. }) = sup.start_child(spec).await else { panic!() };
//!     sup.send(pid, "hello").await;
//!     assert_eq!(sup.call(pid, (), Some(Duration::from_secs(30))).await, Ok(1));
//!     # std::panic::set_hook(Box::new(|_| {}));
//!     // The crash exceeds max_restarts = 0: the supervisor shuts down.
//!     sup.send(pid, "crash").await;
//!     assert_eq!(sup.wait_exit(None).await, Some(ExitReason::Shutdown));
//! });
//! ```

mod builder;
mod child;
mod clock;
mod driver;
mod handle;
mod launch;
mod link;
mod mailbox;
mod partition;
mod static_builder;
mod static_handle;
mod tree;

pub use builder::Builder;
pub use handle::Supervisor;
pub use partition::{PartitionPid, PartitionStartError, PartitionStarted, PartitionSupervisor};
pub use static_builder::StaticBuilder;
pub use static_handle::StaticSupervisor;
pub use tree::ChildSupervisor;

/// The threaded runtime's error types and report, shared by this runtime.
pub use crate::runtime::{
    NoProc, Registry, Report, SendWorker, StartChildError, StartLinkError, StaticChildError,
    StaticStartError, StopError, TerminateChildError,
};
