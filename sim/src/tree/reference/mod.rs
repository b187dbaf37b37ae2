//! An independent reference model of supervision trees: the transcript of a tree file computed
//! straight from the rules of OTP's `supervisor` and Elixir's `DynamicSupervisor`
//! (docs/tree-scenarios.md, docs/static-supervisor.md, docs/trees.md), without the tree world,
//! its queue or the `dynsup` cores. It shares only the parsed tree file ([`Tree`]) and the
//! transcript type.
//!
//! It can be simple because nothing is concurrent with a step: every step settles before the
//! next, so a child's exit runs its supervisor's whole reaction (restart policy, intensity,
//! strategy, failed restarts retried, escalation to the parent) at once, recursively, and a
//! shutdown computes when each process ends from the shutdown rules alone (one at a time, the
//! last started first, for a static supervisor; all at once for a dynamic one; each child with
//! its own timeout; a supervisor killed by its parent's timer leaves its children to the link's
//! `killed` signal; a name stays taken until its holder's computed end). The clock only moves
//! by what a step waits for.
//!
//! **What it leaves out** (it refuses such a file with [`TreeModelError::Unsupported`]): the
//! name race of a killed supervisor restarted while its old child supervisor, an orphan still
//! stopping, holds a name the restart needs (docs/tree-scenarios.md, "The name race": its
//! answer is the tree world's queue order, not a rule).
//!
//! ```
//! use dynsup_sim::tree::{self, reference};
//! let parsed = tree::parse_tree("sup root\nchild a\nat 100 exit a#1 boom\n").unwrap();
//! let transcript = reference::run(&parsed).unwrap();
//! assert_eq!(
//!     transcript.to_string(),
//!     "@0 init -> ok\n  up a#1\n@100 exit a#1 boom -> ok\n  down a#1 boom\n  up a#2\n"
//! );
//! ```

mod calls;
mod process;
mod restart;
mod shutdown;
mod start;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use process::Proc;

use super::model::{Tree, TreeOp, TreeStep};
use crate::transcript::{StepRecord, Transcript};

/// The most failed restarts of one child in a row before a tree is declared unsettled (the
/// tree world's figure).
pub const FAILED_RESTARTS_MAX: u64 = 100_000;

/// Why the model computed no transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeModelError {
    /// A restart failed more than [`FAILED_RESTARTS_MAX`] times in a row.
    RestartLoop {
        /// The REF of the last failed attempt of the child whose restart keeps failing.
        child: String,
    },
    /// The file uses a part of the semantics the model leaves out (see the module docs).
    Unsupported {
        /// What it is.
        what: String,
    },
}

impl fmt::Display for TreeModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeModelError::RestartLoop { child } => write!(
                f,
                "does not settle: the restart of {child} is retried forever \
                 ({FAILED_RESTARTS_MAX} failed attempts in a row)"
            ),
            TreeModelError::Unsupported { what } => {
                write!(
                    f,
                    "the tree reference model does not cover this file: {what}"
                )
            }
        }
    }
}

impl std::error::Error for TreeModelError {}

/// Computes the transcript of `tree` with the reference model (its events sorted by byte
/// order, as a transcript prints them).
///
/// # Errors
///
/// [`TreeModelError`] when the tree does not settle or uses what the model leaves out.
pub fn run(tree: &Tree) -> Result<Transcript, TreeModelError> {
    let mut model = TreeModel::new(tree);
    let init = match model.start_root()? {
        Ok(()) => "ok".to_owned(),
        Err(reason) => format!("error {reason}"),
    };
    let mut transcript = Transcript::default();
    transcript
        .steps
        .push(model.record("@0 init".to_owned(), init));
    for step in &tree.steps {
        let result = model.step(step)?;
        transcript
            .steps
            .push(model.record(step.text.clone(), result));
    }
    Ok(transcript)
}

/// The model's state: every process that ever ran, the name registry, the clock.
pub(super) struct TreeModel<'a> {
    tree: &'a Tree,
    /// Every process, by its index (never reused).
    procs: Vec<Proc>,
    /// Start attempts per node.
    attempts: Vec<u64>,
    /// The registry: a supervisor node's name -> the live process holding it.
    names: BTreeMap<usize, usize>,
    /// The names held by orphans of a supervisor killed in this step (still stopping).
    orphan_names: BTreeSet<usize>,
    /// Names whose holder's end this step computed for a later time than the clock's: node ->
    /// (the holder, when it ends). Until then the name is still taken (a supervisor killed by
    /// its parent's timer leaves the child it was waiting for stopping, under its name).
    held_until: BTreeMap<usize, (usize, u64)>,
    /// The root's process, once started.
    root: Option<usize>,
    /// The clock (ms): when the model is; the next step begins at its time or then.
    now: u64,
    /// The latest end of anything this step caused (orphans stopping in the background).
    horizon: u64,
    /// The current step's events.
    events: Vec<String>,
}

impl<'a> TreeModel<'a> {
    fn new(tree: &'a Tree) -> Self {
        TreeModel {
            tree,
            procs: Vec::new(),
            attempts: vec![0; tree.nodes.len()],
            names: BTreeMap::new(),
            orphan_names: BTreeSet::new(),
            held_until: BTreeMap::new(),
            root: None,
            now: 0,
            horizon: 0,
            events: Vec::new(),
        }
    }

    /// The step's record, with the events so far (the clock then moves past everything the step
    /// caused: a tree settles before its next step).
    fn record(&mut self, step: String, result: String) -> StepRecord {
        self.now = self.now.max(self.horizon);
        self.orphan_names.clear();
        self.held_until.clear();
        StepRecord {
            step,
            result,
            events: std::mem::take(&mut self.events),
        }
    }

    /// `NAME#K` of process `pid`.
    fn ref_of(&self, pid: usize) -> String {
        self.procs.get(pid).map_or_else(
            || "?".to_owned(),
            |p| format!("{}#{}", self.tree.name(p.node), p.attempt),
        )
    }

    /// The live process `NAME#K`.
    fn live(&self, node: usize, attempt: u64) -> Option<usize> {
        self.procs
            .iter()
            .position(|p| p.alive && p.node == node && p.attempt == attempt)
    }

    /// Starts the root at time 0: `Ok(Err(reason))` when its start-up failed.
    fn start_root(&mut self) -> Result<Result<(), String>, TreeModelError> {
        match self.start_proc(0, None)? {
            Ok(Some(pid)) => {
                self.root = Some(pid);
                Ok(Ok(()))
            }
            Ok(None) => Ok(Ok(())),
            Err(reason) => Ok(Err(reason)),
        }
    }

    /// Runs one step and returns its result text.
    fn step(&mut self, step: &TreeStep) -> Result<String, TreeModelError> {
        self.now = self.now.max(step.at_ms);
        self.horizon = self.now;
        match &step.op {
            TreeOp::Exit(r, reason) => {
                let Some(pid) = self.live(r.node, r.attempt) else {
                    return Ok("dead".to_owned());
                };
                let reason = reason.to_string();
                self.end(pid, self.now, &reason);
                self.exited(pid, &reason)?;
                Ok("ok".to_owned())
            }
            TreeOp::Kill(r) => {
                let Some(pid) = self.live(r.node, r.attempt) else {
                    return Ok("dead".to_owned());
                };
                self.kill(pid, self.now);
                self.exited(pid, "killed")?;
                Ok("ok".to_owned())
            }
            TreeOp::Stop => match self.root.filter(|&r| self.procs[r].alive) {
                Some(root) => {
                    let end = self.terminate_children(root, self.now, None);
                    self.now = end;
                    self.end(root, end, "shutdown");
                    Ok("ok".to_owned())
                }
                None => Ok("error noproc".to_owned()),
            },
            op => match self.names.get(&step.on).copied() {
                Some(sup) => self.call(sup, op),
                None => Ok("error noproc".to_owned()),
            },
        }
    }
}
