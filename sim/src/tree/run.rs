//! Runs a tree scenario in the tree world and writes its transcript
//! (docs/tree-scenarios.md, "Output"), with the tree checkers on.

use dynsup::static_supervisor::{ChildError, ChildPid, Reply as StaticReply};
use dynsup::{ChildCounts, Instant, Reply as DynReply, StartError, Started, TerminateError};

use super::calls::Request;
use super::core::CoreReply;
use super::coverage::{TreeObserver, TreeSituation};
use super::invariants::TreeInvariants;
use super::model::{Tree, TreeOp, TreeStep};
use super::world::{TreeChecker, World, WorldError};
use crate::coverage::Coverage;
use crate::scenario::{MAX_LIVE_CHILDREN, MAX_TRANSCRIPT_BYTES};
use crate::transcript::{which_result, StepRecord, Transcript};

/// Runs `tree` with every tree checker on.
///
/// # Errors
///
/// [`WorldError`] when the tree does not settle or a checker fires.
pub fn run(tree: &Tree) -> Result<Transcript, WorldError> {
    run_checked(tree, Some(Box::new(TreeInvariants::new())))
}

/// Runs `tree` with `checker` (or none).
///
/// # Errors
///
/// [`WorldError`] when the tree does not settle or the checker fires.
pub fn run_checked(
    tree: &Tree,
    checker: Option<Box<dyn TreeChecker>>,
) -> Result<Transcript, WorldError> {
    run_observed(tree, checker, None)
}

/// [`run`], adding the tree situations the run reached to `coverage` (a run that fails counts
/// what it reached up to its failure).
///
/// # Errors
///
/// [`WorldError`] when the tree does not settle or a checker fires.
pub fn run_counted(
    tree: &Tree,
    coverage: &mut Coverage<TreeSituation>,
) -> Result<Transcript, WorldError> {
    run_observed(tree, Some(Box::new(TreeInvariants::new())), Some(coverage))
}

/// Runs `tree` with `checker` (or none); with `coverage`, then adds the tree situations of
/// the run's trace and answers to it (a run that fails counts what it reached).
///
/// # Errors
///
/// [`WorldError`] when the tree does not settle or the checker fires.
pub fn run_observed(
    tree: &Tree,
    checker: Option<Box<dyn TreeChecker>>,
    coverage: Option<&mut Coverage<TreeSituation>>,
) -> Result<Transcript, WorldError> {
    let mut world = World::new(tree);
    if let Some(checker) = checker {
        world.set_checker(checker);
    }
    let mut transcript = Transcript { steps: Vec::new() };
    let result = drive(&mut world, tree, &mut transcript);
    if let Some(coverage) = coverage {
        let mut observer = TreeObserver::new(tree);
        observer.observe_trace(world.trace(), coverage);
        // The first record is the root's start-up; the steps' answers follow.
        let answers = transcript.steps.iter().skip(1).map(|s| s.result.as_str());
        observer.observe_answers(answers, coverage);
    }
    result.map(|()| transcript)
}

/// Runs `tree` with `checker`, then hands the world, at rest after the last step, to
/// `inspect` (the model checker of trees reads the state a path leads to).
///
/// # Errors
///
/// [`WorldError`] when the tree does not settle or the checker fires.
pub(crate) fn run_inspected<R>(
    tree: &Tree,
    checker: Box<dyn TreeChecker>,
    inspect: impl FnOnce(&mut World<'_>) -> Result<R, WorldError>,
) -> Result<R, WorldError> {
    let mut world = World::new(tree);
    world.set_checker(checker);
    drive(&mut world, tree, &mut Transcript { steps: Vec::new() })?;
    inspect(&mut world)
}

/// Starts the root and performs every step of `tree` in `world`, writing the transcript into
/// `transcript` as it goes (so a failed run keeps what it printed).
fn drive(
    world: &mut World<'_>,
    tree: &Tree,
    transcript: &mut Transcript,
) -> Result<(), WorldError> {
    let init = world.start_root()?;
    let result = match init {
        Ok(()) => "ok".to_owned(),
        Err(reason) => format!("error {reason}"),
    };
    transcript.steps.push(StepRecord {
        step: "@0 init".to_owned(),
        result,
        events: world.take_outcomes(),
    });
    let mut bytes = 0usize;
    for step in &tree.steps {
        world.settle(Instant::from_millis(step.at_ms))?;
        let events = world.take_outcomes();
        if let Some(last) = transcript.steps.last_mut() {
            last.events.extend(events);
            bytes = bytes.saturating_add(record_len(last));
        }
        if bytes > MAX_TRANSCRIPT_BYTES {
            return Err(WorldError::TooLarge(format!(
                "the transcript is more than {MAX_TRANSCRIPT_BYTES} bytes"
            )));
        }
        let result = perform(world, step)?;
        // Format 1's bound on children held at once, for the whole tree (the root aside).
        let live = u64::try_from(world.live_count().saturating_sub(1)).unwrap_or(u64::MAX);
        if live > MAX_LIVE_CHILDREN {
            return Err(WorldError::TooLarge(format!(
                "more than {MAX_LIVE_CHILDREN} processes alive at once"
            )));
        }
        transcript.steps.push(StepRecord {
            step: step.text.clone(),
            result,
            events: world.take_outcomes(),
        });
    }
    world.finish()?;
    let events = world.take_outcomes();
    if let Some(last) = transcript.steps.last_mut() {
        last.events.extend(events);
    }
    Ok(())
}

fn record_len(record: &StepRecord) -> usize {
    record.step.len()
        + record.result.len()
        + record.events.iter().map(|e| e.len() + 3).sum::<usize>()
}

const NOPROC: &str = "error noproc";

fn perform(world: &mut World<'_>, step: &TreeStep) -> Result<String, WorldError> {
    let target = world.whereis(step.on);
    let request = match &step.op {
        TreeOp::Exit(r, reason) => {
            let alive = match world.live_pid(*r) {
                Some(pid) => world.exit(pid, reason.clone())?,
                None => false,
            };
            return Ok(if alive { "ok" } else { "dead" }.to_owned());
        }
        TreeOp::Kill(r) => {
            let alive = match world.live_pid(*r) {
                Some(pid) => world.kill(pid)?,
                None => false,
            };
            return Ok(if alive { "ok" } else { "dead" }.to_owned());
        }
        TreeOp::Stop => {
            return Ok(if world.stop_root() { "ok" } else { NOPROC }.to_owned());
        }
        TreeOp::Start(node) => Request::Start(*node),
        TreeOp::TerminateId(node) => Request::TerminateId(*node),
        TreeOp::TerminateRef(r) => Request::TerminatePid(world.pid_of(*r)),
        TreeOp::Restart(node) => Request::Restart(*node),
        TreeOp::Delete(node) => Request::Delete(*node),
        TreeOp::Count => Request::Count,
        TreeOp::Which => Request::Which,
    };
    let Some(pid) = target else {
        return Ok(NOPROC.to_owned());
    };
    let reply = world.call(pid, request)?;
    Ok(match reply {
        CoreReply::Static(reply) => static_text(world, reply),
        CoreReply::Dynamic(reply) => dynamic_text(world, reply),
    })
}

pub(crate) fn counts_text(c: ChildCounts) -> String {
    format!(
        "active={} specs={} supervisors={} workers={}",
        c.active, c.specs, c.supervisors, c.workers
    )
}

fn started_text(world: &World<'_>, started: Started, ignored: &str) -> String {
    match started {
        Started::Running { pid, .. } => format!("ok {}", world.pid_text(pid)),
        Started::Ignored => ignored.to_owned(),
    }
}

fn child_error_text(world: &World<'_>, error: ChildError) -> String {
    match error {
        ChildError::AlreadyStarted(pid) => format!("error already_started {}", world.pid_text(pid)),
        ChildError::AlreadyPresent => "error already_present".to_owned(),
        ChildError::Running => "error running".to_owned(),
        ChildError::Restarting => "error restarting".to_owned(),
        ChildError::NotFound => "error not_found".to_owned(),
        ChildError::Failed(reason) => format!("error {reason}"),
        _ => "error invalid_child_spec".to_owned(),
    }
}

fn static_text(world: &World<'_>, reply: StaticReply<usize>) -> String {
    match reply {
        StaticReply::StartChild(result) | StaticReply::RestartChild(result) => match result {
            Ok(started) => started_text(world, started, "ok undefined"),
            Err(error) => child_error_text(world, error),
        },
        StaticReply::TerminateChild(result) | StaticReply::DeleteChild(result) => match result {
            Ok(()) => "ok".to_owned(),
            Err(error) => child_error_text(world, error),
        },
        StaticReply::CountChildren(counts) => counts_text(counts),
        StaticReply::WhichChildren(rows) => {
            if rows.is_empty() {
                return "-".to_owned();
            }
            rows.iter()
                .map(|row| {
                    let x = match row.pid {
                        ChildPid::Running(pid) => world.pid_text(pid),
                        ChildPid::Restarting => "restarting".to_owned(),
                        ChildPid::Undefined => "undefined".to_owned(),
                    };
                    format!("{}={x}", world.node_name(row.id))
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        StaticReply::Stopped => "ok".to_owned(),
        _ => NOPROC.to_owned(),
    }
}

fn dynamic_text(world: &World<'_>, reply: DynReply) -> String {
    match reply {
        DynReply::StartChild(Ok(started)) => started_text(world, started, "ignore"),
        DynReply::StartChild(Err(StartError::MaxChildren)) => "error max_children".to_owned(),
        DynReply::StartChild(Err(StartError::Failed(reason))) => format!("error {reason}"),
        DynReply::TerminateChild(Ok(())) => "ok".to_owned(),
        DynReply::TerminateChild(Err(TerminateError::NotFound)) => "error not_found".to_owned(),
        DynReply::CountChildren(counts) => counts_text(counts),
        DynReply::WhichChildren(infos) => which_result(
            infos
                .iter()
                .map(|info| match info.pid {
                    Some(pid) => world.pid_text(pid),
                    None => "restarting".to_owned(),
                })
                .collect(),
        ),
        DynReply::Stopped => "ok".to_owned(),
        _ => NOPROC.to_owned(),
    }
}
