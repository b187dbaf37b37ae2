//! The tree world: many supervisors (static and dynamic cores) and scripted workers in one
//! deterministic simulation, with one pid counter, one virtual clock, one delivery queue,
//! links and a name registry.
//!
//! Deliveries are ordered by (time, tie class, sequence number), as in the one-supervisor
//! simulator (its queue and tie classes are reused). Starting a process takes no virtual time;
//! a supervisor's start-up is event-driven: its parent waits until it reports the end of its
//! start-up. Nothing reads a wall clock and no hash order is used.

use std::collections::{BTreeMap, VecDeque};

use dynsup::{CallId, ExitReason, Instant, Pid, StartOutcome};

use super::calls::{call_core, static_spec, Request};
use super::core::{Core, CoreEffect, CoreNote, CoreReply};
use super::model::{NodeKind, NodeRef, Tree};
use super::registry::Registry;
use super::trace::{TreeEntry, TreeEvent};
use crate::scenario::InitOutcome;
use crate::simulation::queue::Queue;
use crate::simulation::Tie;

/// Failed restarts of one supervisor in a row before the run is declared unsettled.
pub const FAILED_RESTARTS_MAX: u64 = 100_000;
/// Deliveries in one run before it is declared unsettled.
pub const DELIVERIES_MAX: u64 = 50_000_000;

/// Why the world stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    /// The tree never comes to rest.
    DoesNotSettle(String),
    /// A checker found a violation.
    Violation(String),
    /// A core refused an input (a bug of the world).
    Driver(String),
    /// A run-time limit was passed (format 1's: live processes, transcript size).
    TooLarge(String),
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::DoesNotSettle(what) => write!(f, "does not settle: {what}"),
            WorldError::Violation(what) => write!(f, "invariant violated: {what}"),
            WorldError::Driver(what) => write!(f, "driver error: {what}"),
            WorldError::TooLarge(what) => write!(f, "too large to run: {what}"),
        }
    }
}

impl std::error::Error for WorldError {}

/// A message to a supervisor.
#[derive(Debug)]
enum SupMsg {
    ChildExit { child: Pid, reason: ExitReason },
    ParentExit { reason: ExitReason },
    Timeout,
    Call { call: CallId, request: Request },
}

/// Something in flight.
#[derive(Debug)]
enum Delivery {
    ToSup { pid: Pid, msg: SupMsg },
    WorkerStops { pid: Pid, reason: ExitReason },
}

/// A live process.
#[derive(Debug)]
struct Proc {
    node: usize,
    attempt: u64,
    parent: Option<Pid>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Worker {
        trap_exit: bool,
        stop_ms: u64,
        stopping: bool,
    },
    Sup {
        core: Core,
        initialized: bool,
        timeout_at: Option<Instant>,
    },
}

/// Checks the world after every delivery and every step (see [`super::invariants`]).
pub trait TreeChecker {
    /// Looks at the trace entries since the last call; `at_rest` when nothing is in flight.
    fn check(&mut self, tree: &Tree, new: &[TreeEntry], at_rest: bool) -> Result<(), String>;
}

/// The simulated tree.
pub struct World<'t> {
    tree: &'t Tree,
    now: Instant,
    queue: Queue<(Instant, Tie, u64), Delivery>,
    sequence: u64,
    procs: BTreeMap<Pid, Proc>,
    registry: Registry,
    next_pid: u64,
    next_call: u64,
    attempts: Vec<u64>,
    refs: BTreeMap<NodeRef, Pid>,
    names: BTreeMap<Pid, NodeRef>,
    dirty: VecDeque<Pid>,
    replies: BTreeMap<CallId, CoreReply>,
    trace: Vec<TreeEntry>,
    checked: usize,
    outcomes: Vec<String>,
    root: Option<Pid>,
    root_start: Option<Result<(), ExitReason>>,
    deliveries: u64,
    failed_restarts: BTreeMap<Pid, u64>,
    error: Option<WorldError>,
    checker: Option<Box<dyn TreeChecker>>,
}

impl<'t> World<'t> {
    /// A world for `tree`, nothing started yet.
    pub fn new(tree: &'t Tree) -> Self {
        World {
            tree,
            now: Instant::ZERO,
            queue: Queue::new(),
            sequence: 0,
            procs: BTreeMap::new(),
            registry: Registry::default(),
            next_pid: 1,
            next_call: 0,
            attempts: vec![0; tree.nodes.len()],
            refs: BTreeMap::new(),
            names: BTreeMap::new(),
            dirty: VecDeque::new(),
            replies: BTreeMap::new(),
            trace: Vec::new(),
            checked: 0,
            outcomes: Vec::new(),
            root: None,
            root_start: None,
            deliveries: 0,
            failed_restarts: BTreeMap::new(),
            error: None,
            checker: None,
        }
    }

    /// Runs `checker` after every delivery and every step from now on.
    pub fn set_checker(&mut self, checker: Box<dyn TreeChecker>) {
        self.checker = Some(checker);
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The whole trace so far.
    pub fn trace(&self) -> &[TreeEntry] {
        &self.trace
    }

    /// The transcript events since the last call (unsorted).
    pub fn take_outcomes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.outcomes)
    }

    /// How many processes are alive.
    pub fn live_count(&self) -> usize {
        self.procs.len()
    }

    /// The pids of every live process, in ascending order.
    pub fn live(&self) -> Vec<Pid> {
        self.procs.keys().copied().collect()
    }

    /// The name of node `node`.
    pub fn node_name(&self, node: usize) -> &'t str {
        self.tree.name(node)
    }

    /// The `NAME#K` text of a reference.
    pub fn ref_text(&self, r: NodeRef) -> String {
        format!("{}#{}", self.tree.name(r.node), r.attempt)
    }

    /// The `NAME#K` of process `pid` (`?` for none).
    pub fn pid_text(&self, pid: Pid) -> String {
        self.names
            .get(&pid)
            .map_or_else(|| "?".to_owned(), |r| self.ref_text(*r))
    }

    /// The process of a reference, if that attempt created one that is still alive.
    pub fn live_pid(&self, r: NodeRef) -> Option<Pid> {
        self.refs
            .get(&r)
            .copied()
            .filter(|pid| self.procs.contains_key(pid))
    }

    /// The process of a reference, alive or not, if that attempt ever ran.
    pub fn pid_of(&self, r: NodeRef) -> Option<Pid> {
        self.refs.get(&r).copied()
    }

    /// The node and attempt of process `pid`, if it ever ran.
    pub fn ref_of(&self, pid: Pid) -> Option<NodeRef> {
        self.names.get(&pid).copied()
    }

    /// The supervisor of live process `pid` (`None` for the root or a process not alive).
    pub fn parent_of(&self, pid: Pid) -> Option<Pid> {
        self.procs.get(&pid).and_then(|p| p.parent)
    }

    /// The process registered as supervisor `node`.
    pub fn whereis(&self, node: usize) -> Option<Pid> {
        self.registry.whereis(node)
    }

    // ----- the root ----------------------------------------------------------------------

    /// Starts the root at time 0 and runs its start-up to the end: `Err(reason)` when it
    /// failed.
    pub fn start_root(&mut self) -> Result<Result<(), ExitReason>, WorldError> {
        let pid = self.spawn(None, 0)?;
        self.root = pid;
        self.run_dirty()?;
        loop {
            if let Some(result) = self.root_start.clone() {
                return Ok(result);
            }
            if !self.step()? {
                return Err(self.stuck());
            }
        }
    }

    /// Whether the root is alive.
    pub fn root_alive(&self) -> bool {
        self.root.is_some_and(|pid| self.procs.contains_key(&pid))
    }

    /// The root's exit signal `shutdown` from its parent (the `stop` step).
    pub fn stop_root(&mut self) -> bool {
        let Some(pid) = self.root.filter(|pid| self.procs.contains_key(pid)) else {
            return false;
        };
        let reason = ExitReason::Shutdown;
        self.schedule(
            self.now,
            Delivery::ToSup {
                pid,
                msg: SupMsg::ParentExit { reason },
            },
        );
        true
    }

    // ----- steps -------------------------------------------------------------------------

    /// Calls supervisor `pid` and runs until the answer arrives.
    pub fn call(&mut self, pid: Pid, request: Request) -> Result<CoreReply, WorldError> {
        self.next_call += 1;
        let call = CallId(self.next_call);
        let deleted = match request {
            Request::Delete(node) => Some(node),
            _ => None,
        };
        self.schedule(
            self.now,
            Delivery::ToSup {
                pid,
                msg: SupMsg::Call { call, request },
            },
        );
        loop {
            if let Some(reply) = self.replies.remove(&call) {
                let ok = CoreReply::Static(dynsup::static_supervisor::Reply::DeleteChild(Ok(())));
                if let (Some(node), true) = (deleted, reply == ok) {
                    self.record(TreeEvent::Deleted { sup: pid, node });
                }
                self.run_checker()?;
                return Ok(reply);
            }
            if !self.step()? {
                return Err(self.stuck());
            }
        }
    }

    /// Process `pid` (a worker) exits by itself with `reason`; whether it was alive.
    pub fn exit(&mut self, pid: Pid, reason: ExitReason) -> Result<bool, WorldError> {
        let alive = self.procs.contains_key(&pid);
        if alive {
            self.end(pid, reason);
            self.run_dirty()?;
            self.run_checker()?;
        }
        Ok(alive)
    }

    /// Process `pid` is killed from outside; whether it was alive.
    pub fn kill(&mut self, pid: Pid) -> Result<bool, WorldError> {
        let alive = self.procs.contains_key(&pid);
        if alive {
            self.kill_now(pid)?;
            self.run_dirty()?;
            self.run_checker()?;
        }
        Ok(alive)
    }

    // ----- time --------------------------------------------------------------------------

    /// Moves the clock to `until` and lets every supervisor finish what it is busy with.
    pub fn settle(&mut self, until: Instant) -> Result<(), WorldError> {
        self.run_until(until)?;
        while self.any_busy() {
            if !self.step()? {
                return Err(self.stuck());
            }
            let now = self.now;
            self.run_until(now)?;
        }
        Ok(())
    }

    /// Runs until nothing is in flight.
    pub fn finish(&mut self) -> Result<(), WorldError> {
        while self.step()? {}
        if self.any_busy() {
            return Err(self.stuck());
        }
        self.run_checker()
    }

    fn run_until(&mut self, until: Instant) -> Result<(), WorldError> {
        let until = until.max(self.now);
        while self.queue.first_key().is_some_and(|(at, _, _)| at <= until) {
            self.step()?;
        }
        self.now = self.now.max(until);
        Ok(())
    }

    /// Whether settling must go on: a supervisor is busy, or a killed supervisor's child is
    /// still stopping (its parent is gone).
    fn any_busy(&self) -> bool {
        self.procs.values().any(|p| {
            let orphan = p
                .parent
                .is_some_and(|parent| !self.procs.contains_key(&parent));
            orphan
                || match &p.body {
                    Body::Sup { core, .. } => core.is_busy(),
                    Body::Worker { .. } => false,
                }
        })
    }

    fn stuck(&mut self) -> WorldError {
        let waiting = self.procs.iter().find_map(|(&pid, p)| match &p.body {
            Body::Sup { core, .. } if core.is_busy() => Some(pid),
            _ => None,
        });
        let what = match waiting {
            Some(pid) => format!("supervisor {} waits forever", self.pid_text(pid)),
            None => "a call is never answered".to_owned(),
        };
        self.fail(WorldError::DoesNotSettle(what))
    }

    fn fail(&mut self, err: WorldError) -> WorldError {
        self.error = Some(err.clone());
        err
    }

    /// Delivers the next due message; `false` when nothing is in flight.
    fn step(&mut self) -> Result<bool, WorldError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let Some(((at, _, _), delivery)) = self.queue.pop_first() else {
            return Ok(false);
        };
        self.deliveries += 1;
        if self.deliveries > DELIVERIES_MAX {
            let what = format!("more than {DELIVERIES_MAX} deliveries");
            return Err(self.fail(WorldError::DoesNotSettle(what)));
        }
        self.now = self.now.max(at);
        self.deliver(delivery)?;
        self.run_dirty()?;
        self.run_checker()?;
        Ok(true)
    }

    fn run_checker(&mut self) -> Result<(), WorldError> {
        let Some(mut checker) = self.checker.take() else {
            self.checked = self.trace.len();
            return Ok(());
        };
        let new = self.trace.get(self.checked..).unwrap_or(&[]);
        let verdict = checker.check(self.tree, new, self.queue.is_empty());
        self.checker = Some(checker);
        self.checked = self.trace.len();
        verdict.map_err(|v| self.fail(WorldError::Violation(v)))
    }

    fn schedule(&mut self, at: Instant, delivery: Delivery) {
        self.sequence += 1;
        let tie = match delivery {
            Delivery::WorkerStops { .. } => Tie::AfterSignalTravel,
            Delivery::ToSup { .. } => Tie::Now,
        };
        self.queue.push((at, tie, self.sequence), delivery);
    }

    fn record(&mut self, event: TreeEvent) {
        self.trace.push(TreeEntry {
            at: self.now,
            event,
        });
    }

    fn driver(&mut self, result: Result<(), dynsup::DriverError>) -> Result<(), WorldError> {
        result.map_err(|e| self.fail(WorldError::Driver(e.to_string())))
    }

    fn deliver(&mut self, delivery: Delivery) -> Result<(), WorldError> {
        let now = self.now;
        match delivery {
            Delivery::WorkerStops { pid, reason } => {
                if self.procs.contains_key(&pid) {
                    self.end(pid, reason);
                }
                Ok(())
            }
            Delivery::ToSup { pid, msg } => {
                let alive_sup = self
                    .procs
                    .get(&pid)
                    .is_some_and(|p| matches!(p.body, Body::Sup { .. }));
                if !alive_sup {
                    if let SupMsg::Call { call, request } = msg {
                        let reply = if matches!(request, Request::TerminatePid(_)) {
                            CoreReply::Dynamic(dynsup::Reply::NoProc)
                        } else {
                            CoreReply::Static(dynsup::static_supervisor::Reply::NoProc)
                        };
                        self.replies.insert(call, reply);
                    }
                    return Ok(());
                }
                match &msg {
                    SupMsg::ChildExit { child, reason } => self.record(TreeEvent::ExitSeen {
                        sup: pid,
                        child: *child,
                        reason: reason.clone(),
                    }),
                    SupMsg::ParentExit { .. } => {
                        self.record(TreeEvent::ParentExitSeen { sup: pid })
                    }
                    _ => {}
                }
                if let Err(e) = self.feed(pid, now, msg) {
                    return Err(self.fail(WorldError::Driver(e)));
                }
                self.dirty.push_back(pid);
                Ok(())
            }
        }
    }

    /// Gives message `msg` to supervisor `pid`'s core.
    fn feed(&mut self, pid: Pid, now: Instant, msg: SupMsg) -> Result<(), String> {
        let tree = self.tree;
        let Some(Proc {
            body: Body::Sup {
                core, timeout_at, ..
            },
            ..
        }) = self.procs.get_mut(&pid)
        else {
            return Ok(());
        };
        let result = match msg {
            SupMsg::ChildExit { child, reason } => core.child_exit(now, child, reason),
            SupMsg::ParentExit { reason } => core.parent_exit(now, reason),
            SupMsg::Timeout => {
                *timeout_at = None;
                core.timeout(now)
            }
            SupMsg::Call { call, request } => return call_core(core, tree, now, call, request),
        };
        result.map_err(|e| e.to_string())
    }

    // ----- effects -----------------------------------------------------------------------

    /// Performs the effects of every supervisor that has some, until none has.
    fn run_dirty(&mut self) -> Result<(), WorldError> {
        while let Some(pid) = self.dirty.pop_front() {
            loop {
                // The core's reports come before the effects that follow them.
                self.take_notes(pid)?;
                let effect = match self.procs.get_mut(&pid) {
                    Some(Proc {
                        body: Body::Sup { core, .. },
                        ..
                    }) => core.poll_effect(),
                    _ => None,
                };
                let Some(effect) = effect else {
                    break;
                };
                self.perform(pid, effect)?;
            }
            self.take_notes(pid)?;
            let deadline = match self.procs.get_mut(&pid) {
                Some(Proc {
                    body:
                        Body::Sup {
                            core, timeout_at, ..
                        },
                    ..
                }) => match core.deadline() {
                    Some(at) if *timeout_at != Some(at) => {
                        *timeout_at = Some(at);
                        Some(at)
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(at) = deadline {
                self.schedule(
                    at,
                    Delivery::ToSup {
                        pid,
                        msg: SupMsg::Timeout,
                    },
                );
            }
        }
        Ok(())
    }

    fn take_notes(&mut self, pid: Pid) -> Result<(), WorldError> {
        loop {
            let note = match self.procs.get_mut(&pid) {
                Some(Proc {
                    body: Body::Sup { core, .. },
                    ..
                }) => core.poll_note(),
                _ => None,
            };
            let Some(note) = note else {
                return Ok(());
            };
            match note {
                Some(CoreNote::RestartCounted { node, second }) => {
                    self.record(TreeEvent::RestartCounted {
                        sup: pid,
                        node,
                        second,
                    });
                }
                Some(CoreNote::IntensityExceeded) => self.record(TreeEvent::GaveUp { sup: pid }),
                Some(CoreNote::RestartFailed) => {
                    let failed = self.failed_restarts.entry(pid).or_insert(0);
                    *failed += 1;
                    if *failed > FAILED_RESTARTS_MAX {
                        let what =
                            format!("a restart under {} is retried forever", self.pid_text(pid));
                        return Err(self.fail(WorldError::DoesNotSettle(what)));
                    }
                }
                Some(CoreNote::Started) => {
                    self.failed_restarts.remove(&pid);
                }
                None => {}
            }
        }
    }

    fn perform(&mut self, sup: Pid, effect: CoreEffect) -> Result<(), WorldError> {
        let now = self.now;
        match effect {
            CoreEffect::Start { node } => {
                if let Some(outcome) = self.start_child(sup, node)? {
                    self.resolve_start(sup, now, outcome)?;
                }
            }
            CoreEffect::Shutdown(child) => {
                self.record(TreeEvent::Signalled {
                    sup,
                    child,
                    kill: false,
                });
                self.signal(child, ExitReason::Shutdown);
            }
            CoreEffect::Kill(child) => {
                self.record(TreeEvent::Signalled {
                    sup,
                    child,
                    kill: true,
                });
                self.kill_now(child)?;
            }
            CoreEffect::Reply(call, reply) => {
                self.replies.insert(call, reply);
            }
            CoreEffect::Initialized(result) => {
                let parent = self.procs.get(&sup).and_then(|p| p.parent);
                let outcome = match result {
                    Ok(()) => {
                        if let Some(Proc {
                            body: Body::Sup { initialized, .. },
                            ..
                        }) = self.procs.get_mut(&sup)
                        {
                            *initialized = true;
                        }
                        self.record(TreeEvent::Up { pid: sup });
                        if parent.is_some() {
                            let text = format!("up {}", self.pid_text(sup));
                            self.outcomes.push(text);
                        }
                        StartOutcome::Started {
                            pid: sup,
                            info: None,
                        }
                    }
                    Err((id, reason)) => {
                        let reason = ExitReason::ShutdownWith(format!(
                            "failed_to_start_child:{}:{reason}",
                            self.tree.name(id)
                        ));
                        self.record(TreeEvent::Failed {
                            pid: sup,
                            reason: reason.clone(),
                        });
                        if parent.is_some() {
                            let text = format!("fail {} {reason}", self.pid_text(sup));
                            self.outcomes.push(text);
                        }
                        StartOutcome::Failed(reason)
                    }
                };
                match parent {
                    Some(parent) => self.resolve_start(parent, now, outcome)?,
                    None => {
                        self.root_start = Some(match outcome {
                            StartOutcome::Failed(reason) => Err(reason),
                            _ => Ok(()),
                        })
                    }
                }
            }
            CoreEffect::Exit(reason) => {
                if self.procs.contains_key(&sup) {
                    self.end(sup, reason);
                }
            }
        }
        Ok(())
    }

    fn resolve_start(
        &mut self,
        sup: Pid,
        now: Instant,
        outcome: StartOutcome,
    ) -> Result<(), WorldError> {
        let result = match self.procs.get_mut(&sup) {
            Some(Proc {
                body: Body::Sup { core, .. },
                ..
            }) => core.start_result(now, outcome),
            _ => Ok(()),
        };
        self.driver(result)?;
        self.dirty.push_back(sup);
        Ok(())
    }

    /// Creates the process of the next attempt of `node` under `parent`. A worker's start is
    /// over at once (its outcome); a supervisor's ends when it reports (`None` now).
    fn spawn(&mut self, parent: Option<Pid>, node: usize) -> Result<Option<Pid>, WorldError> {
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        let attempt = match self.attempts.get_mut(node) {
            Some(count) => {
                *count += 1;
                *count
            }
            None => 1,
        };
        let supervisor = self.tree.node(node).is_some_and(|n| n.sup().is_some());
        self.refs.insert(NodeRef { node, attempt }, pid);
        self.names.insert(pid, NodeRef { node, attempt });
        self.record(TreeEvent::Spawned {
            pid,
            node,
            attempt,
            parent,
            supervisor,
        });
        let tree = self.tree;
        let Some(decl) = tree.node(node).and_then(|n| n.sup()) else {
            return Ok(Some(pid));
        };
        if let Err(holder) = self.registry.register(node, pid) {
            let reason = ExitReason::Other(format!("already_started:{}", self.pid_text(holder)));
            self.record(TreeEvent::Failed {
                pid,
                reason: reason.clone(),
            });
            self.outcomes
                .push(format!("fail {} {reason}", self.pid_text(pid)));
            if let Some(parent) = parent {
                self.resolve_start(parent, self.now, StartOutcome::Failed(reason))?;
            }
            return Ok(None);
        }
        let children = tree
            .children_of(node)
            .into_iter()
            .filter_map(|child| {
                let n = tree.node(child)?;
                if n.later {
                    return None;
                }
                Some(static_spec(tree, child))
            })
            .collect();
        let core = match Core::start(self.now, decl, children) {
            Ok(core) => core,
            Err(_) => {
                self.registry.unregister(node, pid);
                let reason = ExitReason::other("invalid_flags");
                if let Some(parent) = parent {
                    self.resolve_start(parent, self.now, StartOutcome::Failed(reason))?;
                }
                return Ok(None);
            }
        };
        let dynamic = matches!(core, Core::Dynamic(_));
        self.procs.insert(
            pid,
            Proc {
                node,
                attempt,
                parent,
                body: Body::Sup {
                    core,
                    initialized: dynamic,
                    timeout_at: None,
                },
            },
        );
        self.dirty.push_back(pid);
        if dynamic {
            self.record(TreeEvent::Up { pid });
            match parent {
                Some(parent) => {
                    self.outcomes.push(format!("up {}", self.pid_text(pid)));
                    let outcome = StartOutcome::Started { pid, info: None };
                    self.resolve_start(parent, self.now, outcome)?;
                }
                None => self.root_start = Some(Ok(())),
            }
        }
        Ok(Some(pid))
    }

    /// Starts child `node` for supervisor `sup`: the outcome when it is known at once (a
    /// worker), `None` when a supervisor will report it.
    fn start_child(&mut self, sup: Pid, node: usize) -> Result<Option<StartOutcome>, WorldError> {
        let tree = self.tree;
        let Some(NodeKind::Worker(template)) = tree.node(node).map(|n| &n.kind) else {
            self.spawn(Some(sup), node)?;
            return Ok(None);
        };
        let Some(pid) = self.spawn(Some(sup), node)? else {
            return Ok(None);
        };
        let attempt = self.attempts.get(node).copied().unwrap_or(1);
        let text = self.pid_text(pid);
        Ok(Some(match template.outcome(attempt) {
            InitOutcome::Ok => {
                self.procs.insert(
                    pid,
                    Proc {
                        node,
                        attempt,
                        parent: Some(sup),
                        body: Body::Worker {
                            trap_exit: template.trap_exit,
                            stop_ms: template.stop_ms,
                            stopping: false,
                        },
                    },
                );
                self.record(TreeEvent::Up { pid });
                self.outcomes.push(format!("up {text}"));
                StartOutcome::Started { pid, info: None }
            }
            InitOutcome::Ignore => {
                self.record(TreeEvent::Ignored { pid });
                self.outcomes.push(format!("ignore {text}"));
                StartOutcome::Ignore
            }
            InitOutcome::Stop(word) => {
                let reason = ExitReason::other(word.clone());
                self.record(TreeEvent::Failed {
                    pid,
                    reason: reason.clone(),
                });
                self.outcomes.push(format!("fail {text} {reason}"));
                StartOutcome::Failed(reason)
            }
        }))
    }

    // ----- signals and deaths ------------------------------------------------------------

    /// The exit signal `reason` reaches `pid` from its supervisor or through a broken link.
    fn signal(&mut self, pid: Pid, reason: ExitReason) {
        let now = self.now;
        let Some(proc) = self.procs.get_mut(&pid) else {
            return;
        };
        match &mut proc.body {
            Body::Worker {
                trap_exit: false, ..
            } => {
                if reason != ExitReason::Normal {
                    self.end(pid, reason);
                }
            }
            Body::Worker {
                stop_ms, stopping, ..
            } => {
                if !*stopping {
                    *stopping = true;
                    let at = now.saturating_add_millis(*stop_ms);
                    self.schedule(at, Delivery::WorkerStops { pid, reason });
                }
            }
            Body::Sup { .. } => self.schedule(
                now,
                Delivery::ToSup {
                    pid,
                    msg: SupMsg::ParentExit { reason },
                },
            ),
        }
    }

    /// `pid` is killed: it ends at once with `killed`.
    fn kill_now(&mut self, pid: Pid) -> Result<(), WorldError> {
        let Some(proc) = self.procs.get(&pid) else {
            return Ok(());
        };
        let starting = matches!(
            proc.body,
            Body::Sup {
                initialized: false,
                ..
            }
        );
        let parent = proc.parent;
        self.end(pid, ExitReason::Killed);
        match parent {
            Some(parent) if starting => {
                self.resolve_start(parent, self.now, StartOutcome::Failed(ExitReason::Killed))
            }
            _ => Ok(()),
        }
    }

    /// Process `pid` ends with `reason`: its name is freed, its supervisor gets its exit, and
    /// its children get the exit signal through their links. A supervisor whose start-up
    /// failed ends silently (its parent had the error from the start instead).
    fn end(&mut self, pid: Pid, reason: ExitReason) {
        let Some(proc) = self.procs.remove(&pid) else {
            return;
        };
        let silent = matches!(
            proc.body,
            Body::Sup {
                initialized: false,
                ..
            }
        );
        if matches!(proc.body, Body::Sup { .. }) {
            self.registry.unregister(proc.node, pid);
        }
        self.record(TreeEvent::Down {
            pid,
            reason: reason.clone(),
        });
        if !silent {
            let text = self.ref_text(NodeRef {
                node: proc.node,
                attempt: proc.attempt,
            });
            self.outcomes.push(match proc.parent {
                Some(_) => format!("down {text} {reason}"),
                None => format!("sup down {reason}"),
            });
            if let Some(parent) = proc.parent {
                self.schedule(
                    self.now,
                    Delivery::ToSup {
                        pid: parent,
                        msg: SupMsg::ChildExit {
                            child: pid,
                            reason: reason.clone(),
                        },
                    },
                );
            }
        }
        let orphans: Vec<Pid> = self
            .procs
            .iter()
            .filter(|(_, p)| p.parent == Some(pid))
            .map(|(&child, _)| child)
            .collect();
        for child in orphans.into_iter().rev() {
            self.signal(child, reason.clone());
        }
    }
}
