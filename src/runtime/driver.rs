//! The driver thread: it owns the sans-IO core, serves the supervisor's mailbox, performs the
//! core's effects on real threads, and sleeps until the core's next deadline.
//!
//! It is the simulator's loop on real threads, for either core (the DynamicSupervisor or the
//! static Supervisor, through the one [`Host`]). One input at a time comes from the mailbox (a
//! handle's call, a child's note, the parent's exit), is given to the core with the runtime
//! clock's `now`, and then every effect is performed in order: a start spawns the child's
//! thread (the core stays blocked until that thread's `init` answers, while later inputs queue
//! up inside the core) or starts a child supervisor (blocked until its start-up is over), a
//! shutdown is sent on the child's control queue (a child supervisor gets it as its parent's
//! exit), a kill is reported as the child's `killed` exit at once (the thread itself ends when
//! its current callback returns), a reply goes to the waiting caller, and the exit ends the
//! loop. With no input, the driver waits for the mailbox until the core's `poll_timeout`
//! deadline, then calls `handle_timeout`.

use std::collections::{BTreeMap, VecDeque};

use crate::call_error::CallError;
use crate::driver::{Action, Core, CoreAction, Host, Process, Spawner, StartAttempt};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::{Receiver, Recv, Sender};
use crate::runtime::child::{self, ChildNote, Control};
use crate::runtime::clock::Clock;
use crate::runtime::oneshot::ReplySender;
use crate::runtime::registry::Registry;
use crate::runtime::report::Report;
pub(crate) use crate::runtime::runtime_core::{RuntimeCore, StartUp, StartUpWaiter};
use crate::runtime::send_worker::SendWorker;
use crate::runtime::thread_limit::THREAD_LIMIT;
use crate::runtime::tree::{SubtreeControl, SupervisorChildren, TreeLink};
use crate::runtime::watch::{ThreadToken, Watch};
use crate::sync::Arc;
use crate::time::Instant;
use crate::worker::{Init, Worker};

/// The observer of a running supervisor, called on the driver thread; `E` is the core's event.
pub(crate) type Observer<E> = Box<dyn FnMut(&Report<E>) + Send>;

/// The answer slot of a call to a worker.
pub(crate) type CallReply<W> = ReplySender<Result<<W as Worker>::Reply, CallError>>;

/// One message in the supervisor's mailbox.
pub(crate) enum Input<C: Core, W: Worker + ?Sized> {
    /// A call from a handle, answered on `reply`.
    Call {
        request: C::Request,
        reply: ReplySender<C::Reply>,
    },
    /// A child's note (a worker thread's, or a child supervisor's).
    Child(ChildNote),
    /// The parent's exit signal.
    ParentExit(ExitReason),
    /// Deliver `message` to child `pid`; answers whether it was a live worker.
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
    /// The supervisor itself is killed (by its parent, or from outside): see
    /// [`Driver::be_killed`].
    Killed,
}

/// What the driver knows of one child process.
enum ChildThread<W: Worker + ?Sized> {
    /// A worker on its own thread, reached by its control queue.
    Worker(Sender<Control<W>>),
    /// A child supervisor, reached by its parent-exit signal.
    Supervisor(Box<dyn SubtreeControl>),
}

/// The supervisor's status as handles see it: `None` while alive, then its exit reason.
pub(crate) type Status = Option<ExitReason>;

/// The driver: the core (through the shared [`Host`]) and the real processes around it.
pub(crate) struct Driver<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> {
    host: Host<C::Function, C::Arg, ReplySender<C::Reply>, C>,
    spawner: S,
    supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
    clock: Clock,
    mailbox: Receiver<Input<C, S::Worker>>,
    /// Keeps the mailbox open while the driver runs, and makes the child threads' notifiers.
    mailbox_sender: Sender<Input<C, S::Worker>>,
    children: BTreeMap<Pid, ChildThread<S::Worker>>,
    /// Deaths the driver caused (kills), to give to the core before the next mailbox input.
    downs: VecDeque<(Pid, ExitReason)>,
    observer: Option<Observer<C::Event>>,
    status: Arc<Watch<Status>>,
    threads: Arc<Watch<usize>>,
    /// The most child threads at once (in the whole tree).
    thread_limit: usize,
    registry: Registry,
    /// The registered name and the pid holding it.
    name: Option<(String, Pid)>,
    /// Who waits for the start-up, until it is over.
    start_up: Option<StartUpWaiter<C::StartUpError>>,
    /// The parent of a child supervisor, told of its exit once its start-up succeeded.
    on_exit: Option<Box<dyn FnOnce(ExitReason) + Send>>,
    /// The supervisor was killed: its core is no longer run; the driver only waits for its
    /// children's ends.
    killed: bool,
    exited: bool,
}

/// The parts a driver is built from.
pub(crate) struct Parts<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> {
    pub(crate) host: Host<C::Function, C::Arg, ReplySender<C::Reply>, C>,
    pub(crate) spawner: S,
    pub(crate) supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
    pub(crate) clock: Clock,
    pub(crate) mailbox: Receiver<Input<C, S::Worker>>,
    pub(crate) mailbox_sender: Sender<Input<C, S::Worker>>,
    pub(crate) observer: Option<Observer<C::Event>>,
    pub(crate) status: Arc<Watch<Status>>,
    pub(crate) threads: Arc<Watch<usize>>,
    pub(crate) thread_limit: usize,
    pub(crate) registry: Registry,
    pub(crate) name: Option<(String, Pid)>,
    pub(crate) start_up: StartUpWaiter<C::StartUpError>,
    pub(crate) on_exit: Option<Box<dyn FnOnce(ExitReason) + Send>>,
}

impl<C, S> Driver<C, S>
where
    C: RuntimeCore,
    S: Spawner<C::Function, C::Arg> + Send + 'static,
    S::Worker: SendWorker,
{
    /// A driver ready to run.
    pub(crate) fn new(parts: Parts<C, S>) -> Self {
        Driver {
            host: parts.host,
            spawner: parts.spawner,
            supervisors: parts.supervisors,
            clock: parts.clock,
            mailbox: parts.mailbox,
            mailbox_sender: parts.mailbox_sender,
            children: BTreeMap::new(),
            downs: VecDeque::new(),
            observer: parts.observer,
            status: parts.status,
            threads: parts.threads,
            thread_limit: parts.thread_limit,
            registry: parts.registry,
            name: parts.name,
            start_up: Some(parts.start_up),
            on_exit: parts.on_exit,
            killed: false,
            exited: false,
        }
    }

    /// Runs the start-up (if the core has one), then serves the mailbox until the supervisor
    /// exits.
    pub(crate) fn run(mut self) {
        if !self.host.has_start_up() {
            self.start_up_over(StartUp::Done);
        }
        self.settle();
        while !self.exited {
            if let Some(input) = self.next_input() {
                if self.killed {
                    self.handle_killed(input);
                } else {
                    let now = self.clock.now();
                    self.handle(now, input);
                }
            }
            self.settle();
            // A killed supervisor's driver ends once the last of its children has.
            self.exited |= self.killed && self.children.is_empty();
        }
        // Dropping `self` now frees the name, tells the parent, closes every child's control
        // queue (a thread still waiting in a trapping worker's shutdown ends) and the mailbox
        // (calls still queued learn the supervisor is gone).
    }

    /// Tells whoever waits for the start-up how it ended.
    fn start_up_over(&mut self, outcome: StartUp<C::StartUpError>) {
        if !matches!(outcome, StartUp::Done) {
            // A supervisor whose start-up failed never started: its parent is not told of
            // its exit. Its process ends now: its name is free before its starter learns of
            // the failure (a restart of it must not find the name taken, as on the BEAM).
            self.on_exit = None;
            self.free_name();
        }
        if let Some(waiter) = self.start_up.take() {
            waiter(outcome);
        }
    }

    /// The next mailbox input, or `None` after firing a due deadline (or a spurious wake-up).
    fn next_input(&mut self) -> Option<Input<C, S::Worker>> {
        let deadline = if self.killed {
            None
        } else {
            self.host.deadline()
        };
        let received = match deadline {
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
    fn handle(&mut self, now: Instant, input: Input<C, S::Worker>) {
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
                let delivered = match self.live_worker(pid) {
                    Some(control) => control.send(Control::Message(message)).is_ok(),
                    None => false,
                };
                let _ = reply.send(delivered);
            }
            Input::WorkerCall {
                pid,
                request,
                reply,
            } => match self.live_worker(pid) {
                Some(control) => {
                    if let Err(Control::Call(_, reply)) =
                        control.send(Control::Call(request, reply))
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
            Input::Killed => self.be_killed(),
        }
    }

    /// The supervisor is killed (`Process.exit(pid, :kill)`): it dies at once with `killed`,
    /// without its core's shutdown. Its name is freed, its handles see it `killed`, its
    /// observer gets its end (the core's `SupervisorDown`), its starter or parent learns it;
    /// then every child gets the exit signal `killed` through its link: a worker that does not
    /// trap exits ends with `killed`, one that traps them runs `terminate` and ends with
    /// `killed` (one already stopping finishes its stop), a child supervisor shuts its own
    /// children down and ends with `killed`. The driver stays only to see those ends (each
    /// reported to the observer, none to the core), and its thread ends after the last.
    fn be_killed(&mut self) {
        let reason = ExitReason::Killed;
        self.killed = true;
        self.free_name();
        self.observe(Report::Supervisor(C::down_event(reason.clone())));
        self.status.update(|status| *status = Some(reason.clone()));
        if let Some(waiter) = self.start_up.take() {
            self.on_exit = None;
            waiter(StartUp::Exited(reason.clone()));
        }
        if let Some(on_exit) = self.on_exit.take() {
            on_exit(reason.clone());
        }
        self.downs.clear();
        for child in self.children.values() {
            match child {
                // A thread that has just ended by itself has its exit in the mailbox.
                ChildThread::Worker(control) => {
                    let _ = control.send(Control::Exit(reason.clone()));
                }
                ChildThread::Supervisor(control) => control.signal(reason.clone()),
            }
        }
    }

    /// One input to a killed supervisor: its children's ends are reported; to everything else
    /// it is a process that is gone.
    fn handle_killed(&mut self, input: Input<C, S::Worker>) {
        match input {
            Input::Child(ChildNote::Started { pid, init }) => {
                // The start in progress at the kill: reported, never given to the core.
                if let Some(start) = self.host.pending_start().filter(|s| s.pid == pid) {
                    self.observe(Report::StartAttempt {
                        attempt: start.attempt,
                        outcome: start.outcome(&init),
                    });
                }
                if init != Init::Ok {
                    self.children.remove(&pid);
                }
            }
            Input::Child(ChildNote::Exited { pid, reason }) => {
                if self.children.remove(&pid).is_some() {
                    self.observe(Report::ChildDown { pid, reason });
                }
            }
            Input::Send { reply, .. } | Input::Kill { reply, .. } => {
                let _ = reply.send(false);
            }
            Input::WorkerCall { reply, .. } => {
                let _ = reply.send(Err(CallError::NoProc));
            }
            // Its reply slot closes unanswered: the caller learns `noproc`.
            Input::Call { .. } | Input::ParentExit(_) | Input::Killed => {}
        }
    }

    /// Child `pid`, if it is running: its start has answered, so it is not the start the
    /// core waits for.
    fn live_child(&self, pid: Pid) -> Option<&ChildThread<S::Worker>> {
        self.children
            .get(&pid)
            .filter(|_| self.host.pending_start().map(|start| start.pid) != Some(pid))
    }

    /// The control queue of child `pid`, if it is a running worker (a child supervisor takes
    /// no worker messages or calls).
    fn live_worker(&self, pid: Pid) -> Option<&Sender<Control<S::Worker>>> {
        match self.live_child(pid)? {
            ChildThread::Worker(control) => Some(control),
            ChildThread::Supervisor(_) => None,
        }
    }

    /// A child's `init` (or a child supervisor's start-up) answered.
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
        if self.killed {
            return;
        }
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

    fn perform(&mut self, action: CoreAction<C, ReplySender<C::Reply>>) {
        match action {
            Action::Event(event) => {
                let start_up = C::start_up(&event);
                self.observe(Report::Supervisor(event));
                match start_up {
                    Some(Ok(())) => self.start_up_over(StartUp::Done),
                    Some(Err(error)) => self.start_up_over(StartUp::Failed(error)),
                    None => {}
                }
            }
            Action::Start {
                start,
                function,
                args,
                ..
            } => self.start(start, &function, &args),
            Action::Shutdown { pid } => match self.children.get(&pid) {
                // If the thread has just ended by itself, its exit is in the mailbox.
                Some(ChildThread::Worker(control)) => {
                    let _ = control.send(Control::Exit(ExitReason::Shutdown));
                }
                Some(ChildThread::Supervisor(control)) => control.signal(ExitReason::Shutdown),
                None => {}
            },
            Action::Kill { pid } => self.kill(pid),
            Action::Reply { caller, reply } => {
                // The caller may have given up (a stop with a timeout): nobody to tell.
                let _ = caller.send(reply);
            }
            Action::Exit { reason } => {
                // The process has ended: its name is free before anyone sees it down.
                self.free_name();
                self.status.update(|status| *status = Some(reason));
                self.exited = true;
            }
        }
    }

    /// Runs the start function: a child supervisor starts its own driver (and its start-up);
    /// otherwise the spawner makes the worker and a new thread runs its `init`. The core stays
    /// blocked until that start's note arrives.
    fn start(&mut self, start: StartAttempt, function: &C::Function, args: &[C::Arg]) {
        let now = self.clock.now();
        if self.threads.read(|n| *n) >= self.thread_limit {
            let refused = Init::Stop(ExitReason::other(THREAD_LIMIT));
            return self.start_result(now, start, refused);
        }
        let supervisor = match self.supervisors.as_mut() {
            Some(supervisors) => match crate::driver::guarded(|| supervisors(function, args)) {
                Ok(supervisor) => supervisor,
                Err(panic) => return self.start_result(now, start, Init::Stop(panic)),
            },
            None => None,
        };
        if let Some(supervisor) = supervisor {
            let mailbox = self.mailbox_sender.notifier();
            let link = TreeLink {
                pid: start.pid,
                registry: self.registry.clone(),
                threads: self.threads.clone(),
                thread_limit: self.thread_limit,
                clock: self.clock,
                notify: Box::new(move |note| {
                    // The parent may be gone: nobody to tell.
                    let _ = mailbox.send(Input::Child(note));
                }),
            };
            return match supervisor.launch(link) {
                Ok(control) => {
                    self.children
                        .insert(start.pid, ChildThread::Supervisor(control));
                }
                Err(reason) => self.start_result(now, start, Init::Stop(reason)),
            };
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
                self.children
                    .insert(start.pid, ChildThread::Worker(control));
            }
            Err(_) => {
                let failed = Init::Stop(ExitReason::other("thread_spawn_failed"));
                self.start_result(now, start, failed);
            }
        }
    }

    /// Kills child `pid`: reported `killed` at once; a worker's thread ends when it next looks
    /// at its control queue, without running anything more of the worker; a child supervisor
    /// is killed (see [`Driver::be_killed`]): its children get the exit signal `killed`.
    fn kill(&mut self, pid: Pid) {
        let Some(child) = self.children.remove(&pid) else {
            return;
        };
        match child {
            ChildThread::Worker(control) => {
                let _ = control.send(Control::Kill);
            }
            ChildThread::Supervisor(control) => {
                // Dead to the tree at once: its name is free for its restart.
                self.registry.unregister_pid(pid);
                control.kill();
            }
        }
        self.observe(Report::ChildDown {
            pid,
            reason: ExitReason::Killed,
        });
        self.downs.push_back((pid, ExitReason::Killed));
    }

    fn observe(&mut self, report: Report<C::Event>) {
        let Some(observer) = self.observer.as_mut() else {
            return;
        };
        if crate::driver::guarded(|| observer(&report)).is_err() {
            // A panicking observer is removed; the supervisor goes on.
            self.observer = None;
        }
    }
}

impl<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> Driver<C, S> {
    /// Frees the supervisor's name, if it has one.
    fn free_name(&mut self) {
        if let Some((name, pid)) = self.name.take() {
            self.registry.unregister(&name, pid);
        }
    }
}

impl<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> Drop for Driver<C, S> {
    fn drop(&mut self) {
        // Normally the status says how the supervisor exited; if the driver itself panicked,
        // handles must still learn that it is gone.
        let reason = self.status.update(|status| {
            status
                .get_or_insert_with(|| ExitReason::other("driver_panic"))
                .clone()
        });
        // The process has ended: its name is free, then its starter or parent learns it.
        self.free_name();
        if let Some(waiter) = self.start_up.take() {
            self.on_exit = None;
            waiter(StartUp::Exited(reason.clone()));
        }
        if let Some(on_exit) = self.on_exit.take() {
            on_exit(reason);
        }
    }
}
