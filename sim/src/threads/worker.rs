//! The scripted worker of scenario files on real threads, and the spawner that makes one per
//! start attempt and remembers which REF it was.

use std::sync::{Arc, Mutex, PoisonError};

use dynsup::runtime::{BoxedWorker, Spawner};
use dynsup::{ExitReason, Init, Next, Termination, Worker};

use crate::scenario::{ChildRef, InitOutcome, Template};
use crate::scripted_worker::ScriptedWorker;

/// [`ScriptedWorker`] with one message: `exit REF REASON` is delivered as that reason, and the
/// worker stops with it. Its shutdown (`stop_ms` when it traps exits) is the runtime's real,
/// kill-interruptible wait of [`Termination::ExitAfter`].
#[derive(Clone, Debug)]
pub struct ThreadWorker(pub ScriptedWorker);

impl Worker for ThreadWorker {
    type Message = ExitReason;

    fn init(&mut self) -> Init {
        self.0.init()
    }

    fn traps_exits(&self) -> bool {
        self.0.traps_exits()
    }

    fn handle_message(&mut self, reason: ExitReason) -> Next {
        Next::Stop(reason)
    }

    fn terminate(&mut self, reason: &ExitReason) -> Termination {
        self.0.terminate(reason)
    }
}

/// Makes the [`ThreadWorker`] of each start attempt (the start function is the template's
/// index) and logs the REF of every attempt, in order, for the runner to read.
pub struct ThreadSpawner {
    templates: Vec<Template>,
    attempts: Vec<u64>,
    refs: Arc<Mutex<Vec<ChildRef>>>,
}

impl ThreadSpawner {
    /// A spawner for these templates, and the log of attempt REFs it will fill.
    pub fn new(templates: Vec<Template>) -> (Self, Arc<Mutex<Vec<ChildRef>>>) {
        let refs = Arc::new(Mutex::new(Vec::new()));
        let attempts = vec![0; templates.len()];
        let spawner = ThreadSpawner {
            templates,
            attempts,
            refs: refs.clone(),
        };
        (spawner, refs)
    }
}

impl Spawner<usize, (), ExitReason> for ThreadSpawner {
    fn spawn(&mut self, function: &usize, _args: &[()]) -> BoxedWorker<ExitReason> {
        let (Some(template), Some(count)) = (
            self.templates.get(*function),
            self.attempts.get_mut(*function),
        ) else {
            // The runner only starts templates it knows; an unknown one never starts.
            self.refs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(ChildRef::new("undefined", 0));
            return Box::new(ThreadWorker(ScriptedWorker {
                outcome: InitOutcome::Stop("undefined".into()),
                trap_exit: false,
                stop_ms: 0,
            }));
        };
        *count += 1;
        let k = *count;
        self.refs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ChildRef::new(template.name.clone(), k));
        Box::new(ThreadWorker(ScriptedWorker {
            outcome: template.outcome(k).clone(),
            trap_exit: template.trap_exit,
            stop_ms: template.stop_ms,
        }))
    }
}
