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
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::child_spec::ValidChildSpec;
use crate::error::StartError;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::{Receiver, Recv, Sender};
use crate::runtime::child::{self, ChildNote, Control};
use crate::runtime::clock::Clock;
use crate::runtime::oneshot::ReplySender;
use crate::runtime::report::Report;
use crate::runtime::spawner::Spawner;
use crate::runtime::watch::{ThreadToken, Watch};
use crate::supervisor::output::{CallId, Effect, Reply, StartOutcome};
use crate::supervisor::DynamicSupervisor;
use crate::sync::Arc;
use crate::time::Instant;

/// The observer of a running supervisor, called on the driver thread.
pub(crate) type Observer = Box<dyn FnMut(&Report) + Send>;

/// One message in the supervisor's mailbox.
pub(crate) enum Input<F, A, M> {
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
        message: M,
        reply: ReplySender<bool>,
    },
    /// Kill child `pid` from outside; answers whether it was a live child.
    Kill { pid: Pid, reply: ReplySender<bool> },
}

/// A call, as a handle sends it.
pub(crate) enum Request<F, A> {
    StartChild(ValidChildSpec<F, A>),
    TerminateChild(Pid),
    WhichChildren,
    CountChildren,
    Stop(ExitReason),
}

/// What the driver knows of one child thread.
struct ChildThread<M> {
    control: Sender<Control<M>>,
    /// Its `init` has not answered yet.
    starting: bool,
}

/// The supervisor's status as handles see it: `None` while alive, then its exit reason.
pub(crate) type Status = Option<ExitReason>;

/// The driver: the core and the real processes around it.
pub(crate) struct Driver<F, A, M, S> {
    core: DynamicSupervisor<F, A>,
    spawner: S,
    clock: Clock,
    mailbox: Receiver<Input<F, A, M>>,
    /// Keeps the mailbox open while the driver runs, and makes the child threads' notifiers.
    mailbox_sender: Sender<Input<F, A, M>>,
    children: BTreeMap<Pid, ChildThread<M>>,
    calls: BTreeMap<CallId, ReplySender<Reply>>,
    /// The start the core waits for: the child's pid and the attempt number.
    pending_start: Option<(Pid, u64)>,
    /// Deaths the driver caused (kills), to give to the core before the next mailbox input.
    downs: VecDeque<(Pid, ExitReason)>,
    next_pid: u64,
    next_call: u64,
    next_attempt: u64,
    observer: Option<Observer>,
    status: Arc<Watch<Status>>,
    threads: Arc<Watch<usize>>,
    exited: bool,
}

/// The parts a driver is built from.
pub(crate) struct Parts<F, A, M, S> {
    pub(crate) core: DynamicSupervisor<F, A>,
    pub(crate) spawner: S,
    pub(crate) clock: Clock,
    pub(crate) mailbox: Receiver<Input<F, A, M>>,
    pub(crate) mailbox_sender: Sender<Input<F, A, M>>,
    pub(crate) observer: Option<Observer>,
    pub(crate) status: Arc<Watch<Status>>,
    pub(crate) threads: Arc<Watch<usize>>,
}

impl<F, A, M, S> Driver<F, A, M, S>
where
    F: Clone + Send + 'static,
    A: Clone + Send + 'static,
    M: Send + 'static,
    S: Spawner<F, A, M> + Send + 'static,
{
    /// A driver ready to run.
    pub(crate) fn new(parts: Parts<F, A, M, S>) -> Self {
        Driver {
            core: parts.core,
            spawner: parts.spawner,
            clock: parts.clock,
            mailbox: parts.mailbox,
            mailbox_sender: parts.mailbox_sender,
            children: BTreeMap::new(),
            calls: BTreeMap::new(),
            pending_start: None,
            downs: VecDeque::new(),
            next_pid: 1,
            next_call: 0,
            next_attempt: 0,
            observer: parts.observer,
            status: parts.status,
            threads: parts.threads,
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
    fn next_input(&mut self) -> Option<Input<F, A, M>> {
        let received = match self.core.poll_timeout() {
            None => self.mailbox.recv(),
            Some(deadline) => {
                let left = self.clock.until(deadline);
                if left.is_zero() {
                    // The clock never goes backwards, so the core accepts every `now` it gives.
                    let _ = self.core.handle_timeout(self.clock.now().max(deadline));
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

    fn handle(&mut self, now: Instant, input: Input<F, A, M>) {
        match input {
            Input::Call { request, reply } => self.call(now, request, reply),
            Input::Child(ChildNote::Started { pid, outcome }) => self.started(now, pid, outcome),
            Input::Child(ChildNote::Exited { pid, reason }) => {
                if self.children.remove(&pid).is_some() {
                    self.observe(Report::ChildDown {
                        pid,
                        reason: reason.clone(),
                    });
                    let _ = self.core.handle_child_exit(now, pid, reason);
                }
            }
            Input::ParentExit(reason) => {
                let _ = self.core.handle_parent_exit(now, reason);
            }
            Input::Send {
                pid,
                message,
                reply,
            } => {
                let delivered = match self.children.get(&pid) {
                    Some(child) if !child.starting => {
                        child.control.send(Control::Message(message)).is_ok()
                    }
                    _ => false,
                };
                let _ = reply.send(delivered);
            }
            Input::Kill { pid, reply } => {
                let alive = self.children.get(&pid).is_some_and(|child| !child.starting);
                if alive {
                    self.kill(pid);
                }
                let _ = reply.send(alive);
            }
        }
    }

    fn call(&mut self, now: Instant, request: Request<F, A>, reply: ReplySender<Reply>) {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.calls.insert(call, reply);
        match request {
            Request::StartChild(spec) => {
                // The handle validated the spec, and the clock never goes backwards: the core
                // cannot refuse the call.
                if self.core.start_child(now, call, spec).is_err() {
                    let failed = StartError::Failed(ExitReason::other("time_went_backwards"));
                    self.answer(call, Reply::StartChild(Err(failed)));
                }
            }
            // As above: these cannot be refused (the clock never goes backwards).
            Request::TerminateChild(pid) => {
                let _ = self.core.terminate_child(now, call, pid);
            }
            Request::WhichChildren => {
                let _ = self.core.which_children(now, call);
            }
            Request::CountChildren => {
                let _ = self.core.count_children(now, call);
            }
            Request::Stop(reason) => {
                let _ = self.core.stop(now, call, reason);
            }
        }
    }

    fn answer(&mut self, call: CallId, reply: Reply) {
        if let Some(waiting) = self.calls.remove(&call) {
            // The caller may have given up (a stop with a timeout): nobody to tell.
            let _ = waiting.send(reply);
        }
    }

    /// A child's `init` answered.
    fn started(&mut self, now: Instant, pid: Pid, outcome: StartOutcome) {
        let Some((pending, attempt)) = self.pending_start else {
            return;
        };
        if pending != pid {
            return;
        }
        self.pending_start = None;
        if matches!(outcome, StartOutcome::Started { .. }) {
            if let Some(child) = self.children.get_mut(&pid) {
                child.starting = false;
            }
        } else {
            self.children.remove(&pid);
        }
        self.start_result(now, attempt, outcome);
    }

    fn start_result(&mut self, now: Instant, attempt: u64, outcome: StartOutcome) {
        self.observe(Report::StartAttempt {
            attempt,
            outcome: outcome.clone(),
        });
        // Only fails when no start is pending or the pid is reused, which the driver never
        // does (it answers exactly the start it began, with a fresh pid).
        let _ = self.core.handle_start_result(now, outcome);
    }

    /// Performs every effect and feeds back every death the driver caused, until the core has
    /// nothing more to do.
    fn settle(&mut self) {
        loop {
            while let Some(event) = self.core.poll_event() {
                self.observe(Report::Supervisor(event));
            }
            if let Some(effect) = self.core.poll_effect() {
                self.perform(effect);
                continue;
            }
            let Some((pid, reason)) = self.downs.pop_front() else {
                return;
            };
            let _ = self.core.handle_child_exit(self.clock.now(), pid, reason);
        }
    }

    fn perform(&mut self, effect: Effect<F, A>) {
        match effect {
            Effect::Start { function, args, .. } => self.start(&function, &args),
            Effect::Shutdown { pid } => {
                if let Some(child) = self.children.get(&pid) {
                    // If the thread has just ended by itself, its exit is in the mailbox.
                    let _ = child.control.send(Control::Shutdown);
                }
            }
            Effect::Kill { pid } => self.kill(pid),
            Effect::Reply { call, reply } => self.answer(call, reply),
            Effect::Exit { reason } => {
                self.status.update(|status| *status = Some(reason));
                self.exited = true;
            }
        }
    }

    /// Runs the start function: the spawner makes the worker, and a new thread runs its
    /// `init`; the core stays blocked until that thread's note arrives.
    fn start(&mut self, function: &F, args: &[A]) {
        let attempt = self.next_attempt;
        self.next_attempt += 1;
        let spawner = &mut self.spawner;
        let Ok(worker) = catch_unwind(AssertUnwindSafe(|| spawner.spawn(function, args))) else {
            let now = self.clock.now();
            let failed = StartOutcome::Failed(ExitReason::other("panic"));
            return self.start_result(now, attempt, failed);
        };
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        let token = ThreadToken::new(&self.threads);
        let mailbox = self.mailbox_sender.notifier();
        let notify = move |note| {
            // The supervisor may be gone: nobody to tell.
            let _ = mailbox.send(Input::Child(note));
        };
        match child::spawn(pid, worker, self.clock, notify, token) {
            Ok(control) => {
                self.children.insert(
                    pid,
                    ChildThread {
                        control,
                        starting: true,
                    },
                );
                self.pending_start = Some((pid, attempt));
            }
            Err(_) => {
                let now = self.clock.now();
                let failed = StartOutcome::Failed(ExitReason::other("thread_spawn_failed"));
                self.start_result(now, attempt, failed);
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
        if catch_unwind(AssertUnwindSafe(|| observer(&report))).is_err() {
            // A panicking observer is removed; the supervisor goes on.
            self.observer = None;
        }
    }
}

impl<F, A, M, S> Drop for Driver<F, A, M, S> {
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
