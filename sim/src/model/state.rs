//! The reference model's state and one plain function per scenario operation.
//!
//! Section numbers (§) refer to `docs/semantics.md`.

mod races;

use std::collections::{BTreeMap, VecDeque};

use dynsup::{ExitReason, Restart, Shutdown};

use super::{Defect, ModelError, FAILED_RESTARTS_MAX};
use dynsup::ChildCounts;

use crate::scenario::{ChildRef, InitOutcome, Op, Scenario, Step, SupervisorLine, Template};
use crate::transcript::{
    self, Attempt, EventRecord, Process, Record, RefId, StepRecord, StepResult,
};

/// One entry of the children table (§1.4): running, or restarting under the key of the
/// process that died.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// The key: the REF of the running process, or of the dead one for a restarting entry.
    key: RefId,
    /// The template (the child spec) it was started from.
    template: usize,
    /// Whether its restart is being retried (§6.2).
    restarting: bool,
    /// Whether this entry went through a restart. Used only by
    /// [`Defect::MaxChildrenIgnoresRestarting`].
    restarted: bool,
}

/// The reference model, run one step at a time (see the module documentation of
/// [`crate::model`]).
#[derive(Clone, Debug)]
pub struct Model {
    supervisor: SupervisorLine,
    templates: Vec<Template>,
    defect: Option<Defect>,
    /// The clock, in milliseconds: when the current step began, plus whatever it waited.
    now_ms: u64,
    /// Whether the supervisor is alive.
    alive: bool,
    /// The children table, in key-creation order (§1.4, §7).
    children: Vec<Entry>,
    /// The restart log (§6.3): whole-second stamp -> how many restarts carry it.
    restarts: BTreeMap<u64, u64>,
    /// How many start attempts each template has had (docs/scenarios.md: attempt K uses the K-th
    /// `init` outcome and names its process `NAME#K`).
    attempts: Vec<u64>,
    /// The events of the current step, as they happen.
    events: Vec<EventRecord>,
    /// The supervisor's mailbox (§1.5): empty between format-1 steps (every message is
    /// handled within its step); while suspended (docs/races.md), what waits.
    mailbox: races::Mailbox,
    /// Whether the supervisor is suspended (`suspend` ... `resume`, docs/races.md).
    suspended: bool,
    /// The index of the current step in the scenario.
    step_index: usize,
    /// The answers of calls made while suspended, by step index, not taken yet.
    answers: Vec<(usize, StepResult)>,
}

/// How a child that is asked to shut down ends (§8 table): after how long, and why;
/// `head_start` when it was signalled before the supervisor, in the same pass, took the queued
/// exit of a child already gone (§8, "A tie with the kill timer").
fn shutdown_of(template: &Template, head_start: bool) -> (u64, ExitReason) {
    match template.shutdown {
        // `exit(child, :kill)`: dies at once, whatever it does with exits.
        Shutdown::BrutalKill => (0, ExitReason::Killed),
        // A child that does not trap exits dies at once from the `:shutdown` signal.
        _ if !template.trap_exit => (0, ExitReason::Shutdown),
        // A trapping child takes `stop_ms`; it is killed if its timeout runs out first. When
        // both fall at the same instant the timer wins, as in real OTP: the supervisor starts
        // its timer as soon as the signal is sent, the child starts its `stop_ms` of work only
        // when the signal arrives (the oracle gives `killed` for stop_ms == shutdown; §8 says
        // the same of `shutdown: 0`). A child with a head start began its work before the
        // timer started: at the same instant, it ends first.
        Shutdown::Timeout { millis }
            if template.stop_ms > millis || (template.stop_ms == millis && !head_start) =>
        {
            (millis, ExitReason::Killed)
        }
        Shutdown::Timeout { .. } | Shutdown::Infinity => (template.stop_ms, ExitReason::Shutdown),
    }
}

impl Model {
    /// A model of `scenario`'s supervisor and templates at time zero, with no child yet, and
    /// `defect` planted (see [`crate::testing`]; [`Model::new`] plants none).
    pub(crate) fn with_defect(
        scenario: &Scenario,
        defect: Option<Defect>,
    ) -> Result<Model, ModelError> {
        // §2.4: OTP rejects a zero period (the parser never produces one).
        if scenario.supervisor.max_seconds == 0 {
            return Err(ModelError::InvalidSupervisor {
                reason: "max_seconds must be at least 1".into(),
            });
        }
        Ok(Model {
            supervisor: scenario.supervisor,
            templates: scenario.templates.clone(),
            defect,
            now_ms: 0,
            alive: true,
            children: Vec::new(),
            restarts: BTreeMap::new(),
            attempts: vec![0; scenario.templates.len()],
            events: Vec::new(),
            mailbox: VecDeque::new(),
            suspended: false,
            step_index: 0,
            answers: Vec::new(),
        })
    }

    /// Runs one step: the clock reaches its written time (or stays later, if the previous step
    /// waited past it), the operation runs, and everything it causes settles.
    pub fn step(&mut self, step: &Step) -> Result<StepRecord, ModelError> {
        let record = self.step_record(step)?;
        let mut events: Vec<String> = record
            .events
            .iter()
            .map(|event| transcript::event_text(&self.templates, event))
            .collect();
        events.sort();
        Ok(StepRecord {
            step: step.transcript_text(),
            result: transcript::result_text(&self.templates, &record.result),
            events,
        })
    }

    /// Runs one step as [`step`](Model::step) does, and returns it as data. A call made while
    /// the supervisor is suspended returns `error noproc` for now: its answer comes once the
    /// supervisor handles it, from [`take_answers`](Model::take_answers).
    pub fn step_record(&mut self, step: &Step) -> Result<Record, ModelError> {
        self.now_ms = self.now_ms.max(step.at_ms);
        self.events.clear();
        let result = if self.suspended && self.alive {
            self.suspended_step(&step.op)?
        } else {
            match &step.op {
                Op::Start { template } => self.start(template),
                Op::Terminate(child) => self.terminate(self.key_of(child))?,
                Op::Exit(child, reason) => self.exit(child, reason.clone())?,
                Op::Kill(child) => self.exit(child, ExitReason::Killed)?,
                Op::Count => self.count(),
                Op::Which => self.which(),
                Op::Stop => self.stop(),
                Op::Suspend => self.suspend(),
                Op::Resume => self.resume()?,
            }
        };
        self.serve()?;
        self.step_index += 1;
        Ok(Record {
            result,
            events: std::mem::take(&mut self.events),
        })
    }

    /// The answers of calls made while the supervisor was suspended that came since the last
    /// call, each with its step's index (in the scenario's steps).
    pub fn take_answers(&mut self) -> Vec<(usize, StepResult)> {
        std::mem::take(&mut self.answers)
    }

    // ----- observation (for generators) ----------------------------------------------------

    /// The clock, in milliseconds: when the next step would begin at the earliest.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Whether the supervisor is alive.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// The REFs of the running children (the live processes), in key-creation order.
    pub fn running(&self) -> Vec<ChildRef> {
        self.children
            .iter()
            .filter(|e| !e.restarting)
            .map(|e| self.child_ref(e.key))
            .collect()
    }

    /// The keys of the restarting entries (empty between format-1 steps: retries finish in
    /// their step; a suspended supervisor may hold some).
    pub fn restarting(&self) -> Vec<ChildRef> {
        self.children
            .iter()
            .filter(|e| e.restarting)
            .map(|e| self.child_ref(e.key))
            .collect()
    }

    /// How many start attempts the template at `index` has had.
    pub fn attempts(&self, index: usize) -> u64 {
        self.attempts.get(index).copied().unwrap_or(0)
    }

    /// How many restarts the restart log holds (stamps still in the window when last pruned).
    pub fn restart_log_len(&self) -> u64 {
        self.restarts.values().sum()
    }

    // ----- operations --------------------------------------------------------------------

    /// `start NAME` (§4).
    fn start(&mut self, name: &str) -> StepResult {
        if !self.alive {
            return StepResult::NoProc;
        }
        let Some(index) = self.templates.iter().position(|t| t.name == name) else {
            return StepResult::Undefined;
        };
        // §4.1: the capacity check counts every entry, running or restarting, and makes no
        // start attempt when it refuses.
        if let Some(max) = self.supervisor.max_children {
            let counted = if self.defect == Some(Defect::MaxChildrenIgnoresRestarting) {
                self.children.iter().filter(|e| !e.restarted).count()
            } else {
                self.children.len()
            };
            if counted as u64 >= max {
                return StepResult::MaxChildren;
            }
        }
        // §4.2-4.4: one start attempt; only a running process is stored.
        match self.attempt(index) {
            (child, InitOutcome::Ok) => {
                self.children.push(Entry {
                    key: child,
                    template: index,
                    restarting: false,
                    restarted: false,
                });
                StepResult::Started(child)
            }
            (_, InitOutcome::Ignore) => StepResult::Ignore,
            (_, InitOutcome::Stop(word)) => StepResult::StartFailed(ExitReason::other(word)),
        }
    }

    /// `terminate REF` (§5, with the protocol of §8 for one entry), `key` the REF's process
    /// when the call was made (`None`: no process ever had it).
    fn terminate(&mut self, key: Option<RefId>) -> Result<StepResult, ModelError> {
        if !self.alive {
            return Ok(StepResult::NoProc);
        }
        let Some(position) = key.and_then(|key| self.children.iter().position(|e| e.key == key))
        else {
            return Ok(StepResult::NotFound);
        };
        let entry = self.children.remove(position);
        let key = entry.key;
        if entry.restarting {
            // No live process: nothing to signal or wait for; the pending retry is dropped.
            return Ok(StepResult::Ok);
        }
        if self.take_queued_exit(key) {
            // Its process is already dead and its exit waits in the mailbox (a race,
            // docs/races.md: r01, r11): the termination consumes that exit, signals nothing,
            // waits for nothing; the entry is gone, never restarted.
            return Ok(StepResult::Ok);
        }
        // The call blocks until the child is down; the clock moves on by that much.
        let (wait_ms, reason) = shutdown_of(&self.templates[entry.template], false);
        self.now_ms += wait_ms;
        self.events
            .push(EventRecord::Down(Process::Named(key), reason));
        // Never restarted and never counted toward intensity: the entry is gone.
        let permanent = self.templates[entry.template].restart == Restart::Permanent;
        if self.defect == Some(Defect::RestartTerminated) && permanent {
            self.children.insert(position, entry);
            self.restart(key, 0)?;
        }
        Ok(StepResult::Ok)
    }

    /// `exit REF REASON` and `kill REF` (reason `killed`): the process ends by itself, and
    /// the supervisor handles its EXIT (§6.1).
    fn exit(&mut self, child: &ChildRef, reason: ExitReason) -> Result<StepResult, ModelError> {
        // Between steps the live processes are exactly the running entries of a live
        // supervisor: a failed or ignored start leaves no process, and a supervisor that went
        // down took all its children with it.
        let position = match self.position(child) {
            Some(i) if self.alive && !self.children[i].restarting => i,
            _ => return Ok(StepResult::Dead),
        };
        let key = self.children[position].key;
        if self.exit_queued(key) {
            // Already dead, its exit waiting in the mailbox (r08).
            return Ok(StepResult::Dead);
        }
        self.events
            .push(EventRecord::Down(Process::Named(key), reason.clone()));
        if self.suspended {
            // Its exit signal waits in the mailbox with the rest (docs/races.md).
            self.mailbox.push_back(races::Message::Exit { key, reason });
            return Ok(StepResult::Ok);
        }
        self.handle_exit(key, reason)?;
        Ok(StepResult::Ok)
    }

    /// The supervisor handles the exit of the process keyed `key` (§6.1): a running entry is
    /// restarted or removed by the decision table; any other is ignored.
    fn handle_exit(&mut self, key: RefId, reason: ExitReason) -> Result<(), ModelError> {
        let Some(position) = self
            .children
            .iter()
            .position(|e| e.key == key && !e.restarting)
        else {
            return Ok(());
        };
        let restart_type = self.templates[self.children[position].template].restart;
        // §6.1, checked in this order.
        let clean = matches!(
            reason,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        );
        let restart = match restart_type {
            Restart::Permanent => true,
            _ if clean => false,
            Restart::Transient => true,
            Restart::Temporary => self.defect == Some(Defect::TemporaryRestarted),
        };
        if restart {
            self.restart(key, 0)?;
        } else {
            self.children.remove(position);
        }
        Ok(())
    }

    /// `count` (§7).
    fn count(&self) -> StepResult {
        if !self.alive {
            return StepResult::NoProc;
        }
        let specs = self.children.len() as u64;
        let active = self.children.iter().filter(|e| !e.restarting).count() as u64;
        // Every template is a worker.
        StepResult::Counts(ChildCounts {
            specs,
            active,
            supervisors: 0,
            workers: specs,
        })
    }

    /// `which` (§7), in byte order as docs/scenarios.md prints it.
    fn which(&self) -> StepResult {
        if !self.alive {
            return StepResult::NoProc;
        }
        let entries = self
            .children
            .iter()
            .map(|e| (!e.restarting).then_some(Process::Named(e.key)))
            .collect();
        StepResult::Which(entries)
    }

    /// `stop`: the parent exits with `shutdown` (§1.9, §8).
    fn stop(&mut self) -> StepResult {
        if !self.alive {
            return StepResult::NoProc;
        }
        self.shut_down();
        StepResult::Ok
    }

    // ----- the supervisor's procedures ---------------------------------------------------

    /// `RESTART(key)` (§6.2) for the entry under `key`: one attempt, counted first. A failed
    /// attempt leaves the entry restarting and sends `{:"$gen_restart", key}` to the back of the
    /// mailbox, which [`serve`](Model::serve) handles in turn (at once in format 1, where
    /// nothing else waits; behind the waiting messages after a `resume`). `failed` is how many
    /// attempts of this restart failed in a row before this one.
    fn restart(&mut self, key: RefId, failed: u64) -> Result<(), ModelError> {
        let Some(position) = self.children.iter().position(|e| e.key == key) else {
            return Ok(());
        };
        // §6.2.1: count the restart first.
        if self.add_restart_exceeded() {
            // §6.4: the crashed entry is removed, then the supervisor shuts down.
            self.children.remove(position);
            self.shut_down();
            return Ok(());
        }
        let index = self.children[position].template;
        match self.attempt(index) {
            (child, InitOutcome::Ok) => {
                // Same spec under the new key, which sorts after every older key.
                self.children.remove(position);
                self.children.push(Entry {
                    key: child,
                    template: index,
                    restarting: false,
                    restarted: true,
                });
            }
            (_, InitOutcome::Ignore) => {
                // Gone for good.
                self.children.remove(position);
            }
            (_, InitOutcome::Stop(_)) => {
                // A restarting entry under the old key, and a retry message to self.
                let entry = &mut self.children[position];
                entry.restarting = true;
                entry.restarted = true;
                let failed = failed + 1;
                if failed > FAILED_RESTARTS_MAX {
                    return Err(ModelError::RestartLoop {
                        child: self.child_ref(key).to_string(),
                        attempts: failed,
                    });
                }
                self.mailbox
                    .push_back(races::Message::Retry { key, failed });
            }
        }
        Ok(())
    }

    /// `ADD_RESTART` (§6.3): stamp this restart with the whole second `floor(now / 1000)`,
    /// keep the stamps `s` with `now - s <= max_seconds`, and say whether more than
    /// `max_restarts` remain.
    fn add_restart_exceeded(&mut self) -> bool {
        let now = self.now_ms / 1000;
        let period = self.supervisor.max_seconds;
        let off_by_one = self.defect == Some(Defect::IntensityOffByOne);
        self.restarts.retain(|&stamp, _| {
            if off_by_one {
                now - stamp < period
            } else {
                now - stamp <= period
            }
        });
        *self.restarts.entry(now).or_insert(0) += 1;
        self.restart_log_len() > self.supervisor.max_restarts
    }

    /// The supervisor shuts down with reason `shutdown` (§6.4, §8): every running child gets
    /// its signal at once, the restarting entries are skipped, and the supervisor is down
    /// when the slowest child is.
    fn shut_down(&mut self) {
        let mut wait_ms = 0;
        let entries = std::mem::take(&mut self.children);
        // A child whose exit waits in the mailbox is already dead: its exit is consumed,
        // nothing is signalled (r05, r17). Taking it waits for its `DOWN`: the children
        // signalled before the last such take begin their work before the kill timer starts.
        let gone = |model: &Self, entry: &Entry| !entry.restarting && model.exit_queued(entry.key);
        let last_taken = entries.iter().rposition(|entry| gone(self, entry));
        for (index, entry) in entries.into_iter().enumerate() {
            if entry.restarting || gone(self, &entry) {
                continue;
            }
            let head_start = last_taken.is_some_and(|last| index < last);
            let (child_ms, reason) = shutdown_of(&self.templates[entry.template], head_start);
            wait_ms = wait_ms.max(child_ms);
            self.events
                .push(EventRecord::Down(Process::Named(entry.key), reason));
        }
        self.now_ms += wait_ms;
        self.events
            .push(EventRecord::SupervisorDown(ExitReason::Shutdown));
        self.alive = false;
        self.suspended = false;
        self.drop_mailbox();
    }

    /// One start attempt of the template at `index` (docs/scenarios.md: attempt K uses the K-th
    /// `init` outcome), with its event. Returns the attempt's REF and outcome.
    fn attempt(&mut self, index: usize) -> (RefId, InitOutcome) {
        self.attempts[index] += 1;
        let template = &self.templates[index];
        let child = RefId {
            template: index,
            attempt: self.attempts[index],
        };
        let outcome = template.outcome(self.attempts[index]).clone();
        let attempt = Attempt::Named(child);
        self.events.push(match &outcome {
            InitOutcome::Ok => EventRecord::Up(attempt),
            InitOutcome::Ignore => EventRecord::Ignore(attempt),
            InitOutcome::Stop(word) => EventRecord::Fail(attempt, ExitReason::other(word.clone())),
        });
        (child, outcome)
    }

    /// The key of the process `child` names, if a start attempt ever started it (a REF of an
    /// attempt that has not happened, or that failed or was ignored, names no process).
    fn key_of(&self, child: &ChildRef) -> Option<RefId> {
        let template = self
            .templates
            .iter()
            .position(|t| t.name == child.template)?;
        let made = self.attempts.get(template).copied().unwrap_or(0);
        let started = child.attempt >= 1
            && child.attempt <= made
            && *self.templates[template].outcome(child.attempt) == InitOutcome::Ok;
        started.then_some(RefId {
            template,
            attempt: child.attempt,
        })
    }

    /// Where the entry keyed `child` is in the table.
    fn position(&self, child: &ChildRef) -> Option<usize> {
        let template = self
            .templates
            .iter()
            .position(|t| t.name == child.template)?;
        let key = RefId {
            template,
            attempt: child.attempt,
        };
        self.children.iter().position(|e| e.key == key)
    }

    /// The REF `NAME#K` of `key`.
    fn child_ref(&self, key: RefId) -> ChildRef {
        let name = self
            .templates
            .get(key.template)
            .map_or_else(String::new, |t| t.name.clone());
        ChildRef::new(name, key.attempt)
    }
}
