//! The model's mailbox, for races (docs/races.md): what a suspended supervisor holds, and how
//! it is served once resumed. In format 1 only a failed restart's retry ever waits there, and
//! it is served within its step.

use std::collections::VecDeque;

use dynsup::ExitReason;

use super::Model;
use crate::model::ModelError;
use crate::scenario::{Name, Op};
use crate::transcript::{RefId, StepResult};

/// A message in the supervisor's mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Message {
    /// A child's exit signal (§6.1).
    Exit {
        /// The process that ended.
        key: RefId,
        /// Why.
        reason: ExitReason,
    },
    /// `{:"$gen_restart", key}`: the retry of a failed restart (§6.2).
    Retry {
        /// The restarting entry.
        key: RefId,
        /// How many attempts of this restart failed in a row so far.
        failed: u64,
    },
    /// A client's call, made on the step of index `step`.
    Call {
        /// The step's index in the scenario.
        step: usize,
        /// What it asks.
        call: Call,
    },
}

/// A call waiting in the mailbox, its REF resolved when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Call {
    Start(Name),
    /// The process the REF named when the call was made (`None`: none).
    Terminate(Option<RefId>),
    Count,
    Which,
}

impl Model {
    /// A step while the supervisor is suspended and alive: calls wait in the mailbox (their
    /// result is `error noproc` until answered), exits and kills end the child at once and
    /// queue its exit, `stop` acts at once, `resume` resumes.
    pub(super) fn suspended_step(&mut self, op: &Op) -> Result<StepResult, ModelError> {
        let call = match op {
            Op::Start { template } => Call::Start(template.clone()),
            Op::Terminate(child) => Call::Terminate(self.key_of(child)),
            Op::Count => Call::Count,
            Op::Which => Call::Which,
            Op::Exit(child, reason) => return self.exit(child, reason.clone()),
            Op::Kill(child) => return self.exit(child, ExitReason::Killed),
            // A suspended process still takes its parent's exit signal (r05, r06, r17, r18).
            Op::Stop => return Ok(self.stop()),
            Op::Suspend => return Ok(self.suspend()),
            Op::Resume => return self.resume(),
        };
        let step = self.step_index;
        self.mailbox.push_back(Message::Call { step, call });
        Ok(StepResult::NoProc)
    }

    /// `suspend`: `ok`, or `error noproc` when the supervisor is down.
    pub(super) fn suspend(&mut self) -> StepResult {
        if !self.alive {
            return StepResult::NoProc;
        }
        self.suspended = true;
        StepResult::Ok
    }

    /// `resume`: `ok` (the mailbox is then served), or `error noproc` when the supervisor is
    /// down.
    pub(super) fn resume(&mut self) -> Result<StepResult, ModelError> {
        self.suspended = false;
        Ok(if self.alive {
            StepResult::Ok
        } else {
            StepResult::NoProc
        })
    }

    /// Serves the mailbox in order until it is empty (unless suspended): a failed restart's
    /// retry goes to its back, behind what already waits.
    pub(super) fn serve(&mut self) -> Result<(), ModelError> {
        while self.alive && !self.suspended {
            let Some(message) = self.mailbox.pop_front() else {
                return Ok(());
            };
            match message {
                Message::Exit { key, reason } => self.handle_exit(key, reason)?,
                Message::Retry { key, failed } => {
                    if self.children.iter().any(|e| e.key == key && e.restarting) {
                        self.restart(key, failed)?;
                    }
                }
                Message::Call { step, call } => {
                    let answer = match call {
                        Call::Start(template) => self.start(&template),
                        Call::Terminate(key) => self.terminate(key)?,
                        Call::Count => self.count(),
                        Call::Which => self.which(),
                    };
                    self.answers.push((step, answer));
                }
            }
        }
        Ok(())
    }

    /// Whether the exit of the process keyed `key` waits in the mailbox.
    pub(super) fn exit_queued(&self, key: RefId) -> bool {
        self.mailbox
            .iter()
            .any(|m| matches!(m, Message::Exit { key: k, .. } if *k == key))
    }

    /// Takes the exit of the process keyed `key` out of the mailbox; whether it was there.
    pub(super) fn take_queued_exit(&mut self, key: RefId) -> bool {
        let queued = self
            .mailbox
            .iter()
            .position(|m| matches!(m, Message::Exit { key: k, .. } if *k == key));
        queued.is_some_and(|index| self.mailbox.remove(index).is_some())
    }

    /// The supervisor is down: what waits is never handled, and each call waiting is answered
    /// `noproc`.
    pub(super) fn drop_mailbox(&mut self) {
        let mailbox = std::mem::take(&mut self.mailbox);
        self.answers
            .extend(mailbox.into_iter().filter_map(|m| match m {
                Message::Call { step, .. } => Some((step, StepResult::NoProc)),
                _ => None,
            }));
    }
}

/// The mailbox type of the model.
pub(super) type Mailbox = VecDeque<Message>;
