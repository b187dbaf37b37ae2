//! An obviously correct reference model of the DynamicSupervisor at the level of scenario steps.
//!
//! Given a [`Scenario`], [`run`] computes its [`Transcript`] straight from the rules of
//! `docs/semantics.md` (sections 4 to 8 and the reference state machine of section 11), without
//! the `dynsup` core, the simulator or the runner. It only shares the plain data types
//! ([`dynsup::Restart`], [`dynsup::Shutdown`], [`dynsup::ExitReason`]) and the scenario types.
//!
//! It can be this simple because nothing is concurrent with a scenario step: the client does one
//! thing at a time and every step settles before the next begins (docs/scenarios.md, "Time"). So a
//! crash runs the decision table and the whole restart loop at the same instant, a
//! `terminate_child` or a supervisor shutdown moves the clock on by exactly the time it waits,
//! and the next step starts at its written time or then, whichever is later.
//!
//! The state is plain: the children table is a `Vec` in key-creation order, the restart log a
//! `BTreeMap` from whole-second stamp to how many restarts carry it. See [`Model`] to run a
//! scenario one step at a time.
//!
//! **Events.** A step's events are returned sorted by byte order, which is how a transcript
//! prints them; the runner keeps them in the order they happened. Compare transcripts by their
//! text (`to_string()`), or sort the events of both sides first.
//!
//! ```
//! use dynsup_sim::{model, scenario};
//! let scenario = scenario::parse(
//!     "supervisor max_restarts=1\nchild w\nat 0 start w\nat 10 kill w#1\nat 20 kill w#2\n",
//! )
//! .unwrap();
//! let transcript = model::run(&scenario, None).unwrap();
//! assert_eq!(
//!     transcript.to_string(),
//!     "@0 start w -> ok w#1\n  up w#1\n\
//!      @10 kill w#1 -> ok\n  down w#1 killed\n  up w#2\n\
//!      @20 kill w#2 -> ok\n  down w#2 killed\n  sup down shutdown\n"
//! );
//! ```

mod state;
#[cfg(test)]
mod tests;

use std::fmt;

pub use state::Model;

use crate::scenario::Scenario;
use crate::transcript::{Records, Transcript};

/// The most failed restarts of one child in a row before a scenario is declared unsettled (the
/// same figure as the simulator's limit).
pub const FAILED_RESTARTS_MAX: u64 = 100_000;

/// A planted bug in the model.
///
/// These knobs exist **only** so that tests can prove that the explorer and the model-based
/// property suite catch bugs: a checker that cannot tell the defective model from the simulator
/// is vacuous. Never use them for anything else; `None` is the real semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Defect {
    /// The restart-intensity window check uses `<` instead of `<=` (docs/semantics.md §6.3: a stamp
    /// `s` stays in the window of a restart stamped `now` while `now - s <= max_seconds`).
    IntensityOffByOne,
    /// A permanent child that `terminate_child` stopped is restarted (docs/semantics.md §5: it never
    /// is, whatever its restart type).
    RestartTerminated,
    /// Temporary children are restarted after abnormal exits, as if they were transient
    /// (docs/semantics.md §6.1: a temporary child is never restarted).
    TemporaryRestarted,
    /// Children that went through a restart are not counted for `max_children` (the bug of
    /// elixir#7655; docs/semantics.md §4.1 counts every entry, running or restarting).
    ///
    /// This covers both a restarting entry and a child restarted after an exit, as Elixir's
    /// tests "restarting on init/exit children counted in max_children" do. A restarting entry
    /// alone can never be seen by a `start` step (the retries of a failed restart are over
    /// before the next step begins), so only the restarted children make this visible.
    MaxChildrenIgnoresRestarting,
}

impl Defect {
    /// Every defect, for tests that try them all.
    pub const ALL: [Defect; 4] = [
        Defect::IntensityOffByOne,
        Defect::RestartTerminated,
        Defect::TemporaryRestarted,
        Defect::MaxChildrenIgnoresRestarting,
    ];
}

/// Why the model could not compute a transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// The scenario does not settle: the restart of `child` failed more than
    /// [`FAILED_RESTARTS_MAX`] times in a row.
    RestartLoop {
        /// The REF of the child whose restart keeps failing (the process that crashed).
        child: String,
        /// The failed attempts counted before giving up.
        attempts: u64,
    },
    /// The supervisor line is one OTP rejects (`max_seconds=0`).
    InvalidSupervisor {
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::RestartLoop { child, attempts } => write!(
                f,
                "does not settle: the restart of {child} is retried forever \
                 ({attempts} failed attempts in a row)"
            ),
            ModelError::InvalidSupervisor { reason } => write!(f, "invalid supervisor: {reason}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// Computes the transcript of `scenario` with the reference model; `defect` plants a bug
/// (tests only, see [`Defect`]).
///
/// The events of each step are sorted by byte order (see the module documentation).
pub fn run(scenario: &Scenario, defect: Option<Defect>) -> Result<Transcript, ModelError> {
    let mut model = Model::new(scenario, defect)?;
    let mut transcript = Transcript::default();
    for step in &scenario.steps {
        transcript.steps.push(model.step(step)?);
    }
    Ok(transcript)
}

/// Computes what each step of `scenario` returns and causes, as data (see [`run`]).
pub fn run_records(scenario: &Scenario, defect: Option<Defect>) -> Result<Records, ModelError> {
    let mut model = Model::new(scenario, defect)?;
    scenario
        .steps
        .iter()
        .map(|step| model.step_record(step))
        .collect()
}
