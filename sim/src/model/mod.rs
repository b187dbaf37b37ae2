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
//! Races (docs/races.md) need one more thing, a mailbox: between `suspend` and `resume` a call
//! or a child's exit waits in it (its answer is written on its own step once the supervisor has
//! handled it, see [`Model::take_answers`]), `resume` serves it in order, and a failed
//! restart's retry goes to its back (in format 1 it is served at once: nothing else waits).
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
//! let transcript = model::run(&scenario).unwrap();
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
// The planted defects live in the hidden `testing` module; the model's state reads them.
use crate::testing::Defect;
use crate::transcript::{self, Records, Transcript};

/// The most failed restarts of one child in a row before a scenario is declared unsettled (the
/// same figure as the simulator's limit).
pub const FAILED_RESTARTS_MAX: u64 = 100_000;

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

/// Computes the transcript of `scenario` with the reference model.
///
/// The events of each step are sorted by byte order (see the module documentation).
///
/// ```
/// use dynsup_sim::{model, scenario};
/// let scenario = scenario::parse("child w\nat 0 start w\nat 5 count\n").unwrap();
/// let transcript = model::run(&scenario).unwrap();
/// assert_eq!(transcript.steps.len(), 2);
/// assert_eq!(transcript.steps[0].result, "ok w#1");
/// ```
pub fn run(scenario: &Scenario) -> Result<Transcript, ModelError> {
    run_with(scenario, None)
}

/// [`run`] with a planted `defect` (see [`crate::testing`]).
pub(crate) fn run_with(
    scenario: &Scenario,
    defect: Option<Defect>,
) -> Result<Transcript, ModelError> {
    let mut model = Model::with_defect(scenario, defect)?;
    let mut transcript = Transcript::default();
    for step in &scenario.steps {
        transcript.steps.push(model.step(step)?);
        // A call made while the supervisor was suspended is answered later (docs/races.md).
        for (index, answer) in model.take_answers() {
            if let Some(record) = transcript.steps.get_mut(index) {
                record.result = transcript::result_text(&scenario.templates, &answer);
            }
        }
    }
    Ok(transcript)
}

/// Computes what each step of `scenario` returns and causes, as data (see [`run`]), with
/// `defect` planted (see [`crate::testing`]).
#[doc(hidden)]
pub fn run_records(scenario: &Scenario, defect: Option<Defect>) -> Result<Records, ModelError> {
    let mut model = Model::with_defect(scenario, defect)?;
    let mut records: Records = Vec::with_capacity(scenario.steps.len());
    for step in &scenario.steps {
        records.push(model.step_record(step)?);
        for (index, answer) in model.take_answers() {
            if let Some(record) = records.get_mut(index) {
                record.result = answer;
            }
        }
    }
    Ok(records)
}

impl Model {
    /// A model of `scenario`'s supervisor, before its first step (the real semantics, no
    /// planted defect). Fails if the supervisor line is one OTP rejects.
    ///
    /// ```
    /// use dynsup_sim::{model::Model, scenario};
    /// let scenario = scenario::parse("child w\nat 0 start w\n").unwrap();
    /// let mut model = Model::new(&scenario).unwrap();
    /// let record = model.step(&scenario.steps[0]).unwrap();
    /// assert_eq!(record.result, "ok w#1");
    /// assert_eq!(model.running().len(), 1);
    /// ```
    pub fn new(scenario: &Scenario) -> Result<Model, ModelError> {
        Model::with_defect(scenario, None)
    }
}
