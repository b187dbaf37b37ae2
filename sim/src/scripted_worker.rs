//! The scripted worker of scenario files: init outcome from the template's script, and a
//! shutdown that takes `stop_ms` when it traps exits.

use dynsup::{ExitReason, Init, Termination, Worker};

use crate::scenario::InitOutcome;

/// One start attempt of a scenario template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptedWorker {
    /// What `init` returns.
    pub outcome: InitOutcome,
    /// Whether it traps exits.
    pub trap_exit: bool,
    /// How long its shutdown takes when it traps exits.
    pub stop_ms: u64,
}

impl Worker for ScriptedWorker {
    type Message = ();

    fn init(&mut self) -> Init {
        match &self.outcome {
            InitOutcome::Ok => Init::Ok,
            InitOutcome::Ignore => Init::Ignore,
            InitOutcome::Stop(word) => Init::Stop(ExitReason::other(word.clone())),
        }
    }

    fn traps_exits(&self) -> bool {
        self.trap_exit
    }

    fn terminate(&mut self, _reason: &ExitReason) -> Termination {
        Termination::ExitAfter {
            millis: self.stop_ms,
            reason: ExitReason::Shutdown,
        }
    }
}
