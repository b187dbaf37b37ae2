//! Supervision trees on tokio: a supervisor started as the child of another, in a task of its
//! own (the threaded runtime's [`crate::runtime::ChildSupervisor`], with tasks for threads).

use std::fmt;
use std::sync::Arc;

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::Registry;
use crate::tokio_runtime::child::ChildNote;
use crate::tokio_runtime::clock::Clock;

/// What a child supervisor inherits from its parent: its place in the tree.
pub(crate) struct TreeLink {
    /// Its pid, given by the parent's start attempt.
    pub(crate) pid: Pid,
    /// The tree's registry (names and pids).
    pub(crate) registry: Registry,
    /// The tree's clock (its root's): restart intensity counts the same whole seconds in
    /// every supervisor of a tree, as on one BEAM node.
    pub(crate) clock: Clock,
    /// Tells the parent about its start-up and its exit (the parent's mailbox).
    pub(crate) notify: Arc<dyn Fn(ChildNote) + Send + Sync>,
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

/// Starts a child supervisor in its place in the tree.
type Launch = Box<dyn FnOnce(TreeLink) -> Result<Box<dyn SubtreeControl>, ExitReason> + Send>;

/// A supervisor to start as a child of another on tokio: made with
/// [`Builder::child`](crate::tokio_runtime::Builder::child) or
/// [`StaticBuilder::child`](crate::tokio_runtime::StaticBuilder::child), and handed to the
/// parent by the function given to its builder's `supervisors(..)`, asked first for every
/// start of the parent (restarts included).
///
/// It runs in a task of its own, shares its parent's [`Registry`] (names and pids), and its
/// start is its whole start-up. Its spec should have type supervisor (shutdown `infinity` by
/// default): the parent then waits for its whole subtree to be down.
///
/// ```
/// use dynsup::runtime::BoxedWorker;
/// use dynsup::static_supervisor::{Flags, StaticChildSpec};
/// use dynsup::tokio_runtime::{ChildSupervisor, StaticSupervisor, Supervisor};
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
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
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
///     .await
///     .unwrap();
/// let pool: Supervisor<&str, (), DynWorker<()>> = app.registry().lookup("pool").unwrap();
/// pool.start_child(ChildSpec::new("worker", vec![])).await.unwrap();
/// app.stop(ExitReason::Normal, None).await.unwrap();
/// assert!(!pool.is_alive());
/// # });
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

/// Which starts of a supervisor are child supervisors; `None` means a worker.
pub(crate) type SupervisorChildren<F, A> =
    Box<dyn FnMut(&F, &[A]) -> Option<ChildSupervisor> + Send>;
