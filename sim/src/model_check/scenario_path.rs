//! A scenario file (race windows included, docs/races.md) as a path of `dynsup-sim check`'s
//! transitions: the file's templates and options become a [`CheckConfig`], its steps a walk
//! from the checker's initial state in which every transition taken must be one the search
//! itself would take there ([`World::steps`]), and what the world records (replies, start
//! attempts, deaths, the supervisor's exit) becomes the file's transcript. This shows that the
//! order a race file writes is among the checker's interleavings, with the same outcome
//! (`tests/model_check_races.rs`).
//!
//! How a step becomes transitions: outside a window every message is sent and delivered and
//! the world settled, as the simulator does; inside a window (between `suspend` and `resume`)
//! each exit or kill ends its child at once ([`Step::ChildExits`]) and each call waits with its
//! client, and nothing is delivered until `resume`, which delivers them all in the written
//! order (a call as [`Step::Call`], an exit as [`Step::DeliverExit`]) before the world settles.
//! A supervisor that nothing feeds in the meantime is a suspended one: both handle the
//! messages in that order, and what arrives while the supervisor is blocked (in a start, a
//! termination) waits in its mailbox, behind which a failed restart's retry then queues.
//! `stop` is the parent's exit ([`Step::ParentExit`]), taken at once even in a window, after
//! which the exits waiting in the window are delivered to the supervisor shutting down and the
//! calls waiting are never delivered (`error noproc`).
//!
//! Settling takes, while any is enabled, the first of the world's own transitions (a start
//! returning, an exit or a signal delivered, a child stopping, the kill timer) in the order
//! the search lists them, and lets the clock advance: before a step, up to its time and on
//! while anything is pending (format 1 settles the supervisor before every step, which then
//! comes late); after a call outside a window, until it is answered; after `stop`, until the
//! supervisor is down. The checker's clock moves only to deadlines and whole seconds, so it
//! may lag behind the file's time (a step written at `MS` is taken at the latest such point
//! not after `MS`); the walk keeps the lag and asserts, before every step and at every start
//! attempt, that both clocks are in the same whole second, so every restart stamp is the
//! file's ([`WalkError::Clock`] otherwise).

use std::collections::BTreeMap;
use std::fmt;

use dynsup::{ExitReason, Pid, Reply, StartError, Started, TerminateError};

use crate::model_check::config::{
    default_bounds, CheckConfig, InitAnswer, SpontaneousExit, Template, MAX_CLIENTS, MAX_INITS,
    MAX_TEMPLATES,
};
use crate::model_check::recording::Observed;
use crate::model_check::world::{index_u8, Request, Step, Violation, World, NEVER_STARTED};
use crate::runner::ok_or_noproc;
use crate::scenario::{self, ChildRef, InitOutcome, Op, Scenario};
use crate::transcript::{Attempt, EventRecord, Process, Record, RefId, StepResult};

/// Why a scenario cannot be walked in the checker's world: a feature the checker does not
/// model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a walk failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalkError {
    /// The checker does not model the file.
    Refused(Refusal),
    /// The walk wanted a transition the checker does not enable in that state.
    NotEnabled {
        /// The step's index in the file.
        step: usize,
        /// The transition wanted.
        wanted: Step,
        /// The transitions enabled.
        enabled: Vec<Step>,
    },
    /// A checker rule broke on the way.
    Violation {
        /// The step's index in the file.
        step: usize,
        /// What broke.
        violation: Violation,
    },
    /// The checker's clock, which lands only on deadlines and whole seconds, cannot follow
    /// the file: a step or a start attempt falls in another whole second on it than in the
    /// file's time, so restart stamps could differ.
    Clock {
        /// The step's index in the file.
        step: usize,
        /// The checker's time, in milliseconds.
        now: u64,
        /// The file's time of the same moment, in milliseconds.
        real: u64,
    },
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkError::Refused(refusal) => write!(f, "refused: {refusal}"),
            WalkError::NotEnabled {
                step,
                wanted,
                enabled,
            } => {
                let enabled: Vec<String> = enabled.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "step {step}: `{wanted}` is not enabled (enabled: {})",
                    enabled.join(", ")
                )
            }
            WalkError::Violation { step, violation } => write!(f, "step {step}: {violation}"),
            WalkError::Clock { step, now, real } => write!(
                f,
                "step {step}: the checker's clock is at {now} ms when the file's is at {real} ms, \
                 in another whole second (it lands only on deadlines and whole seconds)"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// A walk's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// The configuration the file became.
    pub config: CheckConfig,
    /// The transitions taken from the initial state, each enabled where it was taken.
    pub path: Vec<Step>,
    /// Each step's result and the events from its beginning to the next step's, as the
    /// simulator's runner records them ([`crate::transcript::write`] prints them): the
    /// results are the replies the world recorded (or, for exits, kills, `stop`, `suspend`
    /// and `resume`, whether the process was alive), the events its start attempts, the
    /// children's deaths and the supervisor's exit.
    pub records: Vec<Record>,
    /// The supervisor's exit reason at the end, if it exited.
    pub exit: Option<ExitReason>,
}

/// The checker's configuration for `scenario`: its templates (`child` lines, an `init=` list
/// that is not one answer throughout as the template's `inits`), its options, and bounds that
/// allow exactly the file's calls, exits and stops.
///
/// # Errors
///
/// A [`Refusal`] naming what the checker does not model: more than [`MAX_TEMPLATES`]
/// templates or [`MAX_INITS`] init answers (or none: the checker needs a template), a
/// template name the checker does not take, a window whose steps are not at one instant, more
/// than [`MAX_CLIENTS`] calls in one window, more than 255 calls or exits of one kind.
pub fn config_of(name: &str, scenario: &Scenario) -> Result<CheckConfig, Refusal> {
    if scenario.templates.len() > MAX_TEMPLATES {
        return Err(Refusal(format!(
            "{} templates: the checker takes at most {MAX_TEMPLATES}",
            scenario.templates.len()
        )));
    }
    let templates = scenario
        .templates
        .iter()
        .map(template_of)
        .collect::<Result<Vec<_>, _>>()?;
    let mut bounds = default_bounds();
    let count = |keep: fn(&Op) -> bool| {
        let n = scenario.steps.iter().filter(|step| keep(&step.op)).count();
        u8::try_from(n).map_err(|_| Refusal(format!("{n} steps of one kind: at most 255")))
    };
    bounds.starts = count(|op| matches!(op, Op::Start { .. }))?;
    bounds.crashes = count(|op| matches!(op, Op::Exit(..) | Op::Kill(_)))?;
    bounds.terminates = count(|op| matches!(op, Op::Terminate(_)))?;
    bounds.listings = count(|op| matches!(op, Op::Which | Op::Count))? > 0;
    bounds.stops = count(|op| matches!(op, Op::Stop))? > 0;
    bounds.clients = index_u8(window_calls(scenario)?.max(1));
    let last = scenario.steps.last().map_or(0, |step| step.at_ms);
    // Room after the last step for every timer a step can set (shutdowns and stops are at
    // most a minute).
    bounds.max_time_ms = last.saturating_add(120_000);
    let config = CheckConfig {
        name: name.to_owned(),
        max_restarts: scenario.supervisor.max_restarts,
        max_seconds: scenario.supervisor.max_seconds,
        max_children: scenario.supervisor.max_children,
        templates,
        bounds,
    };
    config.validate().map_err(|problem| Refusal(problem.0))?;
    Ok(config)
}

/// The most calls in one window (they wait at once, each with a client of its own); a window
/// whose steps are not all at one instant is refused.
fn window_calls(scenario: &Scenario) -> Result<usize, Refusal> {
    let mut most = 0;
    let mut open: Option<(u64, usize)> = None;
    for step in &scenario.steps {
        match (&step.op, &mut open) {
            (Op::Suspend, _) => open = Some((step.at_ms, 0)),
            (Op::Resume, _) => open = None,
            (op, Some((at, calls))) => {
                if step.at_ms != *at {
                    return Err(Refusal(format!(
                        "a window from {at} ms to {} ms: the walk takes windows at one instant",
                        step.at_ms
                    )));
                }
                if matches!(
                    op,
                    Op::Start { .. } | Op::Terminate(_) | Op::Which | Op::Count
                ) {
                    *calls += 1;
                    most = most.max(*calls);
                }
            }
            (_, None) => {}
        }
    }
    if most > MAX_CLIENTS {
        return Err(Refusal(format!(
            "{most} calls in one window: the checker has at most {MAX_CLIENTS} clients"
        )));
    }
    Ok(most)
}

/// The checker's template for a `child` line.
fn template_of(line: &scenario::Template) -> Result<Template, Refusal> {
    let mut template: Template = line
        .name
        .parse()
        .map_err(|problem: crate::model_check::config::ConfigProblem| Refusal(problem.0))?;
    template.restart = line.restart;
    template.shutdown = line.shutdown;
    template.traps_exits = line.trap_exit;
    template.stop_ms = Some(line.stop_ms);
    if line.init.len() > MAX_INITS {
        return Err(Refusal(format!(
            "template {}: {} init answers, the checker takes at most {MAX_INITS}",
            line.name,
            line.init.len()
        )));
    }
    let answers: Vec<InitAnswer> = line
        .init
        .iter()
        .map(|outcome| match outcome {
            InitOutcome::Ok => InitAnswer::Ok,
            InitOutcome::Ignore => InitAnswer::Ignore,
            InitOutcome::Stop(_) => InitAnswer::Fail,
        })
        .collect();
    match answers.first() {
        Some(&first) if answers.iter().any(|&answer| answer != first) => template.inits = answers,
        Some(&first) => {
            template.first_init = first;
            template.restart_init = first;
        }
        None => {}
    }
    Ok(template)
}

/// A message sent in a window, delivered at `resume`.
#[derive(Clone, Debug)]
enum Held {
    /// The call of step `step`.
    Call(usize, Call),
    /// The exit signal of this child.
    Exit(RefId),
}

/// A call, with the child it names (a pid is known only when the call is delivered).
#[derive(Clone, Copy, Debug)]
enum Call {
    Start(u8),
    Terminate(Option<RefId>),
    Which,
    Count,
}

/// The walk in progress.
struct Walker<'a> {
    scenario: &'a Scenario,
    config: CheckConfig,
    world: World,
    enabled: Vec<Step>,
    path: Vec<Step>,
    results: Vec<Option<StepResult>>,
    events: Vec<Vec<EventRecord>>,
    /// The file's reason for the exit being taken (the checker's is only its class).
    dying: Option<ExitReason>,
    /// The current pid of each process the world still knows.
    refs: BTreeMap<Pid, RefId>,
    /// Start attempts made so far, per template.
    attempts: Vec<u64>,
    /// The step whose call each client waits on.
    clients: [Option<usize>; MAX_CLIENTS],
    /// The last start attempt that failed, to name its reason as the file does.
    failed: Option<RefId>,
    /// The step being run (its index in the file): the events go there.
    current: usize,
    /// The step whose call is being delivered.
    calling: usize,
    /// Inside a window: the messages sent so far.
    held: Option<Vec<Held>>,
    /// How far the checker's clock lags behind the file's time (the simulator's).
    lag: u64,
}

/// Walks `scenario` (called `name` in reports) through the checker's world.
///
/// # Errors
///
/// [`WalkError`]: a refusal ([`config_of`]), a transition the checker does not enable, a rule
/// broken, a clock that cannot follow the file.
pub fn walk(name: &str, scenario: &Scenario) -> Result<Walk, WalkError> {
    let config = config_of(name, scenario).map_err(WalkError::Refused)?;
    let mut world =
        World::new(&config).map_err(|problem| WalkError::Refused(Refusal(problem.0)))?;
    world.record();
    let mut walker = Walker {
        scenario,
        attempts: vec![0; config.templates.len()],
        config,
        world,
        enabled: Vec::new(),
        path: Vec::new(),
        results: vec![None; scenario.steps.len()],
        events: vec![Vec::new(); scenario.steps.len()],
        dying: None,
        refs: BTreeMap::new(),
        clients: [None; MAX_CLIENTS],
        failed: None,
        current: 0,
        calling: 0,
        held: None,
        lag: 0,
    };
    for (index, step) in scenario.steps.iter().enumerate() {
        // What settling before a step causes is the previous step's event.
        if walker.held.is_none() {
            walker.settle(Until::Time(step.at_ms))?;
            // The checker's clock may lag behind the written time (it lands only on deadlines
            // and whole seconds); a step that comes late (after a call or a shutdown that let
            // time pass) keeps the lag it had.
            let now = walker.world.now();
            if now <= step.at_ms {
                walker.lag = step.at_ms - now;
            }
            walker.check_clock(index)?;
        }
        walker.current = index;
        walker.perform(&step.op)?;
    }
    walker.settle(Until::Rest)?;
    let Walker {
        config,
        path,
        results,
        events,
        world,
        ..
    } = walker;
    Ok(Walk {
        config,
        path,
        records: results
            .into_iter()
            .zip(events)
            .map(|(result, events)| Record {
                // A call never answered is one its supervisor ended before answering.
                result: result.unwrap_or(StepResult::NoProc),
                events,
            })
            .collect(),
        exit: world.exit_reason().cloned(),
    })
}

impl Walker<'_> {
    fn alive(&self) -> bool {
        self.world.exit_reason().is_none()
    }

    /// The checker's clock and the file's time must be in the same whole second (where a
    /// restart would be stamped) while the supervisor lives.
    fn check_clock(&self, step: usize) -> Result<(), WalkError> {
        let now = self.world.now();
        let real = now.saturating_add(self.lag);
        if self.alive() && now / 1000 != real / 1000 {
            return Err(WalkError::Clock { step, now, real });
        }
        Ok(())
    }

    /// Takes `step`, which must be enabled, and reads what the world observed.
    fn take(&mut self, step: Step) -> Result<(), WalkError> {
        self.world.steps(&self.config, &mut self.enabled);
        if !self.enabled.contains(&step) {
            return Err(WalkError::NotEnabled {
                step: self.current,
                wanted: step,
                enabled: self.enabled.clone(),
            });
        }
        let was_alive = self.alive();
        self.world
            .apply(&self.config, step)
            .map_err(|violation| WalkError::Violation {
                step: self.current,
                violation,
            })?;
        self.path.push(step);
        for observed in self.world.take_observed() {
            if matches!(observed, Observed::Attempt { .. }) {
                self.check_clock(self.current)?;
            }
            self.observe(observed);
        }
        if let (true, Some(reason)) = (was_alive, self.world.exit_reason()) {
            let event = EventRecord::SupervisorDown(reason.clone());
            self.event(event);
        }
        Ok(())
    }

    fn event(&mut self, event: EventRecord) {
        if let Some(events) = self.events.get_mut(self.current) {
            events.push(event);
        }
    }

    fn observe(&mut self, observed: Observed) {
        match observed {
            Observed::Called { client, .. } => {
                if let Some(slot) = self.clients.get_mut(client) {
                    *slot = Some(self.calling);
                }
            }
            Observed::Replied { client, reply } => {
                let step = self.clients.get_mut(client).and_then(Option::take);
                let result = self.result_of(reply);
                if let Some(slot) = step.and_then(|step| self.results.get_mut(step)) {
                    *slot = Some(result);
                }
            }
            Observed::Attempt {
                template,
                answer,
                pid,
            } => {
                let index = usize::from(template);
                let Some(made) = self.attempts.get_mut(index) else {
                    return;
                };
                *made += 1;
                let id = RefId {
                    template: index,
                    attempt: *made,
                };
                self.failed = (answer == InitAnswer::Fail).then_some(id);
                if let Some(pid) = pid {
                    self.refs.insert(pid, id);
                }
                let attempt = Attempt::Named(id);
                let event = match answer {
                    InitAnswer::Ok => EventRecord::Up(attempt),
                    InitAnswer::Ignore => EventRecord::Ignore(attempt),
                    InitAnswer::Fail => EventRecord::Fail(attempt, self.file_reason(None)),
                };
                self.event(event);
            }
            Observed::Died { pid, how } => {
                let reason = self.dying.take().unwrap_or_else(|| how.reason());
                let process = self.process(pid);
                self.event(EventRecord::Down(process, reason));
            }
            Observed::Renamed(renaming) => {
                self.refs = renaming
                    .into_iter()
                    .filter_map(|(old, new)| self.refs.get(&old).map(|&id| (new, id)))
                    .collect();
            }
        }
    }

    /// The current pid of `child`, if the world still knows its process.
    fn pid_of(&self, child: &ChildRef) -> Option<Pid> {
        self.ref_id(child).and_then(|id| self.pid_of_id(id))
    }

    /// The current pid of the process named `id`, if the world still knows it.
    fn pid_of_id(&self, id: RefId) -> Option<Pid> {
        self.refs
            .iter()
            .find(|(_, &known)| known == id)
            .map(|(&pid, _)| pid)
    }

    fn ref_id(&self, child: &ChildRef) -> Option<RefId> {
        let template = self.scenario.template_index(&child.template)?;
        Some(RefId {
            template,
            attempt: child.attempt,
        })
    }

    fn process(&self, pid: Pid) -> Process {
        self.refs
            .get(&pid)
            .map_or(Process::Pid(pid), |&id| Process::Named(id))
    }

    fn result_of(&self, reply: Reply) -> StepResult {
        let process = |pid: Pid| self.process(pid);
        match reply {
            Reply::StartChild(Ok(Started::Running { pid, .. })) => match self.refs.get(&pid) {
                Some(&id) => StepResult::Started(id),
                None => StepResult::StartedUnnamed(pid),
            },
            Reply::StartChild(Ok(Started::Ignored)) => StepResult::Ignore,
            Reply::StartChild(Err(StartError::MaxChildren)) => StepResult::MaxChildren,
            Reply::StartChild(Err(StartError::Failed(reason))) => {
                StepResult::StartFailed(self.file_reason(Some(reason)))
            }
            Reply::TerminateChild(Ok(())) | Reply::Stopped => StepResult::Ok,
            Reply::TerminateChild(Err(TerminateError::NotFound)) => StepResult::NotFound,
            // Errors this crate may add later: printed as no golden prints them.
            Reply::StartChild(Err(error)) => {
                StepResult::StartFailed(ExitReason::other(format!("unknown: {error}")))
            }
            Reply::TerminateChild(Err(_)) => StepResult::Undefined,
            Reply::WhichChildren(infos) => {
                StepResult::Which(infos.iter().map(|info| info.pid.map(process)).collect())
            }
            Reply::CountChildren(counts) => StepResult::Counts(counts),
            Reply::NoProc => StepResult::NoProc,
        }
    }

    /// The checker's failing start answers `init_failed` (`reason`, `None` for the checker's
    /// own); the file names the reason of each attempt (`stop:WORD`): the reason of the attempt
    /// that just failed.
    fn file_reason(&self, reason: Option<ExitReason>) -> ExitReason {
        let reason = reason.unwrap_or_else(|| ExitReason::other("init_failed"));
        let word = self.failed.and_then(|id| {
            let template = self.scenario.templates.get(id.template)?;
            match template.outcome(id.attempt) {
                InitOutcome::Stop(word) => Some(word.clone()),
                _ => None,
            }
        });
        match (reason, word) {
            (ExitReason::Other(checker), Some(word)) if checker == "init_failed" => {
                ExitReason::other(word)
            }
            (reason, _) => reason,
        }
    }

    fn set_result(&mut self, result: StepResult) {
        if let Some(slot) = self.results.get_mut(self.current) {
            *slot = Some(result);
        }
    }

    fn perform(&mut self, op: &Op) -> Result<(), WalkError> {
        let call = match op {
            Op::Start { template } => self
                .scenario
                .template_index(template)
                .map(|index| Call::Start(index_u8(index))),
            Op::Terminate(child) => Some(Call::Terminate(self.ref_id(child))),
            Op::Which => Some(Call::Which),
            Op::Count => Some(Call::Count),
            _ => None,
        };
        if let Some(call) = call {
            return self.make_call(call);
        }
        match op {
            Op::Exit(child, reason) => self.end_child(child, reason.clone()),
            Op::Kill(child) => self.end_child(child, ExitReason::Killed),
            Op::Stop => self.stop(),
            Op::Suspend => {
                let alive = self.alive();
                self.held = alive.then(Vec::new);
                self.set_result(ok_or_noproc(alive));
                Ok(())
            }
            Op::Resume => self.resume(),
            _ => Ok(()),
        }
    }

    /// A call: held in a window, else made and settled (its result comes with its reply).
    fn make_call(&mut self, call: Call) -> Result<(), WalkError> {
        if !self.alive() {
            self.set_result(StepResult::NoProc);
            return Ok(());
        }
        if let Some(held) = &mut self.held {
            held.push(Held::Call(self.current, call));
            return Ok(());
        }
        self.deliver_call(self.current, call)?;
        // The client waits for its answer (a terminate of a slow child lets time pass).
        self.settle(Until::Answered(self.current))
    }

    /// The step whose call is being delivered.
    fn deliver_call(&mut self, step: usize, call: Call) -> Result<(), WalkError> {
        if !self.alive() {
            return Ok(()); // never answered: `error noproc`
        }
        let request = match call {
            Call::Start(index) => Request::Start(index),
            // A process the world forgot is no entry: any pid the supervisor does not know
            // answers the same, and the checker names them all 0.
            Call::Terminate(id) => Request::Terminate(
                id.and_then(|id| self.pid_of_id(id))
                    .unwrap_or(NEVER_STARTED),
            ),
            Call::Which => Request::Which,
            Call::Count => Request::Count,
        };
        self.calling = step;
        self.take(Step::Call(request))
    }

    /// `exit` or `kill`: the child ends at once; its exit is delivered at once, or at `resume`.
    fn end_child(&mut self, child: &ChildRef, reason: ExitReason) -> Result<(), WalkError> {
        let how = spontaneous(&reason);
        let pid = self
            .pid_of(child)
            .filter(|&pid| self.world.child_alive(pid));
        let Some(pid) = pid else {
            self.set_result(StepResult::Dead);
            return Ok(());
        };
        self.set_result(StepResult::Ok);
        self.dying = Some(reason);
        self.take(Step::ChildExits(pid, how))?;
        let id = self.ref_id(child);
        match (&mut self.held, id) {
            (Some(held), Some(id)) => held.push(Held::Exit(id)),
            _ => self.settle(Until::Time(self.world.now()))?,
        }
        Ok(())
    }

    /// The parent's exit, at once even in a window: the exits waiting there reach the
    /// supervisor shutting down, the calls waiting never reach it.
    fn stop(&mut self) -> Result<(), WalkError> {
        if !self.alive() {
            self.set_result(StepResult::NoProc);
            return Ok(());
        }
        self.set_result(StepResult::Ok);
        self.take(Step::ParentExit)?;
        for held in self.held.take().unwrap_or_default() {
            if let Held::Exit(id) = held {
                self.deliver_exit(id)?;
            }
        }
        // The parent waits until the supervisor is down (its kill timers let time pass).
        self.settle(Until::Exited)
    }

    fn deliver_exit(&mut self, id: RefId) -> Result<(), WalkError> {
        let pid = self.pid_of_id(id).unwrap_or(NEVER_STARTED);
        self.take(Step::DeliverExit(pid))
    }

    /// `resume`: every message of the window, in the written order, then settling.
    fn resume(&mut self) -> Result<(), WalkError> {
        let Some(held) = self.held.take() else {
            self.set_result(StepResult::NoProc);
            return Ok(());
        };
        self.set_result(ok_or_noproc(self.alive()));
        for message in held {
            match message {
                Held::Call(step, call) => self.deliver_call(step, call)?,
                Held::Exit(id) => self.deliver_exit(id)?,
            }
        }
        self.settle(Until::Time(self.world.now()))
    }

    /// Takes the world's own transitions while any is enabled, and lets the clock advance as
    /// far as `until` says.
    fn settle(&mut self, until: Until) -> Result<(), WalkError> {
        loop {
            self.world.steps(&self.config, &mut self.enabled);
            // The end of a child's shutdown work comes after everything else due at its
            // instant (a tie with the kill timer is a kill), unless the child got a head start:
            // then before everything else (docs/semantics.md §8), as in the simulator.
            let own = |head_start: Option<bool>| {
                self.enabled.iter().copied().find(|step| match step {
                    Step::ChildStops(pid) => {
                        head_start.is_some_and(|h| h == self.world.shutdown_head_start(*pid))
                    }
                    Step::InitReturns
                    | Step::DeliverExit(_)
                    | Step::DeliverSignal(_)
                    | Step::KillTimer => head_start.is_none(),
                    _ => false,
                })
            };
            let own = own(Some(true))
                .or_else(|| own(None))
                .or_else(|| own(Some(false)));
            let advance = self
                .enabled
                .iter()
                .copied()
                .find(|step| match (step, until) {
                    (Step::Advance(at), Until::Time(until)) => {
                        *at <= until || !self.world.at_rest()
                    }
                    (Step::Advance(_), Until::Answered(call)) => self.clients.contains(&Some(call)),
                    (Step::Advance(_), Until::Exited) => self.alive(),
                    (Step::Advance(_), Until::Rest) => !self.world.at_rest(),
                    _ => false,
                });
            match own.or(advance) {
                Some(step) => self.take(step)?,
                None => return Ok(()),
            }
        }
    }
}

/// How far settling lets the clock advance.
#[derive(Clone, Copy, Debug)]
enum Until {
    /// Up to this time (the next step's), and on while something is pending: the step comes
    /// late then, as format 1 settles the supervisor before every step.
    Time(u64),
    /// While the call of this step waits for its answer.
    Answered(usize),
    /// While the supervisor lives.
    Exited,
    /// While something is pending (after the last step).
    Rest,
}

/// The checker's class of a file's exit reason (`{:shutdown, _}` is clean, as `:shutdown`:
/// the walk names the file's reason in the `down` event).
fn spontaneous(reason: &ExitReason) -> SpontaneousExit {
    match reason {
        ExitReason::Normal => SpontaneousExit::Normal,
        ExitReason::Shutdown | ExitReason::ShutdownWith(_) => SpontaneousExit::Shutdown,
        ExitReason::Killed => SpontaneousExit::Killed,
        _ => SpontaneousExit::Crash,
    }
}
