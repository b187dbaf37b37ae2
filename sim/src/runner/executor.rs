//! The one step executor: runs a scenario's steps against any [`Target`] and records what each
//! returned and caused, for the simulator and the runtimes alike.

use dynsup::{Instant, Pid, Started};

use crate::runner::target::{Observation, StartAnswer, Target, TerminateAnswer};
use crate::scenario::{ChildRef, Op, Scenario};
use crate::scripted_worker::AttemptLog;
use crate::transcript::{self, Attempt, EventRecord, Process, Record, RefId, StepResult};

/// A scenario being run step by step against `T`.
pub struct Executor<'a, T> {
    scenario: &'a Scenario,
    target: T,
    log: AttemptLog,
    /// The attempts of `log` seen so far (template index, K), copied so that a lookup takes
    /// no lock.
    attempts: Vec<(usize, u64)>,
    /// The process of each REF that ever started: `pids[template][K - 1]`.
    pids: Vec<Vec<Option<Pid>>>,
    /// The REF of each process, by pid.
    refs: Vec<Option<RefId>>,
    observed: Vec<Observation>,
    records: Vec<Record>,
    /// About how many bytes the transcript prints to so far.
    transcript_bytes: usize,
}

impl<'a, T: Target> Executor<'a, T> {
    /// Prepares a run of `scenario` on `target`, whose spawner fills `log`.
    pub fn new(scenario: &'a Scenario, target: T, log: AttemptLog) -> Self {
        Executor {
            scenario,
            target,
            log,
            attempts: Vec::new(),
            pids: vec![Vec::new(); scenario.templates.len()],
            refs: Vec::new(),
            observed: Vec::new(),
            records: Vec::with_capacity(scenario.steps.len()),
            transcript_bytes: 0,
        }
    }

    /// The target, for checks between steps.
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The target, to clean it up.
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// The records so far, one per step run.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The records, once the run is over.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// About how many bytes the transcript prints to so far.
    pub fn transcript_bytes(&self) -> usize {
        self.transcript_bytes
    }

    /// Runs step `index`: settles to its time, then performs it.
    pub fn run_step(&mut self, index: usize) -> Result<(), T::Error> {
        let Some(step) = self.scenario.steps.get(index) else {
            return Ok(());
        };
        let settled = self
            .target
            .settle(Instant::from_millis(step.at_ms), step.line);
        self.collect_events();
        settled?;
        if let Some(last) = self.records.last() {
            let bytes = transcript::approximate_len(self.scenario, last);
            self.transcript_bytes = self.transcript_bytes.saturating_add(bytes);
        }
        self.records.push(Record {
            result: StepResult::Ok,
            events: Vec::new(),
        });
        let result = self.perform(&step.op, step.line);
        self.collect_events();
        let result = result?;
        if let Some(record) = self.records.last_mut() {
            record.result = result;
        }
        Ok(())
    }

    /// Runs every step, then lets everything settle.
    pub fn run_all(&mut self) -> Result<(), T::Error> {
        for index in 0..self.scenario.steps.len() {
            self.run_step(index)?;
        }
        self.finish()
    }

    /// Lets everything settle after the last step.
    pub fn finish(&mut self) -> Result<(), T::Error> {
        let settled = self.target.finish();
        self.collect_events();
        if let Some(last) = self.records.last() {
            let bytes = transcript::approximate_len(self.scenario, last);
            self.transcript_bytes = self.transcript_bytes.saturating_add(bytes);
        }
        settled
    }

    /// The REF of `pid`, once it is known.
    pub fn ref_of(&self, pid: Pid) -> Option<ChildRef> {
        let id = self.id_of(pid)?;
        let template = self.scenario.templates.get(id.template)?;
        Some(ChildRef::new(template.name.clone(), id.attempt))
    }

    fn id_of(&self, pid: Pid) -> Option<RefId> {
        let index = usize::try_from(pid.0).ok()?;
        self.refs.get(index).copied().flatten()
    }

    fn process(&self, pid: Pid) -> Process {
        self.id_of(pid).map_or(Process::Pid(pid), Process::Named)
    }

    fn pid_of(&self, child: &ChildRef) -> Option<Pid> {
        let template = self.scenario.template_index(&child.template)?;
        let k = usize::try_from(child.attempt.checked_sub(1)?).ok()?;
        self.pids.get(template)?.get(k).copied().flatten()
    }

    fn perform(&mut self, op: &Op, line: usize) -> Result<StepResult, T::Error> {
        let result = match op {
            Op::Start { template } => {
                let Some(spec) = self.scenario.start_spec(template) else {
                    return Ok(StepResult::Undefined);
                };
                match self.target.start_child(spec)? {
                    StartAnswer::Started(Started::Running { pid, .. }) => {
                        self.learn_refs();
                        match self.id_of(pid) {
                            Some(id) => StepResult::Started(id),
                            None => StepResult::StartedUnnamed(pid),
                        }
                    }
                    StartAnswer::Started(Started::Ignored) => StepResult::Ignore,
                    StartAnswer::MaxChildren => StepResult::MaxChildren,
                    StartAnswer::Failed(reason) => StepResult::StartFailed(reason),
                    StartAnswer::NoProc => StepResult::NoProc,
                }
            }
            Op::Terminate(child) => {
                // A REF that never existed names no child: any unused pid will do.
                let pid = self.pid_of(child).unwrap_or(Pid(u64::MAX));
                match self.target.terminate_child(pid)? {
                    TerminateAnswer::Ok => StepResult::Ok,
                    TerminateAnswer::NotFound => StepResult::NotFound,
                    TerminateAnswer::NoProc => StepResult::NoProc,
                }
            }
            Op::Exit(child, reason) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.exit(pid, reason.clone(), line)?,
                    None => false,
                };
                alive_result(alive)
            }
            Op::Kill(child) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.kill(pid)?,
                    None => false,
                };
                alive_result(alive)
            }
            Op::Count => match self.target.count()? {
                Some(counts) => StepResult::Counts(counts),
                None => StepResult::NoProc,
            },
            Op::Which => match self.target.which()? {
                Some(infos) => {
                    self.learn_refs();
                    let entries = infos
                        .iter()
                        .map(|info| info.pid.map(|pid| self.process(pid)))
                        .collect();
                    StepResult::Which(entries)
                }
                None => StepResult::NoProc,
            },
            Op::Stop => {
                if self.target.stop()? {
                    StepResult::Ok
                } else {
                    StepResult::NoProc
                }
            }
        };
        Ok(result)
    }

    /// Takes the target's new observations and learns the REF of each new process.
    fn learn_refs(&mut self) {
        let start = self.observed.len();
        self.target.observe(&mut self.observed);
        if self.observed.len() == start {
            return;
        }
        self.log.copy_new(&mut self.attempts);
        for index in start..self.observed.len() {
            let Some(&Observation::Up { attempt, pid }) = self.observed.get(index) else {
                continue;
            };
            let Some(id) = self.attempt_id(attempt) else {
                continue;
            };
            if let Ok(slot) = usize::try_from(pid.0) {
                if self.refs.len() <= slot {
                    self.refs.resize(slot + 1, None);
                }
                self.refs[slot] = Some(id);
            }
            if let (Some(pids), Ok(k)) = (
                self.pids.get_mut(id.template),
                usize::try_from(id.attempt - 1),
            ) {
                if pids.len() <= k {
                    pids.resize(k + 1, None);
                }
                pids[k] = Some(pid);
            }
        }
    }

    fn attempt_id(&self, attempt: u64) -> Option<RefId> {
        let (template, k) = *self.attempts.get(usize::try_from(attempt).ok()?)?;
        Some(RefId {
            template,
            attempt: k,
        })
    }

    fn attempt(&self, attempt: u64) -> Attempt {
        self.attempt_id(attempt)
            .map_or(Attempt::Number(attempt), Attempt::Named)
    }

    /// Turns the observations since the last call into events of the current step.
    fn collect_events(&mut self) {
        self.learn_refs();
        if self.observed.is_empty() {
            return;
        }
        let mut observed = std::mem::take(&mut self.observed);
        let mut events = self
            .records
            .last_mut()
            .map(|record| std::mem::take(&mut record.events))
            .unwrap_or_default();
        events.extend(
            observed
                .drain(..)
                .filter_map(|observation| self.event(observation)),
        );
        if let Some(record) = self.records.last_mut() {
            record.events = events;
        }
        self.observed = observed;
    }

    fn event(&self, observation: Observation) -> Option<EventRecord> {
        Some(match observation {
            Observation::Up { attempt, .. } => EventRecord::Up(self.attempt(attempt)),
            Observation::Ignored { attempt } => EventRecord::Ignore(self.attempt(attempt)),
            Observation::Failed { attempt, reason } => {
                EventRecord::Fail(self.attempt(attempt), reason)
            }
            Observation::Down { pid, reason } => EventRecord::Down(self.process(pid), reason),
            Observation::SupervisorDown { reason } => EventRecord::SupervisorDown(reason),
            Observation::Signalled { .. }
            | Observation::StartRequested { .. }
            | Observation::StartAnswered { .. }
            | Observation::Spawned { .. }
            | Observation::ExitArrived { .. } => return None,
        })
    }
}

fn alive_result(alive: bool) -> StepResult {
    if alive {
        StepResult::Ok
    } else {
        StepResult::Dead
    }
}
