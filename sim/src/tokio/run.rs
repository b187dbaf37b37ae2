//! Runs a scenario against the tokio runtime, step by step, through the same step executor and
//! transcript writer as the simulator.

use std::fmt;
use std::time::Duration;

use dynsup::runtime::{NoProc, Report, StartChildError, StartLinkError, TerminateChildError};
use dynsup::tokio_runtime::Supervisor;
use dynsup::{ChildCounts, ChildInfo, ExitReason, Instant, Options, Pid};
use tokio::runtime::Runtime;
use tokio::sync::watch;

use crate::runner::{
    scenario_options, Answer, Call, ChildSpecOf, Executor, Observation, ReportLog, StartAnswer,
    Target, TerminateAnswer,
};
use crate::scenario::Scenario;
use crate::scripted_worker::{ScenarioSpawner, ScriptedWorker};
use crate::transcript::{self, Transcript};

/// How long (on tokio's clock: virtual when paused) the runner waits for the supervisor to
/// settle, or for a child to end after its `exit` step, before it gives up.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How many mailbox round trips the runner makes, waiting for the supervisor to settle, before
/// it gives up: on a paused clock a restart retried for ever keeps the runtime busy, so virtual
/// time (and [`SETTLE_TIMEOUT`]) never advances.
const MAX_SETTLE_ROUNDS: usize = 10_000;

/// How many reports the runner lets pass while it waits for one step's time before it gives up
/// (a restart retried for ever: on a paused clock the step's time would never come).
const MAX_REPORTS_PER_WAIT: usize = 20_000;

/// Why a scenario could not be run on tokio.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokioError {
    /// The tokio runtime could not be built.
    Runtime(String),
    /// The supervisor line is invalid.
    Start(StartLinkError),
    /// The supervisor did not settle within [`SETTLE_TIMEOUT`] before the step on `line`
    /// (0: after the last step).
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

impl fmt::Display for TokioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = SETTLE_TIMEOUT.as_secs();
        match self {
            TokioError::Runtime(err) => write!(f, "cannot build the tokio runtime: {err}"),
            TokioError::Start(err) => write!(f, "cannot start the supervisor: {err}"),
            TokioError::Unsettled { line: 0 } => {
                write!(f, "does not settle within {secs} s after the last step")
            }
            TokioError::Unsettled { line } => write!(
                f,
                "does not settle within {secs} s before the step on line {line}"
            ),
            TokioError::ExitLost { line } => write!(
                f,
                "the child told to exit on line {line} did not end within {secs} s"
            ),
            TokioError::RaceStep { line } => write!(
                f,
                "the step on line {line} is part of a race (suspend/resume, docs/races.md): only the simulator runs race files, not the real-time runtimes"
            ),
        }
    }
}

impl std::error::Error for TokioError {}

/// The runtime handle a scenario runs against.
type ScenarioSupervisor = Supervisor<usize, (), ScriptedWorker>;

/// Runs `scenario` on the tokio runtime (a current-thread runtime; its t = 0 is the
/// supervisor's start) and returns its transcript. With `paused`, on tokio's paused clock:
/// virtual time, exact and instant; otherwise in real time.
pub fn run_tokio(scenario: &Scenario, paused: bool) -> Result<Transcript, TokioError> {
    run_on(current_thread_runtime(paused)?, scenario)
}

/// A current-thread tokio runtime with time, its clock paused when `paused`.
pub(crate) fn current_thread_runtime(paused: bool) -> Result<Runtime, TokioError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(paused)
        .build()
        .map_err(|err| TokioError::Runtime(err.to_string()))
}

/// A multi-threaded tokio runtime with time, of `worker_threads` worker threads (at least 1).
pub(crate) fn multi_thread_runtime(worker_threads: usize) -> Result<Runtime, TokioError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads.max(1))
        .enable_time()
        .build()
        .map_err(|err| TokioError::Runtime(err.to_string()))
}

/// Runs `scenario` in real time on a multi-threaded tokio runtime of `worker_threads` worker
/// threads (the supervisor's task and its children's tasks move between them, as in a tokio
/// application) and returns its transcript. Real time is not exact: as on the threaded
/// runtime, a restart stamped near a second boundary may land in the next second.
pub fn run_tokio_multi_thread(
    scenario: &Scenario,
    worker_threads: usize,
) -> Result<Transcript, TokioError> {
    run_on(multi_thread_runtime(worker_threads)?, scenario)
}

/// Runs `scenario` on `runtime` (its t = 0 is the supervisor's start).
fn run_on(runtime: Runtime, scenario: &Scenario) -> Result<Transcript, TokioError> {
    // Scripted workers leave their cleanup time to the runtime's setting.
    let spawner = ScenarioSpawner::new(scenario.templates.clone(), false);
    let log = spawner.log();
    let target = TokioTarget::start(runtime, scenario_options(scenario), spawner)?;
    let mut executor = Executor::new(scenario, target, log);
    let result = executor.run_all();
    executor.target_mut().clean_up();
    result.map(|()| transcript::write(scenario, &executor.into_records()))
}

/// The tokio runtime as a scenario [`Target`].
pub struct TokioTarget {
    runtime: Runtime,
    sup: ScenarioSupervisor,
    /// Everything the supervisor reported, in order.
    reports: ReportLog,
    /// Counts reports, to wait for a new one.
    reported: watch::Receiver<usize>,
    /// How many reports have been observed.
    reports_seen: usize,
}

impl TokioTarget {
    /// Starts a supervisor with `options` whose children `spawner` makes, on `runtime`; a
    /// trapping worker's cleanup takes its `stop_ms` on tokio's clock.
    pub fn start(
        runtime: Runtime,
        options: Options<()>,
        spawner: ScenarioSpawner,
    ) -> Result<Self, TokioError> {
        let reports = ReportLog::default();
        let log = reports.clone();
        let (count, reported) = watch::channel(0usize);
        let sup = runtime
            .block_on(
                Supervisor::builder(options, spawner)
                    .observer(move |report: &Report| {
                        log.push(report);
                        count.send_modify(|n| *n += 1);
                    })
                    .cleanup_time(|_, worker: &ScriptedWorker| {
                        Some(Duration::from_millis(worker.stop_ms))
                    })
                    .start_link(),
            )
            .map_err(TokioError::Start)?;
        Ok(TokioTarget {
            runtime,
            sup,
            reports,
            reported,
            reports_seen: 0,
        })
    }

    /// Stops the supervisor if it is still alive (best effort, within [`SETTLE_TIMEOUT`]).
    pub fn clean_up(&self) {
        if self.sup.is_alive() {
            let _ = self
                .runtime
                .block_on(self.sup.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT)));
        }
    }

    /// Waits until the supervisor has finished what it is in the middle of: a round trip
    /// through its mailbox (a `count_children` call, answered only once any termination is
    /// over and every message queued before it is handled) during which nothing new was
    /// reported.
    fn wait_settled(&self, line: usize) -> Result<(), TokioError> {
        let settled = async {
            for _ in 0..MAX_SETTLE_ROUNDS {
                let before = self.reports.len();
                if self.sup.count_children().await == Err(NoProc) {
                    // Gone: its task reported everything before refusing the call.
                    return true;
                }
                if self.reports.len() == before {
                    return true;
                }
            }
            false
        };
        match self
            .runtime
            .block_on(async { tokio::time::timeout(SETTLE_TIMEOUT, settled).await })
        {
            Ok(true) => Ok(()),
            _ => Err(TokioError::Unsettled { line }),
        }
    }

    /// Waits until `pid`'s end is reported.
    fn wait_down(&self, pid: Pid, line: usize) -> Result<(), TokioError> {
        let mut reported = self.reported.clone();
        let down = async {
            loop {
                let found = self.reports.has_down(pid);
                if found || reported.changed().await.is_err() {
                    return;
                }
            }
        };
        self.runtime
            .block_on(async { tokio::time::timeout(SETTLE_TIMEOUT, down).await })
            .map_err(|_| TokioError::ExitLost { line })
    }
}

impl Target for TokioTarget {
    type Error = TokioError;

    fn settle(&mut self, at: Instant, line: usize) -> Result<(), TokioError> {
        let until = self.sup.instant_at(at);
        let mut reported = self.reported.clone();
        let too_busy = async move {
            let first = *reported.borrow_and_update();
            loop {
                if reported.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
                if reported.borrow_and_update().saturating_sub(first) > MAX_REPORTS_PER_WAIT {
                    return;
                }
            }
        };
        let reached = self.runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep_until(until) => true,
                () = too_busy => false,
            }
        });
        if !reached {
            return Err(TokioError::Unsettled { line });
        }
        self.wait_settled(line)
    }

    fn start_child(&mut self, spec: ChildSpecOf) -> Result<StartAnswer, TokioError> {
        Ok(match self.runtime.block_on(self.sup.start_child(spec)) {
            Ok(started) => StartAnswer::Started(started),
            Err(StartChildError::MaxChildren) => StartAnswer::MaxChildren,
            Err(StartChildError::Failed(reason)) => StartAnswer::Failed(reason),
            Err(StartChildError::Invalid(err)) => {
                StartAnswer::Failed(ExitReason::other(err.to_string()))
            }
            Err(_) => StartAnswer::NoProc,
        })
    }

    fn terminate_child(&mut self, pid: Pid) -> Result<TerminateAnswer, TokioError> {
        Ok(match self.runtime.block_on(self.sup.terminate_child(pid)) {
            Ok(()) => TerminateAnswer::Ok,
            Err(TerminateChildError::NotFound) => TerminateAnswer::NotFound,
            Err(_) => TerminateAnswer::NoProc,
        })
    }

    fn exit(&mut self, pid: Pid, reason: ExitReason, line: usize) -> Result<bool, TokioError> {
        let alive = self.runtime.block_on(self.sup.send(pid, reason));
        if alive {
            // Its exit reaches the supervisor before the next step's calls do.
            self.wait_down(pid, line)?;
        }
        Ok(alive)
    }

    fn kill(&mut self, pid: Pid) -> Result<bool, TokioError> {
        Ok(self.runtime.block_on(self.sup.kill(pid)))
    }

    fn count(&mut self) -> Result<Option<ChildCounts>, TokioError> {
        Ok(self.runtime.block_on(self.sup.count_children()).ok())
    }

    fn which(&mut self) -> Result<Option<Vec<ChildInfo>>, TokioError> {
        Ok(self.runtime.block_on(self.sup.which_children()).ok())
    }

    fn stop(&mut self) -> Result<bool, TokioError> {
        Ok(self.sup.exit(ExitReason::Shutdown))
    }

    fn suspend(&mut self, line: usize) -> Result<bool, TokioError> {
        Err(TokioError::RaceStep { line })
    }

    fn resume(&mut self, line: usize) -> Result<bool, TokioError> {
        Err(TokioError::RaceStep { line })
    }

    fn send(&mut self, _call: Call, line: usize) -> Result<u64, TokioError> {
        Err(TokioError::RaceStep { line })
    }

    fn answer(&mut self, _ticket: u64) -> Option<Answer> {
        None
    }

    fn finish(&mut self) -> Result<(), TokioError> {
        self.wait_settled(0)
    }

    fn observe(&mut self, out: &mut Vec<Observation>) {
        self.reports.observe(&mut self.reports_seen, out);
    }
}
