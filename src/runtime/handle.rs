//! The handle to a running supervisor: the DynamicSupervisor API as blocking calls through its
//! mailbox, plus the few process-level operations a test or an application needs.

use std::time::Duration;

use crate::call_error::CallError;
use crate::child_spec::ChildSpec;
use crate::driver::Request;
use crate::driver::Spawner;
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::builder::Builder;
use crate::runtime::dynamic_call::{self, DynamicCall};
use crate::runtime::error::{
    NoProc, StartChildError, StartLinkError, StopError, TerminateChildError,
};
use crate::runtime::link::Link;
use crate::runtime::mailbox_call::MailboxCall;
use crate::runtime::registry::Registry;
use crate::runtime::send_worker::SendWorker;
use crate::supervisor::output::{ChildCounts, ChildInfo, Started};
use crate::supervisor::DynamicSupervisor;
use crate::sync::Arc;
use crate::time::Instant;
use crate::worker::Worker;

/// A running DynamicSupervisor on its own thread, or rather a cloneable handle to it.
///
/// `F` names a start function, `A` is its argument type and `W` the workers' type (the
/// spawner's [`Spawner::Worker`], e.g. [`DynWorker`](crate::DynWorker)`<M>` for boxed
/// workers). Every call goes through the supervisor's mailbox and waits for its answer
/// (OTP's calls with an infinite timeout), so calls from one thread are served in order; calls
/// from several threads are served in the order they reach the mailbox. Once the supervisor has
/// exited, every call answers [`NoProc`] (or the `NoProc` variant of its error).
///
/// The handle is the supervisor's link to its parent: dropping the **last** clone is the
/// parent's exit with reason `shutdown`. The supervisor then shuts every child down and exits,
/// on its own thread (the drop does not wait).
///
/// ```
/// use dynsup::runtime::{BoxedWorker, Supervisor};
/// use dynsup::{Answer, ChildSpec, Context, ExitReason, Init, Options, Started, Worker};
///
/// struct Counter(u32);
/// impl Worker for Counter {
///     type Message = u32;
///     type Call = ();
///     type Reply = u32;
///     fn init(&mut self, _ctx: &mut Context<u32>) -> Init {
///         Init::Ok
///     }
///     fn handle_message(&mut self, n: u32, _ctx: &mut Context<u32>) -> dynsup::Next {
///         self.0 += n;
///         dynsup::Next::Continue
///     }
///     fn handle_call(&mut self, (): (), _ctx: &mut Context<u32>) -> Answer<u32> {
///         Answer::Reply(self.0)
///     }
/// }
///
/// let spawner = |_: &&str, args: &[u32]| -> BoxedWorker<u32, (), u32> {
///     Box::new(Counter(args.first().copied().unwrap_or(0)))
/// };
/// let sup = Supervisor::start_link(Options::default(), spawner).unwrap();
/// let Ok(Started::Running { pid, .. }) = sup.start_child(ChildSpec::new("counter", vec![1]))
/// else {
///     panic!("the child did not start")
/// };
/// assert!(sup.send(pid, 41));
/// assert_eq!(sup.call(pid, (), None), Ok(42));
/// assert_eq!(sup.count_children().unwrap().active, 1);
/// sup.terminate_child(pid).unwrap();
/// sup.stop(ExitReason::Normal, None).unwrap();
/// assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
/// ```
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
    /// `DynamicSupervisor.start_link(options)`: validates `options` in the caller (an invalid
    /// one is returned, nothing starts), then starts the supervisor on its own thread. Each
    /// child's worker is made by `spawner` and runs on a thread of its own.
    pub fn start_link<S>(options: Options<A>, spawner: S) -> Result<Self, StartLinkError>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner).start_link()
    }

    /// A [`Builder`], to set an observer, a name, a registry or child supervisors before
    /// starting.
    pub fn builder<S>(options: Options<A>, spawner: S) -> Builder<F, A, S>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner)
    }

    pub(crate) fn from_link(link: Arc<Link<DynamicSupervisor<F, A>, W>>) -> Self {
        Supervisor { link }
    }

    /// Sends `call`'s request and waits for the reply.
    fn ask<T>(&self, call: DynamicCall<F, A, T>) -> Result<T, NoProc> {
        let MailboxCall { request, decode } = call;
        decode.answer(self.link.call_until(request, None))
    }

    // ----- the DynamicSupervisor API ----------------------------------------------------

    /// `start_child(spec)`. The spec is validated here, in the caller, without contacting the
    /// supervisor. Otherwise the supervisor spawns the worker and runs its `init` on the
    /// child's new thread, blocked until `init` answers: `Ok` gives
    /// [`Started::Running`], `Ignore` gives [`Started::Ignored`], `Stop(reason)` (or a panic,
    /// reason `panic`) gives [`StartChildError::Failed`]. A start that the builder's
    /// `supervisors(..)` makes a child supervisor starts that supervisor instead.
    pub fn start_child(&self, spec: ChildSpec<F, A>) -> Result<Started, StartChildError> {
        let call = dynamic_call::start_child(spec)?;
        dynamic_call::start_child_answer(self.ask(call), Some(self.link.thread_limit))
    }

    /// `terminate_child(pid)`: shuts the child down as its spec says (brutal kill, or the
    /// `shutdown` signal and a kill at the timeout) and waits until it is down; the child is
    /// never restarted. `NotFound` when `pid` is not a child of this supervisor.
    pub fn terminate_child(&self, pid: Pid) -> Result<(), TerminateChildError> {
        dynamic_call::terminate_child_answer(self.ask(dynamic_call::terminate_child(pid)))
    }

    /// `which_children()`: one entry per child in creation order (a restarted child moves to
    /// the end); `pid` is `None` while its restart is being retried.
    pub fn which_children(&self) -> Result<Vec<ChildInfo>, NoProc> {
        self.ask(dynamic_call::which_children())
    }

    /// `count_children()`, from the supervisor's counters (`active` is bookkeeping: a child
    /// whose exit is not yet processed still counts).
    pub fn count_children(&self) -> Result<ChildCounts, NoProc> {
        self.ask(dynamic_call::count_children())
    }

    /// `DynamicSupervisor.stop(sup, reason, timeout)`: shuts every child down (concurrently,
    /// each as its spec says), then the supervisor exits with `reason`. Returns once it has
    /// exited. With a `timeout` that passes first, returns [`StopError::Timeout`] and the
    /// supervisor carries on (`Some(Duration::ZERO)` sends the stop without waiting).
    pub fn stop(&self, reason: ExitReason, timeout: Option<Duration>) -> Result<(), StopError> {
        self.link
            .stop(Request::Stop(reason), timeout)
            .map_err(StopError::from)
    }

    // ----- process-level operations -----------------------------------------------------

    /// Sends `message` to child `pid` (handled by its worker's `handle_message`, in order).
    /// Returns whether `pid` was a live worker child; a message to anything else is dropped,
    /// as a message to a dead process is.
    pub fn send(&self, pid: Pid, message: W::Message) -> bool {
        self.link.send(pid, message)
    }

    /// Calls child `pid` with `request` (GenServer's `call`): its worker's
    /// [`handle_call`](crate::Worker::handle_call) answers. Waits at most `timeout` (`None`:
    /// for ever); [`CallError::Timeout`] then, [`CallError::NoProc`] when `pid` is not a live
    /// worker child, [`CallError::Exited`] when it exits without replying.
    pub fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        self.link.call(pid, request, timeout)
    }

    /// Kills child `pid` from outside (`Process.exit(pid, :kill)`), as if it crashed with
    /// reason `killed`: the supervisor handles that exit like any other (it may restart the
    /// child). Returns whether `pid` was a live child.
    ///
    /// A thread cannot really be killed: the child is reported `killed` at once and gets no
    /// more messages, and its thread ends when its current callback returns. A killed child
    /// supervisor dies as [`kill_supervisor`](Self::kill_supervisor) says: its children get
    /// the exit signal `killed`.
    pub fn kill(&self, pid: Pid) -> bool {
        self.link.kill(pid)
    }

    /// The parent's exit signal with `reason`: once the mailbox reaches it, the supervisor
    /// shuts its children down and exits with the same `reason` (even `normal`). Does not wait;
    /// returns whether the supervisor was alive to receive it.
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
    /// use dynsup::runtime::{BoxedWorker, Supervisor};
    /// use dynsup::{ChildSpec, Context, ExitReason, Init, Options, Started, Worker};
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
    /// let sup = Supervisor::start_link(Options::default(), spawner).unwrap();
    /// let Ok(Started::Running { .. }) = sup.start_child(ChildSpec::new("idle", vec![])) else {
    ///     panic!()
    /// };
    /// assert!(sup.kill_supervisor());
    /// assert_eq!(sup.exit_reason(), Some(ExitReason::Killed));
    /// assert!(sup.wait_threads(None)); // its child ended `killed` through the link
    /// assert!(!sup.kill_supervisor()); // already dead
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

    /// Waits until the supervisor has exited (at most `timeout`; `None` waits for ever) and
    /// returns its exit reason, or `None` if it is still alive.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        self.link.wait_exit_until(self.link.clock.deadline(timeout))
    }

    /// The supervisor's clock: milliseconds since it started (its restart-intensity seconds
    /// are the whole seconds of this).
    pub fn now(&self) -> Instant {
        self.link.clock.now()
    }

    /// The most child threads it runs at once (see
    /// [`Builder::thread_limit`](crate::runtime::Builder::thread_limit)); a child supervisor
    /// shares its tree's limit.
    pub fn thread_limit(&self) -> usize {
        self.link.thread_limit
    }

    /// How many of its child threads are still running, including killed children whose
    /// thread is still inside a callback. In a tree the count is the tree's: every worker
    /// thread and every child supervisor's thread.
    pub fn live_threads(&self) -> usize {
        self.link.threads.read(|n| *n)
    }

    /// Waits until every child thread has ended (at most `timeout`; `None` waits for ever).
    /// Returns whether they all had. A worker stuck for ever in a callback never ends.
    pub fn wait_threads(&self, timeout: Option<Duration>) -> bool {
        self.link.wait_threads(timeout)
    }

    /// Its pid: a child supervisor's, or a root's registered under a name; `None` for an
    /// unnamed root.
    pub fn pid(&self) -> Option<Pid> {
        self.link.pid
    }

    /// The registry (and pid allocator) of its runtime instance, shared by its whole tree.
    pub fn registry(&self) -> &Registry {
        &self.link.registry
    }
}
