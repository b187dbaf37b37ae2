//! What every handle to a running supervisor shares, whichever its core: the mailbox, the
//! status and thread counts, the blocking calls through the mailbox and the process-level
//! operations. The DynamicSupervisor's and the static Supervisor's handles are thin layers over
//! it.

use std::time::Duration;

use crate::call_error::CallError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
pub(crate) use crate::runtime::call_failure::CallFailure;
use crate::runtime::channel::{Recv, Sender};
use crate::runtime::clock::Clock;
use crate::runtime::driver::{Input, RuntimeCore, Status};
use crate::runtime::oneshot::{reply_slot, ReplyReceiver};
use crate::runtime::registry::Registry;
use crate::runtime::watch::Watch;
use crate::sync::thread::JoinHandle;
use crate::sync::{lock, Arc, Mutex};
use crate::time::Instant;
use crate::worker::Worker;

/// What the clones of a handle share; the drop of a root's linked handle is its parent's exit.
pub(crate) struct Link<C: RuntimeCore, W: Worker + ?Sized> {
    pub(crate) mailbox: Sender<Input<C, W>>,
    pub(crate) clock: Clock,
    pub(crate) status: Arc<Watch<Status>>,
    pub(crate) threads: Arc<Watch<usize>>,
    pub(crate) thread_limit: usize,
    pub(crate) registry: Registry,
    /// The supervisor's pid: a child supervisor's, or a named root's.
    pub(crate) pid: Option<Pid>,
    /// The driver thread of a root, joined by the first wait that sees it exit.
    pub(crate) driver: Mutex<Option<JoinHandle<()>>>,
    /// Whether dropping the last clone is the parent's exit (a root's `start_link` handle).
    pub(crate) linked: bool,
}

impl<C: RuntimeCore, W: Worker + ?Sized> Drop for Link<C, W> {
    fn drop(&mut self) {
        if self.linked && self.status.read(Option::is_none) {
            let _ = self.mailbox.send(Input::ParentExit(ExitReason::Shutdown));
        }
    }
}

impl<C: RuntimeCore, W: Worker + ?Sized> Link<C, W> {
    /// Another link to the same supervisor that is not its parent's (for the registry).
    pub(crate) fn unlinked(&self) -> Self {
        Link {
            mailbox: self.mailbox.clone(),
            clock: self.clock,
            status: self.status.clone(),
            threads: self.threads.clone(),
            thread_limit: self.thread_limit,
            registry: self.registry.clone(),
            pid: self.pid,
            driver: Mutex::new(None),
            linked: false,
        }
    }

    /// Calls the supervisor with `request` and waits for its answer until `deadline`.
    pub(crate) fn call_until(
        &self,
        request: C::Request,
        deadline: Option<Instant>,
    ) -> Result<C::Reply, CallFailure> {
        // No status check first: a call to a supervisor that has exited finds its mailbox
        // closed, or is dropped with it (and its reply slot closes).
        let (reply, mut answer) = reply_slot();
        if self.mailbox.send(Input::Call { request, reply }).is_err() {
            return Err(CallFailure::NoProc);
        }
        let reply = self.wait_answer(&mut answer, deadline)?;
        if C::is_noproc(&reply) {
            Err(CallFailure::NoProc)
        } else {
            Ok(reply)
        }
    }

    /// `stop` with `request`: the call, then the exit that follows its answer.
    pub(crate) fn stop(
        &self,
        request: C::Request,
        timeout: Option<Duration>,
    ) -> Result<(), CallFailure> {
        let deadline = self.clock.deadline(timeout);
        self.call_until(request, deadline)?;
        // The exit follows the reply at once.
        match self.wait_exit_until(deadline) {
            Some(_) => Ok(()),
            None => Err(CallFailure::Timeout),
        }
    }

    /// Sends a runtime request and waits for its yes/no answer (`false` when the supervisor
    /// is gone).
    fn ask(&self, input: Input<C, W>, mut answer: ReplyReceiver<bool>) -> bool {
        if self.mailbox.send(input).is_err() {
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

    /// Sends `message` to worker `pid`; whether it was a live worker.
    pub(crate) fn send(&self, pid: Pid, message: W::Message) -> bool {
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

    /// Calls worker `pid` and waits at most `timeout`.
    pub(crate) fn call(
        &self,
        pid: Pid,
        request: W::Call,
        timeout: Option<Duration>,
    ) -> Result<W::Reply, CallError> {
        let deadline = self.clock.deadline(timeout);
        let (reply, mut answer) = reply_slot();
        let input = Input::WorkerCall {
            pid,
            request,
            reply,
        };
        if self.mailbox.send(input).is_err() {
            return Err(CallError::NoProc);
        }
        match self.wait_answer(&mut answer, deadline) {
            Ok(answer) => answer,
            Err(failure) => Err(failure.into()),
        }
    }

    /// Kills child `pid` from outside; whether it was a live child.
    pub(crate) fn kill(&self, pid: Pid) -> bool {
        let (reply, answer) = reply_slot();
        self.ask(Input::Kill { pid, reply }, answer)
    }

    /// The parent's exit signal with `reason`; whether the supervisor was alive.
    pub(crate) fn exit(&self, reason: ExitReason) -> bool {
        self.is_alive() && self.mailbox.send(Input::ParentExit(reason)).is_ok()
    }

    /// Kills the supervisor itself; whether it was alive to be killed. Returns once it is
    /// dead (its children may still be ending: `wait_threads` waits for them).
    pub(crate) fn kill_supervisor(&self) -> bool {
        if !self.is_alive() || self.mailbox.send(Input::Killed).is_err() {
            return false;
        }
        // The driver sets the status at once when it reaches the kill (or, if it exited by
        // itself just before, as it exited).
        let _ = self.status.wait_for(&self.clock, None, Clone::clone);
        true
    }

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
                    let left = self.clock.until(deadline);
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

    /// Whether the supervisor is still alive.
    pub(crate) fn is_alive(&self) -> bool {
        self.status.read(Option::is_none)
    }

    /// How the supervisor exited, once it has.
    pub(crate) fn exit_reason(&self) -> Option<ExitReason> {
        self.status.read(Clone::clone)
    }

    /// Waits for the exit until `deadline`; joins a root's driver thread.
    pub(crate) fn wait_exit_until(&self, deadline: Option<Instant>) -> Option<ExitReason> {
        let reason = self.status.wait_for(&self.clock, deadline, Clone::clone)?;
        // The driver ends right after setting the status: reap its thread.
        let driver = lock(&self.driver).take();
        if let Some(driver) = driver {
            let _ = driver.join();
        }
        Some(reason)
    }

    /// Waits until every thread counted here has ended, until `timeout`.
    pub(crate) fn wait_threads(&self, timeout: Option<Duration>) -> bool {
        let deadline = self.clock.deadline(timeout);
        let none_left = |n: &usize| (*n == 0).then_some(());
        self.threads
            .wait_for(&self.clock, deadline, none_left)
            .is_some()
    }
}
