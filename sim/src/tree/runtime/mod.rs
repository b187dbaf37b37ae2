//! Tree files on the real runtimes (`dynsup-sim run --runtime tokio|threads FILE` with a tree
//! file): one step runner over a [`TreeTarget`], which the threaded and the tokio runtime
//! implement by building the tree with their tree API; the same transcript as the tree world's
//! (docs/tree-scenarios.md, "On the runtimes").

mod answer;
mod log;

use std::fmt;

use dynsup::{ExitReason, Instant, Pid};

pub use answer::Answer;
pub use log::{
    start_up_children, static_child_spec, ChildId, Hook, SupLog, TreeEvent, TreeLog, TreeSpawner,
};

use super::calls::Request;
use super::model::{Tree, TreeOp, TreeStep};
use crate::transcript::{StepRecord, Transcript};

/// A tree built on a runtime, as the step runner drives it.
pub trait TreeTarget {
    /// Why a run stops early.
    type Error: fmt::Display;

    /// The log its supervisors report to.
    fn log(&self) -> &TreeLog;
    /// Starts the root (and its start-up): `Err(reason)` when the start-up failed.
    fn start_root(&mut self) -> Result<Result<(), ExitReason>, Self::Error>;
    /// Lets time reach `at` (on the root's clock), then lets every supervisor settle.
    fn settle(&mut self, at: Instant, line: usize) -> Result<(), Self::Error>;
    /// Makes `request` to the supervisor registered as node `sup`'s name.
    fn call(&mut self, sup: usize, request: Request) -> Result<Answer, Self::Error>;
    /// Worker `pid`, child of node `parent`, exits with `reason`; whether it was alive.
    fn exit(
        &mut self,
        parent: usize,
        pid: Pid,
        reason: ExitReason,
        line: usize,
    ) -> Result<bool, Self::Error>;
    /// Process `pid` (a child of node `parent`, or the root when `None`) is killed.
    fn kill(&mut self, parent: Option<usize>, pid: Pid) -> Result<bool, Self::Error>;
    /// The root's parent stops it (`shutdown`); whether it was alive.
    fn stop(&mut self) -> Result<bool, Self::Error>;
    /// Waits until nothing more happens, after the last step.
    fn finish(&mut self) -> Result<(), Self::Error>;
    /// Stops whatever is left (best effort).
    fn clean_up(&mut self);
}

/// Runs `tree`'s steps on `target` and writes the transcript.
///
/// # Errors
///
/// The target's, when it does not settle or cannot start.
pub fn run_on<T: TreeTarget>(tree: &Tree, target: &mut T) -> Result<Transcript, T::Error> {
    let result = run_steps(tree, target);
    target.clean_up();
    result
}

fn run_steps<T: TreeTarget>(tree: &Tree, target: &mut T) -> Result<Transcript, T::Error> {
    let init = target.start_root()?;
    let failed = init.is_err();
    let mut seen = 0usize;
    let mut transcript = Transcript::default();
    let take = |target: &T, seen: &mut usize| -> Vec<String> {
        let log = target.log();
        let events = log.events_from(*seen);
        *seen += events.len();
        events
            .iter()
            // A root that never ran has no end.
            .filter(|e| !(failed && matches!(e, TreeEvent::RootDown(_))))
            .map(|e| log.event_text(tree, e))
            .collect()
    };
    let result = match init {
        Ok(()) => "ok".to_owned(),
        Err(reason) => format!("error {}", target.log().reason_text(tree, &reason)),
    };
    transcript.steps.push(StepRecord {
        step: "@0 init".to_owned(),
        result,
        events: Vec::new(),
    });
    for step in &tree.steps {
        let settled = target.settle(Instant::from_millis(step.at_ms), step.line);
        let events = take(target, &mut seen);
        if let Some(last) = transcript.steps.last_mut() {
            last.events.extend(events);
        }
        settled?;
        let result = perform(tree, target, step)?;
        let events = take(target, &mut seen);
        transcript.steps.push(StepRecord {
            step: step.text.clone(),
            result,
            events,
        });
    }
    let finished = target.finish();
    let events = take(target, &mut seen);
    if let Some(last) = transcript.steps.last_mut() {
        last.events.extend(events);
    }
    finished?;
    Ok(transcript)
}

fn perform<T: TreeTarget>(
    tree: &Tree,
    target: &mut T,
    step: &TreeStep,
) -> Result<String, T::Error> {
    let live = |target: &T, node: usize, k: u64| target.log().pid_of(node, k);
    let request = match &step.op {
        TreeOp::Exit(r, reason) => {
            let parent = tree.node(r.node).and_then(|n| n.parent);
            let alive = match (live(target, r.node, r.attempt), parent) {
                (Some(pid), Some(parent)) => target.exit(parent, pid, reason.clone(), step.line)?,
                _ => false,
            };
            return Ok(if alive { "ok" } else { "dead" }.to_owned());
        }
        TreeOp::Kill(r) => {
            let parent = tree.node(r.node).and_then(|n| n.parent);
            let alive = match live(target, r.node, r.attempt) {
                Some(pid) => target.kill(parent, pid)?,
                None => false,
            };
            return Ok(if alive { "ok" } else { "dead" }.to_owned());
        }
        TreeOp::Stop => {
            return Ok(if target.stop()? { "ok" } else { "error noproc" }.to_owned());
        }
        TreeOp::Start(node) => Request::Start(*node),
        TreeOp::TerminateId(node) => Request::TerminateId(*node),
        TreeOp::TerminateRef(r) => Request::TerminatePid(live(target, r.node, r.attempt)),
        TreeOp::Restart(node) => Request::Restart(*node),
        TreeOp::Delete(node) => Request::Delete(*node),
        TreeOp::Count => Request::Count,
        TreeOp::Which => Request::Which,
    };
    let answer = target.call(step.on, request)?;
    Ok(answer.text(tree, target.log()))
}
