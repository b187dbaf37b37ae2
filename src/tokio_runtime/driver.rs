//! The supervisor task: it owns the sans-IO core (either one, through the shared [`Host`]),
//! serves the supervisor's mailbox, performs the core's effects with tokio tasks (a worker's
//! task, or a child supervisor's own task), and sleeps until the core's next deadline on
//! tokio's clock. The same loop as the threaded runtime's driver.
//!
//! # A worker's start, and its task
//!
//! The start function runs on the supervisor's task: the spawner makes the worker and its
//! `init` runs there too. The core is blocked until `init` answers anyway (OTP's supervisor
//! waits in `start_link`), so nothing a caller or the core sees changes, and a start costs no
//! task switch beyond the caller's. Inputs that reached the mailbox while the start ran go to
//! the core before the start's outcome (on the BEAM they are queued before the retry of a
//! failed restart, which the core puts at the back of its mailbox), and after a failed start
//! the driver yields to the runtime before it goes on, so that a restart retried for ever does
//! not hold a runtime thread.
//!
//! A worker whose `init` succeeded gets a task only once it has something to do: a timer (set
//! by `init`), a message, a call, or a shutdown it traps. Until then it is *idle*: the driver
//! holds its process, and nothing of the worker could run anyway (its callbacks run only for
//! those inputs). A child supervisor starts its own task at once (its start-up runs there).
//!
//! # A shutdown that kills at once
//!
//! An idle worker that does not trap exits, asked to shut down, dies at once with `shutdown`
//! without running any of its code but `traps_exits` (as OTP's exit signal kills a process
//! that does not trap exits): the driver asks `traps_exits` on its own task, where nothing else
//! of the worker can run meanwhile, drops the worker and reports the exit itself. This is exact
//! because the process is idle: it has no task that could have exited by itself (with its real
//! reason on its way in the mailbox), no callback running, and no message queued ahead of the
//! exit signal. A worker that has a task gets the shutdown through its control channel, as
//! before: its `traps_exits` is asked there, after whatever was queued before it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, watch};

use crate::call_error::CallError;
use crate::driver::{Action, Core, CoreAction, Host, Process, Spawner, StartAttempt};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::{Registry, Report, SendWorker};
pub(crate) use crate::runtime::{RuntimeCore, StartUp, StartUpWaiter};
use crate::time::Instant;
use crate::tokio_runtime::child::{self, CallReply, ChildNote, CleanupTime, Control};
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::mailbox;
use crate::tokio_runtime::tree::{SubtreeControl, SupervisorChildren, TreeLink};
use crate::worker::{Init, Worker};

/// The observer of a running supervisor, called on the supervisor's task; `E` is the core's
/// event.
pub(crate) type Observer<E> = Box<dyn FnMut(&Report<E>) + Send>;

/// What the driver knows of one child process.
enum ChildTask<W: Worker + ?Sized> {
    /// A worker in its own task, reached by its control mailbox.
    Worker {
        control: mailbox::Sender<Control<W>>,
        task: tokio::task::JoinHandle<()>,
    },
    /// A worker whose `init` succeeded and which has had nothing to do since: no task yet.
    Idle(Box<Process<W>>),
    /// A child supervisor, reached by its parent-exit signal.
    Supervisor(Box<dyn SubtreeControl>),
}

/// The supervisor's status as handles see it: `None` while alive, then its exit reason.
pub(crate) type Status = Option<ExitReason>;

/// One message in the supervisor's mailbox.
pub(crate) enum Input<C: Core, W: Worker + ?Sized> {
    /// A call from a handle, answered on `reply`.
    Call {
        request: C::Request,
        reply: oneshot::Sender<C::Reply>,
    },
    /// A child's note (a worker task's, or a child supervisor's).
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
    /// The supervisor itself is killed (by its parent, or from outside): see
    /// [`Driver::be_killed`].
    Killed,
}

/// The parts a driver is built from.
pub(crate) struct Parts<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> {
    pub(crate) host: Host<C::Function, C::Arg, oneshot::Sender<C::Reply>, C>,
    pub(crate) spawner: S,
    pub(crate) supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
    pub(crate) clock: Clock,
    pub(crate) mailbox: UnboundedReceiver<Input<C, S::Worker>>,
    pub(crate) mailbox_sender: UnboundedSender<Input<C, S::Worker>>,
    pub(crate) observer: Option<Observer<C::Event>>,
    pub(crate) cleanup: Option<CleanupTime<S::Worker>>,
    pub(crate) status: watch::Sender<Status>,
    pub(crate) registry: Registry,
    pub(crate) name: Option<(String, Pid)>,
    pub(crate) start_up: StartUpWaiter<C::StartUpError>,
    pub(crate) on_exit: Option<Box<dyn FnOnce(ExitReason) + Send>>,
}

/// The supervisor task's state.
pub(crate) struct Driver<C: RuntimeCore, S: Spawner<C::Function, C::Arg>> {
    host: Host<C::Function, C::Arg, oneshot::Sender<C::Reply>, C>,
    spawner: S,
    supervisors: Option<SupervisorChildren<C::Function, C::Arg>>,
    clock: Clock,
    mailbox: UnboundedReceiver<Input<C, S::Worker>>,
    /// Keeps the mailbox open while the driver runs, and makes the child tasks' notifiers.
    mailbox_sender: UnboundedSender<Input<C, S::Worker>>,
    children: BTreeMap<Pid, ChildTask<S::Worker>>,
    /// Deaths the driver caused (kills), to give to the core before the next mailbox input.
    downs: VecDeque<(Pid, ExitReason)>,
    observer: Option<Observer<C::Event>>,
    cleanup: Option<CleanupTime<S::Worker>>,
    status: watch::Sender<Status>,
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
    /// A start failed: the driver lets other tasks run before it goes on (a restart retried
    /// for ever must not hold the runtime's thread).
    yield_wanted: bool,
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
            cleanup: parts.cleanup,
            status: parts.status,
            registry: parts.registry,
            name: parts.name,
            start_up: Some(parts.start_up),
            on_exit: parts.on_exit,
            killed: false,
            exited: false,
            yield_wanted: false,
        }
    }

    /// Runs the start-up (if the core has one), then serves the mailbox until the supervisor
    /// exits.
    pub(crate) async fn run(mut self) {
        if !self.host.has_start_up() {
            self.start_up_over(StartUp::Done);
        }
        loop {
            self.settle();
            while self.yield_wanted && !self.exited {
                self.yield_wanted = false;
                tokio::task::yield_now().await;
                self.settle();
            }
            // A killed supervisor's task ends once the last of its children has.
            if self.exited || (self.killed && self.children.is_empty()) {
                return;
            }
            if let Some(input) = self.next_input().await {
                if self.killed {
                    self.handle_killed(input);
                } else {
                    let now = self.clock.now();
                    self.handle(now, input);
                }
            }
        }
    }

    /// Tells whoever waits for the start-up how it ended.
    fn start_up_over(&mut self, outcome: StartUp<C::StartUpError>) {
        if !matches!(outcome, StartUp::Done) {
            // A supervisor whose start-up failed never started: its parent is not told of
            // its exit.
            self.on_exit = None;
        }
        if let Some(waiter) = self.start_up.take() {
            waiter(outcome);
        }
    }

    /// The next mailbox input, or `None` after firing a due deadline.
    async fn next_input(&mut self) -> Option<Input<C, S::Worker>> {
        let deadline = if self.killed {
            None
        } else {
            self.host.deadline()
        };
        let received = match deadline {
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
    /// `killed` once its cleanup time has passed (one already stopping finishes its stop), a
    /// child supervisor shuts its own children down and ends with `killed`. The task stays
    /// only to see those ends (each reported to the observer, none to the core), and ends
    /// after the last.
    fn be_killed(&mut self) {
        let reason = ExitReason::Killed;
        self.killed = true;
        self.free_name();
        self.observe(Report::Supervisor(C::down_event(reason.clone())));
        self.status.send_replace(Some(reason.clone()));
        if let Some(waiter) = self.start_up.take() {
            self.on_exit = None;
            waiter(StartUp::Exited(reason.clone()));
        }
        if let Some(on_exit) = self.on_exit.take() {
            on_exit(reason.clone());
        }
        let pids: Vec<Pid> = self.children.keys().copied().collect();
        for pid in pids {
            self.exit_signal(pid, &reason);
        }
        self.downs.clear();
    }

    /// One input to a killed supervisor: its children's ends are reported; to everything else
    /// it is a process that is gone.
    fn handle_killed(&mut self, input: Input<C, S::Worker>) {
        match input {
            Input::Child(ChildNote::Started { pid, init }) => {
                // The child supervisor starting at the kill: reported, never given to the core.
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

    /// Child `pid`, if it is running: its `init` has answered, so it is not the start the
    /// core waits for.
    fn live_child(&self, pid: Pid) -> Option<&ChildTask<S::Worker>> {
        self.children
            .get(&pid)
            .filter(|_| self.host.pending_start().map(|start| start.pid) != Some(pid))
    }

    /// The control mailbox of child `pid`, if it is a running worker (a child supervisor
    /// takes no worker messages or calls); an idle worker gets its task now.
    fn live_worker(&mut self, pid: Pid) -> Option<&mailbox::Sender<Control<S::Worker>>> {
        self.live_child(pid)?;
        if matches!(self.children.get(&pid), Some(ChildTask::Idle(_))) {
            if let Some(ChildTask::Idle(process)) = self.children.remove(&pid) {
                let task = self.task_of(*process);
                self.children.insert(pid, task);
            }
        }
        match self.children.get(&pid)? {
            ChildTask::Worker { control, .. } => Some(control),
            ChildTask::Idle(_) | ChildTask::Supervisor(_) => None,
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

    /// Gives the core the outcome of a start that ran on the supervisor's task. Inputs that
    /// reached the mailbox while it ran go to the core first, as on the BEAM, where they are
    /// queued before the retry of a failed restart (which the core puts at the back of its
    /// mailbox).
    fn inline_start_result(&mut self, now: Instant, start: StartAttempt, init: Init) {
        while let Ok(input) = self.mailbox.try_recv() {
            self.handle(now, input);
        }
        self.start_result(now, start, init);
    }

    fn start_result(&mut self, now: Instant, start: StartAttempt, init: Init) {
        if init != Init::Ok {
            self.yield_wanted = true;
        }
        self.observe(Report::StartAttempt {
            attempt: start.attempt,
            outcome: start.outcome(&init),
        });
        // Only fails when the start answered is not the pending one, which never happens.
        let _ = self.host.start_result(now, start, init);
    }

    /// Performs every action and feeds back every death the driver caused, until the core has
    /// nothing more to do, or a start failed (the run loop then yields before going on).
    fn settle(&mut self) {
        if self.killed {
            return;
        }
        loop {
            if self.yield_wanted {
                return;
            }
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

    fn perform(&mut self, action: CoreAction<C, oneshot::Sender<C::Reply>>) {
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
            Action::Shutdown { pid } => self.exit_signal(pid, &ExitReason::Shutdown),
            Action::Kill { pid } => self.kill(pid),
            Action::Reply { caller, reply } => {
                // The caller may have given up (a stop with a timeout): nobody to tell.
                let _ = caller.send(reply);
            }
            Action::Exit { reason } => {
                // The process has ended: its name is free before anyone sees it down.
                self.free_name();
                self.status.send_replace(Some(reason));
                self.exited = true;
            }
        }
    }

    /// Runs the start function: a child supervisor starts its own task (and its start-up), and
    /// the core stays blocked until its note arrives; otherwise the spawner makes the worker
    /// and its `init` runs, both on the supervisor's task (see the module docs), and a worker
    /// that set a timer gets its task at once, any other stays idle.
    fn start(&mut self, start: StartAttempt, function: &C::Function, args: &[C::Arg]) {
        let now = self.clock.now();
        let supervisor = match self.supervisors.as_mut() {
            Some(supervisors) => match crate::driver::guarded(|| supervisors(function, args)) {
                Ok(supervisor) => supervisor,
                Err(panic) => return self.start_result(now, start, Init::Stop(panic)),
            },
            None => None,
        };
        if let Some(supervisor) = supervisor {
            let mailbox = self.mailbox_sender.downgrade();
            let link = TreeLink {
                pid: start.pid,
                registry: self.registry.clone(),
                clock: self.clock,
                notify: Arc::new(move |note| {
                    // The parent may be gone: nobody to tell.
                    if let Some(mailbox) = mailbox.upgrade() {
                        let _ = mailbox.send(Input::Child(note));
                    }
                }),
            };
            return match supervisor.launch(link) {
                Ok(control) => {
                    self.children
                        .insert(start.pid, ChildTask::Supervisor(control));
                }
                Err(reason) => self.start_result(now, start, Init::Stop(reason)),
            };
        }
        let mut process = match Process::spawn(&mut self.spawner, function, args, start.pid, now) {
            Ok(process) => process,
            Err(reason) => return self.inline_start_result(now, start, Init::Stop(reason)),
        };
        let init = process.init(now);
        if init != Init::Ok {
            process.dispose();
            return self.inline_start_result(now, start, init);
        }
        let child = if process.next_timer().is_some() {
            self.task_of(process)
        } else {
            ChildTask::Idle(Box::new(process))
        };
        self.children.insert(start.pid, child);
        self.inline_start_result(now, start, Init::Ok);
    }

    /// A task of its own for `process`, whose `init` has succeeded.
    fn task_of(&self, process: Process<S::Worker>) -> ChildTask<S::Worker> {
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
        ChildTask::Worker { control, task }
    }

    /// Sends child `pid` the exit signal `signal` (`shutdown` from the core, or `killed` from
    /// a killed supervisor's broken link). An idle worker that does not trap exits dies at
    /// once (see the module docs); one that traps them gets its task for its `terminate`.
    fn exit_signal(&mut self, pid: Pid, signal: &ExitReason) {
        if let Some(ChildTask::Idle(process)) = self.children.get(&pid) {
            let reason = match crate::driver::guarded(|| process.worker().traps_exits()) {
                Ok(false) => signal.clone(),
                // As `Process::shutdown` says: a panic in `traps_exits` is the exit.
                Err(panic) => panic,
                Ok(true) => {
                    if let Some(control) = self.live_worker(pid) {
                        // The task is new: its control channel is open.
                        let _ = control.send(Control::Exit(signal.clone()));
                    }
                    return;
                }
            };
            if let Some(ChildTask::Idle(process)) = self.children.remove(&pid) {
                process.dispose();
            }
            self.observe(Report::ChildDown {
                pid,
                reason: reason.clone(),
            });
            self.downs.push_back((pid, reason));
            return;
        }
        match self.children.get(&pid) {
            // If the task has just ended by itself, its exit is in the mailbox.
            Some(ChildTask::Worker { control, .. }) => {
                let _ = control.send(Control::Exit(signal.clone()));
            }
            Some(ChildTask::Supervisor(control)) => control.signal(signal.clone()),
            Some(ChildTask::Idle(_)) | None => {}
        }
    }

    /// Kills child `pid`: a worker's task is aborted; a child supervisor is killed (its name
    /// is freed at once; see [`Driver::be_killed`]): its children get the exit signal
    /// `killed`. Either is reported `killed` at once.
    fn kill(&mut self, pid: Pid) {
        let Some(child) = self.children.remove(&pid) else {
            return;
        };
        match child {
            ChildTask::Worker { task, .. } => task.abort(),
            ChildTask::Idle(process) => process.dispose(),
            ChildTask::Supervisor(control) => {
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
        // Children still running (only if the supervisor task itself was dropped early: the
        // runtime shut down, or the driver panicked) end with it.
        for (_, child) in std::mem::take(&mut self.children) {
            match child {
                ChildTask::Worker { task, .. } => task.abort(),
                ChildTask::Idle(process) => process.dispose(),
                ChildTask::Supervisor(control) => control.signal(ExitReason::Killed),
            }
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
        let reason = self
            .status
            .borrow()
            .clone()
            .unwrap_or_else(|| ExitReason::other("driver_panic"));
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
