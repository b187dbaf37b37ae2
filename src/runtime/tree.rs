//! Supervision trees: a supervisor started as the child of another.
//!
//! A child supervisor is a process of its parent like a worker: its pid comes from the tree's
//! one allocator, its start (its whole start-up) runs while the parent waits, its exit is the
//! parent's `{:EXIT, pid, reason}`, and the parent's `shutdown` is its parent's exit signal,
//! after which it shuts its own children down, last started first, before it exits. A kill
//! ends it at once, and its children get the exit signal `killed` (`docs/trees.md`, "Killing
//! a supervisor").

use std::fmt;

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::child::ChildNote;
use crate::runtime::clock::Clock;
use crate::runtime::registry::Registry;
use crate::runtime::watch::Watch;
use crate::sync::Arc;

/// What a child supervisor inherits from its parent: its place in the tree.
pub(crate) struct TreeLink {
    /// Its pid, given by the parent's start attempt.
    pub(crate) pid: Pid,
    /// The tree's registry.
    pub(crate) registry: Registry,
    /// The tree's thread count (every worker and every supervisor thread of the tree).
    pub(crate) threads: Arc<Watch<usize>>,
    /// The tree's thread limit.
    pub(crate) thread_limit: usize,
    /// The tree's clock (its root's): restart intensity counts the same whole seconds in
    /// every supervisor of a tree, as on one BEAM node.
    pub(crate) clock: Clock,
    /// Tells the parent about its start-up and its exit (the parent's mailbox).
    pub(crate) notify: Box<dyn Fn(ChildNote) + Send + Sync>,
}

/// How a parent signals a running child supervisor: its parent's exit signal, or a kill.
pub(crate) trait SubtreeControl: Send {
    /// The exit signal `reason` from the parent (`shutdown`; `killed` when the parent itself
    /// was killed), which the child supervisor traps: it shuts its children down, then exits
    /// with `reason`.
    fn signal(&self, reason: ExitReason);
    /// The untrappable kill: the child supervisor dies at once with `killed`, without its
    /// shutdown, and its children get the exit signal `killed` through their links.
    fn kill(&self);
}

/// Starts a child supervisor in its place in the tree; its start-up answer goes to the parent
/// as the child's start note.
type Launch = Box<dyn FnOnce(TreeLink) -> Result<Box<dyn SubtreeControl>, ExitReason> + Send>;

/// A supervisor to start as a child of another: made from a builder with
/// [`Builder::child`](crate::runtime::Builder::child) or
/// [`StaticBuilder::child`](crate::runtime::StaticBuilder::child), and handed to the parent by
/// the function given to its builder's `supervisors(..)`, which is asked first for every start
/// of the parent (restarts included).
///
/// The child supervisor shares the parent's pid allocator (pids are unique across the tree),
/// its [`Registry`] (reach it by the name given to its builder) and its thread count and thread
/// limit (the tree's). Its spec should have type supervisor, whose default shutdown is
/// `infinity`: the parent then waits for its whole subtree to be down.
///
/// ```
/// use dynsup::runtime::{BoxedWorker, ChildSupervisor, StaticSupervisor, Supervisor};
/// use dynsup::static_supervisor::{Flags, StaticChildSpec};
/// use dynsup::{ChildSpec, ChildType, Context, DynWorker, ExitReason, Init, Options, Worker};
///
/// struct Idle;
/// impl Worker for Idle {
///     type Message = ();
///     type Call = ();
///     type Reply = ();
///     fn init(&mut self, _ctx: &mut Context<()>) -> Init {
///         Init::Ok
///     }
/// }
/// let spawner = |_: &&str, _: &[()]| -> BoxedWorker<()> { Box::new(Idle) };
///
/// let children = vec![StaticChildSpec::new(
///     "pool",
///     ChildSpec::new("pool", vec![]).child_type(ChildType::Supervisor),
/// )];
/// let app = StaticSupervisor::builder(Flags::default(), children, spawner)
///     .supervisors(move |function: &&str, _: &[()]| -> Option<ChildSupervisor> {
///         (*function == "pool")
///             .then(|| Supervisor::builder(Options::default(), spawner).name("pool").child())
///     })
///     .start_link()
///     .unwrap();
/// let pool: Supervisor<&str, (), DynWorker<()>> = app.registry().lookup("pool").unwrap();
/// pool.start_child(ChildSpec::new("worker", vec![])).unwrap();
/// app.stop(ExitReason::Normal, None).unwrap();
/// assert!(app.wait_threads(None)); // the whole tree is down
/// ```
pub struct ChildSupervisor {
    launch: Launch,
}

impl fmt::Debug for ChildSupervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSupervisor").finish_non_exhaustive()
    }
}

impl ChildSupervisor {
    /// A child supervisor started by `launch`.
    pub(crate) fn new(
        launch: impl FnOnce(TreeLink) -> Result<Box<dyn SubtreeControl>, ExitReason> + Send + 'static,
    ) -> Self {
        ChildSupervisor {
            launch: Box::new(launch),
        }
    }

    /// Starts it under `link`: `Err` when it could not even begin (its start fails then).
    pub(crate) fn launch(self, link: TreeLink) -> Result<Box<dyn SubtreeControl>, ExitReason> {
        (self.launch)(link)
    }
}

/// Which starts of a supervisor are child supervisors: asked with each start's function and
/// arguments before the spawner; `None` means a worker.
pub(crate) type SupervisorChildren<F, A> =
    Box<dyn FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send>;
