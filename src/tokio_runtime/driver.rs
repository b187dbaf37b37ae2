//! The supervisor task: it owns the sans-IO core (through the shared [`Host`]), serves the
//! supervisor's mailbox, performs the core's effects with tokio tasks, and sleeps until the
//! core's next deadline on tokio's clock. The same loop as the threaded runtime's driver.

use std::collections::{BTreeMap, VecDeque};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, watch};

use crate::call_error::CallError;
use crate::driver::{Action, Host, Process, Request, Spawner, StartAttempt};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::{Report, SendWorker};
use crate::supervisor::output::Reply;
use crate::time::Instant;
use crate::tokio_runtime::child::{self, CallReply, ChildNote, ChildTask, CleanupTime, Control};
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::mailbox;
use crate::worker::{Init, Worker};

/// The observer of a running supervisor, called on the supervisor's task.
pub(crate) type Observer = Box<dyn FnMut(&Report) + Send>;

/// The supervisor's status as handles see it: `None` while alive, then its exit reason.
pub(crate) type Status = Option<ExitReason>;

/// One message in the supervisor's mailbox.
pub(crate) enum Input<F, A, W: Worker + ?Sized> {
    /// A call from a handle, answered on `reply`.
    Call {
        request: Request<F, A>,
        reply: oneshot::Sender<Reply>,
    },
    /// A child task's note.
    Child(ChildNote),
    /// The parent's exit signal.
    ParentExit(ExitReason),
    /// Deliver `message` to child `pid`; answers whether it was a live child.
    Send {
        pid: Pid,
        message: W::Message,
        reply: oneshot::Sender<bool>,
    },
    /// Forward a call to child `pid`, whose task answers on `reply`.
    WorkerCall {
        pid: Pid,
        request: W::Call,
        reply: CallReply<W>,
    },
    /// Kill child `pid` from outside; answers whether it was a live child.
    Kill {
        pid: Pid,
        reply: oneshot::Sender<bool>,
    },
}

/// The parts a driver is built from.
pub(crate) struct Parts<F, A, S: Spawner<F, A>> {
    pub(crate) host: Host<F, A, oneshot::Sender<Reply>>,
    pub(crate) spawner: S,
    pub(crate) clock: Clock,
    pub(crate) mailbox: UnboundedReceiver<Input<F, A, S::Worker>>,
    pub(crate) mailbox_sender: UnboundedSender<Input<F, A, S::Worker>>,
    pub(crate) observer: Option<Observer>,
    pub(crate) cleanup: Option<CleanupTime<S::Worker>>,
    pub(crate) status: watch::Sender<Status>,
}

/// The supervisor task's state.
pub(crate) struct Driver<F, A, S: Spawner<F, A>> {
    host: Host<F, A, oneshot::Sender<Reply>>,
    spawner: S,
    clock: Clock,
    mailbox: UnboundedReceiver<Input<F, A, S::Worker>>,
    /// Keeps the mailbox open while the driver runs, and makes the child tasks' notifiers.
    mailbox_sender: UnboundedSender<Input<F, A, S::Worker>>,
    children: BTreeMap<Pid, ChildTask<S::Worker>>,
    /// Deaths the driver caused (kills), to give to the core before the next mailbox input.
    downs: VecDeque<(Pid, ExitReason)>,
    observer: Option<Observer>,
    cleanup: Option<CleanupTime<S::Worker>>,
    status: watch::Sender<Status>,
    exited: bool,
}

impl<F, A, S> Driver<F, A, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    S: Spawner<F, A> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A driver ready to run.
    pub(crate) fn new(parts: Parts<F, A, S>) -> Self {
        Driver {
            host: parts.host,
            spawner: parts.spawner,
            clock: parts.clock,
            mailbox: parts.mailbox,
            mailbox_sender: parts.mailbox_sender,
            children: BTreeMap::new(),
            downs: VecDeque::new(),
            observer: parts.observer,
            cleanup: parts.cleanup,
            status: parts.status,
            exited: false,
        }
    }

    /// Serves the mailbox until the supervisor exits.
    pub(crate) async fn run(mut self) {
        while !self.exited {
            if let Some(input) = self.next_input().await {
                let now = self.clock.now();
                self.handle(now, input);
            }
            self.settle();
        }
    }

    /// The next mailbox input, or `None` after firing a due deadline.
    async fn next_input(&mut self) -> Option<Input<F, A, S::Worker>> {
        let received = match self.host.deadline() {
            None => self.mailbox.recv().await,
            Some(deadline) => {
                if self.clock.now() >= deadline {
                    // tokio's clock never goes back, so the core accepts its time.
                    let _ = self.host.timeout(self.clock.now().max(deadline));
                    return None;
                }
                let sleep = tokio::time::sleep_until(self.clock.at(deadline));
                tokio::select! {
                    biased;
                    received = self.mailbox.recv() => received,
                    () = sleep => return None,
                }
            }
        };
        // The driver holds a sender itself, so the mailbox never closes while it runs; if it
        // did, nobody could reach the supervisor: it stops as if its parent had exited.
        Some(received.unwrap_or(Input::ParentExit(ExitReason::Shutdown)))
    }

    /// Gives one input to the core (through the host) or to a child. tokio's clock is
    /// monotonic, so the core never refuses the time (the `Result`s are `Ok`).
    fn handle(&mut self, now: Instant, input: Input<F, A, S::Worker>) {
        match input {
            Input::Call { request, reply } => {
                let _ = self.host.call(now, request, reply);
            }
            Input::Child(ChildNote::Started { pid, init }) => self.started(now, pid, init),
            Input::Child(ChildNote::Exited { pid, reason }) => {
                if self.children.remove(&pid).is_some() {
                    self.observe(Report::ChildDown {
                        pid,
                        reason: reason.clone(),
                    });
                    let _ = self.host.child_exited(now, pid, reason);
                }
            }
            Input::ParentExit(reason) => {
                let _ = self.host.parent_exited(now, reason);
            }
            Input::Send {
                pid,
                message,
                reply,
            } => {
                let delivered = match self.live_child(pid) {
                    Some(child) => child.control.send(Control::Message(message)).is_ok(),
                    None => false,
                };
                let _ = reply.send(delivered);
            }
            Input::WorkerCall {
                pid,
                request,
                reply,
            } => match self.live_child(pid) {
                Some(child) => {
                    if let Err(Control::Call(_, reply)) =
                        child.control.send(Control::Call(request, reply))
                    {
                        let _ = reply.send(Err(CallError::NoProc));
                    }
                }
                None => {
                    let _ = reply.send(Err(CallError::NoProc));
                }
            },
            Input::Kill { pid, reply } => {
                let alive = self.live_child(pid).is_some();
                if alive {
                    self.kill(pid);
                }
                let _ = reply.send(alive);
            }
        }
    }

    /// Child `pid`, if it is running: its `init` has answered, so it is not the start the
    /// core waits for.
    fn live_child(&self, pid: Pid) -> Option<&ChildTask<S::Worker>> {
        self.children
            .get(&pid)
            .filter(|_| self.host.pending_start().map(|start| start.pid) != Some(pid))
    }

    /// A child's `init` answered.
    fn started(&mut self, now: Instant, pid: Pid, init: Init) {
        let Some(start) = self.host.pending_start() else {
            return;
        };
        if start.pid != pid {
            return;
        }
        if init != Init::Ok {
            self.children.remove(&pid);
        }
        self.start_result(now, start, init);
    }

    fn start_result(&mut self, now: Instant, start: StartAttempt, init: Init) {
        self.observe(Report::StartAttempt {
            attempt: start.attempt,
            outcome: start.outcome(&init),
        });
        // Only fails when the start answered is not the pending one, which never happens.
        let _ = self.host.start_result(now, start, init);
    }

    /// Performs every action and feeds back every death the driver caused, until the core has
    /// nothing more to do.
    fn settle(&mut self) {
        loop {
            if let Some(action) = self.host.poll_action() {
                self.perform(action);
                continue;
            }
            let Some((pid, reason)) = self.downs.pop_front() else {
                return;
            };
            let _ = self.host.child_exited(self.clock.now(), pid, reason);
        }
    }

    fn perform(&mut self, action: Action<F, A, oneshot::Sender<Reply>>) {
        match action {
            Action::Event(event) => self.observe(Report::Supervisor(event)),
            Action::Start {
                start,
                function,
                args,
                ..
            } => self.start(start, &function, &args),
            Action::Shutdown { pid } => {
                if let Some(child) = self.children.get(&pid) {
                    // If the task has just ended by itself, its exit is in the mailbox.
                    let _ = child.control.send(Control::Shutdown);
                }
            }
            Action::Kill { pid } => self.kill(pid),
            Action::Reply { caller, reply } => {
                // The caller may have given up (a stop with a timeout): nobody to tell.
                let _ = caller.send(reply);
            }
            Action::Exit { reason } => {
                self.status.send_replace(Some(reason));
                self.exited = true;
            }
        }
    }

    /// Runs the start function: the spawner makes the worker (on the supervisor's task), and a
    /// new task runs its `init`; the core stays blocked until that task's note arrives.
    fn start(&mut self, start: StartAttempt, function: &F, args: &[A]) {
        let now = self.clock.now();
        let process = match Process::spawn(&mut self.spawner, function, args, start.pid, now) {
            Ok(process) => process,
            Err(reason) => return self.start_result(now, start, Init::Stop(reason)),
        };
        let mailbox = self.mailbox_sender.downgrade();
        let notify = move |note| {
            // The supervisor may be gone: nobody to tell.
            if let Some(mailbox) = mailbox.upgrade() {
                let _ = mailbox.send(Input::Child(note));
            }
        };
        let (control, queue) = mailbox::mailbox();
        let task = tokio::spawn(child::run(
            process,
            self.clock,
            queue,
            notify,
            self.cleanup.clone(),
        ));
        self.children.insert(start.pid, ChildTask { control, task });
    }

    /// Kills child `pid`: its task is aborted, and it is reported `killed` at once.
    fn kill(&mut self, pid: Pid) {
        let Some(child) = self.children.remove(&pid) else {
            return;
        };
        child.task.abort();
        self.observe(Report::ChildDown {
            pid,
            reason: ExitReason::Killed,
        });
        self.downs.push_back((pid, ExitReason::Killed));
    }

    fn observe(&mut self, report: Report) {
        let Some(observer) = self.observer.as_mut() else {
            return;
        };
        if crate::driver::guarded(|| observer(&report)).is_err() {
            // A panicking observer is removed; the supervisor goes on.
            self.observer = None;
        }
    }
}

impl<F, A, S: Spawner<F, A>> Drop for Driver<F, A, S> {
    fn drop(&mut self) {
        // Children still running (only if the supervisor task itself was dropped early: the
        // runtime shut down, or the driver panicked) end with it.
        for child in self.children.values() {
            child.task.abort();
        }
        // Normally the status says how the supervisor exited; if the task panicked or was
        // dropped, handles must still learn that it is gone.
        self.status.send_if_modified(|status| {
            if status.is_none() {
                *status = Some(ExitReason::other("driver_panic"));
                true
            } else {
                false
            }
        });
    }
}
