//! The world a model-checked supervisor lives in: its child processes with their scripted
//! behaviour, the messages in flight on every sender/receiver pair, a client, a parent and a
//! virtual clock; the transitions between such worlds; and what the checkers observe on the
//! way (never the core's own flags or counters).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use dynsup::{
    CallId, DynamicSupervisor, Effect, EntryState, ExitReason, Instant, Pid, Reply, Restart,
    Shutdown, StartError, StartOutcome, Started,
};

use crate::model_check::config::{CheckConfig, InitAnswer, SpontaneousExit, SPONTANEOUS_EXITS};

/// The core under check: templates are named by their index, arguments are unused.
pub(crate) type Core = DynamicSupervisor<u8, ()>;

/// The pid a client may name without any process ever having it.
pub const NEVER_STARTED: Pid = Pid(0);

/// The one call id of the one client (it has at most one call outstanding).
const CLIENT_CALL: CallId = CallId(0);

/// A call the client makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Request {
    /// `start_child` of the template with this index.
    Start(u8),
    /// `terminate_child(pid)`.
    Terminate(Pid),
    /// `which_children()`.
    Which,
    /// `count_children()`.
    Count,
    /// `stop(sup, :normal)`.
    Stop,
}

/// One transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The client's call reaches the supervisor's mailbox.
    Call(Request),
    /// A child exits on its own (its exit signal is now in flight to the supervisor).
    ChildExits(Pid, SpontaneousExit),
    /// A child's exit signal reaches the supervisor.
    DeliverExit(Pid),
    /// The oldest signal from the supervisor to this child reaches it.
    DeliverSignal(Pid),
    /// A trapping child finishes stopping (it exits `shutdown`).
    ChildStops(Pid),
    /// The supervisor's kill timer fires.
    KillTimer,
    /// The clock moves to this millisecond.
    Advance(u64),
    /// The parent exits with `shutdown`; its exit signal reaches the supervisor.
    ParentExit,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Start(template) => write!(f, "start {template}"),
            Request::Terminate(pid) => write!(f, "terminate {}", pid.0),
            Request::Which => f.write_str("which"),
            Request::Count => f.write_str("count"),
            Request::Stop => f.write_str("stop"),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Call(request) => write!(f, "call {request}"),
            Step::ChildExits(pid, how) => write!(f, "exit {} {}", pid.0, how.name()),
            Step::DeliverExit(pid) => write!(f, "deliver-exit {}", pid.0),
            Step::DeliverSignal(pid) => write!(f, "deliver-signal {}", pid.0),
            Step::ChildStops(pid) => write!(f, "child-stops {}", pid.0),
            Step::KillTimer => f.write_str("kill-timer"),
            Step::Advance(millis) => write!(f, "advance {millis}"),
            Step::ParentExit => f.write_str("parent-exit"),
        }
    }
}

/// A signal from the supervisor to a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Signal {
    Shutdown,
    Kill,
}

/// A live child process.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Child {
    template: u8,
    /// When a trapping child that got `shutdown` will have stopped.
    stops_at: Option<u64>,
}

/// A broken rule: which checker and what it saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The checker's name (the same names as `sim/src/invariants/`).
    pub checker: &'static str,
    /// What it saw.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.checker, self.message)
    }
}

fn violation(checker: &'static str, message: String) -> Violation {
    Violation { checker, message }
}

/// What the client and the parent have used of their bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Used {
    starts: u8,
    crashes: u8,
    terminates: u8,
    stopped: bool,
    parent_exited: bool,
}

/// One state of the world.
#[derive(Clone, Debug, Hash)]
pub struct World {
    core: Core,
    now: u64,
    next_pid: u64,
    live: BTreeMap<Pid, Child>,
    /// Exit signals in flight from a dead child to the supervisor (one per child).
    exits: BTreeMap<Pid, ExitReason>,
    /// Signals in flight from the supervisor to each child, oldest first.
    signals: BTreeMap<Pid, Vec<Signal>>,
    /// The client's outstanding call.
    waiting: Option<Request>,
    used: Used,
    // ----- what the checkers observed -----
    /// The template of every child pid still referred to anywhere.
    templates: BTreeMap<Pid, u8>,
    /// When the supervisor first signalled each child (shutdown or kill).
    signalled_at: BTreeMap<Pid, u64>,
    /// Children whose exit the rules say must be followed by a restart not yet attempted.
    owed: BTreeSet<Pid>,
    /// The whole-second stamps of the restarts seen, newest last, pruned to the window.
    stamps: Vec<u64>,
    /// When the supervisor began shutting down on its own (intensity), if it did.
    giving_up_at: Option<u64>,
    /// The supervisor's exit reason, once it exited.
    exited: Option<ExitReason>,
}

/// The OTP rule for clean exit reasons, stated here on its own: `normal`, `shutdown` and
/// `{:shutdown, _}`.
fn clean(reason: &ExitReason) -> bool {
    matches!(
        reason,
        ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
    )
}

impl World {
    /// The initial world: a fresh supervisor at time 0, nothing started.
    ///
    /// # Errors
    ///
    /// The configuration's problem, when its options are invalid.
    pub fn new(config: &CheckConfig) -> Result<World, crate::model_check::config::ConfigProblem> {
        config.validate()?;
        let core = Core::with_options(config.options()).map_err(|error| {
            crate::model_check::config::ConfigProblem(format!("invalid options: {error:?}"))
        })?;
        Ok(World {
            core,
            now: 0,
            next_pid: 1,
            live: BTreeMap::new(),
            exits: BTreeMap::new(),
            signals: BTreeMap::new(),
            waiting: None,
            used: Used::default(),
            templates: BTreeMap::new(),
            signalled_at: BTreeMap::new(),
            owed: BTreeSet::new(),
            stamps: Vec::new(),
            giving_up_at: None,
            exited: None,
        })
    }

    /// The virtual time, in milliseconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Whether nothing is in flight and no timer is pending: only the client, the parent or
    /// a spontaneous exit can move the world on.
    pub fn at_rest(&self) -> bool {
        self.exits.is_empty()
            && self.signals.is_empty()
            && self.live.values().all(|child| child.stops_at.is_none())
            && self.core.poll_timeout().is_none()
    }

    /// Every transition enabled in this state, in a fixed order.
    pub fn steps(&self, config: &CheckConfig, out: &mut Vec<Step>) {
        out.clear();
        let bounds = &config.bounds;
        let alive = self.exited.is_none();
        if alive && self.waiting.is_none() {
            if self.used.starts < bounds.starts {
                for index in 0..config.templates.len() {
                    out.push(Step::Call(Request::Start(index_u8(index))));
                }
            }
            if self.used.terminates < bounds.terminates {
                out.push(Step::Call(Request::Terminate(NEVER_STARTED)));
                for entry in self.core.view().entries() {
                    out.push(Step::Call(Request::Terminate(entry.pid)));
                }
            }
            if bounds.listings {
                out.push(Step::Call(Request::Which));
                out.push(Step::Call(Request::Count));
            }
            if bounds.stops && !self.used.stopped {
                out.push(Step::Call(Request::Stop));
            }
        }
        if alive && bounds.stops && !self.used.parent_exited {
            out.push(Step::ParentExit);
        }
        if self.used.crashes < bounds.crashes {
            for &pid in self.live.keys() {
                for how in SPONTANEOUS_EXITS {
                    out.push(Step::ChildExits(pid, how));
                }
            }
        }
        out.extend(self.exits.keys().map(|&pid| Step::DeliverExit(pid)));
        out.extend(self.signals.keys().map(|&pid| Step::DeliverSignal(pid)));
        let mut due = false;
        for (&pid, child) in &self.live {
            if child.stops_at.is_some_and(|at| at <= self.now) {
                out.push(Step::ChildStops(pid));
                due = true;
            }
        }
        let kill_deadline = self.core.poll_timeout().map(Instant::as_millis);
        if kill_deadline.is_some_and(|at| at <= self.now) {
            out.push(Step::KillTimer);
            due = true;
        }
        if !due {
            let next_second = (self.now / 1000 + 1) * 1000;
            let next = self
                .live
                .values()
                .filter_map(|child| child.stops_at)
                .chain(kill_deadline)
                .fold(next_second, u64::min);
            if next <= bounds.max_time_ms && alive {
                out.push(Step::Advance(next));
            }
        }
    }

    /// Takes one transition, lets the supervisor do everything it does in answer, checks every
    /// rule on the way, and renames pids to their canonical form.
    ///
    /// # Errors
    ///
    /// The first rule broken.
    pub fn apply(&mut self, config: &CheckConfig, step: Step) -> Result<(), Violation> {
        let now = Instant::from_millis(self.now);
        let driven = match step {
            Step::Call(request) => self.call(config, request),
            Step::ChildExits(pid, how) => {
                self.used.crashes += 1;
                self.die(pid, how.reason());
                Ok(())
            }
            Step::DeliverExit(pid) => self.deliver_exit(config, pid),
            Step::DeliverSignal(pid) => {
                self.deliver_signal(config, pid);
                Ok(())
            }
            Step::ChildStops(pid) => {
                self.die(pid, ExitReason::Shutdown);
                Ok(())
            }
            Step::KillTimer => self.core.handle_timeout(now),
            Step::Advance(millis) => {
                self.now = millis;
                Ok(())
            }
            Step::ParentExit => {
                self.used.parent_exited = true;
                self.core.handle_parent_exit(now, ExitReason::Shutdown)
            }
        };
        driven.map_err(|error| violation("driver-protocol", format!("{error:?}")))?;
        self.settle(config)?;
        self.check_state(config)?;
        self.forget_and_canonicalize();
        Ok(())
    }

    fn call(&mut self, config: &CheckConfig, request: Request) -> Result<(), dynsup::DriverError> {
        let now = Instant::from_millis(self.now);
        self.waiting = Some(request);
        match request {
            Request::Start(index) => {
                self.used.starts += 1;
                let spec = config.templates[usize::from(index)].spec(index);
                self.core.start_child(now, CLIENT_CALL, spec)
            }
            Request::Terminate(pid) => {
                self.used.terminates += 1;
                self.core.terminate_child(now, CLIENT_CALL, pid)
            }
            Request::Which => self.core.which_children(now, CLIENT_CALL),
            Request::Count => self.core.count_children(now, CLIENT_CALL),
            Request::Stop => {
                self.used.stopped = true;
                self.core.stop(now, CLIENT_CALL, ExitReason::Normal)
            }
        }
    }

    /// A live child ends with `reason`: its exit signal is now in flight.
    fn die(&mut self, pid: Pid, reason: ExitReason) {
        if self.live.remove(&pid).is_some() {
            self.exits.insert(pid, reason);
        }
    }

    fn deliver_exit(&mut self, config: &CheckConfig, pid: Pid) -> Result<(), dynsup::DriverError> {
        let Some(reason) = self.exits.remove(&pid) else {
            return Ok(());
        };
        if self.exited.is_none() && !self.signalled_at.contains_key(&pid) {
            if let Some(&index) = self.templates.get(&pid) {
                let restart = config.templates[usize::from(index)].restart;
                let restarts = match restart {
                    Restart::Permanent => true,
                    Restart::Transient => !clean(&reason),
                    Restart::Temporary => false,
                };
                if restarts {
                    self.owed.insert(pid);
                }
            }
        }
        self.core
            .handle_child_exit(Instant::from_millis(self.now), pid, reason)
    }

    fn deliver_signal(&mut self, config: &CheckConfig, pid: Pid) {
        let Some(queue) = self.signals.get_mut(&pid) else {
            return;
        };
        let signal = queue.remove(0);
        if queue.is_empty() {
            self.signals.remove(&pid);
        }
        let Some(child) = self.live.get_mut(&pid) else {
            return; // a signal to a dead process is dropped
        };
        let template = &config.templates[usize::from(child.template)];
        match signal {
            Signal::Kill => self.die(pid, ExitReason::Killed),
            Signal::Shutdown if !template.traps_exits => self.die(pid, ExitReason::Shutdown),
            Signal::Shutdown => {
                if child.stops_at.is_none() {
                    child.stops_at = template.stop_ms.map(|ms| self.now + ms);
                }
            }
        }
    }

    /// Performs the supervisor's effects until it has none left, observing each.
    fn settle(&mut self, config: &CheckConfig) -> Result<(), Violation> {
        let now = Instant::from_millis(self.now);
        while let Some(effect) = self.core.poll_effect() {
            match effect {
                Effect::Start {
                    function,
                    restart_of,
                    ..
                } => {
                    let Some(template) = config.templates.get(usize::from(function)) else {
                        return Err(violation(
                            "driver-protocol",
                            format!("start of unknown template {function}"),
                        ));
                    };
                    if let Some(old) = restart_of {
                        self.observe_restart(config, old)?;
                    }
                    let answer = if restart_of.is_some() {
                        template.restart_init
                    } else {
                        template.first_init
                    };
                    let outcome = match answer {
                        InitAnswer::Ok => {
                            let pid = Pid(self.next_pid);
                            self.next_pid += 1;
                            self.live.insert(
                                pid,
                                Child {
                                    template: function,
                                    stops_at: None,
                                },
                            );
                            self.templates.insert(pid, function);
                            StartOutcome::Started { pid, info: None }
                        }
                        InitAnswer::Ignore => StartOutcome::Ignore,
                        InitAnswer::Fail => {
                            StartOutcome::Failed(ExitReason::Other("init_failed".to_owned()))
                        }
                    };
                    if let (Some(old), false) = (restart_of, answer == InitAnswer::Fail) {
                        self.owed.remove(&old);
                    }
                    self.core
                        .handle_start_result(now, outcome)
                        .map_err(|error| violation("driver-protocol", format!("{error:?}")))?;
                }
                Effect::Shutdown { pid } => {
                    if self.shutdown_of(config, pid) == Some(Shutdown::BrutalKill) {
                        return Err(violation(
                            "shutdown-timing",
                            format!("child {} has shutdown brutal_kill but got `shutdown`", pid.0),
                        ));
                    }
                    self.signal(pid, Signal::Shutdown);
                }
                Effect::Kill { pid } => {
                    self.check_kill(config, pid)?;
                    self.signal(pid, Signal::Kill);
                }
                Effect::Reply { reply, .. } => self.observe_reply(config, &reply)?,
                Effect::Exit { reason } => self.observe_exit(config, reason)?,
            }
        }
        while self.core.poll_event().is_some() {}
        Ok(())
    }

    fn shutdown_of(&self, config: &CheckConfig, pid: Pid) -> Option<Shutdown> {
        let index = self.templates.get(&pid)?;
        Some(config.templates[usize::from(*index)].shutdown)
    }

    fn signal(&mut self, pid: Pid, signal: Signal) {
        if !self.on_purpose(pid) && self.giving_up_at.is_none() {
            self.giving_up_at = Some(self.now);
        }
        self.signalled_at.entry(pid).or_insert(self.now);
        self.signals.entry(pid).or_default().push(signal);
    }

    /// Whether a signal to `pid` was asked for: by `terminate_child(pid)`, `stop`, or the parent.
    fn on_purpose(&self, pid: Pid) -> bool {
        self.used.parent_exited
            || self.waiting == Some(Request::Stop)
            || self.waiting == Some(Request::Terminate(pid))
    }

    fn check_kill(&self, config: &CheckConfig, pid: Pid) -> Result<(), Violation> {
        match self.shutdown_of(config, pid) {
            None => Err(violation(
                "no-orphans",
                format!("kill of {}, a pid no child ever had", pid.0),
            )),
            Some(Shutdown::BrutalKill) => Ok(()),
            Some(Shutdown::Infinity) => Err(violation(
                "shutdown-timing",
                format!("child {} has shutdown infinity but was killed", pid.0),
            )),
            Some(Shutdown::Timeout { millis }) => match self.signalled_at.get(&pid) {
                Some(&at) if self.now >= at + millis => Ok(()),
                Some(&at) => Err(violation(
                    "shutdown-timing",
                    format!(
                        "child {} killed at {} ms, {} ms after its shutdown signal (timeout {millis})",
                        pid.0,
                        self.now,
                        self.now - at
                    ),
                )),
                None => Err(violation(
                    "shutdown-timing",
                    format!("child {} killed without a shutdown signal first", pid.0),
                )),
            },
        }
    }

    /// A restart attempt of `old`: the rules must owe it, and it must fit in the intensity.
    fn observe_restart(&mut self, config: &CheckConfig, old: Pid) -> Result<(), Violation> {
        if !self.owed.contains(&old) {
            return Err(violation(
                "restart-policy",
                format!("child {} restarted, but no rule asks for it", old.0),
            ));
        }
        let second = self.now / 1000;
        self.stamps
            .retain(|&stamp| stamp + config.max_seconds >= second);
        self.stamps.push(second);
        if self.stamps.len() as u64 > config.max_restarts {
            return Err(violation(
                "restart-intensity",
                format!(
                    "restart {} in the window ending at second {second} (max_restarts {}, \
                     max_seconds {})",
                    self.stamps.len(),
                    config.max_restarts,
                    config.max_seconds
                ),
            ));
        }
        Ok(())
    }

    fn observe_reply(&mut self, config: &CheckConfig, reply: &Reply) -> Result<(), Violation> {
        let request = self.waiting.take();
        match (request, reply) {
            (Some(Request::Start(_)), Reply::StartChild(Ok(Started::Running { pid, .. }))) => {
                if !self.live.contains_key(pid) {
                    return Err(violation(
                        "child-counts",
                        format!("start_child answered {} which is not running", pid.0),
                    ));
                }
            }
            (Some(Request::Start(_)), Reply::StartChild(Err(StartError::MaxChildren))) => {
                let specs = self.core.view().entries().count() as u64;
                if config.max_children.is_none_or(|limit| specs < limit) {
                    return Err(violation(
                        "max-children",
                        format!("max_children refused with {specs} children"),
                    ));
                }
            }
            (Some(Request::Terminate(pid)), Reply::TerminateChild(result)) => {
                self.owed.remove(&pid);
                if result.is_ok() && self.live.contains_key(&pid) {
                    return Err(violation(
                        "no-orphans",
                        format!("terminate_child({}) answered while it runs", pid.0),
                    ));
                }
            }
            (Some(Request::Stop), Reply::Stopped) => {
                if self.exited.is_none() {
                    return Err(violation(
                        "no-orphans",
                        "stop answered before the supervisor exited".to_owned(),
                    ));
                }
            }
            (None, _) => {
                return Err(violation(
                    "driver-protocol",
                    format!("a reply with no call outstanding: {reply:?}"),
                ))
            }
            _ => {}
        }
        Ok(())
    }

    fn observe_exit(&mut self, config: &CheckConfig, reason: ExitReason) -> Result<(), Violation> {
        if let Some(&pid) = self.live.keys().next() {
            return Err(violation(
                "no-orphans",
                format!("the supervisor exited while child {} runs", pid.0),
            ));
        }
        let asked = self.used.parent_exited || self.used.stopped;
        if !asked {
            if reason != ExitReason::Shutdown {
                return Err(violation(
                    "restart-intensity",
                    format!("the supervisor exited on its own with {reason:?}"),
                ));
            }
            let decided = self.giving_up_at.unwrap_or(self.now) / 1000;
            let in_window = self
                .stamps
                .iter()
                .filter(|&&stamp| stamp + config.max_seconds >= decided)
                .count() as u64;
            if self.owed.is_empty() || in_window < config.max_restarts {
                return Err(violation(
                    "restart-intensity",
                    format!(
                        "the supervisor gave up with {in_window} restarts in its window \
                         (max_restarts {})",
                        config.max_restarts
                    ),
                ));
            }
        }
        self.exited = Some(reason);
        self.owed.clear();
        Ok(())
    }

    /// The rules every state keeps.
    fn check_state(&self, config: &CheckConfig) -> Result<(), Violation> {
        let view = self.core.view();
        if view.is_alive() != self.exited.is_none() {
            return Err(violation(
                "no-orphans",
                "the supervisor's liveness and its exit disagree".to_owned(),
            ));
        }
        if !view.is_alive() {
            return match self.live.keys().next() {
                Some(pid) => Err(violation(
                    "no-orphans",
                    format!("child {} outlives its supervisor", pid.0),
                )),
                None => Ok(()),
            };
        }
        let mut specs = 0u64;
        let mut running = BTreeSet::new();
        for entry in view.entries() {
            specs += 1;
            if entry.state == EntryState::Running {
                running.insert(entry.pid);
                if !self.templates.contains_key(&entry.pid) {
                    return Err(violation(
                        "child-counts",
                        format!("entry {} is no child the world started", entry.pid.0),
                    ));
                }
            }
        }
        if let Some(pid) = self.live.keys().find(|pid| !running.contains(pid)) {
            return Err(violation(
                "child-counts",
                format!("child {} runs but the supervisor has no running entry for it", pid.0),
            ));
        }
        let counts = view.counts();
        if counts.specs != specs || counts.active != running.len() as u64 {
            return Err(violation(
                "child-counts",
                format!(
                    "count_children says specs={} active={}, the table holds {specs} and {} \
                     running",
                    counts.specs,
                    counts.active,
                    running.len()
                ),
            ));
        }
        if let Some(limit) = config.max_children {
            if specs > limit {
                return Err(violation(
                    "max-children",
                    format!("{specs} children with max_children {limit}"),
                ));
            }
        }
        if self.at_rest() {
            self.check_rest(&view)?;
        }
        Ok(())
    }

    /// Liveness: once nothing is in flight, every call is answered and every owed restart done.
    fn check_rest(&self, view: &dynsup::SupervisorView<'_, u8, ()>) -> Result<(), Violation> {
        if let Some(request) = self.waiting {
            return Err(violation(
                "liveness",
                format!("`{request}` is never answered: nothing is left in flight"),
            ));
        }
        if view.is_blocked() || view.mailbox_len() > 0 {
            return Err(violation(
                "liveness",
                "the supervisor is blocked or has mail with nothing in flight".to_owned(),
            ));
        }
        if let Some(entry) = view.entries().find(|e| e.state == EntryState::Restarting) {
            return Err(violation(
                "liveness",
                format!("child {} stays restarting: its retry never comes", entry.pid.0),
            ));
        }
        if let Some(pid) = self.owed.iter().next() {
            return Err(violation(
                "liveness",
                format!("child {} exited and was never restarted", pid.0),
            ));
        }
        Ok(())
    }

    /// Drops the observations of children nothing refers to any more, then renames pids to
    /// 1, 2, ... in their order (symmetry reduction: only the order of pids matters).
    fn forget_and_canonicalize(&mut self) {
        let mut referenced = BTreeSet::new();
        self.core.referenced_pids(&mut referenced);
        referenced.extend(self.live.keys().copied());
        referenced.extend(self.exits.keys().copied());
        referenced.extend(self.signals.keys().copied());
        referenced.extend(self.owed.iter().copied());
        if let Some(Request::Terminate(pid)) = self.waiting {
            referenced.insert(pid);
        }
        referenced.remove(&NEVER_STARTED);
        self.templates.retain(|pid, _| referenced.contains(pid));
        self.signalled_at.retain(|pid, _| referenced.contains(pid));
        let ranks: BTreeMap<Pid, Pid> = referenced
            .iter()
            .zip(1..)
            .map(|(&pid, rank)| (pid, Pid(rank)))
            .collect();
        let rename = |pid: Pid| ranks.get(&pid).copied().unwrap_or(pid);
        self.next_pid = ranks.len() as u64 + 1;
        self.core.relabel_pids(rename);
        self.live = std::mem::take(&mut self.live)
            .into_iter()
            .map(|(pid, child)| (rename(pid), child))
            .collect();
        self.exits = std::mem::take(&mut self.exits)
            .into_iter()
            .map(|(pid, reason)| (rename(pid), reason))
            .collect();
        self.signals = std::mem::take(&mut self.signals)
            .into_iter()
            .map(|(pid, queue)| (rename(pid), queue))
            .collect();
        self.templates = std::mem::take(&mut self.templates)
            .into_iter()
            .map(|(pid, template)| (rename(pid), template))
            .collect();
        self.signalled_at = std::mem::take(&mut self.signalled_at)
            .into_iter()
            .map(|(pid, at)| (rename(pid), at))
            .collect();
        self.owed = self.owed.iter().map(|&pid| rename(pid)).collect();
        if let Some(Request::Terminate(pid)) = &mut self.waiting {
            *pid = rename(*pid);
        }
    }
}

fn index_u8(index: usize) -> u8 {
    u8::try_from(index).unwrap_or(u8::MAX)
}
