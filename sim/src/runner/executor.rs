//! The one step executor: runs a scenario's steps against any [`Target`] and writes the
//! transcript, for the simulator and the runtimes alike.

use std::collections::BTreeMap;

use dynsup::{Instant, Pid, Started};

use crate::runner::target::{Observation, StartAnswer, Target, TerminateAnswer};
use crate::scenario::{ChildRef, Op, Scenario};
use crate::scripted_worker::AttemptLog;
use crate::transcript::{self, StepRecord, Transcript};

/// A scenario being run step by step against `T`.
pub struct Executor<'a, T> {
    scenario: &'a Scenario,
    target: T,
    log: AttemptLog,
    /// The process of each REF that ever started.
    pids: BTreeMap<ChildRef, Pid>,
    /// The REF of each process.
    refs: BTreeMap<Pid, ChildRef>,
    observed: Vec<Observation>,
    transcript: Transcript,
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
            pids: BTreeMap::new(),
            refs: BTreeMap::new(),
            observed: Vec::new(),
            transcript: Transcript::default(),
            transcript_bytes: 0,
        }
    }

    /// The target, for checks between steps.
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The transcript so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
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
        let text = step.transcript_text();
        self.transcript_bytes = self.transcript_bytes.saturating_add(text.len() + 5);
        self.transcript.steps.push(StepRecord {
            step: text,
            result: String::new(),
            events: Vec::new(),
        });
        let result = self.perform(&step.op, step.line);
        self.collect_events();
        let result = result?;
        self.transcript_bytes = self.transcript_bytes.saturating_add(result.len());
        if let Some(record) = self.transcript.steps.last_mut() {
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
        settled
    }

    /// The transcript, once the run is over.
    pub fn into_transcript(self) -> Transcript {
        self.transcript
    }

    /// The target, to clean it up.
    pub fn target_mut(&mut self) -> &mut T {
        &mut self.target
    }

    /// The REF of `pid`, once it is known.
    pub fn ref_of(&self, pid: Pid) -> Option<&ChildRef> {
        self.refs.get(&pid)
    }

    fn pid_of(&self, child: &ChildRef) -> Option<Pid> {
        self.pids.get(child).copied()
    }

    fn perform(&mut self, op: &Op, line: usize) -> Result<String, T::Error> {
        let result = match op {
            Op::Start { template } => {
                let Some(spec) = self.scenario.start_spec(template) else {
                    return Ok("error undefined".into());
                };
                let answer = self.target.start_child(spec)?;
                if matches!(answer, StartAnswer::Started(Started::Running { .. })) {
                    self.learn_refs();
                }
                transcript::start_result(&answer, |pid| self.refs.get(&pid))
            }
            Op::Terminate(child) => {
                // A REF that never existed names no child: any unused pid will do.
                let pid = self.pid_of(child).unwrap_or(Pid(u64::MAX));
                match self.target.terminate_child(pid)? {
                    TerminateAnswer::Ok => "ok".into(),
                    TerminateAnswer::NotFound => "error not_found".into(),
                    TerminateAnswer::NoProc => transcript::NOPROC.into(),
                }
            }
            Op::Exit(child, reason) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.exit(pid, reason.clone(), line)?,
                    None => false,
                };
                transcript::alive_result(alive).into()
            }
            Op::Kill(child) => {
                let alive = match self.pid_of(child) {
                    Some(pid) => self.target.kill(pid)?,
                    None => false,
                };
                transcript::alive_result(alive).into()
            }
            Op::Count => match self.target.count()? {
                Some(counts) => transcript::count_result(&counts),
                None => transcript::NOPROC.into(),
            },
            Op::Which => match self.target.which()? {
                Some(infos) => {
                    self.learn_refs();
                    transcript::which_result_of(&infos, |pid| self.refs.get(&pid))
                }
                None => transcript::NOPROC.into(),
            },
            Op::Stop => {
                if self.target.stop()? {
                    "ok".into()
                } else {
                    transcript::NOPROC.into()
                }
            }
        };
        Ok(result)
    }

    /// Takes the target's new observations and learns the REF of each new process.
    fn learn_refs(&mut self) {
        let start = self.observed.len();
        self.target.observe(&mut self.observed);
        for observation in self.observed.get(start..).unwrap_or(&[]) {
            if let Observation::Up { attempt, pid } = observation {
                if let Some(child) = self.attempt_ref(*attempt) {
                    self.pids.insert(child.clone(), *pid);
                    self.refs.insert(*pid, child);
                }
            }
        }
    }

    fn attempt_ref(&self, attempt: u64) -> Option<ChildRef> {
        let (template, k) = self.log.get(attempt)?;
        let name = &self.scenario.templates.get(template)?.name;
        Some(ChildRef::new(name.clone(), k))
    }

    /// Turns the observations since the last call into events of the current step.
    fn collect_events(&mut self) {
        self.learn_refs();
        let texts: Vec<String> = self
            .observed
            .iter()
            .map(|observation| {
                transcript::event_text(
                    observation,
                    |pid| self.refs.get(&pid),
                    |attempt| self.attempt_ref(attempt),
                )
            })
            .collect();
        self.observed.clear();
        let bytes = texts.iter().map(|text| text.len() + 3).sum::<usize>();
        self.transcript_bytes = self.transcript_bytes.saturating_add(bytes);
        if let Some(record) = self.transcript.steps.last_mut() {
            record.events.extend(texts);
        }
    }
}
