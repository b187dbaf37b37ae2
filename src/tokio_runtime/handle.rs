//! The async handle to a DynamicSupervisor's task.

use std::sync::Arc;
use std::time::Duration;

use crate::call_error::CallError;
use crate::child_spec::ChildSpec;
use crate::driver::{Request, Spawner};
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::dynamic_call::{self, DynamicCall};
use crate::runtime::mailbox_call::MailboxCall;
use crate::runtime::{
    NoProc, Registry, SendWorker, StartChildError, StartLinkError, StopError, TerminateChildError,
};
use crate::supervisor::output::{ChildCounts, ChildInfo, Started};
use crate::supervisor::DynamicSupervisor;
use crate::time::Instant;
use crate::tokio_runtime::builder::Builder;
use crate::tokio_runtime::link::Link;
use crate::worker::Worker;

/// A running DynamicSupervisor on a tokio task, or rather a cloneable handle to it.
///
/// `F` names a start function, `A` is its argument type and `W` the workers' type. Every call
/// is a message to the supervisor's mailbox, answered as the core answers it; the methods are
/// `async` and never block a runtime thread. Once the supervisor has exited, every call
/// answers [`NoProc`] (or the `NoProc` variant of its error).
///
/// The handle is the supervisor's link to its parent: dropping the **last** clone is the
/// parent's exit with reason `shutdown`.
pub struct Supervisor<F, A, W: Worker + ?Sized>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    link: Arc<Link<DynamicSupervisor<F, A>, W>>,
}

impl<F, A, W> Clone for Supervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: Worker + ?Sized,
{
    fn clone(&self) -> Self {
        Supervisor {
            link: self.link.clone(),
        }
    }
}

impl<F, A, W> std::fmt::Debug for Supervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: Worker + ?Sized,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("pid", &self.link.pid)
            .field("exit_reason", &self.link.exit_reason())
            .finish_non_exhaustive()
    }
}

impl<F, A, W> Supervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: SendWorker + ?Sized,
{
    /// `DynamicSupervisor.start_link(options)`: validates `options` (an invalid one is
    /// returned, nothing starts), then spawns the supervisor's task on the current tokio
    /// runtime. Each child's worker is made by `spawner` and runs in a task of its own.
    pub async fn start_link<S>(options: Options<A>, spawner: S) -> Result<Self, StartLinkError>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner).start_link().await
    }

    /// A [`Builder`], to set an observer, a cleanup time, a name, a registry or child
    /// supervisors before starting.
    pub fn builder<S>(options: Options<A>, spawner: S) -> Builder<F, A, S>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner)
    }

    pub(crate) fn from_link(link: Arc<Link<DynamicSupervisor<F, A>, W>>) -> Self {
        Supervisor { link }
    }

    /// Sends `call`'s request and awaits the reply.
    async fn ask<T>(&self, call: DynamicCall<F, A, T>) -> Result<T, NoProc> {
        let MailboxCall { request, decode } = call;
        decode.answer(self.link.call_until(request, None).await)
    }

    // ----- the DynamicSupervisor API ----------------------------------------------------

    /// `start_child(spec)`. The spec is validated here, without contacting the supervisor.
    /// Otherwise the supervisor spawns the worker and runs its `init` in the child's new task,
    /// blocked until `init` answers: `Ok` gives [`Started::Running`], `Ignore` gives
    /// [`Started::Ignored`], `Stop(reason)` (or a panic, reason `panic`) gives
    /// [`StartChildError::Failed`].
    pub async fn start_child(&self, spec: ChildSpec<F, A>) -> Result<Started, StartChildError> {
        let call = dynamic_call::start_child(spec)?;
        // tokio has no thread limit: no start fails with it.
        dynamic_call::start_child_answer(self.ask(call).await, None)
    }

    /// `terminate_child(pid)`: shuts the child down as its spec says (brutal kill, or the
    /// `shutdown` signal and a kill at the timeout) and waits until it is down; the child is
    /// never restarted. `NotFound` when `pid` is not a child of this supervisor.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), TerminateChildError> {
        dynamic_call::terminate_child_answer(self.ask(dynamic_call::terminate_child(pid)).await)
    }

    /// `which_children()`: one entry per child in creation order; `pid` is `None` while its
    /// restart is being retried.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, NoProc> {
        self.ask(dynamic_call::which_children()).await
    }

    /// `count_children()`, from the supervisor's counters.
    pub async fn count_children(&self) -> Result<ChildCounts, NoProc> {
        self.ask(dynamic_call::count_children()).await
    }

    /// `DynamicSupervisor.stop(sup, reason, timeout)`: shuts every child down, then the
    /// supervisor exits with `reason`. Returns once it has exited; with a `timeout` that
    /// passes first, [`StopError::Timeout`] (the supervisor carries on).
    pub async fn stop(
        &self,
        reason: ExitReason,
        timeout: Option<Duration>,
    ) -> Result<(), StopError> {
        self.link
            .stop(Request::Stop(reason), timeout)
            .await
            .map_err(StopError::from)
    }

    // ----- process-level operations -----------------------------------------------------

    /// Sends `message` to child `pid` (handled by its worker's `handle_message`, in order).
    /// Returns whether `pid` was a live worker child.
    pub async fn send(&self, pid: Pid, message: W::Message) -> bool {
        self.link.send(pid, message).await
    }

    /// Calls child `pid` with `request`: its worker's
    /// [`handle_call`](crate::Worker::handle_call) answers. Waits at most `timeout` (`None`:
    /// for ever); [`CallError::Timeout`] then, [`CallError::NoProc`] when `pid` is not a live
    /// worker child, [`CallError::Exited`] when it exits without replying.
    pub async fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        self.link.call(pid, request, timeout).await
    }

    /// Kills child `pid` from outside (`Process.exit(pid, :kill)`): a worker's task is
    /// aborted and it is reported `killed` at once; the supervisor handles that exit like any
    /// other (it may restart the child). Returns whether `pid` was a live child. A callback
    /// running at that moment runs to its end (see the [module docs](crate::tokio_runtime)).
    /// A killed child supervisor dies as [`kill_supervisor`](Self::kill_supervisor) says: its
    /// children get the exit signal `killed`.
    pub async fn kill(&self, pid: Pid) -> bool {
        self.link.kill(pid).await
    }

    /// Kills the supervisor itself (`Process.exit(sup, :kill)`): it dies at once with
    /// `killed`, without shutting its children down, and its name is freed. Its children get
    /// the exit signal `killed` through their links, as on the BEAM: a worker that does not
    /// trap exits ends with `killed`, one that traps them runs its `terminate` and ends with
    /// `killed` after its cleanup time, and a child supervisor shuts its own children down
    /// (each with its own shutdown, the ordinary way) and ends with `killed`. A child
    /// supervisor's parent sees it exit `killed` and applies its restart policy.
    ///
    /// Returns whether the supervisor was alive; once it returns,
    /// [`is_alive`](Self::is_alive) is `false` and [`exit_reason`](Self::exit_reason) is
    /// `killed`. Its children end in the background, on their own tasks.
    ///
    /// ```
    /// use dynsup::runtime::BoxedWorker;
    /// use dynsup::tokio_runtime::Supervisor;
    /// use dynsup::{ChildSpec, Context, ExitReason, Init, Options, Worker};
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
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let sup = Supervisor::start_link(Options::default(), spawner).await.unwrap();
    /// sup.start_child(ChildSpec::new("idle", vec![])).await.unwrap();
    /// assert!(sup.kill_supervisor().await);
    /// assert_eq!(sup.exit_reason(), Some(ExitReason::Killed));
    /// assert!(!sup.kill_supervisor().await); // already dead
    /// # });
    /// ```
    pub async fn kill_supervisor(&self) -> bool {
        self.link.kill_supervisor().await
    }

    /// The parent's exit signal with `reason`: the supervisor shuts its children down and
    /// exits with the same `reason`. Does not wait; returns whether the supervisor was alive
    /// to receive it.
    pub fn exit(&self, reason: ExitReason) -> bool {
        self.link.exit(reason)
    }
}

impl<F, A, W> Supervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: Worker + ?Sized,
{
    /// Whether the supervisor is still alive.
    pub fn is_alive(&self) -> bool {
        self.link.is_alive()
    }

    /// How the supervisor exited, once it has.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.link.exit_reason()
    }

    /// Waits until the supervisor has exited (at most `timeout`; `None` waits for ever) and
    /// returns its exit reason, or `None` if it is still alive.
    pub async fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        self.link
            .wait_exit_until(crate::tokio_runtime::link::deadline(timeout))
            .await
    }

    /// The supervisor's clock: milliseconds since it started, on tokio's clock (virtual when
    /// tokio's clock is paused).
    pub fn now(&self) -> Instant {
        self.link.clock.now()
    }

    /// The tokio instant at which the supervisor's clock reads `at`.
    pub fn instant_at(&self, at: Instant) -> tokio::time::Instant {
        self.link.clock.at(at)
    }

    /// Its pid: a child supervisor's, or a root's registered under a name; `None` for an
    /// unnamed root.
    pub fn pid(&self) -> Option<Pid> {
        self.link.pid
    }

    /// The registry (names and pids) of its runtime instance, shared by its whole tree.
    pub fn registry(&self) -> &Registry {
        &self.link.registry
    }
}
