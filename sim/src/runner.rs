//! Runs a scenario in the simulator and prints its transcript (SCENARIOS.md).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use dynsup::{
    ConfigError, ExitReason, Instant, MaxChildren, Options, Pid, Reply, StartError, Started,
    TerminateError,
};

use crate::invariants::Invariants;
use crate::scenario::{ChildRef, Op, Scenario, Template, MAX_LIVE_CHILDREN, MAX_TRANSCRIPT_BYTES};
use crate::scripted_worker::ScriptedWorker;
use crate::simulation::{BoxedWorker, SimError, Simulation, Spawner, TraceEvent, Violation};
use crate::transcript::{which_result, StepRecord, Transcript};

/// Makes the scripted worker of each start attempt and remembers which REF it was.
#[derive(Clone, Debug)]
pub struct ScenarioSpawner {
    templates: Vec<Template>,
    attempts: Vec<u64>,
    refs: Vec<ChildRef>,
}

impl ScenarioSpawner {
    /// A spawner for these templates (the start function is the template's index).
    pub fn new(templates: Vec<Template>) -> Self {
        let attempts = vec![0; templates.len()];
        ScenarioSpawner {
            templates,
            attempts,
            refs: Vec::new(),
        }
    }

    /// The REF of the start attempt with this sequence number.
    pub fn attempt_ref(&self, attempt: u64) -> Option<&ChildRef> {
        usize::try_from(attempt).ok().and_then(|i| self.refs.get(i))
    }
}

impl Spawner<usize, (), ()> for ScenarioSpawner {
    fn spawn(&mut self, function: &usize, _args: &[()]) -> BoxedWorker<()> {
        let (Some(template), Some(count)) = (
            self.templates.get(*function),
            self.attempts.get_mut(*function),
        ) else {
            // The runner only starts templates it knows; an unknown one never starts.
            return Box::new(ScriptedWorker {
                outcome: crate::scenario::InitOutcome::Stop("undefined".into()),
                trap_exit: false,
                stop_ms: 0,
            });
        };
        *count += 1;
        let k = *count;
        let outcome = template.outcome(k).clone();
        self.refs.push(ChildRef {
            template: template.name.clone(),
            attempt: k,
        });
        Box::new(ScriptedWorker {
            outcome,
            trap_exit: template.trap_exit,
            stop_ms: template.stop_ms,
        })
    }
}

/// Why a scenario could not be run to the end.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// The supervisor line is invalid for OTP.
    Config(ConfigError),
    /// The scenario does not settle: a restart of `child` is retried forever.
    RestartLoop {
        /// The REF of the child whose restart keeps failing.
        child: String,
    },
    /// The supervisor waits forever for `child` to shut down.
    WaitsForever {
        /// The REF of the child it waits for.
        child: String,
    },
    /// An invariant checker found a violation.
    Violation(Violation),
    /// Any other simulator failure.
    Sim(SimError),
    /// The run went past a run-time limit ([`MAX_LIVE_CHILDREN`], [`MAX_TRANSCRIPT_BYTES`]).
    Limit(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Config(err) => write!(f, "invalid supervisor: {err}"),
            RunError::RestartLoop { child } => write!(
                f,
                "does not settle: the restart of {child} is retried forever"
            ),
            RunError::WaitsForever { child } => write!(
                f,
                "does not settle: the supervisor waits forever for {child} to shut down"
            ),
            RunError::Violation(violation) => write!(f, "{violation}"),
            RunError::Sim(err) => write!(f, "{err}"),
            RunError::Limit(what) => write!(f, "too large to run: {what}"),
        }
    }
}

impl std::error::Error for RunError {}

/// The simulation type a scenario runs in.
pub type ScenarioSimulation = Simulation<usize, (), (), ScenarioSpawner>;

/// Runs `scenario` and returns its transcript.
pub fn run(scenario: &Scenario) -> Result<Transcript, RunError> {
    ScenarioRun::new(scenario)?.run_all()
}

/// A scenario being run step by step.
pub struct ScenarioRun<'a> {
    scenario: &'a Scenario,
    sim: ScenarioSimulation,
    /// The process of each REF that ever started.
    pids: BTreeMap<ChildRef, Pid>,
    /// The REF of each process.
    refs: BTreeMap<Pid, ChildRef>,
    /// How much of the trace has been turned into events.
    trace_seen: usize,
    /// How much of the trace has been scanned for new processes (`learn_refs`).
    refs_seen: usize,
    transcript: Transcript,
    /// About how many bytes the transcript prints to so far.
    transcript_bytes: usize,
}

impl<'a> ScenarioRun<'a> {
    /// Prepares a run of `scenario` at virtual time zero.
    pub fn new(scenario: &'a Scenario) -> Result<Self, RunError> {
        let line = &scenario.supervisor;
        let max_children = match line.max_children {
            None => MaxChildren::Infinity,
            Some(n) => MaxChildren::Limit(i64::try_from(n).unwrap_or(i64::MAX)),
        };
        let config = Options::<()>::default()
            .max_restarts(i64::try_from(line.max_restarts).unwrap_or(i64::MAX))
            .max_seconds(i64::try_from(line.max_seconds).unwrap_or(i64::MAX))
            .max_children(max_children)
            .validate()
            .map_err(RunError::Config)?;
        let spawner = ScenarioSpawner::new(scenario.templates.clone());
        let invariants = Invariants::new(config.max_restarts(), config.max_seconds());
        let mut sim = Simulation::new(config, spawner);
        sim.set_checker(Box::new(invariants));
        Ok(ScenarioRun {
            scenario,
            sim,
            pids: BTreeMap::new(),
            refs: BTreeMap::new(),
            trace_seen: 0,
            refs_seen: 0,
            transcript: Transcript::default(),
            transcript_bytes: 0,
        })
    }

    /// The simulation, for checks between steps.
    pub fn simulation(&self) -> &ScenarioSimulation {
        &self.sim
    }

    /// Runs every step, then lets everything settle, and returns the transcript.
    pub fn run_all(mut self) -> Result<Transcript, RunError> {
        for index in 0..self.scenario.steps.len() {
            self.run_step(index)?;
        }
        self.finish()
    }

    /// Runs step `index`: settles to its time, then performs it.
    pub fn run_step(&mut self, index: usize) -> Result<(), RunError> {
        let Some(step) = self.scenario.steps.get(index) else {
            return Ok(());
        };
        let at = Instant::from_millis(step.at_ms);
        let settled = self.sim.settle(at);
        self.collect_events();
        settled.map_err(|err| self.run_error(err))?;
        self.transcript.steps.push(StepRecord {
            step: step.transcript_text(),
            result: String::new(),
            events: Vec::new(),
        });
        let result = self.perform(&step.op);
        self.collect_events();
        let result = result.map_err(|err| self.run_error(err))?;
        self.transcript_bytes = self
            .transcript_bytes
            .saturating_add(result.len().saturating_add(5));
        if let Some(record) = self.transcript.steps.last_mut() {
            self.transcript_bytes = self.transcript_bytes.saturating_add(record.step.len());
            record.result = result;
        }
        self.within_limits(step.line)
    }

    /// Checks the run-time limits after the step on `line`.
    fn within_limits(&self, line: usize) -> Result<(), RunError> {
        let children = self.sim.supervisor().view().counts().specs;
        if children > MAX_LIVE_CHILDREN {
            return Err(RunError::Limit(format!(
                "more than {MAX_LIVE_CHILDREN} children at once (after the step on line {line})"
            )));
        }
        if self.transcript_bytes > MAX_TRANSCRIPT_BYTES {
            return Err(RunError::Limit(format!(
                "the transcript is more than {MAX_TRANSCRIPT_BYTES} bytes (after the step on line {line})"
            )));
        }
        Ok(())
    }

    /// Lets everything settle after the last step and returns the transcript.
    pub fn finish(mut self) -> Result<Transcript, RunError> {
        let settled = self.sim.run_to_quiescence();
        self.collect_events();
        settled.map_err(|err| self.run_error(err))?;
        let last_line = self.scenario.steps.last().map_or(0, |step| step.line);
        self.within_limits(last_line)?;
        Ok(self.transcript)
    }

    fn run_error(&self, err: SimError) -> RunError {
        let name = |pid: &Pid| {
            self.refs
                .get(pid)
                .map_or_else(|| pid.to_string(), ToString::to_string)
        };
        match err {
            SimError::RestartLoop { pid, .. } => RunError::RestartLoop { child: name(&pid) },
            SimError::WaitsForever { pid } => RunError::WaitsForever { child: name(&pid) },
            SimError::Violation(violation) => RunError::Violation(violation),
            other => RunError::Sim(other),
        }
    }

    fn pid_of(&self, child: &ChildRef) -> Option<Pid> {
        self.pids.get(child).copied()
    }

    /// Appends the REF of `pid` (or the pid itself, for a process of no REF) to `out`.
    fn write_ref(&self, out: &mut String, pid: Pid) {
        match self.refs.get(&pid) {
            Some(child) => push_ref(out, child),
            None => {
                let _ = write!(out, "{pid}");
            }
        }
    }

    fn perform(&mut self, op: &Op) -> Result<String, SimError> {
        let result = match op {
            Op::Start { template } => {
                let Some(spec) = self.scenario.start_spec(template) else {
                    return Ok("error undefined".into());
                };
                let call = match self.sim.start_child(spec) {
                    Ok(call) => call,
                    Err(err) => return Ok(format!("error {err}")),
                };
                match self.sim.wait_reply(call)? {
                    Reply::StartChild(Ok(Started::Running { pid, .. })) => {
                        self.learn_refs();
                        let mut text = String::with_capacity(16);
                        text.push_str("ok ");
                        self.write_ref(&mut text, pid);
                        text
                    }
                    Reply::StartChild(Ok(Started::Ignored)) => "ignore".into(),
                    Reply::StartChild(Err(StartError::MaxChildren)) => "error max_children".into(),
                    Reply::StartChild(Err(StartError::Failed(reason))) => format!("error {reason}"),
                    other => unexpected(other),
                }
            }
            Op::Terminate(child) => {
                // A REF that never existed names no child: any unused pid will do.
                let pid = self.pid_of(child).unwrap_or(Pid(u64::MAX));
                let call = self.sim.terminate_child(pid);
                match self.sim.wait_reply(call)? {
                    Reply::TerminateChild(Ok(())) => "ok".into(),
                    Reply::TerminateChild(Err(TerminateError::NotFound)) => {
                        "error not_found".into()
                    }
                    other => unexpected(other),
                }
            }
            Op::Exit(child, reason) => {
                let alive = self
                    .pid_of(child)
                    .is_some_and(|pid| self.sim.exit_child(pid, reason.clone()));
                alive_text(alive)
            }
            Op::Kill(child) => {
                let alive = self
                    .pid_of(child)
                    .is_some_and(|pid| self.sim.kill_child(pid));
                alive_text(alive)
            }
            Op::Count => {
                let call = self.sim.count_children();
                match self.sim.wait_reply(call)? {
                    Reply::CountChildren(c) => {
                        let mut text = String::with_capacity(48);
                        let _ = write!(
                            text,
                            "active={} specs={} supervisors={} workers={}",
                            c.active, c.specs, c.supervisors, c.workers
                        );
                        text
                    }
                    other => unexpected(other),
                }
            }
            Op::Which => {
                let call = self.sim.which_children();
                match self.sim.wait_reply(call)? {
                    Reply::WhichChildren(infos) => {
                        let names: Vec<String> = infos
                            .iter()
                            .map(|info| {
                                let mut name = String::new();
                                match info.pid {
                                    Some(pid) => self.write_ref(&mut name, pid),
                                    None => name.push_str("restarting"),
                                }
                                name
                            })
                            .collect();
                        which_result(names)
                    }
                    other => unexpected(other),
                }
            }
            Op::Stop => {
                if self.sim.supervisor().view().is_alive() {
                    self.sim.parent_exit(ExitReason::Shutdown);
                    "ok".into()
                } else {
                    "error noproc".into()
                }
            }
        };
        Ok(result)
    }

    /// Learns the REF of every process started so far.
    fn learn_refs(&mut self) {
        let trace = self.sim.trace();
        let new = trace.get(self.refs_seen..).unwrap_or(&[]);
        self.refs_seen = trace.len();
        for entry in new {
            if let TraceEvent::Up { attempt, pid } = entry.event {
                if let Some(child) = self.sim.spawner().attempt_ref(attempt) {
                    self.pids.insert(child.clone(), pid);
                    self.refs.insert(pid, child.clone());
                }
            }
        }
    }

    /// Turns the new trace entries into events of the current step.
    fn collect_events(&mut self) {
        self.learn_refs();
        let trace = self.sim.trace();
        let new = trace.get(self.trace_seen..).unwrap_or(&[]);
        self.trace_seen = trace.len();
        let Some(record) = self.transcript.steps.last_mut() else {
            return;
        };
        let spawner = self.sim.spawner();
        let refs = &self.refs;
        // Each event is written straight into its own string, with no intermediate ones.
        let write_attempt = |out: &mut String, attempt: u64| match spawner.attempt_ref(attempt) {
            Some(child) => push_ref(out, child),
            None => {
                out.push('#');
                push_decimal(out, attempt);
            }
        };
        let mut bytes = 0usize;
        for entry in new {
            let mut text = String::with_capacity(24);
            match &entry.event {
                TraceEvent::Signalled { .. } => continue,
                TraceEvent::Up { attempt, .. } => {
                    text.push_str("up ");
                    write_attempt(&mut text, *attempt);
                }
                TraceEvent::Ignored { attempt } => {
                    text.push_str("ignore ");
                    write_attempt(&mut text, *attempt);
                }
                TraceEvent::Failed { attempt, reason } => {
                    text.push_str("fail ");
                    write_attempt(&mut text, *attempt);
                    let _ = write!(text, " {reason}");
                }
                TraceEvent::Down { pid, reason } => {
                    text.push_str("down ");
                    match refs.get(pid) {
                        Some(child) => push_ref(&mut text, child),
                        None => {
                            let _ = write!(text, "{pid}");
                        }
                    }
                    let _ = write!(text, " {reason}");
                }
                TraceEvent::SupervisorDown { reason } => {
                    let _ = write!(text, "sup down {reason}");
                }
            }
            bytes = bytes.saturating_add(text.len().saturating_add(3));
            record.events.push(text);
        }
        self.transcript_bytes = self.transcript_bytes.saturating_add(bytes);
    }
}

/// Appends `NAME#K` (what the REF's `Display` prints).
fn push_ref(out: &mut String, child: &ChildRef) {
    let _ = child.write_text(out);
}

/// Appends `n` in decimal (what `{}` prints, without the formatting machinery).
fn push_decimal(out: &mut String, n: u64) {
    // Writing into a String cannot fail.
    let _ = crate::scenario::write_decimal(out, n);
}

fn alive_text(alive: bool) -> String {
    if alive { "ok" } else { "dead" }.to_owned()
}

/// A reply of the wrong kind: with the supervisor gone, every call answers `noproc`.
fn unexpected(reply: Reply) -> String {
    match reply {
        Reply::NoProc => "error noproc".into(),
        other => format!("error unexpected {other:?}"),
    }
}
