//! Runs a scenario against the real threaded runtime, in real time, step by step, through the
//! same step executor and transcript writer as the simulator.

use std::fmt;
use std::time::Duration;

use dynsup::runtime::{
    NoProc, Report, StartChildError, StartLinkError, Supervisor, TerminateChildError,
};
use dynsup::{ChildCounts, ChildInfo, ExitReason, Instant, Options, Pid};

use crate::runner::{
    scenario_options, Answer, Call, ChildSpecOf, Executor, Observation, ReportLog, StartAnswer,
    Target, TerminateAnswer,
};
use crate::scenario::Scenario;
use crate::scripted_worker::{ScenarioSpawner, ScriptedWorker};
use crate::transcript::{self, Transcript};

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
    /// The step on `line` belongs to a race (`suspend`, `resume`, or a call while suspended,
    /// docs/races.md): only the simulator runs race files.
    RaceStep {
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
            ThreadsError::RaceStep { line } => write!(
                f,
                "the step on line {line} is part of a race (suspend/resume, docs/races.md): only the simulator runs race files, not the real-time runtimes"
            ),
        }
    }
}

impl std::error::Error for ThreadsError {}

/// The runtime handle a scenario runs against.
type ScenarioSupervisor = Supervisor<usize, (), ScriptedWorker>;

/// Runs `scenario` on the real runtime in real time (its t = 0 is the supervisor's start) and
/// returns its transcript. Takes about as long as the scenario's last step time, plus any
/// shutdown it waits for.
pub fn run_threads(scenario: &Scenario) -> Result<Transcript, ThreadsError> {
    let spawner = ScenarioSpawner::new(scenario.templates.clone(), true);
    let log = spawner.log();
    let target = ThreadsTarget::start(scenario_options(scenario), spawner)?;
    let mut executor = Executor::new(scenario, target, log);
    let result = executor.run_all();
    executor.target_mut().clean_up();
    result.map(|()| transcript::write(scenario, &executor.into_records()))
}

/// The threaded runtime as a scenario [`Target`].
pub struct ThreadsTarget {
    sup: ScenarioSupervisor,
    /// Everything the supervisor reported, in order.
    reports: ReportLog,
    /// How many reports have been observed.
    reports_seen: usize,
}

impl ThreadsTarget {
    /// Starts a supervisor with `options` whose children `spawner` makes.
    pub fn start(options: Options<()>, spawner: ScenarioSpawner) -> Result<Self, ThreadsError> {
        let reports = ReportLog::default();
        let log = reports.clone();
        let sup = Supervisor::builder(options, spawner)
            .observer(move |report: &Report| log.push(report))
            .start_link()
            .map_err(ThreadsError::Start)?;
        Ok(ThreadsTarget {
            sup,
            reports,
            reports_seen: 0,
        })
    }

    /// Stops the supervisor if it is still alive and waits for its threads (best effort: a
    /// scenario whose child never stops leaves them to the process's end).
    pub fn clean_up(&self) {
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

    /// Waits until the supervisor has finished what it is in the middle of: a round trip
    /// through its mailbox (a `count_children` call, answered only once any termination is
    /// over and every message queued before it is handled) during which nothing new was
    /// reported. A retry loop reports at least one attempt per round trip, so it is waited out.
    fn wait_settled(&self, line: usize) -> Result<(), ThreadsError> {
        let begun = std::time::Instant::now();
        loop {
            let before = self.reports.len();
            if self.sup.count_children() == Err(NoProc) {
                // Gone: its driver reported everything before refusing the call.
                return Ok(());
            }
            if self.reports.len() == before {
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
            if self.reports.has_down(pid) {
                return Ok(());
            }
            if begun.elapsed() > SETTLE_TIMEOUT {
                return Err(ThreadsError::ExitLost { line });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

impl Target for ThreadsTarget {
    type Error = ThreadsError;

    fn settle(&mut self, at: Instant, line: usize) -> Result<(), ThreadsError> {
        self.sleep_until(at);
        self.wait_settled(line)
    }

    fn start_child(&mut self, spec: ChildSpecOf) -> Result<StartAnswer, ThreadsError> {
        Ok(match self.sup.start_child(spec) {
            Ok(started) => StartAnswer::Started(started),
            Err(StartChildError::MaxChildren) => StartAnswer::MaxChildren,
            Err(StartChildError::Failed(reason)) => StartAnswer::Failed(reason),
            Err(StartChildError::Invalid(err)) => {
                StartAnswer::Failed(ExitReason::other(err.to_string()))
            }
            Err(StartChildError::ThreadLimit(_)) => {
                StartAnswer::Failed(ExitReason::other(dynsup::runtime::THREAD_LIMIT))
            }
            Err(_) => StartAnswer::NoProc,
        })
    }

    fn terminate_child(&mut self, pid: Pid) -> Result<TerminateAnswer, ThreadsError> {
        Ok(match self.sup.terminate_child(pid) {
            Ok(()) => TerminateAnswer::Ok,
            Err(TerminateChildError::NotFound) => TerminateAnswer::NotFound,
            Err(_) => TerminateAnswer::NoProc,
        })
    }

    fn exit(&mut self, pid: Pid, reason: ExitReason, line: usize) -> Result<bool, ThreadsError> {
        let alive = self.sup.send(pid, reason);
        if alive {
            // Its exit reaches the supervisor before the next step's calls do.
            self.wait_down(pid, line)?;
        }
        Ok(alive)
    }

    fn kill(&mut self, pid: Pid) -> Result<bool, ThreadsError> {
        Ok(self.sup.kill(pid))
    }

    fn count(&mut self) -> Result<Option<ChildCounts>, ThreadsError> {
        Ok(self.sup.count_children().ok())
    }

    fn which(&mut self) -> Result<Option<Vec<ChildInfo>>, ThreadsError> {
        Ok(self.sup.which_children().ok())
    }

    fn stop(&mut self) -> Result<bool, ThreadsError> {
        Ok(self.sup.exit(ExitReason::Shutdown))
    }

    fn suspend(&mut self, line: usize) -> Result<bool, ThreadsError> {
        Err(ThreadsError::RaceStep { line })
    }

    fn resume(&mut self, line: usize) -> Result<bool, ThreadsError> {
        Err(ThreadsError::RaceStep { line })
    }

    fn send(&mut self, _call: Call, line: usize) -> Result<u64, ThreadsError> {
        Err(ThreadsError::RaceStep { line })
    }

    fn answer(&mut self, _ticket: u64) -> Option<Answer> {
        None
    }

    fn finish(&mut self) -> Result<(), ThreadsError> {
        self.wait_settled(0)
    }

    fn observe(&mut self, out: &mut Vec<Observation>) {
        self.reports.observe(&mut self.reports_seen, out);
    }
}
