//! The handle to a running static supervisor: Elixir's `Supervisor` API by child id as
//! blocking calls through its mailbox, and the same process-level operations as the
//! DynamicSupervisor's handle.

use std::fmt;
use std::time::Duration;

use crate::call_error::CallError;
use crate::driver::{Spawner, StaticRequest};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::error::{NoProc, StopError};
use crate::runtime::link::Link;
use crate::runtime::mailbox_call::MailboxCall;
use crate::runtime::registry::Registry;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::static_builder::StaticBuilder;
use crate::runtime::static_call::{self, StaticCall};
use crate::runtime::static_error::{StaticChildError, StaticStartError};
use crate::static_supervisor::{ChildError, ChildRow, Flags, StaticChildSpec, Supervisor};
use crate::supervisor::output::{ChildCounts, Started};
use crate::sync::Arc;
use crate::time::Instant;
use crate::worker::Worker;

/// A running static supervisor (Elixir's `Supervisor`) on its own thread, or rather a
/// cloneable handle to it.
///
/// `I` is the child id type, `F` names a start function, `A` is its argument type and `W` the
/// workers' type. [`start_link`](Self::start_link) starts the children in order, each once the
/// previous one runs, and returns once they all do (or with
/// [`StaticStartError::FailedToStartChild`] once the started ones are down again). Calls by
/// child id answer OTP's errors as [`StaticChildError`]. As for the DynamicSupervisor's
/// handle, dropping the last clone of the handle `start_link` returned is the parent's exit
/// with reason `shutdown`: the children are shut down one at a time, the last started first.
///
/// ```
/// use dynsup::runtime::{BoxedWorker, StaticChildError, StaticSupervisor};
/// use dynsup::static_supervisor::{ChildPid, Flags, StaticChildSpec};
/// use dynsup::{ChildSpec, Context, ExitReason, Init, Strategy, Worker};
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
/// let children = vec![
///     StaticChildSpec::new("cache", ChildSpec::new("cache", vec![])),
///     StaticChildSpec::new("web", ChildSpec::new("web", vec![])),
/// ];
/// let flags = Flags::default().strategy(Strategy::RestForOne);
/// let sup = StaticSupervisor::start_link(flags, children, spawner).unwrap();
/// // which_children lists the last started first.
/// let ids: Vec<_> = sup.which_children().unwrap().iter().map(|row| row.id).collect();
/// assert_eq!(ids, ["web", "cache"]);
/// assert_eq!(sup.delete_child("web"), Err(StaticChildError::Running));
/// sup.terminate_child("web").unwrap();
/// assert_eq!(sup.which_children().unwrap()[0].pid, ChildPid::Undefined);
/// sup.delete_child("web").unwrap();
/// sup.stop(ExitReason::Normal, None).unwrap();
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
    /// `Supervisor.start_link(children, flags)`: validates the flags and the specs in the
    /// caller, then starts the supervisor on its own thread and waits until its children have
    /// started, in order.
    ///
    /// # Errors
    ///
    /// [`StaticStartError`]: invalid flags or specs (nothing started), a child that failed to
    /// start (the others are down again), or the thread refused.
    pub fn start_link<S>(
        flags: Flags,
        children: Vec<StaticChildSpec<I, F, A>>,
        spawner: S,
    ) -> Result<Self, StaticStartError<I>>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        StaticBuilder::new(flags, children, spawner).start_link()
    }

    /// A [`StaticBuilder`], to set an observer, a name, a registry or child supervisors.
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

    /// Sends `call`'s request and waits for the reply.
    fn ask<T>(&self, call: StaticCall<I, F, A, T>) -> Result<T, NoProc> {
        let MailboxCall { request, decode } = call;
        decode.answer(self.link.call_until(request, None))
    }

    /// Sends a call by child id and waits for the reply.
    fn ask_child<T>(
        &self,
        call: StaticCall<I, F, A, Result<T, ChildError>>,
    ) -> Result<T, StaticChildError> {
        static_call::child_answer(self.ask(call), self.link.thread_limit)
    }

    // ----- the Supervisor API ----------------------------------------------------------

    /// `start_child(spec)`: the supervisor validates the spec, looks its id up
    /// (`already_started`, `already_present`), then starts the child and adds it last.
    pub fn start_child(&self, spec: StaticChildSpec<I, F, A>) -> Result<Started, StaticChildError> {
        self.ask_child(static_call::start_child(spec))
    }

    /// `restart_child(id)`: starts a child that has no process; `running`, `restarting` or
    /// `not_found` otherwise.
    pub fn restart_child(&self, id: I) -> Result<Started, StaticChildError> {
        self.ask_child(static_call::restart_child(id))
    }

    /// `terminate_child(id)`: shuts the child down with its own shutdown and waits until it
    /// is down (a child supervisor: its whole subtree); a temporary child is forgotten, any
    /// other keeps its spec (`restart_child` starts it again). `not_found` for an unknown id.
    pub fn terminate_child(&self, id: I) -> Result<(), StaticChildError> {
        self.ask_child(static_call::terminate_child(id))
    }

    /// `delete_child(id)`: forgets a child that has no process; `running`, `restarting` or
    /// `not_found` otherwise.
    pub fn delete_child(&self, id: I) -> Result<(), StaticChildError> {
        self.ask_child(static_call::delete_child(id))
    }

    /// `which_children()`: one row per child, the last started first.
    pub fn which_children(&self) -> Result<Vec<ChildRow<I>>, NoProc> {
        self.ask(static_call::which_children())
    }

    /// `count_children()`.
    pub fn count_children(&self) -> Result<ChildCounts, NoProc> {
        self.ask(static_call::count_children())
    }

    /// `Supervisor.stop(sup, reason, timeout)`: shuts the children down one at a time, the
    /// last started first (a child supervisor with its whole subtree), then exits with
    /// `reason`; returns once it has exited, or [`StopError::Timeout`] when `timeout` passes
    /// first (the supervisor carries on).
    pub fn stop(&self, reason: ExitReason, timeout: Option<Duration>) -> Result<(), StopError> {
        self.link
            .stop(StaticRequest::Stop(reason), timeout)
            .map_err(StopError::from)
    }

    // ----- process-level operations -----------------------------------------------------

    /// Sends `message` to worker child `pid`; whether it was a live worker.
    pub fn send(&self, pid: Pid, message: W::Message) -> bool {
        self.link.send(pid, message)
    }

    /// Calls worker child `pid` (GenServer's `call`), waiting at most `timeout`.
    pub fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        self.link.call(pid, request, timeout)
    }

    /// Kills child `pid` from outside (`Process.exit(pid, :kill)`); whether it was a live
    /// child. A killed child supervisor dies as [`kill_supervisor`](Self::kill_supervisor)
    /// says: its children get the exit signal `killed`.
    pub fn kill(&self, pid: Pid) -> bool {
        self.link.kill(pid)
    }

    /// The parent's exit signal with `reason` (does not wait); whether the supervisor was
    /// alive to receive it.
    pub fn exit(&self, reason: ExitReason) -> bool {
        self.link.exit(reason)
    }

    /// Kills the supervisor itself (`Process.exit(sup, :kill)`): it dies at once with
    /// `killed`, without shutting its children down, and its name is freed. Its children get
    /// the exit signal `killed` through their links, as on the BEAM: a worker that does not
    /// trap exits ends with `killed`, one that traps them runs its `terminate` and ends with
    /// `killed`, and a child supervisor shuts its own children down (each with its own
    /// shutdown, the ordinary way) and ends with `killed`. A child supervisor's parent sees it
    /// exit `killed` and applies its restart policy.
    ///
    /// Returns whether the supervisor was alive; once it returns, [`is_alive`](Self::is_alive)
    /// is `false` and [`exit_reason`](Self::exit_reason) is `killed`. Its children end in the
    /// background: [`wait_threads`](Self::wait_threads) waits for their threads, and a root's
    /// [`wait_exit`](Self::wait_exit) returns once its driver has seen the last of them end.
    ///
    /// ```
    /// use dynsup::runtime::{BoxedWorker, StaticSupervisor};
    /// use dynsup::static_supervisor::{Flags, StaticChildSpec};
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
    /// let children = vec![StaticChildSpec::new("a", ChildSpec::new("idle", vec![]))];
    /// let app = StaticSupervisor::start_link(Flags::default(), children, spawner).unwrap();
    /// assert!(app.kill_supervisor());
    /// assert_eq!(app.exit_reason(), Some(ExitReason::Killed));
    /// assert!(app.wait_threads(None)); // its child ended `killed` through the link
    /// ```
    pub fn kill_supervisor(&self) -> bool {
        self.link.kill_supervisor()
    }

    // ----- status ------------------------------------------------------------------------

    /// Whether the supervisor is still alive.
    pub fn is_alive(&self) -> bool {
        self.link.is_alive()
    }

    /// How the supervisor exited, once it has.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.link.exit_reason()
    }

    /// Waits until the supervisor has exited (at most `timeout`) and returns its reason.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        self.link.wait_exit_until(self.link.clock.deadline(timeout))
    }

    /// The supervisor's clock: milliseconds since it started.
    pub fn now(&self) -> Instant {
        self.link.clock.now()
    }

    /// The most threads its tree runs at once.
    pub fn thread_limit(&self) -> usize {
        self.link.thread_limit
    }

    /// How many threads of its tree are still running (workers and child supervisors).
    pub fn live_threads(&self) -> usize {
        self.link.threads.read(|n| *n)
    }

    /// Waits until every thread of its tree has ended (at most `timeout`); whether they had.
    pub fn wait_threads(&self, timeout: Option<Duration>) -> bool {
        self.link.wait_threads(timeout)
    }

    /// Its pid: a child supervisor's, or a root's registered under a name.
    pub fn pid(&self) -> Option<Pid> {
        self.link.pid
    }

    /// The registry (and pid allocator) of its runtime instance, shared by its whole tree.
    pub fn registry(&self) -> &Registry {
        &self.link.registry
    }
}
