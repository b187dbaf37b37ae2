//! The scripted worker of scenario files (its init outcome comes from the template's script;
//! it traps exits or not; the one message it handles makes it exit with a reason), and the
//! spawner that makes one per start attempt.

use std::sync::{Arc, Mutex, PoisonError};

use dynsup::driver::Spawner;
use dynsup::{Context, ExitReason, Init, Next, Worker};

use crate::scenario::{InitOutcome, Template};

/// One start attempt of a scenario template.
///
/// Its shutdown time (`stop_ms` when it traps exits) is not part of the Worker API: the
/// simulator reads it through [`Simulation::set_cleanup_time`], the tokio runtime through its
/// `cleanup_time` setting (on tokio's clock), and on the threaded runtime the worker's
/// `terminate` really takes that long.
///
/// [`Simulation::set_cleanup_time`]: crate::simulation::Simulation::set_cleanup_time
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptedWorker {
    /// What `init` returns.
    pub outcome: InitOutcome,
    /// Whether it traps exits.
    pub trap_exit: bool,
    /// How long its shutdown takes when it traps exits.
    pub stop_ms: u64,
    /// Whether `terminate` really waits `stop_ms` (on a runtime) instead of leaving the time
    /// to the simulator.
    pub real_time: bool,
}

impl Worker for ScriptedWorker {
    /// `exit REF REASON` steps arrive as this message on a runtime: the worker exits with it.
    type Message = ExitReason;
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<ExitReason>) -> Init {
        match &self.outcome {
            InitOutcome::Ok => Init::Ok,
            InitOutcome::Ignore => Init::Ignore,
            InitOutcome::Stop(word) => Init::Stop(ExitReason::other(word.clone())),
        }
    }

    fn traps_exits(&self) -> bool {
        self.trap_exit
    }

    fn handle_message(&mut self, reason: ExitReason, _ctx: &mut Context<ExitReason>) -> Next {
        Next::Stop(reason)
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<ExitReason>) {
        if self.real_time {
            std::thread::sleep(std::time::Duration::from_millis(self.stop_ms));
        }
    }
}

/// The start attempts a [`ScenarioSpawner`] made, in order: (template index, K) of each, where
/// K counts the attempts of that template from 1. Shared with the runner (a runtime owns the
/// spawner itself, on another thread).
#[derive(Clone, Debug, Default)]
pub struct AttemptLog(Arc<Mutex<Vec<(usize, u64)>>>);

impl AttemptLog {
    /// The template index and K of attempt `attempt` (0-based, in spawner order).
    pub fn get(&self, attempt: u64) -> Option<(usize, u64)> {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        usize::try_from(attempt)
            .ok()
            .and_then(|index| log.get(index).copied())
    }

    /// Appends the attempts `out` does not hold yet (those from index `out.len()` on), taking
    /// the lock once: a reader keeps its own copy and looks attempts up there.
    pub fn copy_new(&self, out: &mut Vec<(usize, u64)>) {
        let log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(new) = log.get(out.len()..) {
            out.extend_from_slice(new);
        }
    }

    fn push(&self, template: usize, k: u64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((template, k));
    }
}

/// Makes the [`ScriptedWorker`] of each start attempt of a scenario (the start function is the
/// template's index) and logs which template and K each attempt was. The same spawner serves
/// the simulator and the threaded runtime.
#[derive(Clone, Debug)]
pub struct ScenarioSpawner {
    templates: Vec<Template>,
    counts: Vec<u64>,
    log: AttemptLog,
    real_time: bool,
}

impl ScenarioSpawner {
    /// A spawner for these templates; `real_time` makes a trapping worker's `terminate` really
    /// take its `stop_ms` (for a runtime; the simulator takes the time from the template).
    pub fn new(templates: Vec<Template>, real_time: bool) -> Self {
        let counts = vec![0; templates.len()];
        ScenarioSpawner {
            templates,
            counts,
            log: AttemptLog::default(),
            real_time,
        }
    }

    /// The log of attempts, shared.
    pub fn log(&self) -> AttemptLog {
        self.log.clone()
    }
}

impl Spawner<usize, ()> for ScenarioSpawner {
    type Worker = ScriptedWorker;

    fn spawn(&mut self, function: &usize, _args: &[()]) -> Box<ScriptedWorker> {
        let (Some(template), Some(count)) = (
            self.templates.get(*function),
            self.counts.get_mut(*function),
        ) else {
            // The runner only starts templates it knows; an unknown one never starts.
            return Box::new(ScriptedWorker {
                outcome: InitOutcome::Stop("undefined".into()),
                trap_exit: false,
                stop_ms: 0,
                real_time: false,
            });
        };
        *count += 1;
        self.log.push(*function, *count);
        Box::new(ScriptedWorker {
            outcome: template.outcome(*count).clone(),
            trap_exit: template.trap_exit,
            stop_ms: template.stop_ms,
            real_time: self.real_time,
        })
    }
}
