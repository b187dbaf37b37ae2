//! The world a model-checked supervisor lives in: its child processes with their scripted
//! behaviour, the messages in flight on every sender/receiver pair, a client, a parent and a
//! virtual clock; the transitions between such worlds; and what the checkers observe on the
//! way (never the core's own flags or counters).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;

use dynsup::{
    CallId, Effect, EntryState, ExitReason, Instant, Pid, Reply, Restart, Shutdown, StartOutcome,
    Started,
};

use crate::model_check::config::{
    CheckConfig, ConfigProblem, InitAnswer, SpontaneousExit, MAX_CLIENTS, MAX_TEMPLATES,
    SPONTANEOUS_EXITS,
};
use crate::model_check::fingerprint::Fingerprinter;
use crate::model_check::recording::{Observed, Recording};
use crate::model_check::tracked_core::{Core, TrackedCore};

mod packed;
pub use packed::PackedWorlds;

/// The pid a client may name without any process ever having it.
pub const NEVER_STARTED: Pid = Pid(0);

/// The call id of client `index` (each client has at most one call outstanding).
fn client_call(index: usize) -> CallId {
    CallId(index as u64)
}

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
    /// The start function the supervisor is blocked in returns (messages that arrived while
    /// it ran wait in the mailbox).
    InitReturns,
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
            Step::InitReturns => f.write_str("init-returns"),
        }
    }
}

/// A line of a counterexample file that is no step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadStep(pub String);

impl fmt::Display for BadStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a step: `{}`", self.0)
    }
}

impl std::error::Error for BadStep {}

impl FromStr for Step {
    type Err = BadStep;

    /// Reads a step as [`Display`](fmt::Display) writes it.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadStep(text.to_owned());
        let words: Vec<&str> = text.split_whitespace().collect();
        let number = |index: usize| -> Result<u64, BadStep> {
            words
                .get(index)
                .and_then(|w| w.parse().ok())
                .ok_or_else(bad)
        };
        let pid = |index: usize| number(index).map(Pid);
        let step = match words.as_slice() {
            ["call", "start", _] => {
                Step::Call(Request::Start(u8::try_from(number(2)?).map_err(|_| bad())?))
            }
            ["call", "terminate", _] => Step::Call(Request::Terminate(pid(2)?)),
            ["call", "which"] => Step::Call(Request::Which),
            ["call", "count"] => Step::Call(Request::Count),
            ["call", "stop"] => Step::Call(Request::Stop),
            ["exit", _, how] => {
                let how = SPONTANEOUS_EXITS
                    .into_iter()
                    .find(|h| h.name() == *how)
                    .ok_or_else(bad)?;
                Step::ChildExits(pid(1)?, how)
            }
            ["deliver-exit", _] => Step::DeliverExit(pid(1)?),
            ["deliver-signal", _] => Step::DeliverSignal(pid(1)?),
            ["child-stops", _] => Step::ChildStops(pid(1)?),
            ["kill-timer"] => Step::KillTimer,
            ["advance", _] => Step::Advance(number(1)?),
            ["parent-exit"] => Step::ParentExit,
            ["init-returns"] => Step::InitReturns,
            _ => return Err(bad()),
        };
        Ok(step)
    }
}

/// One process the world knows of: a child, live or dead, as long as anything refers to it.
/// `Copy`, so that the list of processes is copied with one `memcpy` per transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Proc {
    pid: Pid,
    template: u8,
    alive: bool,
    /// When a trapping child that got `shutdown` will have stopped.
    stops_at: Option<u64>,
    /// Its exit signal, in flight to the supervisor.
    exit: Option<SpontaneousExit>,
    /// Signals in flight from the supervisor: `shutdown` (always sent first) and `kill`.
    shutdown_in_flight: bool,
    kill_in_flight: bool,
    /// When the supervisor first signalled it (shutdown or kill).
    signalled_at: Option<u64>,
    /// Whether the rules owe it a restart not yet attempted.
    owed: bool,
}

/// Hashed as three words: the small fields packed in one with the pid, and the two instants
/// (the fingerprint of every state hashes every process, so fewer writes are worth it).
impl Hash for Proc {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let exit = self.exit.map_or(0, |how| how as u64 + 1);
        let packed = u64::from(self.template)
            | u64::from(self.alive) << 8
            | u64::from(self.shutdown_in_flight) << 9
            | u64::from(self.kill_in_flight) << 10
            | u64::from(self.owed) << 11
            | exit << 12
            | self.pid.0 << 16;
        state.write_u64(packed);
        state.write_u64(optional_instant(self.stops_at));
        state.write_u64(optional_instant(self.signalled_at));
    }
}

/// An optional instant as one word: 0 for none, else one more than the instant (instants are
/// milliseconds of a bounded search, far below the largest word).
fn optional_instant(at: Option<u64>) -> u64 {
    at.map_or(0, |at| at.saturating_add(1))
}

impl Proc {
    fn signals_in_flight(&self) -> bool {
        self.shutdown_in_flight || self.kill_in_flight
    }
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

/// What the client and the parent have used of their bounds (hashed with the world's other
/// small fields, in [`World::hash_rest`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Used {
    starts: u8,
    crashes: u8,
    terminates: u8,
    stopped: bool,
    parent_exited: bool,
}

/// Each client's outstanding call. Hashed as the set of clients that wait (one byte), then
/// their calls: with one client, no dearer than the one optional call it replaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Waiting([Option<Request>; MAX_CLIENTS]);

impl Hash for Waiting {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let waiting = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, request)| request.is_some())
            .fold(0u8, |mask, (client, _)| mask | 1 << client);
        state.write_u8(waiting);
        for request in self.0.iter().flatten() {
            request.hash(state);
        }
    }
}

impl Deref for Waiting {
    type Target = [Option<Request>; MAX_CLIENTS];

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Waiting {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// How many start attempts each template has made, counted only for templates with an
/// `inits` list. Hashed as one word (eight templates at most, one byte each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Attempts([u8; MAX_TEMPLATES]);

impl Hash for Attempts {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from_le_bytes(self.0));
    }
}

impl Attempts {
    fn get_mut(&mut self, template: usize) -> Option<&mut u8> {
        self.0.get_mut(template)
    }
}

/// One state of the world.
#[derive(Debug)]
pub struct World {
    core: TrackedCore,
    now: u64,
    next_pid: u64,
    /// Every process still referred to anywhere, by ascending pid.
    procs: Vec<Proc>,
    /// Each client's outstanding call (only the first [`Bounds::clients`] are used).
    ///
    /// [`Bounds::clients`]: crate::model_check::config::Bounds::clients
    waiting: Waiting,
    /// How many start attempts each template with an `inits` list has made (up to the list's
    /// length: the last answer repeats); always 0 for the other templates.
    attempts: Attempts,
    /// The start function the supervisor is blocked in: its template, and the child it
    /// restarts.
    init: Option<(u8, Option<Pid>)>,
    used: Used,
    /// The whole-second stamps of the restarts seen, newest last, pruned to the window.
    stamps: Vec<u64>,
    /// When the supervisor began shutting down on its own (intensity), if it did.
    giving_up_at: Option<u64>,
    /// The supervisor's exit reason, once it exited.
    exited: Option<ExitReason>,
    /// What the world observed, when recording (no part of the state: never hashed).
    recording: Recording,
    /// The renamings of the configuration's interchangeable templates
    /// ([`CheckConfig::template_symmetries`]), worked out once when the initial world is made
    /// and shared by every world of its search (`None` when there are none, as in the default
    /// set): the fingerprint of every state uses them. No part of the state.
    template_symmetries: Option<Arc<[Vec<u8>]>>,
}

/// [`clone_from`](Clone::clone_from) reuses the target's buffers (the core's and the list of
/// processes): the search clones each expanded state into one scratch world per transition.
impl Clone for World {
    fn clone(&self) -> Self {
        World {
            core: self.core.clone(),
            now: self.now,
            next_pid: self.next_pid,
            procs: self.procs.clone(),
            waiting: self.waiting,
            attempts: self.attempts,
            init: self.init,
            used: self.used,
            stamps: self.stamps.clone(),
            giving_up_at: self.giving_up_at,
            exited: self.exited.clone(),
            recording: self.recording.clone(),
            template_symmetries: self.template_symmetries.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.core.clone_from(&source.core);
        self.copy_rest_from(source);
        // The renamings are the configuration's, the same for every world of a search: a
        // restore (`restore_from`) leaves them alone.
        self.template_symmetries
            .clone_from(&source.template_symmetries);
    }
}

/// Hashed field by field, the core first (the fingerprint resumes from the core's cached
/// hash, then hashes the rest); the recording is no part of the state.
impl Hash for World {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.core.hash(state);
        self.hash_rest(state);
    }
}

impl World {
    /// Copies every field of the state but the core from `source`.
    fn copy_rest_from(&mut self, source: &Self) {
        self.now = source.now;
        self.next_pid = source.next_pid;
        self.procs.clone_from(&source.procs);
        self.waiting = source.waiting;
        self.attempts = source.attempts;
        self.init = source.init;
        self.used = source.used;
        self.stamps.clone_from(&source.stamps);
        self.giving_up_at = source.giving_up_at;
        self.exited.clone_from(&source.exited);
        self.recording.clone_from(&source.recording);
    }

    /// Hashes every field but the core, small ones packed together (fewer writes make a
    /// cheaper fingerprint).
    fn hash_rest<H: Hasher>(&self, state: &mut H) {
        let used = &self.used;
        let init = match self.init {
            None => 0,
            Some((template, None)) => 1 | u64::from(template) << 8,
            Some((template, Some(old))) => 2 | u64::from(template) << 8 | old.0 << 16,
        };
        let small = u64::from(used.starts)
            | u64::from(used.crashes) << 8
            | u64::from(used.terminates) << 16
            | u64::from(used.stopped) << 24
            | u64::from(used.parent_exited) << 25
            | self.next_pid << 32;
        state.write_u64(self.now);
        state.write_u64(small);
        state.write_u64(init);
        state.write_u64(optional_instant(self.giving_up_at));
        self.procs.hash(state);
        self.waiting.hash(state);
        self.attempts.hash(state);
        self.stamps.hash(state);
        self.exited.hash(state);
    }

    /// The fingerprint of the state as it is ([`fingerprint`] of the world), resumed from the
    /// core's cached hash when the core did not change since it was hashed.
    ///
    /// [`fingerprint`]: crate::model_check::fingerprint::fingerprint
    pub fn own_fingerprint(&self) -> u64 {
        let mut hasher: Fingerprinter = self.core.fingerprinter();
        self.hash_rest(&mut hasher);
        hasher.finish()
    }

    /// Makes this world equal to `parent` again, given that it was copied from `parent` (by
    /// [`Clone::clone_from`] or this method) and has taken at most one transition since: the
    /// core is copied back only when the transition changed it.
    pub fn restore_from(&mut self, parent: &Self) {
        self.core.restore_from(&parent.core);
        self.copy_rest_from(parent);
    }
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
    pub fn new(config: &CheckConfig) -> Result<World, ConfigProblem> {
        config.validate()?;
        let core = Core::with_options(config.options())
            .map_err(|error| ConfigProblem(format!("invalid options: {error:?}")))?;
        Ok(World {
            core: TrackedCore::new(core),
            now: 0,
            next_pid: 1,
            procs: Vec::new(),
            waiting: Waiting::default(),
            attempts: Attempts::default(),
            init: None,
            used: Used::default(),
            stamps: Vec::new(),
            giving_up_at: None,
            exited: None,
            recording: Recording::default(),
            template_symmetries: Some(config.template_symmetries())
                .filter(|symmetries| !symmetries.is_empty())
                .map(Arc::from),
        })
    }

    /// Plants a defect in the core, for the harness's own tests.
    #[cfg(feature = "planted-defects")]
    pub fn plant_core_defect(&mut self, defect: dynsup::CoreDefect) {
        self.core.get_mut().plant_defect(defect);
    }

    /// The virtual time, in milliseconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Starts recording what this world observes (calls, replies, start attempts, renamings)
    /// from now on, for a caller that walks a path of its own; [`World::take_observed`] takes
    /// it. A recording is no part of the state.
    pub fn record(&mut self) {
        self.recording.start();
    }

    /// What this world observed since the last call, in order (nothing unless recording).
    pub fn take_observed(&mut self) -> Vec<Observed> {
        self.recording.take()
    }

    /// The renamings of the interchangeable templates (the same policy) of the configuration
    /// the world was made for, as [`CheckConfig::template_symmetries`] lists them: its
    /// fingerprint is the least over them. Empty when no two templates are interchangeable.
    pub fn template_symmetries(&self) -> &[Vec<u8>] {
        self.template_symmetries.as_deref().unwrap_or(&[])
    }

    /// Whether child `pid` is alive.
    pub fn child_alive(&self, pid: Pid) -> bool {
        self.is_live(pid)
    }

    /// Whether child `pid` began its shutdown work before the kill timers started
    /// ([`dynsup::SupervisorView::shutdown_head_start`]): at the instant its work ends and a
    /// timer fires, the real OTP has it end first.
    pub fn shutdown_head_start(&self, pid: Pid) -> bool {
        self.core.view().shutdown_head_start(pid)
    }

    /// The supervisor's exit reason, once it has exited.
    pub fn exit_reason(&self) -> Option<&ExitReason> {
        self.exited.as_ref()
    }

    fn proc(&self, pid: Pid) -> Option<&Proc> {
        self.procs
            .binary_search_by_key(&pid, |proc| proc.pid)
            .ok()
            .and_then(|index| self.procs.get(index))
    }

    fn proc_mut(&mut self, pid: Pid) -> Option<&mut Proc> {
        match self.procs.binary_search_by_key(&pid, |proc| proc.pid) {
            Ok(index) => self.procs.get_mut(index),
            Err(_) => None,
        }
    }

    fn is_live(&self, pid: Pid) -> bool {
        self.proc(pid).is_some_and(|proc| proc.alive)
    }

    fn first_live(&self) -> Option<Pid> {
        self.procs
            .iter()
            .find(|proc| proc.alive)
            .map(|proc| proc.pid)
    }

    /// Whether nothing is in flight and no timer is pending: only the client, the parent or
    /// a spontaneous exit can move the world on.
    pub fn at_rest(&self) -> bool {
        self.procs
            .iter()
            .all(|proc| proc.exit.is_none() && !proc.signals_in_flight() && proc.stops_at.is_none())
            && self.core.poll_timeout().is_none()
            && self.init.is_none()
    }

    /// Every transition enabled in this state, in a fixed order.
    pub fn steps(&self, config: &CheckConfig, out: &mut Vec<Step>) {
        out.clear();
        let bounds = &config.bounds;
        let alive = self.exited.is_none();
        let idle_client = self.waiting[..usize::from(bounds.clients)]
            .iter()
            .any(Option::is_none);
        if alive && idle_client {
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
        if self.init.is_some() {
            out.push(Step::InitReturns);
        }
        let kill_deadline = self.core.poll_timeout().map(Instant::as_millis);
        let mut due = kill_deadline.is_some_and(|at| at <= self.now);
        let mut next = (self.now / 1000 + 1) * 1000;
        for proc in &self.procs {
            if proc.alive && self.used.crashes < bounds.crashes {
                for how in SPONTANEOUS_EXITS {
                    out.push(Step::ChildExits(proc.pid, how));
                }
            }
            if proc.exit.is_some() {
                out.push(Step::DeliverExit(proc.pid));
            }
            if proc.signals_in_flight() {
                out.push(Step::DeliverSignal(proc.pid));
            }
            if let Some(at) = proc.stops_at.filter(|_| proc.alive) {
                if at <= self.now {
                    out.push(Step::ChildStops(proc.pid));
                    due = true;
                } else {
                    next = next.min(at);
                }
            }
        }
        if kill_deadline.is_some_and(|at| at <= self.now) {
            out.push(Step::KillTimer);
        }
        if let Some(at) = kill_deadline {
            next = next.min(at.max(self.now + 1));
        }
        if !due && alive && next <= bounds.max_time_ms {
            out.push(Step::Advance(next));
        }
    }

    /// Takes one transition, lets the supervisor do everything it does in answer, checks every
    /// rule on the way and those of the state it leads to, and renames pids to their canonical
    /// form.
    ///
    /// # Errors
    ///
    /// The first rule broken.
    pub fn apply(&mut self, config: &CheckConfig, step: Step) -> Result<(), Violation> {
        self.transition(config, step)?;
        self.check_state(config)
    }

    /// [`World::apply`] without the rules of the state it leads to ([`World::check_state`]):
    /// only those of the transition itself (the supervisor's replies, the kills it sends, the
    /// driver protocol). A search checks the state only when it has not seen it before.
    ///
    /// # Errors
    ///
    /// The first rule of the transition broken.
    pub fn transition(&mut self, config: &CheckConfig, step: Step) -> Result<(), Violation> {
        let now = Instant::from_millis(self.now);
        let driven = match step {
            Step::Call(request) => self.call(config, request),
            Step::ChildExits(pid, how) => {
                self.used.crashes += 1;
                self.die(pid, how);
                Ok(())
            }
            Step::DeliverExit(pid) => self.deliver_exit(config, pid),
            Step::DeliverSignal(pid) => {
                self.deliver_signal(config, pid);
                Ok(())
            }
            Step::ChildStops(pid) => {
                self.die(pid, SpontaneousExit::Shutdown);
                Ok(())
            }
            Step::KillTimer => self.core.get_mut().handle_timeout(now),
            Step::Advance(millis) => {
                self.now = millis;
                Ok(())
            }
            Step::ParentExit => {
                self.used.parent_exited = true;
                self.core
                    .get_mut()
                    .handle_parent_exit(now, ExitReason::Shutdown)
            }
            Step::InitReturns => self.init_returns(config),
        };
        driven.map_err(|error| violation("driver-protocol", format!("{error:?}")))?;
        self.settle(config)?;
        self.forget_and_canonicalize();
        self.core.hash_once();
        Ok(())
    }

    fn call(&mut self, config: &CheckConfig, request: Request) -> Result<(), dynsup::DriverError> {
        let now = Instant::from_millis(self.now);
        // Clients are interchangeable: the call goes to the first idle one.
        let client = self.waiting[..usize::from(config.bounds.clients)]
            .iter()
            .position(Option::is_none)
            .unwrap_or(0);
        self.waiting[client] = Some(request);
        self.recording.push(|| Observed::Called { client, request });
        let call = client_call(client);
        match request {
            Request::Start(index) => {
                self.used.starts += 1;
                let spec = config.templates[usize::from(index)].spec(index);
                self.core.get_mut().start_child(now, call, spec)
            }
            Request::Terminate(pid) => {
                self.used.terminates += 1;
                self.core.get_mut().terminate_child(now, call, pid)
            }
            Request::Which => self.core.get_mut().which_children(now, call),
            Request::Count => self.core.get_mut().count_children(now, call),
            Request::Stop => {
                self.used.stopped = true;
                self.core.get_mut().stop(now, call, ExitReason::Normal)
            }
        }
    }

    /// A live child ends: its exit signal is now in flight.
    fn die(&mut self, pid: Pid, how: SpontaneousExit) {
        if let Some(proc) = self.proc_mut(pid).filter(|proc| proc.alive) {
            proc.alive = false;
            proc.stops_at = None;
            proc.exit = Some(how);
            self.recording.push(|| Observed::Died { pid, how });
        }
    }

    fn deliver_exit(&mut self, config: &CheckConfig, pid: Pid) -> Result<(), dynsup::DriverError> {
        let alive = self.exited.is_none();
        let Some(proc) = self.proc_mut(pid) else {
            return Ok(());
        };
        let Some(how) = proc.exit.take() else {
            return Ok(());
        };
        let reason = how.reason();
        if alive && proc.signalled_at.is_none() {
            proc.owed = match config.templates[usize::from(proc.template)].restart {
                Restart::Permanent => true,
                Restart::Transient => !clean(&reason),
                Restart::Temporary => false,
            };
        }
        self.core
            .get_mut()
            .handle_child_exit(Instant::from_millis(self.now), pid, reason)
    }

    fn deliver_signal(&mut self, config: &CheckConfig, pid: Pid) {
        let now = self.now;
        let Some(proc) = self.proc_mut(pid) else {
            return;
        };
        let kill = if proc.shutdown_in_flight {
            proc.shutdown_in_flight = false;
            false
        } else {
            proc.kill_in_flight = false;
            true
        };
        if !proc.alive {
            return; // a signal to a dead process is dropped
        }
        let template = &config.templates[usize::from(proc.template)];
        if kill {
            self.die(pid, SpontaneousExit::Killed);
        } else if !template.traps_exits {
            self.die(pid, SpontaneousExit::Shutdown);
        } else if proc.stops_at.is_none() {
            proc.stops_at = template.stop_ms.map(|ms| now + ms);
        }
    }

    /// The start function the supervisor is blocked in returns its template's answer.
    fn init_returns(&mut self, config: &CheckConfig) -> Result<(), dynsup::DriverError> {
        let Some((function, restart_of)) = self.init.take() else {
            return Ok(());
        };
        let template = &config.templates[usize::from(function)];
        let answer = match self.attempts.get_mut(usize::from(function)) {
            Some(made) if !template.inits.is_empty() => {
                let answer = template.scripted_answer(usize::from(*made));
                if usize::from(*made) < template.inits.len() {
                    *made += 1;
                }
                answer.unwrap_or(InitAnswer::Ok)
            }
            _ if restart_of.is_some() => template.restart_init,
            _ => template.first_init,
        };
        let outcome = match answer {
            InitAnswer::Ok => {
                let pid = Pid(self.next_pid);
                self.next_pid += 1;
                self.procs.push(Proc {
                    pid,
                    template: function,
                    alive: true,
                    stops_at: None,
                    exit: None,
                    shutdown_in_flight: false,
                    kill_in_flight: false,
                    signalled_at: None,
                    owed: false,
                });
                StartOutcome::Started { pid, info: None }
            }
            InitAnswer::Ignore => StartOutcome::Ignore,
            InitAnswer::Fail => StartOutcome::Failed(ExitReason::Other("init_failed".to_owned())),
        };
        self.recording.push(|| Observed::Attempt {
            template: function,
            answer,
            pid: match &outcome {
                StartOutcome::Started { pid, .. } => Some(*pid),
                _ => None,
            },
        });
        if let (Some(old), false) = (restart_of, answer == InitAnswer::Fail) {
            if let Some(proc) = self.proc_mut(old) {
                proc.owed = false;
            }
        }
        self.core
            .get_mut()
            .handle_start_result(Instant::from_millis(self.now), outcome)
    }

    /// Performs the supervisor's effects until it has none left, observing each.
    fn settle(&mut self, config: &CheckConfig) -> Result<(), Violation> {
        while let Some(effect) = self.core.poll_effect() {
            match effect {
                Effect::Start {
                    function,
                    restart_of,
                    ..
                } => {
                    if config.templates.get(usize::from(function)).is_none() || self.init.is_some()
                    {
                        return Err(violation(
                            "driver-protocol",
                            format!("a start of template {function} while blocked or unknown"),
                        ));
                    }
                    if let Some(old) = restart_of {
                        self.observe_restart(config, old)?;
                    }
                    self.init = Some((function, restart_of));
                }
                Effect::Shutdown { pid } => {
                    if self.shutdown_of(config, pid) == Some(Shutdown::BrutalKill) {
                        return Err(violation(
                            "shutdown-timing",
                            format!(
                                "child {} has shutdown brutal_kill but got `shutdown`",
                                pid.0
                            ),
                        ));
                    }
                    self.signal(pid, false)?;
                }
                Effect::Kill { pid } => {
                    self.check_kill(config, pid)?;
                    self.signal(pid, true)?;
                }
                Effect::Reply { call, reply } => self.observe_reply(call, reply)?,
                Effect::Exit { reason } => self.observe_exit(config, reason)?,
            }
        }
        while self.core.poll_event().is_some() {}
        Ok(())
    }

    fn shutdown_of(&self, config: &CheckConfig, pid: Pid) -> Option<Shutdown> {
        let proc = self.proc(pid)?;
        Some(config.templates[usize::from(proc.template)].shutdown)
    }

    fn signal(&mut self, pid: Pid, kill: bool) -> Result<(), Violation> {
        if !self.on_purpose(pid) && self.giving_up_at.is_none() {
            self.giving_up_at = Some(self.now);
        }
        let now = self.now;
        let Some(proc) = self.proc_mut(pid) else {
            return Err(violation(
                "no-orphans",
                format!("a signal to {}, a pid no child ever had", pid.0),
            ));
        };
        proc.signalled_at.get_or_insert(now);
        if kill {
            proc.kill_in_flight = true;
        } else {
            proc.shutdown_in_flight = true;
        }
        Ok(())
    }

    /// Whether a signal to `pid` was asked for: by `terminate_child(pid)`, `stop`, or the parent.
    fn on_purpose(&self, pid: Pid) -> bool {
        self.used.parent_exited
            || self.waiting.iter().any(|request| {
                *request == Some(Request::Stop) || *request == Some(Request::Terminate(pid))
            })
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
            Some(Shutdown::Timeout { millis }) => {
                match self.proc(pid).and_then(|proc| proc.signalled_at) {
                    Some(at) if self.now >= at + millis => Ok(()),
                    Some(at) => Err(violation(
                        "shutdown-timing",
                        format!(
                            "child {} killed at {} ms, {} ms after its shutdown signal \
                             (timeout {millis})",
                            pid.0,
                            self.now,
                            self.now - at
                        ),
                    )),
                    None => Err(violation(
                        "shutdown-timing",
                        format!("child {} killed without a shutdown signal first", pid.0),
                    )),
                }
            }
        }
    }

    /// A restart attempt of `old`: the rules must owe it, and it must fit in the intensity.
    fn observe_restart(&mut self, config: &CheckConfig, old: Pid) -> Result<(), Violation> {
        if !self.proc(old).is_some_and(|proc| proc.owed) {
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

    fn observe_reply(&mut self, call: CallId, reply: Reply) -> Result<(), Violation> {
        let client = usize::try_from(call.0).unwrap_or(usize::MAX);
        let request = self.waiting.get_mut(client).and_then(Option::take);
        let checked = self.check_reply(request, &reply);
        self.recording.push(|| Observed::Replied { client, reply });
        checked
    }

    fn check_reply(&mut self, request: Option<Request>, reply: &Reply) -> Result<(), Violation> {
        match (request, reply) {
            (Some(Request::Start(_)), Reply::StartChild(Ok(Started::Running { pid, .. })))
                if !self.is_live(*pid) =>
            {
                return Err(violation(
                    "child-counts",
                    format!("start_child answered {} which is not running", pid.0),
                ));
            }
            (Some(Request::Terminate(pid)), Reply::TerminateChild(result)) => {
                if let Some(proc) = self.proc_mut(pid) {
                    proc.owed = false;
                }
                if result.is_ok() && self.is_live(pid) {
                    return Err(violation(
                        "no-orphans",
                        format!("terminate_child({}) answered while it runs", pid.0),
                    ));
                }
            }
            (Some(Request::Stop), Reply::Stopped)
                if self.core.view().is_alive() || self.first_live().is_some() =>
            {
                return Err(violation(
                    "no-orphans",
                    "stop answered while the supervisor or a child lives".to_owned(),
                ));
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
        if let Some(pid) = self.first_live() {
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
            let owed = self.procs.iter().any(|proc| proc.owed);
            if !owed || in_window < config.max_restarts {
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
        for proc in &mut self.procs {
            proc.owed = false;
        }
        Ok(())
    }

    /// The rules every state keeps: the child counts, no orphans, and, once nothing is in
    /// flight, liveness.
    ///
    /// # Errors
    ///
    /// The first rule the state breaks.
    pub fn check_state(&self, config: &CheckConfig) -> Result<(), Violation> {
        let view = self.core.view();
        if view.is_alive() != self.exited.is_none() {
            return Err(violation(
                "no-orphans",
                "the supervisor's liveness and its exit disagree".to_owned(),
            ));
        }
        if !view.is_alive() {
            return match self.first_live() {
                Some(pid) => Err(violation(
                    "no-orphans",
                    format!("child {} outlives its supervisor", pid.0),
                )),
                None => Ok(()),
            };
        }
        let mut specs = 0u64;
        let mut running = 0u64;
        for entry in view.entries() {
            specs += 1;
            if entry.state == EntryState::Running {
                running += 1;
                if self.proc(entry.pid).is_none() {
                    return Err(violation(
                        "child-counts",
                        format!("entry {} is no child the world started", entry.pid.0),
                    ));
                }
            }
        }
        for proc in self.procs.iter().filter(|proc| proc.alive) {
            let entry = view.entry(proc.pid);
            if !entry.is_some_and(|entry| entry.state == EntryState::Running) {
                return Err(violation(
                    "child-counts",
                    format!(
                        "child {} runs but the supervisor has no running entry for it",
                        proc.pid.0
                    ),
                ));
            }
        }
        let counts = view.counts();
        if counts.specs != specs || counts.active != running {
            return Err(violation(
                "child-counts",
                format!(
                    "count_children says specs={} active={}, the table holds {specs} and \
                     {running} running",
                    counts.specs, counts.active
                ),
            ));
        }
        if let Some(limit) = config.max_children {
            if specs > limit {
                return Err(violation(
                    "child-counts",
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
        if let Some(request) = self.waiting.iter().flatten().next() {
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
                format!(
                    "child {} stays restarting: its retry never comes",
                    entry.pid.0
                ),
            ));
        }
        if let Some(proc) = self.procs.iter().find(|proc| proc.owed) {
            return Err(violation(
                "liveness",
                format!("child {} exited and was never restarted", proc.pid.0),
            ));
        }
        Ok(())
    }

    /// Renames the templates (`renaming[old] = new`) everywhere the state refers to one: the
    /// processes, the client's `start_child` call, the start the supervisor is blocked in, and
    /// the core. With interchangeable templates ([`CheckConfig::template_symmetries`]) the
    /// renamed state behaves as this one.
    pub fn rename_templates(&mut self, renaming: &[u8]) {
        let rename = |template: u8| {
            renaming
                .get(usize::from(template))
                .copied()
                .unwrap_or(template)
        };
        for proc in &mut self.procs {
            proc.template = rename(proc.template);
        }
        for request in self.waiting.iter_mut() {
            if let Some(Request::Start(template)) = request {
                *template = rename(*template);
            }
        }
        let attempts = self.attempts;
        for (old, made) in attempts.0.iter().enumerate() {
            if let Some(slot) = self.attempts.get_mut(usize::from(rename(index_u8(old)))) {
                *slot = *made;
            }
        }
        if let Some((template, _)) = &mut self.init {
            *template = rename(*template);
        }
        self.core
            .get_mut()
            .relabel_functions(|&template| rename(template));
    }

    /// Drops the processes nothing refers to any more, then renames pids to 1, 2, ... in their
    /// order (symmetry reduction: only the order and identity of pids matter).
    fn forget_and_canonicalize(&mut self) {
        // Only a dead process with nothing in flight and nothing owed may be forgotten, if
        // nothing refers to it any more.
        let forgettable = |proc: &Proc| {
            !(proc.alive || proc.exit.is_some() || proc.signals_in_flight() || proc.owed)
        };
        if self.procs.iter().any(forgettable) {
            let (core, waiting, init) = (&self.core, &self.waiting, self.init);
            let referenced = |pid: Pid| {
                core.refers_to(pid)
                    || waiting.contains(&Some(Request::Terminate(pid)))
                    || init.is_some_and(|(_, old)| old == Some(pid))
            };
            self.procs
                .retain(|proc| !forgettable(proc) || referenced(proc.pid));
        }
        let identity = self
            .procs
            .iter()
            .zip(1..)
            .all(|(proc, rank)| proc.pid == Pid(rank));
        self.next_pid = self.procs.len() as u64 + 1;
        self.recording.push(|| {
            Observed::Renamed(
                self.procs
                    .iter()
                    .zip(1..)
                    .map(|(proc, rank)| (proc.pid, Pid(rank)))
                    .collect(),
            )
        });
        if identity {
            return;
        }
        // The processes are in ascending pid order: each one's new pid is its rank.
        let procs = &self.procs;
        let rename = |pid: Pid| match procs.binary_search_by_key(&pid, |proc| proc.pid) {
            Ok(index) => Pid(index as u64 + 1),
            Err(_) => pid,
        };
        self.core.get_mut().relabel_pids(rename);
        for request in self.waiting.iter_mut() {
            if let Some(Request::Terminate(pid)) = request {
                *pid = rename(*pid);
            }
        }
        if let Some((_, Some(old))) = &mut self.init {
            *old = rename(*old);
        }
        for (proc, rank) in self.procs.iter_mut().zip(1..) {
            proc.pid = Pid(rank);
        }
    }
}

pub(crate) fn index_u8(index: usize) -> u8 {
    u8::try_from(index).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::model_check::fingerprint::fingerprint;

    fn proc(pid: u64, stops_at: Option<u64>, signalled_at: Option<u64>) -> Proc {
        Proc {
            pid: Pid(pid),
            template: 0,
            alive: true,
            stops_at,
            exit: None,
            shutdown_in_flight: false,
            kill_in_flight: false,
            signalled_at,
            owed: false,
        }
    }

    #[test]
    fn a_process_hashes_apart_from_its_neighbours() {
        // Pids and instants below and beyond 16 bits, and pairs that would collide if a
        // hash packed a wide value into too narrow a field.
        let procs = [
            proc(1, None, None),
            proc(2, None, None),
            proc(1 << 16, None, None),
            proc(0, Some(0), None),
            proc(1, Some(65_534), None),
            proc(1, Some(65_535), None),
            proc(1, Some(0), None),
            proc(1, None, Some(0)),
            proc(1, Some(65_536), None),
            proc(1, None, Some(1)),
            proc(1, Some(1 << 20), Some(3)),
            proc(1, Some(3), Some(1 << 20)),
        ];
        let prints: HashSet<u64> = procs.iter().map(fingerprint).collect();
        assert_eq!(prints.len(), procs.len());
    }

    #[test]
    fn the_clock_and_the_instant_of_giving_up_hash_apart_below_and_beyond_32_bits() {
        let Some(config) = crate::model_check::config::default_set().into_iter().next() else {
            panic!("the default set has configurations");
        };
        let Ok(world) = World::new(&config) else {
            panic!("the default configurations are valid");
        };
        let mut prints = HashSet::new();
        let cases = [
            (0, None),
            (1, None),
            (0, Some(0)),
            (1 << 32, None),
            ((1 << 32) + 1, None),
            (0, Some(1 << 32)),
            (1, Some(1 << 32)),
        ];
        for (now, giving_up_at) in cases {
            let mut world = world.clone();
            world.now = now;
            world.giving_up_at = giving_up_at;
            prints.insert(world.own_fingerprint());
        }
        assert_eq!(prints.len(), cases.len());
    }
}
