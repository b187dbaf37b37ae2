//! The handle to a running supervisor: the DynamicSupervisor API as blocking calls through its
//! mailbox, plus the few process-level operations a test or an application needs.

use std::time::Duration;

use crate::call_error::CallError;
use crate::child_spec::ChildSpec;
use crate::driver::Request;
use crate::driver::Spawner;
use crate::error::{StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::builder::Builder;
use crate::runtime::channel::{Recv, Sender};
use crate::runtime::clock::Clock;
use crate::runtime::driver::{Input, Status};
use crate::runtime::error::{
    NoProc, StartChildError, StartLinkError, StopError, TerminateChildError,
};
use crate::runtime::oneshot::{reply_slot, ReplyReceiver};
use crate::runtime::send_worker::SendWorker;
use crate::runtime::thread_limit::THREAD_LIMIT;
use crate::runtime::watch::Watch;
use crate::supervisor::output::{ChildCounts, ChildInfo, Reply, Started};
use crate::sync::thread::JoinHandle;
use crate::sync::{lock, Arc, Mutex};
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
pub struct Supervisor<F, A, W: Worker + ?Sized> {
    link: Arc<Link<F, A, W>>,
}

/// What the clones of a handle share; its drop is the parent's exit.
struct Link<F, A, W: Worker + ?Sized> {
    mailbox: Sender<Input<F, A, W>>,
    clock: Clock,
    status: Arc<Watch<Status>>,
    threads: Arc<Watch<usize>>,
    thread_limit: usize,
    driver: Mutex<Option<JoinHandle<()>>>,
}

impl<F, A, W: Worker + ?Sized> Drop for Link<F, A, W> {
    fn drop(&mut self) {
        if self.status.read(Option::is_none) {
            let _ = self.mailbox.send(Input::ParentExit(ExitReason::Shutdown));
        }
    }
}

impl<F, A, W: Worker + ?Sized> Clone for Supervisor<F, A, W> {
    fn clone(&self) -> Self {
        Supervisor {
            link: self.link.clone(),
        }
    }
}

impl<F, A, W: Worker + ?Sized> std::fmt::Debug for Supervisor<F, A, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("exit_reason", &self.exit_reason())
            .finish_non_exhaustive()
    }
}

/// Why a call got no answer.
enum CallFailure {
    NoProc,
    Timeout,
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

    /// A [`Builder`], to set an observer before starting.
    pub fn builder<S>(options: Options<A>, spawner: S) -> Builder<F, A, S>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner)
    }

    pub(crate) fn new(
        mailbox: Sender<Input<F, A, W>>,
        clock: Clock,
        status: Arc<Watch<Status>>,
        threads: Arc<Watch<usize>>,
        thread_limit: usize,
        driver: JoinHandle<()>,
    ) -> Self {
        Supervisor {
            link: Arc::new(Link {
                mailbox,
                clock,
                status,
                threads,
                thread_limit,
                driver: Mutex::new(Some(driver)),
            }),
        }
    }

    // ----- the DynamicSupervisor API ----------------------------------------------------

    /// `start_child(spec)`. The spec is validated here, in the caller, without contacting the
    /// supervisor. Otherwise the supervisor spawns the worker and runs its `init` on the
    /// child's new thread, blocked until `init` answers: `Ok` gives
    /// [`Started::Running`], `Ignore` gives [`Started::Ignored`], `Stop(reason)` (or a panic,
    /// reason `panic`) gives [`StartChildError::Failed`].
    pub fn start_child(&self, spec: ChildSpec<F, A>) -> Result<Started, StartChildError> {
        let spec = spec.validate().map_err(StartChildError::Invalid)?;
        match self.call_until(Request::StartChild(spec), None) {
            Ok(Reply::StartChild(Ok(started))) => Ok(started),
            Ok(Reply::StartChild(Err(StartError::MaxChildren))) => {
                Err(StartChildError::MaxChildren)
            }
            Ok(Reply::StartChild(Err(StartError::Failed(reason)))) => {
                if reason == ExitReason::other(THREAD_LIMIT) {
                    Err(StartChildError::ThreadLimit(self.link.thread_limit))
                } else {
                    Err(StartChildError::Failed(reason))
                }
            }
            _ => Err(StartChildError::NoProc),
        }
    }

    /// `terminate_child(pid)`: shuts the child down as its spec says (brutal kill, or the
    /// `shutdown` signal and a kill at the timeout) and waits until it is down; the child is
    /// never restarted. `NotFound` when `pid` is not a child of this supervisor.
    pub fn terminate_child(&self, pid: Pid) -> Result<(), TerminateChildError> {
        match self.call_until(Request::TerminateChild(pid), None) {
            Ok(Reply::TerminateChild(Ok(()))) => Ok(()),
            Ok(Reply::TerminateChild(Err(TerminateError::NotFound))) => {
                Err(TerminateChildError::NotFound)
            }
            _ => Err(TerminateChildError::NoProc),
        }
    }

    /// `which_children()`: one entry per child in creation order (a restarted child moves to
    /// the end); `pid` is `None` while its restart is being retried.
    pub fn which_children(&self) -> Result<Vec<ChildInfo>, NoProc> {
        match self.call_until(Request::WhichChildren, None) {
            Ok(Reply::WhichChildren(infos)) => Ok(infos),
            _ => Err(NoProc),
        }
    }

    /// `count_children()`, from the supervisor's counters (`active` is bookkeeping: a child
    /// whose exit is not yet processed still counts).
    pub fn count_children(&self) -> Result<ChildCounts, NoProc> {
        match self.call_until(Request::CountChildren, None) {
            Ok(Reply::CountChildren(counts)) => Ok(counts),
            _ => Err(NoProc),
        }
    }

    /// `DynamicSupervisor.stop(sup, reason, timeout)`: shuts every child down (concurrently,
    /// each as its spec says), then the supervisor exits with `reason`. Returns once it has
    /// exited. With a `timeout` that passes first, returns [`StopError::Timeout`] and the
    /// supervisor carries on (`Some(Duration::ZERO)` sends the stop without waiting).
    pub fn stop(&self, reason: ExitReason, timeout: Option<Duration>) -> Result<(), StopError> {
        let deadline = self.link.clock.deadline(timeout);
        match self.call_until(Request::Stop(reason), deadline) {
            Ok(_) => {}
            Err(CallFailure::NoProc) => return Err(StopError::NoProc),
            Err(CallFailure::Timeout) => return Err(StopError::Timeout),
        }
        // The exit follows the reply at once.
        match self.wait_exit_until(deadline) {
            Some(_) => Ok(()),
            None => Err(StopError::Timeout),
        }
    }

    // ----- process-level operations -----------------------------------------------------

    /// Sends `message` to child `pid` (handled by its worker's `handle_message`, in order).
    /// Returns whether `pid` was a live child; a message to anything else is dropped, as a
    /// message to a dead process is.
    pub fn send(&self, pid: Pid, message: W::Message) -> bool {
        let (reply, answer) = reply_slot();
        self.ask(
            Input::Send {
                pid,
                message,
                reply,
            },
            answer,
        )
    }

    /// Calls child `pid` with `request` (GenServer's `call`): its worker's
    /// [`handle_call`](crate::Worker::handle_call) answers. Waits at most `timeout` (`None`:
    /// for ever); [`CallError::Timeout`] then, [`CallError::NoProc`] when `pid` is not a live
    /// child, [`CallError::Exited`] when it exits without replying.
    pub fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        let deadline = self.link.clock.deadline(timeout);
        let (reply, mut answer) = reply_slot();
        let input = Input::WorkerCall {
            pid,
            request,
            reply,
        };
        if self.link.mailbox.send(input).is_err() {
            return Err(CallError::NoProc);
        }
        match self.wait_answer(&mut answer, deadline) {
            Ok(answer) => answer,
            Err(CallFailure::NoProc) => Err(CallError::NoProc),
            Err(CallFailure::Timeout) => Err(CallError::Timeout),
        }
    }

    /// Kills child `pid` from outside (`Process.exit(pid, :kill)`), as if it crashed with
    /// reason `killed`: the supervisor handles that exit like any other (it may restart the
    /// child). Returns whether `pid` was a live child.
    ///
    /// A thread cannot really be killed: the child is reported `killed` at once and gets no
    /// more messages, and its thread ends when its current callback returns.
    pub fn kill(&self, pid: Pid) -> bool {
        let (reply, answer) = reply_slot();
        self.ask(Input::Kill { pid, reply }, answer)
    }

    /// The parent's exit signal with `reason`: once the mailbox reaches it, the supervisor
    /// shuts its children down and exits with the same `reason` (even `normal`). Does not wait;
    /// returns whether the supervisor was alive to receive it.
    pub fn exit(&self, reason: ExitReason) -> bool {
        self.is_alive() && self.link.mailbox.send(Input::ParentExit(reason)).is_ok()
    }
}

impl<F, A, W: Worker + ?Sized> Supervisor<F, A, W> {
    /// Waits for the answer in `answer` until `deadline` (`None`: for ever); `NoProc` when
    /// its sender is gone unanswered (the supervisor or the child ended).
    fn wait_answer<T>(
        &self,
        answer: &mut ReplyReceiver<T>,
        deadline: Option<Instant>,
    ) -> Result<T, CallFailure> {
        loop {
            let received = match deadline {
                None => answer.recv(),
                Some(deadline) => {
                    let left = self.link.clock.until(deadline);
                    match answer.recv_timeout(left) {
                        Recv::Empty if left.is_zero() => return Err(CallFailure::Timeout),
                        found => found,
                    }
                }
            };
            match received {
                Recv::Message(answer) => return Ok(answer),
                Recv::Closed => return Err(CallFailure::NoProc),
                Recv::Empty => {}
            }
        }
    }

    // ----- status ------------------------------------------------------------------------

    /// Whether the supervisor is still alive.
    pub fn is_alive(&self) -> bool {
        self.link.status.read(Option::is_none)
    }

    /// How the supervisor exited, once it has.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.link.status.read(Clone::clone)
    }

    /// Waits until the supervisor has exited (at most `timeout`; `None` waits for ever) and
    /// returns its exit reason, or `None` if it is still alive.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        self.wait_exit_until(self.link.clock.deadline(timeout))
    }

    fn wait_exit_until(&self, deadline: Option<Instant>) -> Option<ExitReason> {
        let reason = self
            .link
            .status
            .wait_for(&self.link.clock, deadline, Clone::clone)?;
        // The driver ends right after setting the status: reap its thread.
        let driver = lock(&self.link.driver).take();
        if let Some(driver) = driver {
            let _ = driver.join();
        }
        Some(reason)
    }

    /// The supervisor's clock: milliseconds since it started (its restart-intensity seconds
    /// are the whole seconds of this).
    pub fn now(&self) -> Instant {
        self.link.clock.now()
    }

    /// The most child threads it runs at once (see
    /// [`Builder::thread_limit`](crate::runtime::Builder::thread_limit)).
    pub fn thread_limit(&self) -> usize {
        self.link.thread_limit
    }

    /// How many of its child threads are still running, including killed children whose
    /// thread is still inside a callback.
    pub fn live_threads(&self) -> usize {
        self.link.threads.read(|n| *n)
    }

    /// Waits until every child thread has ended (at most `timeout`; `None` waits for ever).
    /// Returns whether they all had. A worker stuck for ever in a callback never ends.
    pub fn wait_threads(&self, timeout: Option<Duration>) -> bool {
        let deadline = self.link.clock.deadline(timeout);
        let none_left = |n: &usize| (*n == 0).then_some(());
        self.link
            .threads
            .wait_for(&self.link.clock, deadline, none_left)
            .is_some()
    }
}

impl<F, A, W> Supervisor<F, A, W>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    W: SendWorker + ?Sized,
{
    // ----- plumbing ----------------------------------------------------------------------

    fn call_until(
        &self,
        request: Request<F, A>,
        deadline: Option<Instant>,
    ) -> Result<Reply, CallFailure> {
        // No status check first: a call to a supervisor that has exited finds its mailbox
        // closed, or is dropped with it (and its reply slot closes).
        let (reply, mut answer) = reply_slot();
        if self
            .link
            .mailbox
            .send(Input::Call { request, reply })
            .is_err()
        {
            return Err(CallFailure::NoProc);
        }
        match self.wait_answer(&mut answer, deadline)? {
            Reply::NoProc => Err(CallFailure::NoProc),
            reply => Ok(reply),
        }
    }

    /// Sends a runtime request and waits for its yes/no answer (`false` when the supervisor
    /// is gone).
    fn ask(&self, input: Input<F, A, W>, mut answer: ReplyReceiver<bool>) -> bool {
        if self.link.mailbox.send(input).is_err() {
            return false;
        }
        loop {
            match answer.recv() {
                Recv::Message(yes) => return yes,
                Recv::Closed => return false,
                Recv::Empty => {}
            }
        }
    }
}
