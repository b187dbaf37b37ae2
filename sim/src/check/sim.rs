//! The handle a test body drives: the user's workers under the simulator, with the seed's
//! faults injected between deliveries and every decision recorded.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use dynsup::driver::Spawner;
use dynsup::{CallError, ChildSpec, ExitReason, Instant, Pid, Reply, Worker};

use super::any_worker::AnyWorker;
use super::decider::{Decider, FAULT_REASON};
use super::failure::{Failed, FailureKind};
use super::faults::FaultKind;
use crate::simulation::{Cleanup, Simulation};

/// A simulated supervisor running the user's workers, as the test body sees it.
///
/// Every method that lets time pass ([`advance`](Self::advance), and the blocking calls)
/// delivers one message at a time; before each delivery the seed may inject a fault (a
/// crash, a kill, an abnormal or `shutdown` exit of a live child), restarts may have their
/// `init` fail or ignore, trapping children may clean up slowly, and deliveries due at the
/// same instant may come in another order where the BEAM allows it. The library's invariants
/// run after every delivery; a violation fails the run. Operations and draws
/// ([`operation`](Self::operation), [`draw`](Self::draw)) are the body's own decisions: they are
/// recorded, so a failing run can be shrunk and replayed.
pub struct Sim<F, A, S: Spawner<F, A>> {
    sim: Simulation<F, A, S>,
    decider: Rc<RefCell<Decider>>,
    trace: Vec<String>,
    /// Entries of the simulation's trace and events already copied into `trace`.
    seen: (usize, usize),
}

impl<F: Clone, A: Clone, S: Spawner<F, A>> Sim<F, A, S> {
    /// Wraps `sim`, taking every decision from `decider`.
    pub(crate) fn new(mut sim: Simulation<F, A, S>, decider: Rc<RefCell<Decider>>) -> Self {
        let restarts = Rc::clone(&decider);
        sim.set_restart_init(Box::new(move |_old| restarts.borrow_mut().restart_init()));
        let cleanups = Rc::clone(&decider);
        sim.set_cleanup_time(Box::new(move |_pid, _worker| {
            Cleanup::After(cleanups.borrow_mut().slow_cleanup())
        }));
        let orders = Rc::clone(&decider);
        sim.set_same_instant_order(Box::new(move |n| orders.borrow_mut().order(n)));
        Sim {
            sim,
            decider,
            trace: Vec::new(),
            seen: (0, 0),
        }
    }

    /// The trace so far: operations, draws, faults, and everything the simulation observed.
    pub fn trace(&self) -> &[String] {
        &self.trace
    }

    /// Adds a line of the test's own to the trace (compared between the two runs of a seed,
    /// and shown in a failure's report).
    pub fn log(&mut self, line: impl fmt::Display) {
        let line = format!("@{} log {line}", self.sim.now());
        self.trace.push(line);
    }

    // ----- the body's own decisions -----------------------------------------------------

    /// The next operation: a kind below `kinds`, or `None` once the run has had its
    /// operations (the builder's [`operations`](super::Check::operations)). Shrinking drops
    /// whole operations, with their draws and the faults that struck during them.
    pub fn operation(&mut self, kinds: usize) -> Option<usize> {
        let kind = self.decider.borrow_mut().operation(kinds);
        let line = match kind {
            Some(kind) => format!("@{} op {kind}", self.sim.now()),
            None => format!("@{} end of operations", self.sim.now()),
        };
        self.trace.push(line);
        kind
    }

    /// A number below `below` (0 if `below` is 0), recorded with the current operation.
    pub fn draw(&mut self, below: u64) -> u64 {
        let value = self.decider.borrow_mut().draw(below);
        self.trace.push(format!("@{} draw {value}", self.sim.now()));
        value
    }

    /// One of `items` (`None` if it is empty), drawn as [`draw`](Self::draw) does.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let index = self.draw(items.len() as u64);
        items.get(usize::try_from(index).ok()?)
    }

    // ----- observation -------------------------------------------------------------------

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.sim.now()
    }

    /// The simulation underneath, for anything else it can tell (the supervisor core, its
    /// events, `next_due`).
    pub fn simulation(&self) -> &Simulation<F, A, S> {
        &self.sim
    }

    /// Whether the child process `pid` is alive.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.sim.is_alive(pid)
    }

    /// The live child processes, in pid order.
    pub fn live_children(&self) -> Vec<Pid> {
        self.sim.live_children()
    }

    /// Whether the supervisor is still running (a restart intensity exceeded or a `stop`
    /// ends it).
    pub fn supervisor_alive(&self) -> bool {
        self.sim.supervisor().view().is_alive()
    }

    /// The worker of the live child `pid`: its state, as the spawner's worker type.
    pub fn worker(&self, pid: Pid) -> Option<&S::Worker> {
        self.sim.worker(pid)
    }

    /// The worker of the live child `pid` as its concrete type `T`, for spawners that make
    /// boxed `dyn` workers ([`BoxedAnyWorker`](super::BoxedAnyWorker)); `None` if it is not
    /// alive or not a `T`.
    pub fn worker_as<T: 'static>(&self, pid: Pid) -> Option<&T>
    where
        S::Worker: AnyWorker,
    {
        self.sim.worker(pid)?.as_any().downcast_ref::<T>()
    }

    // ----- driving -----------------------------------------------------------------------

    /// `start_child(spec)`, waiting for the supervisor's reply (an invalid spec fails the
    /// run, naming the caller's line).
    #[track_caller]
    pub fn start_child(&mut self, spec: ChildSpec<F, A>) -> Result<Reply, Failed> {
        let call = match self.sim.start_child(spec) {
            Ok(call) => call,
            Err(err) => return Err(Failed::assertion(format!("invalid child spec: {err}"))),
        };
        self.wait(|sim| sim.take_reply(call))
    }

    /// `terminate_child(pid)`, waiting for the reply.
    pub fn terminate_child(&mut self, pid: Pid) -> Result<Reply, Failed> {
        let call = self.sim.terminate_child(pid);
        self.wait(|sim| sim.take_reply(call))
    }

    /// `count_children()`, waiting for the reply.
    pub fn count_children(&mut self) -> Result<Reply, Failed> {
        let call = self.sim.count_children();
        self.wait(|sim| sim.take_reply(call))
    }

    /// `which_children()`, waiting for the reply.
    pub fn which_children(&mut self) -> Result<Reply, Failed> {
        let call = self.sim.which_children();
        self.wait(|sim| sim.take_reply(call))
    }

    /// `DynamicSupervisor.stop(sup, reason)`, waiting until it has stopped.
    pub fn stop(&mut self, reason: ExitReason) -> Result<Reply, Failed> {
        let call = self.sim.stop(reason);
        self.wait(|sim| sim.take_reply(call))
    }

    /// The body's own fault: the child `pid` exits with `reason` now (its exit signal
    /// reaches the supervisor as time passes). Whether it was alive.
    pub fn exit_child(&mut self, pid: Pid, reason: ExitReason) -> bool {
        let now = self.sim.now();
        self.trace.push(format!("@{now} exit {pid} {reason}"));
        self.sim.exit_child(pid, reason)
    }

    /// The body's own fault: the child `pid` is killed now. Whether it was alive.
    pub fn kill_child(&mut self, pid: Pid) -> bool {
        let now = self.sim.now();
        self.trace.push(format!("@{now} kill {pid}"));
        self.sim.kill_child(pid)
    }

    /// Sends `message` to `pid` (it arrives later, as time passes); whether `pid` was alive.
    pub fn send(&mut self, pid: Pid, message: <S::Worker as Worker>::Message) -> bool {
        let alive = self.sim.send(pid, message);
        let now = self.sim.now();
        self.trace
            .push(format!("@{now} send to {pid} (alive: {alive})"));
        alive
    }

    /// Calls `pid` and waits for its answer, or for the [`CallError`] (`Timeout` after
    /// `timeout_ms` of virtual time, `NoProc`, or its exit).
    pub fn call(
        &mut self,
        pid: Pid,
        request: <S::Worker as Worker>::Call,
        timeout_ms: u64,
    ) -> Result<Result<<S::Worker as Worker>::Reply, CallError>, Failed> {
        let call = self.sim.call(pid, request, timeout_ms);
        let answer = self.wait(|sim| sim.take_call(call))?;
        let now = self.sim.now();
        let line = match &answer {
            Ok(_) => format!("@{now} call to {pid} answered"),
            Err(err) => format!("@{now} call to {pid} failed: {err:?}"),
        };
        self.trace.push(line);
        Ok(answer)
    }

    /// Lets `millis` of virtual time pass, delivering (and faulting) everything due.
    pub fn advance(&mut self, millis: u64) -> Result<(), Failed> {
        let until = self.sim.now().saturating_add_millis(millis);
        while self.sim.next_due().is_some_and(|at| at <= until) {
            self.step()?;
        }
        self.sim.run_until(until)?;
        Ok(())
    }

    /// Runs until `take` finds what it waits for.
    fn wait<T>(
        &mut self,
        mut take: impl FnMut(&mut Simulation<F, A, S>) -> Option<T>,
    ) -> Result<T, Failed> {
        loop {
            if let Some(found) = take(&mut self.sim) {
                return Ok(found);
            }
            if !self.step()? {
                return Err(Failed::new(
                    FailureKind::Simulator("waits-forever"),
                    "a reply the test waits for can never arrive: nothing is in flight",
                ));
            }
        }
    }

    /// One delivery, after a fault if the seed strikes now. `false`: nothing in flight.
    fn step(&mut self) -> Result<bool, Failed> {
        if self.sim.next_due().is_some() {
            let live = self.sim.live_children();
            let fault = self.decider.borrow_mut().exit_fault(live.len());
            if let Some((kind, target)) = fault {
                if let Some(&pid) = live.get(target) {
                    self.inject(kind, pid);
                }
            }
        }
        let stepped = self.sim.step();
        self.decider.borrow_mut().delivered();
        self.copy_trace();
        Ok(stepped?)
    }

    fn inject(&mut self, kind: FaultKind, pid: Pid) {
        let now = self.sim.now();
        self.trace.push(format!("@{now} fault {kind} {pid}"));
        match kind {
            FaultKind::Kill => self.sim.kill_child(pid),
            FaultKind::ShutdownExit => self.sim.exit_child(pid, ExitReason::Shutdown),
            FaultKind::AbnormalExit => self.sim.exit_child(pid, ExitReason::other(FAULT_REASON)),
            _ => self
                .sim
                .exit_child(pid, ExitReason::other(dynsup::driver::PANIC)),
        };
    }

    /// Copies what the simulation observed since the last copy into the trace.
    fn copy_trace(&mut self) {
        let (entries, events) = self.seen;
        for entry in self.sim.trace().get(entries..).unwrap_or(&[]) {
            self.trace.push(format!("@{} {:?}", entry.at, entry.event));
        }
        for (at, event) in self.sim.supervisor_events().get(events..).unwrap_or(&[]) {
            self.trace.push(format!("@{at} event {event:?}"));
        }
        self.seen = (self.sim.trace().len(), self.sim.supervisor_events().len());
    }

    /// Moves the body-visible decisions of the run out, with the trace.
    pub(crate) fn finish(mut self) -> Vec<String> {
        self.copy_trace();
        self.trace
    }
}

/// The pid of a started child, if `reply` (to `start_child`) says it is running.
pub fn started_pid(reply: &Reply) -> Option<Pid> {
    match reply {
        Reply::StartChild(Ok(dynsup::Started::Running { pid, .. })) => Some(*pid),
        _ => None,
    }
}
