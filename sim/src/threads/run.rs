//! Runs a scenario against the real threaded runtime, in real time, step by step, and builds
//! the same transcript as the simulator's runner.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dynsup::runtime::{
    NoProc, Report, StartChildError, StartLinkError, Supervisor, TerminateChildError,
};
use dynsup::{Event, ExitReason, Instant, MaxChildren, Options, Pid, StartOutcome, Started};

use crate::scenario::{ChildRef, Op, Scenario, Step};
use crate::threads::worker::ThreadSpawner;
use crate::transcript::{StepRecord, Transcript};

/// How long the runner waits for the supervisor to settle, or for a child to end after its
/// `exit` step, before it gives up.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a scenario could not be run on threads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThreadsError {
    /// The supervisor line is invalid, or its thread could not start.
    Start(StartLinkError),
    /// The supervisor did not settle within [`SETTLE_TIMEOUT`] before the step on `line`
    /// (0: after the last step), e.g. a restart retried for ever.
    Unsettled {
        /// The step's source line.
        line: usize,
    },
    /// The child told to exit on `line` did not end within [`SETTLE_TIMEOUT`].
    ExitLost {
        /// The step's source line.
        line: usize,
    },
}

impl fmt::Display for ThreadsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = SETTLE_TIMEOUT.as_secs();
        match self {
            ThreadsError::Start(err) => write!(f, "cannot start the supervisor: {err}"),
            ThreadsError::Unsettled { line: 0 } => {
                write!(f, "does not settle within {secs} s after the last step")
            }
            ThreadsError::Unsettled { line } => {
                write!(
                    f,
                    "does not settle within {secs} s before the step on line {line}"
                )
            }
            ThreadsError::ExitLost { line } => write!(
                f,
                "the child told to exit on line {line} did not end within {secs} s"
            ),
        }
    }
}

impl std::error::Error for ThreadsError {}

/// The runtime handle a scenario runs against.
type ScenarioSupervisor = Supervisor<usize, (), ExitReason>;

/// Runs `scenario` on the real runtime in real time (its t = 0 is the supervisor's start) and
/// returns its transcript. Takes about as long as the scenario's last step time, plus any
/// shutdown it waits for.
pub fn run_threads(scenario: &Scenario) -> Result<Transcript, ThreadsError> {
    let line = &scenario.supervisor;
    let max_children = match line.max_children {
        None => MaxChildren::Infinity,
        Some(n) => MaxChildren::Limit(i64::try_from(n).unwrap_or(i64::MAX)),
    };
    let options = Options::<()>::default()
        .max_restarts(i64::try_from(line.max_restarts).unwrap_or(i64::MAX))
        .max_seconds(i64::try_from(line.max_seconds).unwrap_or(i64::MAX))
        .max_children(max_children);
    let (spawner, attempt_refs) = ThreadSpawner::new(scenario.templates.clone());
    let reports = Arc::new(Mutex::new(Vec::new()));
    let log = reports.clone();
    let sup = Supervisor::builder(options, spawner)
        .observer(move |report: &Report| {
            log.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(report.clone());
        })
        .start_link()
        .map_err(ThreadsError::Start)?;
    let mut run = ThreadsRun {
        scenario,
        sup,
        reports,
        attempt_refs,
        reports_seen: 0,
        refs: BTreeMap::new(),
        pids: BTreeMap::new(),
        transcript: Transcript::default(),
    };
    let result = run.run_all();
    run.clean_up();
    result.map(|()| run.transcript)
}

/// A scenario being run on threads.
struct ThreadsRun<'a> {
    scenario: &'a Scenario,
    sup: ScenarioSupervisor,
    /// Everything the supervisor reported, in order.
    reports: Arc<Mutex<Vec<Report>>>,
    /// The REF of each start attempt, in attempt order (filled by the spawner).
    attempt_refs: Arc<Mutex<Vec<ChildRef>>>,
    /// How many reports have been turned into events.
    reports_seen: usize,
    /// The REF of each process.
    refs: BTreeMap<Pid, ChildRef>,
    /// The process of each REF that ever started.
    pids: BTreeMap<ChildRef, Pid>,
    transcript: Transcript,
}

impl ThreadsRun<'_> {
    fn run_all(&mut self) -> Result<(), ThreadsError> {
        for step in &self.scenario.steps {
            self.sleep_until(Instant::from_millis(step.at_ms));
            self.settle(step.line)?;
            self.collect_events();
            self.transcript.steps.push(StepRecord {
                step: step.transcript_text(),
                result: String::new(),
                events: Vec::new(),
            });
            let result = self.perform(step)?;
            if let Some(record) = self.transcript.steps.last_mut() {
                record.result = result;
            }
        }
        self.settle(0)?;
        self.collect_events();
        Ok(())
    }

    /// Stops the supervisor if it is still alive and waits for its threads (best effort: a
    /// scenario whose child never stops leaves them to the process's end).
    fn clean_up(&self) {
        if self.sup.is_alive() {
            let _ = self.sup.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT));
        }
        let _ = self.sup.wait_threads(Some(SETTLE_TIMEOUT));
    }

    /// Sleeps until the supervisor's clock reads `at` (at once if it already has).
    fn sleep_until(&self, at: Instant) {
        loop {
            let now = self.sup.now();
            if now >= at {
                return;
            }
            std::thread::sleep(Duration::from_millis(at.as_millis() - now.as_millis()));
        }
    }

    fn reports_len(&self) -> usize {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Waits until the supervisor has finished what it is in the middle of: a round trip
    /// through its mailbox (a `count_children` call, answered only once any termination is
    /// over and every message queued before it is handled) during which nothing new was
    /// reported. A retry loop reports at least one attempt per round trip, so it is waited out.
    fn settle(&self, line: usize) -> Result<(), ThreadsError> {
        let begun = std::time::Instant::now();
        loop {
            let before = self.reports_len();
            if self.sup.count_children() == Err(NoProc) {
                // Gone: its driver reported everything before refusing the call.
                return Ok(());
            }
            if self.reports_len() == before {
                return Ok(());
            }
            if begun.elapsed() > SETTLE_TIMEOUT {
                return Err(ThreadsError::Unsettled { line });
            }
        }
    }

    /// Waits until `pid`'s end is reported.
    fn wait_down(&self, pid: Pid, line: usize) -> Result<(), ThreadsError> {
        let begun = std::time::Instant::now();
        loop {
            let down = self
                .reports
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .any(|report| matches!(report, Report::ChildDown { pid: p, .. } if *p == pid));
            if down {
                return Ok(());
            }
            if begun.elapsed() > SETTLE_TIMEOUT {
                return Err(ThreadsError::ExitLost { line });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn perform(&mut self, step: &Step) -> Result<String, ThreadsError> {
        let result = match &step.op {
            Op::Start { template } => {
                let Some(spec) = self.scenario.start_spec(template) else {
                    return Ok("error undefined".into());
                };
                match self.sup.start_child(spec) {
                    Ok(Started::Running { pid, .. }) => {
                        self.learn_refs();
                        format!("ok {}", self.name(pid))
                    }
                    Ok(Started::Ignored) => "ignore".into(),
                    Err(StartChildError::MaxChildren) => "error max_children".into(),
                    Err(StartChildError::Failed(reason)) => format!("error {reason}"),
                    Err(StartChildError::Invalid(err)) => format!("error {err}"),
                    Err(_) => "error noproc".into(),
                }
            }
            Op::Terminate(child) => {
                // A REF that never existed names no child: any unused pid will do.
                let pid = self.pid_of(child).unwrap_or(Pid(u64::MAX));
                match self.sup.terminate_child(pid) {
                    Ok(()) => "ok".into(),
                    Err(TerminateChildError::NotFound) => "error not_found".into(),
                    Err(_) => "error noproc".into(),
                }
            }
            Op::Exit(child, reason) => {
                let pid = self.pid_of(child);
                let alive = pid.is_some_and(|pid| self.sup.send(pid, reason.clone()));
                if let (true, Some(pid)) = (alive, pid) {
                    // Its exit reaches the supervisor before the next step's calls do.
                    self.wait_down(pid, step.line)?;
                }
                alive_text(alive)
            }
            Op::Kill(child) => {
                let alive = self.pid_of(child).is_some_and(|pid| self.sup.kill(pid));
                alive_text(alive)
            }
            Op::Count => match self.sup.count_children() {
                Ok(c) => format!(
                    "active={} specs={} supervisors={} workers={}",
                    c.active, c.specs, c.supervisors, c.workers
                ),
                Err(NoProc) => "error noproc".into(),
            },
            Op::Which => match self.sup.which_children() {
                Ok(infos) => {
                    self.learn_refs();
                    let mut names: Vec<String> = infos
                        .iter()
                        .map(|info| {
                            info.pid
                                .map_or_else(|| "restarting".into(), |p| self.name(p))
                        })
                        .collect();
                    names.sort();
                    if names.is_empty() {
                        "-".into()
                    } else {
                        names.join(" ")
                    }
                }
                Err(NoProc) => "error noproc".into(),
            },
            Op::Stop => {
                if self.sup.exit(ExitReason::Shutdown) {
                    "ok".into()
                } else {
                    "error noproc".into()
                }
            }
        };
        Ok(result)
    }

    fn pid_of(&self, child: &ChildRef) -> Option<Pid> {
        self.pids.get(child).copied()
    }

    fn name(&self, pid: Pid) -> String {
        self.refs
            .get(&pid)
            .map_or_else(|| pid.to_string(), ToString::to_string)
    }

    fn attempt_name(&self, attempt: u64) -> String {
        let refs = self
            .attempt_refs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        usize::try_from(attempt)
            .ok()
            .and_then(|i| refs.get(i))
            .map_or_else(|| format!("#{attempt}"), ToString::to_string)
    }

    /// Learns the REF of every process started so far.
    fn learn_refs(&mut self) {
        let started: Vec<(u64, Pid)> = self
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(|report| match report {
                Report::StartAttempt {
                    attempt,
                    outcome: StartOutcome::Started { pid, .. },
                } => Some((*attempt, *pid)),
                _ => None,
            })
            .collect();
        let refs = self
            .attempt_refs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for (attempt, pid) in started {
            if let Some(child) = usize::try_from(attempt).ok().and_then(|i| refs.get(i)) {
                self.pids.insert(child.clone(), pid);
                self.refs.insert(pid, child.clone());
            }
        }
    }

    /// Turns the new reports into events of the current step.
    fn collect_events(&mut self) {
        self.learn_refs();
        let new: Vec<Report> = {
            let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
            let new = reports.get(self.reports_seen..).unwrap_or(&[]).to_vec();
            self.reports_seen = reports.len();
            new
        };
        let mut events = Vec::new();
        for report in new {
            let text = match report {
                Report::StartAttempt { attempt, outcome } => match outcome {
                    StartOutcome::Started { .. } => format!("up {}", self.attempt_name(attempt)),
                    StartOutcome::Ignore => format!("ignore {}", self.attempt_name(attempt)),
                    StartOutcome::Failed(reason) => {
                        format!("fail {} {reason}", self.attempt_name(attempt))
                    }
                },
                Report::ChildDown { pid, reason } => format!("down {} {reason}", self.name(pid)),
                Report::Supervisor(Event::SupervisorDown { reason }) => {
                    format!("sup down {reason}")
                }
                _ => continue,
            };
            events.push(text);
        }
        if let Some(record) = self.transcript.steps.last_mut() {
            record.events.extend(events);
        }
    }
}

fn alive_text(alive: bool) -> String {
    if alive { "ok" } else { "dead" }.to_owned()
}
