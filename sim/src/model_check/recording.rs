//! What a world observed along one path, for a caller that walks a path of its own (the race
//! goldens' walk, [`crate::model_check::scenario_path`]): the calls made, the replies, the
//! start attempts, the children's deaths and how pids were renamed. Off by default; never part of the state (it is
//! not hashed), so the search neither pays for it nor tells states apart by it.

use std::hash::{Hash, Hasher};

use dynsup::{Pid, Reply};

use crate::model_check::config::{InitAnswer, SpontaneousExit};
use crate::model_check::world::Request;

/// One thing a recording world observed, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// Client `client` made `request` (pids as they were before the step's renaming).
    Called {
        /// The client (its index).
        client: usize,
        /// What it asked.
        request: Request,
    },
    /// Client `client` got `reply`.
    Replied {
        /// The client.
        client: usize,
        /// The supervisor's answer.
        reply: Reply,
    },
    /// A start function of the template with this index returned `answer`; `pid` is the new
    /// process when it started.
    Attempt {
        /// The template's index.
        template: u8,
        /// What the start function returned.
        answer: InitAnswer,
        /// The new process, if it runs.
        pid: Option<Pid>,
    },
    /// Child `pid` ended, `how` (its exit signal is now in flight).
    Died {
        /// The child.
        pid: Pid,
        /// How it ended.
        how: SpontaneousExit,
    },
    /// At the end of a step, the processes the world still knows, as (pid before, pid after)
    /// the renaming to 1, 2, ...; a process not listed was forgotten.
    Renamed(Vec<(Pid, Pid)>),
}

/// The observations of a world that records, or nothing.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recording(Option<Vec<Observed>>);

impl Recording {
    /// Starts recording (what was recorded so far is dropped).
    pub(crate) fn start(&mut self) {
        self.0 = Some(Vec::new());
    }

    /// Records what `observed` makes, when recording (it is not even built otherwise).
    pub(crate) fn push(&mut self, observed: impl FnOnce() -> Observed) {
        if let Some(log) = &mut self.0 {
            log.push(observed());
        }
    }

    /// Takes what was recorded so far.
    pub(crate) fn take(&mut self) -> Vec<Observed> {
        self.0.as_mut().map(std::mem::take).unwrap_or_default()
    }
}

/// A recording is no part of the state: it hashes to nothing.
impl Hash for Recording {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}
