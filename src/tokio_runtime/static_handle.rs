//! The async handle to a static supervisor's task: Elixir's `Supervisor` API by child id, and
//! the same process-level operations as the DynamicSupervisor's handle.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::call_error::CallError;
use crate::driver::{Spawner, StaticRequest};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::mailbox_call::MailboxCall;
use crate::runtime::static_call::{self, StaticCall};
use crate::runtime::{NoProc, Registry, SendWorker, StaticChildError, StaticStartError, StopError};
use crate::static_supervisor::{ChildError, ChildRow, Flags, StaticChildSpec, Supervisor};
use crate::supervisor::output::{ChildCounts, Started};
use crate::time::Instant;
use crate::tokio_runtime::link::{deadline, Link};
use crate::tokio_runtime::static_builder::StaticBuilder;
use crate::worker::Worker;

/// A running static supervisor (Elixir's `Supervisor`) on a tokio task, or rather a cloneable
/// handle to it: the threaded runtime's
/// [`StaticSupervisor`](crate::runtime::StaticSupervisor) with `async` methods.
///
/// [`start_link`](Self::start_link) starts the children in order and returns once they all
/// run (or with [`StaticStartError::FailedToStartChild`] once the started ones are down
/// again); calls by child id answer OTP's errors as [`StaticChildError`]; dropping the last
/// clone of the handle `start_link` returned is the parent's exit with reason `shutdown`.
///
/// ```
/// use dynsup::runtime::BoxedWorker;
/// use dynsup::static_supervisor::{ChildPid, Flags, StaticChildSpec};
/// use dynsup::tokio_runtime::{StaticChildError, StaticSupervisor};
/// use dynsup::{ChildSpec, Context, ExitReason, Init, Worker};
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
/// let children = vec![
///     StaticChildSpec::new("cache", ChildSpec::new("cache", vec![])),
///     StaticChildSpec::new("web", ChildSpec::new("web", vec![])),
/// ];
/// let sup = StaticSupervisor::start_link(Flags::default(), children, spawner).await.unwrap();
/// let ids: Vec<_> = sup.which_children().await.unwrap().iter().map(|row| row.id).collect();
/// assert_eq!(ids, ["web", "cache"]);
/// assert_eq!(sup.delete_child("web").await, Err(StaticChildError::Running));
/// sup.terminate_child("web").await.unwrap();
/// assert_eq!(sup.which_children().await.unwrap()[0].pid, ChildPid::Undefined);
/// sup.stop(ExitReason::Normal, None).await.unwrap();
/// # });
/// ```
pub struct StaticSupervisor<I, F, A, W: Worker + ?Sized>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
{
    link: Arc<Link<Supervisor<I, F, A>, W>>,
}

impl<I, F, A, W> Clone for StaticSupervisor<I, F, A, W>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: Worker + ?Sized,
{
    fn clone(&self) -> Self {
        StaticSupervisor {
            link: self.link.clone(),
        }
    }
}

impl<I, F, A, W> fmt::Debug for StaticSupervisor<I, F, A, W>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: Worker + ?Sized,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticSupervisor")
            .field("pid", &self.link.pid)
            .field("exit_reason", &self.link.exit_reason())
            .finish_non_exhaustive()
    }
}

impl<I, F, A, W> StaticSupervisor<I, F, A, W>
where
    I: Clone + Eq + fmt::Debug + Send + 'static,
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: SendWorker + ?Sized,
{
    /// `Supervisor.start_link(children, flags)` on the current tokio runtime: validates the
    /// flags and specs, then spawns the supervisor's task and returns once its children have
    /// started, in order.
    ///
    /// # Errors
    ///
    /// [`StaticStartError`]: invalid flags or specs (nothing started), or a child that failed
    /// to start (the others are down again).
    pub async fn start_link<S>(
        flags: Flags,
        children: Vec<StaticChildSpec<I, F, A>>,
        spawner: S,
    ) -> Result<Self, StaticStartError<I>>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        StaticBuilder::new(flags, children, spawner)
            .start_link()
            .await
    }

    /// A [`StaticBuilder`], to set an observer, a cleanup time, a name, a registry or child
    /// supervisors.
    pub fn builder<S>(
        flags: Flags,
        children: Vec<StaticChildSpec<I, F, A>>,
        spawner: S,
    ) -> StaticBuilder<I, F, A, S>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        StaticBuilder::new(flags, children, spawner)
    }

    pub(crate) fn from_link(link: Arc<Link<Supervisor<I, F, A>, W>>) -> Self {
        StaticSupervisor { link }
    }

    /// Sends `call`'s request and awaits the reply.
    async fn ask<T>(&self, call: StaticCall<I, F, A, T>) -> Result<T, NoProc> {
        let MailboxCall { request, decode } = call;
        decode.answer(self.link.call_until(request, None).await)
    }

    /// Sends a call by child id and awaits the reply.
    async fn ask_child<T>(
        &self,
        call: StaticCall<I, F, A, Result<T, ChildError>>,
    ) -> Result<T, StaticChildError> {
        // tokio has no thread limit: no start fails with it.
        static_call::child_answer(self.ask(call).await, 0)
    }

    /// `start_child(spec)`: the supervisor validates the spec, looks its id up
    /// (`already_started`, `already_present`), then starts the child and adds it last.
    pub async fn start_child(
        &self,
        spec: StaticChildSpec<I, F, A>,
    ) -> Result<Started, StaticChildError> {
        self.ask_child(static_call::start_child(spec)).await
    }

    /// `restart_child(id)`: starts a child that has no process; `running`, `restarting` or
    /// `not_found` otherwise.
    pub async fn restart_child(&self, id: I) -> Result<Started, StaticChildError> {
        self.ask_child(static_call::restart_child(id)).await
    }

    /// `terminate_child(id)`: shuts the child down (a child supervisor: its whole subtree) and
    /// waits until it is down; `not_found` for an unknown id.
    pub async fn terminate_child(&self, id: I) -> Result<(), StaticChildError> {
        self.ask_child(static_call::terminate_child(id)).await
    }

    /// `delete_child(id)`: forgets a child that has no process; `running`, `restarting` or
    /// `not_found` otherwise.
    pub async fn delete_child(&self, id: I) -> Result<(), StaticChildError> {
        self.ask_child(static_call::delete_child(id)).await
    }

    /// `which_children()`: one row per child, the last started first.
    pub async fn which_children(&self) -> Result<Vec<ChildRow<I>>, NoProc> {
        self.ask(static_call::which_children()).await
    }

    /// `count_children()`.
    pub async fn count_children(&self) -> Result<ChildCounts, NoProc> {
        self.ask(static_call::count_children()).await
    }

    /// `Supervisor.stop(sup, reason, timeout)`: shuts the children down one at a time, the
    /// last started first (a child supervisor with its whole subtree), then exits with
    /// `reason`; [`StopError::Timeout`] when `timeout` passes first.
    pub async fn stop(
        &self,
        reason: ExitReason,
        timeout: Option<Duration>,
    ) -> Result<(), StopError> {
        self.link
            .stop(StaticRequest::Stop(reason), timeout)
            .await
            .map_err(StopError::from)
    }

    /// Sends `message` to worker child `pid`; whether it was a live worker.
    pub async fn send(&self, pid: Pid, message: W::Message) -> bool {
        self.link.send(pid, message).await
    }

    /// Calls worker child `pid`, waiting at most `timeout`.
    pub async fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        self.link.call(pid, request, timeout).await
    }

    /// Kills child `pid` from outside; whether it was a live child.
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
    /// use dynsup::static_supervisor::{Flags, StaticChildSpec};
    /// use dynsup::tokio_runtime::StaticSupervisor;
    /// use dynsup::{ChildSpec, Context, ExitReason, Init, Worker};
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
    /// let children = vec![StaticChildSpec::new("a", ChildSpec::new("idle", vec![]))];
    /// let app = StaticSupervisor::start_link(Flags::default(), children, spawner)
    ///     .await
    ///     .unwrap();
    /// assert!(app.kill_supervisor().await);
    /// assert_eq!(app.exit_reason(), Some(ExitReason::Killed));
    /// # });
    /// ```
    pub async fn kill_supervisor(&self) -> bool {
        self.link.kill_supervisor().await
    }

    /// The parent's exit signal with `reason` (does not wait).
    pub fn exit(&self, reason: ExitReason) -> bool {
        self.link.exit(reason)
    }

    /// Whether the supervisor is still alive.
    pub fn is_alive(&self) -> bool {
        self.link.is_alive()
    }

    /// How the supervisor exited, once it has.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.link.exit_reason()
    }

    /// Waits until the supervisor has exited (at most `timeout`) and returns its reason.
    pub async fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        self.link.wait_exit_until(deadline(timeout)).await
    }

    /// The supervisor's clock: milliseconds since it started, on tokio's clock.
    pub fn now(&self) -> Instant {
        self.link.clock.now()
    }

    /// Its pid: a child supervisor's, or a root's registered under a name.
    pub fn pid(&self) -> Option<Pid> {
        self.link.pid
    }

    /// The registry (names and pids) of its runtime instance, shared by its whole tree.
    pub fn registry(&self) -> &Registry {
        &self.link.registry
    }
}
