//! What every tokio handle shares, whichever its core: the mailbox, the status, the async
//! calls through the mailbox and the process-level operations. The DynamicSupervisor's and the
//! static Supervisor's handles are thin layers over it.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{oneshot, watch};

use crate::call_error::CallError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
pub(crate) use crate::runtime::call_failure::CallFailure;
use crate::runtime::{Registry, RuntimeCore};
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::driver::{Input, Status};
use crate::worker::Worker;

/// What the clones of a handle share; the drop of a root's linked handle is its parent's exit.
pub(crate) struct Link<C: RuntimeCore, W: Worker + ?Sized> {
    pub(crate) mailbox: UnboundedSender<Input<C, W>>,
    pub(crate) clock: Clock,
    pub(crate) status: watch::Receiver<Status>,
    pub(crate) registry: Registry,
    /// The supervisor's pid: a child supervisor's, or a named root's.
    pub(crate) pid: Option<Pid>,
    /// Whether dropping the last clone is the parent's exit (a root's `start_link` handle).
    pub(crate) linked: bool,
}

impl<C: RuntimeCore, W: Worker + ?Sized> Drop for Link<C, W> {
    fn drop(&mut self) {
        if self.linked && self.status.borrow().is_none() {
            let _ = self.mailbox.send(Input::ParentExit(ExitReason::Shutdown));
        }
    }
}

/// The tokio deadline `timeout` from now.
pub(crate) fn deadline(timeout: Option<Duration>) -> Option<tokio::time::Instant> {
    timeout.map(|timeout| tokio::time::Instant::now() + timeout)
}

impl<C: RuntimeCore, W: Worker + ?Sized> Link<C, W> {
    /// Another link to the same supervisor that is not its parent's (for the registry).
    pub(crate) fn unlinked(&self) -> Self {
        Link {
            mailbox: self.mailbox.clone(),
            clock: self.clock,
            status: self.status.clone(),
            registry: self.registry.clone(),
            pid: self.pid,
            linked: false,
        }
    }

    /// Calls the supervisor with `request` and waits for its answer until `deadline`.
    pub(crate) async fn call_until(
        &self,
        request: C::Request,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<C::Reply, CallFailure> {
        let (reply, answer) = oneshot::channel();
        if self.mailbox.send(Input::Call { request, reply }).is_err() {
            return Err(CallFailure::NoProc);
        }
        let reply = wait_answer(answer, deadline).await?;
        if C::is_noproc(&reply) {
            Err(CallFailure::NoProc)
        } else {
            Ok(reply)
        }
    }

    /// `stop` with `request`: the call, then the exit that follows its answer.
    pub(crate) async fn stop(
        &self,
        request: C::Request,
        timeout: Option<Duration>,
    ) -> Result<(), CallFailure> {
        let deadline = deadline(timeout);
        self.call_until(request, deadline).await?;
        match self.wait_exit_until(deadline).await {
            Some(_) => Ok(()),
            None => Err(CallFailure::Timeout),
        }
    }

    async fn ask(&self, input: Input<C, W>, answer: oneshot::Receiver<bool>) -> bool {
        if self.mailbox.send(input).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    /// Sends `message` to worker `pid`; whether it was a live worker.
    pub(crate) async fn send(&self, pid: Pid, message: W::Message) -> bool {
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

    /// Calls worker `pid` and waits at most `timeout`.
    pub(crate) async fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        let deadline = deadline(timeout);
        let (reply, answer) = oneshot::channel();
        let input = Input::WorkerCall {
            pid,
            request,
            reply,
        };
        if self.mailbox.send(input).is_err() {
            return Err(CallError::NoProc);
        }
        match wait_answer(answer, deadline).await {
            Ok(answer) => answer,
            Err(failure) => Err(failure.into()),
        }
    }

    /// Kills child `pid` from outside; whether it was a live child.
    pub(crate) async fn kill(&self, pid: Pid) -> bool {
        let (reply, answer) = oneshot::channel();
        self.ask(Input::Kill { pid, reply }, answer).await
    }

    /// The parent's exit signal with `reason`; whether the supervisor was alive.
    pub(crate) fn exit(&self, reason: ExitReason) -> bool {
        self.is_alive() && self.mailbox.send(Input::ParentExit(reason)).is_ok()
    }

    /// Kills the supervisor itself; whether it was alive to be killed. Returns once it is
    /// dead (its children may still be ending).
    pub(crate) async fn kill_supervisor(&self) -> bool {
        if !self.is_alive() || self.mailbox.send(Input::Killed).is_err() {
            return false;
        }
        // The driver sets the status at once when it reaches the kill (or, if it exited by
        // itself just before, as it exited).
        let _ = self.wait_exit_until(None).await;
        true
    }

    /// Whether the supervisor is still alive.
    pub(crate) fn is_alive(&self) -> bool {
        self.status.borrow().is_none()
    }

    /// How the supervisor exited, once it has.
    pub(crate) fn exit_reason(&self) -> Option<ExitReason> {
        self.status.borrow().clone()
    }

    /// Waits for the exit until `deadline`.
    pub(crate) async fn wait_exit_until(
        &self,
        deadline: Option<tokio::time::Instant>,
    ) -> Option<ExitReason> {
        let mut status = self.status.clone();
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
