//! The one step executor: runs a scenario's steps against any [`Target`] and records what each
//! returned and caused, for the simulator and the runtimes alike.

use dynsup::{Instant, Pid, Started};

use crate::runner::target::{Answer, Call, Observation, StartAnswer, Target, TerminateAnswer};
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
    /// Whether the supervisor is suspended (a `suspend` answered `ok`, its `resume` not run
    /// yet): calls are then made without waiting.
    suspended: bool,
    /// The calls made without waiting and not answered yet: (step index, ticket).
    waiting: Vec<(usize, u64)>,
    /// The steps whose result is known since the last [`Executor::take_answered`].
    answered: Vec<usize>,
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
            suspended: false,
            waiting: Vec::new(),
            answered: Vec::new(),
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

    /// The indices of the steps whose result became known since the last call, in the order
    /// they did: each step once, at once when its call did not wait, else once its answer came
    /// (a call made while the supervisor was suspended, docs/races.md).
    pub fn take_answered(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.answered)
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
        self.take_answers();
        settled?;
        if let Some(last) = self.records.last() {
            let bytes = transcript::approximate_len(self.scenario, last);
            self.transcript_bytes = self.transcript_bytes.saturating_add(bytes);
        }
        self.records.push(Record {
            result: StepResult::Ok,
            events: Vec::new(),
        });
        let result = self.perform(index, &step.op, step.line);
        self.collect_events();
        let result = result?;
        // A call still waiting prints `error noproc` unless its answer comes.
        let known = result.is_some();
        if let Some(record) = self.records.last_mut() {
            record.result = result.unwrap_or(StepResult::NoProc);
        }
        if known {
            self.answered.push(index);
        }
        self.take_answers();
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
        self.take_answers();
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

    /// Performs step `index`: its result, or `None` when its call was made without waiting
    /// (the supervisor is suspended) and its answer is still to come.
    fn perform(
        &mut self,
        index: usize,
        op: &Op,
        line: usize,
    ) -> Result<Option<StepResult>, T::Error> {
        let call = match op {
            Op::Start { template } => match self.scenario.start_spec(template) {
                Some(spec) => Call::Start(spec),
                None => return Ok(Some(StepResult::Undefined)),
            },
            // A REF that never existed names no child: any unused pid will do.
            Op::Terminate(child) => Call::Terminate(self.pid_of(child).unwrap_or(Pid(u64::MAX))),
            Op::Count => Call::Count,
            Op::Which => Call::Which,
            Op::Exit(child, reason) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.exit(pid, reason.clone(), line)?,
                    None => false,
                };
                return Ok(Some(alive_result(alive)));
            }
            Op::Kill(child) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.kill(pid)?,
                    None => false,
                };
                return Ok(Some(alive_result(alive)));
            }
            Op::Stop => return Ok(Some(ok_or_noproc(self.target.stop()?))),
            Op::Suspend => {
                self.suspended = self.target.suspend(line)?;
                return Ok(Some(ok_or_noproc(self.suspended)));
            }
            Op::Resume => {
                self.suspended = false;
                return Ok(Some(ok_or_noproc(self.target.resume(line)?)));
            }
        };
        if self.suspended {
            let ticket = self.target.send(call, line)?;
            self.waiting.push((index, ticket));
            return Ok(None);
        }
        let answer = match call {
            Call::Start(spec) => Answer::Start(self.target.start_child(spec)?),
            Call::Terminate(pid) => Answer::Terminate(self.target.terminate_child(pid)?),
            Call::Count => Answer::Count(self.target.count()?),
            Call::Which => Answer::Which(self.target.which()?),
        };
        Ok(Some(self.result_of(answer)))
    }

    /// What a step prints for `answer`.
    fn result_of(&mut self, answer: Answer) -> StepResult {
        match answer {
            Answer::Start(StartAnswer::Started(Started::Running { pid, .. })) => {
                self.learn_refs();
                match self.id_of(pid) {
                    Some(id) => StepResult::Started(id),
                    None => StepResult::StartedUnnamed(pid),
                }
            }
            Answer::Start(StartAnswer::Started(Started::Ignored)) => StepResult::Ignore,
            Answer::Start(StartAnswer::MaxChildren) => StepResult::MaxChildren,
            Answer::Start(StartAnswer::Failed(reason)) => StepResult::StartFailed(reason),
            Answer::Terminate(TerminateAnswer::Ok) => StepResult::Ok,
            Answer::Terminate(TerminateAnswer::NotFound) => StepResult::NotFound,
            Answer::Start(StartAnswer::NoProc)
            | Answer::Terminate(TerminateAnswer::NoProc)
            | Answer::Count(None)
            | Answer::Which(None) => StepResult::NoProc,
            Answer::Count(Some(counts)) => StepResult::Counts(counts),
            Answer::Which(Some(infos)) => {
                self.learn_refs();
                let entries = infos
                    .iter()
                    .map(|info| info.pid.map(|pid| self.process(pid)))
                    .collect();
                StepResult::Which(entries)
            }
        }
    }

    /// Puts each answer that came to a call made without waiting on its own step's record.
    fn take_answers(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let mut waiting = std::mem::take(&mut self.waiting);
        waiting.retain(|&(index, ticket)| {
            let Some(answer) = self.target.answer(ticket) else {
                return true;
            };
            let result = self.result_of(answer);
            if let Some(record) = self.records.get_mut(index) {
                record.result = result;
            }
            self.answered.push(index);
            false
        });
        self.waiting = waiting;
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
            | Observation::ExitArrived { .. }
            | Observation::TerminateRequested { .. }
            | Observation::TerminateAnswered { .. }
            | Observation::MaxChildrenRefused { .. }
            | Observation::ParentExitArrived { .. }
            | Observation::Suspended
            | Observation::Resumed => return None,
        })
    }
}

/// `ok`, or `error noproc` when the supervisor is gone.
pub(crate) fn ok_or_noproc(ok: bool) -> StepResult {
    if ok {
        StepResult::Ok
    } else {
        StepResult::NoProc
    }
}

fn alive_result(alive: bool) -> StepResult {
    if alive {
        StepResult::Ok
    } else {
        StepResult::Dead
    }
}
