//! The driver thread: it owns the sans-IO core, serves the supervisor's mailbox, performs the
//! core's effects on real threads, and sleeps until the core's next deadline.
//!
//! It is the simulator's loop on real threads. One input at a time comes from the mailbox (a
//! handle's call, a child thread's note, the parent's exit), is given to the core with the
//! runtime clock's `now`, and then every effect is performed in order: a start spawns the
//! child's thread (the core stays blocked until that thread's `init` answers, while later
//! inputs queue up inside the core), a shutdown is sent on the child's control queue, a kill
//! is reported as the child's `killed` exit at once (the thread itself ends when its current
//! callback returns), a reply goes to the waiting caller, and the exit ends the loop. With no
//! input, the driver waits for the mailbox until the core's `poll_timeout` deadline, then calls
//! `handle_timeout`.

use std::collections::{BTreeMap, VecDeque};

use crate::call_error::CallError;
use crate::driver::{Action, Host, Process, Request, Spawner, StartAttempt};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::{Receiver, Recv, Sender};
use crate::runtime::child::{self, ChildNote, Control};
use crate::runtime::clock::Clock;
use crate::runtime::oneshot::ReplySender;
use crate::runtime::report::Report;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::thread_limit::THREAD_LIMIT;
use crate::runtime::watch::{ThreadToken, Watch};
use crate::supervisor::output::Reply;
use crate::sync::Arc;
use crate::time::Instant;
use crate::worker::{Init, Worker};

/// The observer of a running supervisor, called on the driver thread.
pub(crate) type Observer = Box<dyn FnMut(&Report) + Send>;

/// The answer slot of a call to a worker.
pub(crate) type CallReply<W> = ReplySender<Result<<W as Worker>::Reply, CallError>>;

/// One message in the supervisor's mailbox.
pub(crate) enum Input<F, A, W: Worker + ?Sized> {
    /// A call from a handle, answered on `reply`.
    Call {
        request: Request<F, A>,
        reply: ReplySender<Reply>,
    },
    /// A child thread's note.
    Child(ChildNote),
    /// The parent's exit signal.
    ParentExit(ExitReason),
    /// Deliver `message` to child `pid`; answers whether it was a live child.
    Send {
        pid: Pid,
        message: W::Message,
        reply: ReplySender<bool>,
    },
    /// Forward a call to child `pid`, whose thread answers on `reply`.
    WorkerCall {
        pid: Pid,
        request: W::Call,
        reply: CallReply<W>,
    },
    /// Kill child `pid` from outside; answers whether it was a live child.
    Kill { pid: Pid, reply: ReplySender<bool> },
}

/// What the driver knows of one child thread.
struct ChildThread<W: Worker + ?Sized> {
    control: Sender<Control<W>>,
}

/// The supervisor's status as handles see it: `None` while alive, then its exit reason.
pub(crate) type Status = Option<ExitReason>;

/// The driver: the core (through the shared [`Host`]) and the real processes around it.
pub(crate) struct Driver<F, A, S: Spawner<F, A>> {
    host: Host<F, A, ReplySender<Reply>>,
    spawner: S,
    clock: Clock,
    mailbox: Receiver<Input<F, A, S::Worker>>,
    /// Keeps the mailbox open while the driver runs, and makes the child threads' notifiers.
    mailbox_sender: Sender<Input<F, A, S::Worker>>,
    children: BTreeMap<Pid, ChildThread<S::Worker>>,
    /// Deaths the driver caused (kills), to give to the core before the next mailbox input.
    downs: VecDeque<(Pid, ExitReason)>,
    observer: Option<Observer>,
    status: Arc<Watch<Status>>,
    threads: Arc<Watch<usize>>,
    /// The most child threads at once.
    thread_limit: usize,
    exited: bool,
}

/// The parts a driver is built from.
pub(crate) struct Parts<F, A, S: Spawner<F, A>> {
    pub(crate) host: Host<F, A, ReplySender<Reply>>,
    pub(crate) spawner: S,
    pub(crate) clock: Clock,
    pub(crate) mailbox: Receiver<Input<F, A, S::Worker>>,
    pub(crate) mailbox_sender: Sender<Input<F, A, S::Worker>>,
    pub(crate) observer: Option<Observer>,
    pub(crate) status: Arc<Watch<Status>>,
    pub(crate) threads: Arc<Watch<usize>>,
    pub(crate) thread_limit: usize,
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
            status: parts.status,
            threads: parts.threads,
            thread_limit: parts.thread_limit,
            exited: false,
        }
    }

    /// Serves the mailbox until the supervisor exits.
    pub(crate) fn run(mut self) {
        while !self.exited {
            if let Some(input) = self.next_input() {
                let now = self.clock.now();
                self.handle(now, input);
            }
            self.settle();
        }
        // Dropping `self` now closes every child's control queue (a thread still waiting in a
        // trapping worker's shutdown ends) and the mailbox (calls still queued learn the
        // supervisor is gone).
    }

    /// The next mailbox input, or `None` after firing a due deadline (or a spurious wake-up).
    fn next_input(&mut self) -> Option<Input<F, A, S::Worker>> {
        let received = match self.host.deadline() {
            None => self.mailbox.recv(),
            Some(deadline) => {
                let left = self.clock.until(deadline);
                if left.is_zero() {
                    // The runtime's clock never goes back, so the core accepts its time.
                    let _ = self.host.timeout(self.clock.now().max(deadline));
                    return None;
                }
                self.mailbox.recv_timeout(left)
            }
        };
        match received {
            Recv::Message(input) => Some(input),
            Recv::Empty => None,
            // The driver holds a sender itself, so this cannot happen; if it did, nobody could
            // reach the supervisor any more: it stops as if its parent had exited.
            Recv::Closed => Some(Input::ParentExit(ExitReason::Shutdown)),
        }
    }

    /// Gives one input to the core (through the host) or to a child. The runtime's clock is
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
    fn live_child(&self, pid: Pid) -> Option<&ChildThread<S::Worker>> {
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
        // Only fails when the start answered is not the pending one, which the driver never
        // does (it answers exactly the start it began).
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

    fn perform(&mut self, action: Action<F, A, ReplySender<Reply>>) {
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
                    // If the thread has just ended by itself, its exit is in the mailbox.
                    let _ = child.control.send(Control::Shutdown);
                }
            }
            Action::Kill { pid } => self.kill(pid),
            Action::Reply { caller, reply } => {
                // The caller may have given up (a stop with a timeout): nobody to tell.
                let _ = caller.send(reply);
            }
            Action::Exit { reason } => {
                self.status.update(|status| *status = Some(reason));
                self.exited = true;
            }
        }
    }

    /// Runs the start function: the spawner makes the worker, and a new thread runs its
    /// `init`; the core stays blocked until that thread's note arrives.
    fn start(&mut self, start: StartAttempt, function: &F, args: &[A]) {
        let now = self.clock.now();
        if self.threads.read(|n| *n) >= self.thread_limit {
            let refused = Init::Stop(ExitReason::other(THREAD_LIMIT));
            return self.start_result(now, start, refused);
        }
        let process = match Process::spawn(&mut self.spawner, function, args, start.pid, now) {
            Ok(process) => process,
            Err(reason) => return self.start_result(now, start, Init::Stop(reason)),
        };
        let token = ThreadToken::new(&self.threads);
        let mailbox = self.mailbox_sender.notifier();
        let notify = move |note| {
            // The supervisor may be gone: nobody to tell.
            let _ = mailbox.send(Input::Child(note));
        };
        match child::spawn(process, self.clock, notify, token) {
            Ok(control) => {
                self.children.insert(start.pid, ChildThread { control });
            }
            Err(_) => {
                let failed = Init::Stop(ExitReason::other("thread_spawn_failed"));
                self.start_result(now, start, failed);
            }
        }
    }

    /// Kills child `pid`: reported `killed` at once; its thread ends when it next looks at its
    /// control queue, without running anything more of the worker.
    fn kill(&mut self, pid: Pid) {
        let Some(child) = self.children.remove(&pid) else {
            return;
        };
        let _ = child.control.send(Control::Kill);
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
        // Normally the status says how the supervisor exited; if the driver itself panicked,
        // handles must still learn that it is gone.
        self.status.update(|status| {
            if status.is_none() {
                *status = Some(ExitReason::other("driver_panic"));
            }
        });
    }
}
