//! Runs a scenario on the simulator and returns its transcript (docs/scenarios.md), with every
//! invariant of [`crate::invariants`] checked after every delivery.
//!
//! [`run`] runs a whole scenario; [`ScenarioRun`] runs it step by step, with the
//! [`Simulation`] open for checks between steps. The same step
//! executor and transcript writer run scenarios on the threaded runtime
//! ([`crate::threads::run_threads`]), so both print the same transcript.
//!
//! ```
//! use dynsup_sim::runner::{self, RunError, ScenarioRun};
//! use dynsup_sim::scenario;
//!
//! let scenario = scenario::parse("child w\nat 0 start w\nat 10 kill w#1\n").unwrap();
//! let transcript = runner::run(&scenario).unwrap();
//! assert_eq!(transcript.steps[1].events, ["down w#1 killed", "up w#2"]);
//!
//! // Step by step: the simulation can be inspected between steps.
//! let mut run = ScenarioRun::new(&scenario).unwrap();
//! run.run_step(0).unwrap();
//! assert_eq!(run.simulation().live_children().len(), 1);
//! run.run_step(1).unwrap();
//! assert_eq!(run.finish().unwrap(), transcript);
//!
//! // A run that breaks a rule stops with a `RunError`, e.g. an invalid supervisor line.
//! let mut invalid = scenario.clone();
//! invalid.supervisor.max_seconds = 0;
//! assert!(matches!(runner::run(&invalid), Err(RunError::Config(_))));
//! ```

mod checks;
mod executor;
mod report_log;
mod simulated;
mod target;

pub(crate) use executor::ok_or_noproc;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use dynsup::{Config, ConfigError, MaxChildren, Options, Pid};

use crate::coverage::{Coverage, Observer};
use crate::invariants::Invariants;
use crate::scenario::{Scenario, MAX_LIVE_CHILDREN, MAX_TRANSCRIPT_BYTES};
use crate::scripted_worker::ScenarioSpawner;
use crate::simulation::{Cleanup, SimError, Simulation, Violation};
use crate::transcript::{self, Records, Transcript};
use checks::RunChecker;

// The step executor and its targets are the runner's and the threaded runner's machinery.
#[doc(hidden)]
pub use executor::Executor;
#[doc(hidden)]
pub use report_log::ReportLog;
pub use simulated::ScenarioSimulation;
#[doc(hidden)]
pub use simulated::SimTarget;
#[doc(hidden)]
pub use target::{Answer, Call, ChildSpecOf, Observation, StartAnswer, Target, TerminateAnswer};

/// The options of a scenario's supervisor line (validated by the caller).
#[doc(hidden)]
pub fn scenario_options(scenario: &Scenario) -> Options<()> {
    let line = &scenario.supervisor;
    let max_children = match line.max_children {
        None => MaxChildren::Infinity,
        Some(n) => MaxChildren::Limit(i64::try_from(n).unwrap_or(i64::MAX)),
    };
    Options::<()>::default()
        .max_restarts(i64::try_from(line.max_restarts).unwrap_or(i64::MAX))
        .max_seconds(i64::try_from(line.max_seconds).unwrap_or(i64::MAX))
        .max_children(max_children)
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

/// Runs `scenario` in the simulator, with every invariant checked, and returns its transcript.
///
/// ```
/// use dynsup_sim::{runner, scenario};
/// let scenario = scenario::parse("child w\nat 0 start w\nat 5 which\n").unwrap();
/// let transcript = runner::run(&scenario).unwrap();
/// assert_eq!(transcript.to_string(), "@0 start w -> ok w#1\n  up w#1\n@5 which -> w#1\n");
/// ```
pub fn run(scenario: &Scenario) -> Result<Transcript, RunError> {
    ScenarioRun::new(scenario)?.run_all()
}

/// Runs `scenario` in the simulator, with every invariant checked, and returns what each step
/// returned and caused, as data (nothing is printed: the explorer compares these).
#[doc(hidden)]
pub fn run_records(scenario: &Scenario) -> Result<Records, RunError> {
    run_records_counted(scenario, &mut Coverage::new())
}

/// [`run_records`], adding the situations the run reached to `coverage` (also when the run
/// fails: what it reached until then).
#[doc(hidden)]
pub fn run_records_counted(
    scenario: &Scenario,
    coverage: &mut Coverage,
) -> Result<Records, RunError> {
    let mut run = ScenarioRun::new(scenario)?;
    let observer = Rc::clone(&run.observer);
    let result = (0..scenario.steps.len())
        .try_for_each(|index| run.run_step(index))
        .and_then(|()| run.finish_records());
    coverage.add(observer.borrow().coverage());
    result
}

/// A scenario being run step by step in the simulator.
pub struct ScenarioRun<'a> {
    executor: Executor<'a, SimTarget>,
    scenario: &'a Scenario,
    observer: Rc<RefCell<Observer>>,
}

impl<'a> ScenarioRun<'a> {
    /// Prepares a run of `scenario` at virtual time zero.
    pub fn new(scenario: &'a Scenario) -> Result<Self, RunError> {
        Self::prepare(scenario, |_| {})
    }

    /// [`ScenarioRun::new`] with `defect` planted in the supervisor core (every invariant is
    /// still checked): for the harness's own tests, never for production.
    #[cfg(feature = "planted-defects")]
    pub fn with_core_defect(
        scenario: &'a Scenario,
        defect: dynsup::CoreDefect,
    ) -> Result<Self, RunError> {
        Self::prepare(scenario, |sim| sim.plant_core_defect(defect))
    }

    fn prepare(
        scenario: &'a Scenario,
        plant: impl FnOnce(&mut ScenarioSimulation),
    ) -> Result<Self, RunError> {
        let config: Config<()> = scenario_options(scenario)
            .validate()
            .map_err(RunError::Config)?;
        let spawner = ScenarioSpawner::new(scenario.templates.clone(), false);
        let log = spawner.log();
        let (max_restarts, max_seconds) = (config.max_restarts(), config.max_seconds());
        let invariants = Invariants::new(max_restarts, max_seconds);
        let observer = Rc::new(RefCell::new(Observer::new(
            &scenario.templates,
            max_restarts,
            max_seconds,
            config.max_children(),
        )));
        let mut sim = Simulation::new(config, spawner);
        plant(&mut sim);
        sim.set_checker(Box::new(RunChecker {
            invariants,
            observer: Rc::clone(&observer),
        }));
        sim.set_cleanup_time(Box::new(|_, worker| Cleanup::After(worker.stop_ms)));
        Ok(ScenarioRun {
            executor: Executor::new(scenario, SimTarget::new(sim), log),
            scenario,
            observer,
        })
    }

    /// The supervisor situations the run reached so far (see [`crate::coverage`]).
    pub fn coverage(&self) -> Coverage {
        self.observer.borrow().coverage().clone()
    }

    /// The simulation, for checks between steps.
    pub fn simulation(&self) -> &ScenarioSimulation {
        self.executor.target().simulation()
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
        let ran = self.executor.run_step(index);
        self.observe_answers();
        ran.map_err(|err| self.run_error(err))?;
        let line = self.scenario.steps.get(index).map_or(0, |step| step.line);
        self.within_limits(line)
    }

    /// Lets everything settle after the last step and returns the transcript.
    pub fn finish(self) -> Result<Transcript, RunError> {
        let scenario = self.scenario;
        let records = self.finish_records()?;
        Ok(transcript::write(scenario, &records))
    }

    /// Lets everything settle after the last step and returns the records.
    pub fn finish_records(mut self) -> Result<Records, RunError> {
        let settled = self.executor.finish();
        self.observe_answers();
        settled.map_err(|err| self.run_error(err))?;
        let last_line = self.scenario.steps.last().map_or(0, |step| step.line);
        self.within_limits(last_line)?;
        Ok(self.executor.into_records())
    }

    /// Shows the coverage observer each step answer that became known (a call made while the
    /// supervisor was suspended is answered later, docs/races.md).
    fn observe_answers(&mut self) {
        for index in self.executor.take_answered() {
            if let (Some(step), Some(record)) = (
                self.scenario.steps.get(index),
                self.executor.records().get(index),
            ) {
                self.observer.borrow_mut().step(&step.op, &record.result);
            }
        }
    }

    /// Checks the run-time limits after the step on `line`.
    fn within_limits(&self, line: usize) -> Result<(), RunError> {
        let children = self.simulation().supervisor().view().counts().specs;
        if children > MAX_LIVE_CHILDREN {
            return Err(RunError::Limit(format!(
                "more than {MAX_LIVE_CHILDREN} children at once (after the step on line {line})"
            )));
        }
        if self.executor.transcript_bytes() > MAX_TRANSCRIPT_BYTES {
            return Err(RunError::Limit(format!(
                "the transcript is more than {MAX_TRANSCRIPT_BYTES} bytes (after the step on line {line})"
            )));
        }
        Ok(())
    }

    fn run_error(&self, err: SimError) -> RunError {
        let name = |pid: Pid| {
            self.executor
                .ref_of(pid)
                .map_or_else(|| pid.to_string(), |child| child.to_string())
        };
        match err {
            SimError::RestartLoop { pid, .. } => RunError::RestartLoop { child: name(pid) },
            SimError::WaitsForever { pid } => RunError::WaitsForever { child: name(pid) },
            SimError::Violation(violation) => RunError::Violation(violation),
            other => RunError::Sim(other),
        }
    }
}
