//! The async handle to a supervisor task, and its builder.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::sync::{oneshot, watch};

use crate::call_error::CallError;
use crate::child_spec::ChildSpec;
use crate::driver::{Host, Request, Spawner};
use crate::error::{StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::options::Options;
use crate::pid::Pid;
use crate::runtime::{
    NoProc, Report, SendWorker, StartChildError, StartLinkError, StopError, TerminateChildError,
};
use crate::supervisor::output::{ChildCounts, ChildInfo, Reply, Started};
use crate::supervisor::DynamicSupervisor;
use crate::time::Instant;
use crate::tokio_runtime::child::CleanupTime;
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::driver::{Driver, Input, Observer, Parts, Status};
use crate::worker::Worker;

/// A supervisor about to start on tokio, with optional settings; [`Supervisor::start_link`]
/// is the short form without them.
pub struct Builder<F, A, S: Spawner<F, A>> {
    options: Options<A>,
    spawner: S,
    observer: Option<Observer>,
    cleanup: Option<CleanupTime<S::Worker>>,
    types: PhantomData<fn() -> F>,
}

impl<F, A, S> Builder<F, A, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    S: Spawner<F, A> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A supervisor with these options, whose children `spawner` makes.
    pub fn new(options: Options<A>, spawner: S) -> Self {
        Builder {
            options,
            spawner,
            observer: None,
            cleanup: None,
            types: PhantomData,
        }
    }

    /// Calls `observer` with every [`Report`], on the supervisor's task, as it happens. It
    /// should be quick and must not block: the supervisor waits for it. A panicking observer
    /// is removed.
    pub fn observer(mut self, observer: impl FnMut(&Report) + Send + 'static) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// How long a trapping worker's cleanup takes once its `terminate` has returned, on
    /// tokio's clock: the child exits with `shutdown` that long after (`None`: never by
    /// itself, only a kill ends it). By default it exits as soon as `terminate` returns.
    ///
    /// Callbacks are synchronous, so a cleanup that must *take time* without blocking a
    /// runtime thread is modelled by this setting (as the simulator's
    /// `Simulation::set_cleanup_time` does); the wait is an await point, so a kill (the
    /// shutdown timeout running out) interrupts it.
    pub fn cleanup_time(
        mut self,
        cleanup: impl Fn(Pid, &S::Worker) -> Option<Duration> + Send + Sync + 'static,
    ) -> Self {
        self.cleanup = Some(Arc::new(cleanup));
        self
    }

    /// Validates the options (an invalid one is returned here, nothing is started), then
    /// spawns the supervisor's task on the current tokio runtime (it panics outside one, as
    /// `tokio::spawn` does). The supervisor's clock starts now, on tokio's clock.
    #[allow(clippy::unused_async)]
    pub async fn start_link(self) -> Result<Supervisor<F, A, S::Worker>, StartLinkError> {
        let core = DynamicSupervisor::with_options(self.options)?;
        let clock = Clock::start();
        let (mailbox_sender, mailbox) = unbounded_channel();
        let (status, status_receiver) = watch::channel(None);
        let driver = Driver::new(Parts {
            host: Host::new(core),
            spawner: self.spawner,
            clock,
            mailbox,
            mailbox_sender: mailbox_sender.clone(),
            observer: self.observer,
            cleanup: self.cleanup,
            status,
        });
        tokio::spawn(driver.run());
        Ok(Supervisor {
            link: Arc::new(Link {
                mailbox: mailbox_sender,
                clock,
                status: status_receiver,
            }),
        })
    }
}

/// A running DynamicSupervisor on a tokio task, or rather a cloneable handle to it.
///
/// `F` names a start function, `A` is its argument type and `W` the workers' type. Every call
/// is a message to the supervisor's mailbox, answered as the core answers it; the methods are
/// `async` and never block a runtime thread. Once the supervisor has exited, every call
/// answers [`NoProc`] (or the `NoProc` variant of its error).
///
/// The handle is the supervisor's link to its parent: dropping the **last** clone is the
/// parent's exit with reason `shutdown`.
pub struct Supervisor<F, A, W: Worker + ?Sized> {
    link: Arc<Link<F, A, W>>,
}

struct Link<F, A, W: Worker + ?Sized> {
    mailbox: UnboundedSender<Input<F, A, W>>,
    clock: Clock,
    status: watch::Receiver<Status>,
}

impl<F, A, W: Worker + ?Sized> Drop for Link<F, A, W> {
    fn drop(&mut self) {
        if self.status.borrow().is_none() {
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
    /// `DynamicSupervisor.start_link(options)`: validates `options` (an invalid one is
    /// returned, nothing starts), then spawns the supervisor's task on the current tokio
    /// runtime. Each child's worker is made by `spawner` and runs in a task of its own.
    pub async fn start_link<S>(options: Options<A>, spawner: S) -> Result<Self, StartLinkError>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner).start_link().await
    }

    /// A [`Builder`], to set an observer or a cleanup time before starting.
    pub fn builder<S>(options: Options<A>, spawner: S) -> Builder<F, A, S>
    where
        S: Spawner<F, A, Worker = W> + Send + 'static,
    {
        Builder::new(options, spawner)
    }

    // ----- the DynamicSupervisor API ----------------------------------------------------

    /// `start_child(spec)`. The spec is validated here, without contacting the supervisor.
    /// Otherwise the supervisor spawns the worker and runs its `init` in the child's new task,
    /// blocked until `init` answers: `Ok` gives [`Started::Running`], `Ignore` gives
    /// [`Started::Ignored`], `Stop(reason)` (or a panic, reason `panic`) gives
    /// [`StartChildError::Failed`].
    pub async fn start_child(&self, spec: ChildSpec<F, A>) -> Result<Started, StartChildError> {
        let spec = spec.validate().map_err(StartChildError::Invalid)?;
        match self.call_until(Request::StartChild(spec), None).await {
            Ok(Reply::StartChild(Ok(started))) => Ok(started),
            Ok(Reply::StartChild(Err(StartError::MaxChildren))) => {
                Err(StartChildError::MaxChildren)
            }
            Ok(Reply::StartChild(Err(StartError::Failed(reason)))) => {
                Err(StartChildError::Failed(reason))
            }
            _ => Err(StartChildError::NoProc),
        }
    }

    /// `terminate_child(pid)`: shuts the child down as its spec says (brutal kill, or the
    /// `shutdown` signal and a kill at the timeout) and waits until it is down; the child is
    /// never restarted. `NotFound` when `pid` is not a child of this supervisor.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), TerminateChildError> {
        match self.call_until(Request::TerminateChild(pid), None).await {
            Ok(Reply::TerminateChild(Ok(()))) => Ok(()),
            Ok(Reply::TerminateChild(Err(TerminateError::NotFound))) => {
                Err(TerminateChildError::NotFound)
            }
            _ => Err(TerminateChildError::NoProc),
        }
    }

    /// `which_children()`: one entry per child in creation order; `pid` is `None` while its
    /// restart is being retried.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, NoProc> {
        match self.call_until(Request::WhichChildren, None).await {
            Ok(Reply::WhichChildren(infos)) => Ok(infos),
            _ => Err(NoProc),
        }
    }

    /// `count_children()`, from the supervisor's counters.
    pub async fn count_children(&self) -> Result<ChildCounts, NoProc> {
        match self.call_until(Request::CountChildren, None).await {
            Ok(Reply::CountChildren(counts)) => Ok(counts),
            _ => Err(NoProc),
        }
    }

    /// `DynamicSupervisor.stop(sup, reason, timeout)`: shuts every child down, then the
    /// supervisor exits with `reason`. Returns once it has exited; with a `timeout` that
    /// passes first, [`StopError::Timeout`] (the supervisor carries on).
    pub async fn stop(
        &self,
        reason: ExitReason,
        timeout: Option<Duration>,
    ) -> Result<(), StopError> {
        let deadline = timeout.map(|timeout| tokio::time::Instant::now() + timeout);
        match self.call_until(Request::Stop(reason), deadline).await {
            Ok(_) => {}
            Err(CallFailure::NoProc) => return Err(StopError::NoProc),
            Err(CallFailure::Timeout) => return Err(StopError::Timeout),
        }
        match self.wait_exit_until(deadline).await {
            Some(_) => Ok(()),
            None => Err(StopError::Timeout),
        }
    }

    // ----- process-level operations -----------------------------------------------------

    /// Sends `message` to child `pid` (handled by its worker's `handle_message`, in order).
    /// Returns whether `pid` was a live child.
    pub async fn send(&self, pid: Pid, message: W::Message) -> bool {
        let (reply, answer) = oneshot::channel();
        self.ask(
            Input::Send {
                pid,
                message,
                reply,
            },
            answer,
        )
        .await
    }

    /// Calls child `pid` with `request`: its worker's
    /// [`handle_call`](crate::Worker::handle_call) answers. Waits at most `timeout` (`None`:
    /// for ever); [`CallError::Timeout`] then, [`CallError::NoProc`] when `pid` is not a live
    /// child, [`CallError::Exited`] when it exits without replying.
    pub async fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        let deadline = timeout.map(|timeout| tokio::time::Instant::now() + timeout);
        let (reply, answer) = oneshot::channel();
        let input = Input::WorkerCall {
            pid,
            request,
            reply,
        };
        if self.link.mailbox.send(input).is_err() {
            return Err(CallError::NoProc);
        }
        match wait_answer(answer, deadline).await {
            Ok(answer) => answer,
            Err(CallFailure::NoProc) => Err(CallError::NoProc),
            Err(CallFailure::Timeout) => Err(CallError::Timeout),
        }
    }

    /// Kills child `pid` from outside (`Process.exit(pid, :kill)`): its task is aborted and
    /// it is reported `killed` at once; the supervisor handles that exit like any other (it
    /// may restart the child). Returns whether `pid` was a live child. A callback running at
    /// that moment runs to its end (see the [module docs](crate::tokio_runtime)).
    pub async fn kill(&self, pid: Pid) -> bool {
        let (reply, answer) = oneshot::channel();
        self.ask(Input::Kill { pid, reply }, answer).await
    }

    /// The parent's exit signal with `reason`: the supervisor shuts its children down and
    /// exits with the same `reason`. Does not wait; returns whether the supervisor was alive
    /// to receive it.
    pub fn exit(&self, reason: ExitReason) -> bool {
        self.is_alive() && self.link.mailbox.send(Input::ParentExit(reason)).is_ok()
    }

    async fn call_until(
        &self,
        request: Request<F, A>,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Reply, CallFailure> {
        let (reply, answer) = oneshot::channel();
        if self
            .link
            .mailbox
            .send(Input::Call { request, reply })
            .is_err()
        {
            return Err(CallFailure::NoProc);
        }
        match wait_answer(answer, deadline).await? {
            Reply::NoProc => Err(CallFailure::NoProc),
            reply => Ok(reply),
        }
    }

    async fn ask(&self, input: Input<F, A, W>, answer: oneshot::Receiver<bool>) -> bool {
        if self.link.mailbox.send(input).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
}

impl<F, A, W: Worker + ?Sized> Supervisor<F, A, W> {
    /// Whether the supervisor is still alive.
    pub fn is_alive(&self) -> bool {
        self.link.status.borrow().is_none()
    }

    /// How the supervisor exited, once it has.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.link.status.borrow().clone()
    }

    /// Waits until the supervisor has exited (at most `timeout`; `None` waits for ever) and
    /// returns its exit reason, or `None` if it is still alive.
    pub async fn wait_exit(&self, timeout: Option<Duration>) -> Option<ExitReason> {
        let deadline = timeout.map(|timeout| tokio::time::Instant::now() + timeout);
        self.wait_exit_until(deadline).await
    }

    async fn wait_exit_until(&self, deadline: Option<tokio::time::Instant>) -> Option<ExitReason> {
        let mut status = self.link.status.clone();
        let wait = async move {
            let waited = status
                .wait_for(Option::is_some)
                .await
                .map(|reason| reason.clone());
            // The sender is dropped only after it has set the status.
            waited.unwrap_or_else(|_| status.borrow().clone())
        };
        match deadline {
            None => wait.await,
            Some(deadline) => tokio::time::timeout_at(deadline, wait).await.ok().flatten(),
        }
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
}

/// Waits for the answer until `deadline` (`None`: for ever); `NoProc` when its sender is gone
/// unanswered (the supervisor or the child ended).
async fn wait_answer<T>(
    answer: oneshot::Receiver<T>,
    deadline: Option<tokio::time::Instant>,
) -> Result<T, CallFailure> {
    let answered = match deadline {
        None => answer.await,
        Some(deadline) => match tokio::time::timeout_at(deadline, answer).await {
            Ok(answered) => answered,
            Err(_) => return Err(CallFailure::Timeout),
        },
    };
    answered.map_err(|_| CallFailure::NoProc)
}
