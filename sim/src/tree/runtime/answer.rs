//! A runtime supervisor's answer to a step's call, and its text as the tree world prints it.

use dynsup::runtime::{NoProc, StartChildError, StaticChildError, TerminateChildError};
use dynsup::static_supervisor::{ChildPid, ChildRow};
use dynsup::{ChildCounts, ChildInfo, Started};

use super::log::{ChildId, TreeLog};
use crate::transcript::which_result;
use crate::tree::model::Tree;
use crate::tree::run::counts_text;

/// What a call answered.
#[derive(Clone, Debug)]
pub enum Answer {
    /// No supervisor is registered under the name, or it is gone.
    NoProc,
    /// A static `start_child` or `restart_child`.
    StaticStart(Result<Started, StaticChildError>),
    /// A static `terminate_child` or `delete_child`.
    StaticDone(Result<(), StaticChildError>),
    /// A static `which_children`.
    StaticWhich(Result<Vec<ChildRow<ChildId>>, NoProc>),
    /// A dynamic `start_child`.
    DynamicStart(Result<Started, StartChildError>),
    /// A dynamic `terminate_child`.
    DynamicTerminate(Result<(), TerminateChildError>),
    /// A dynamic `which_children`.
    DynamicWhich(Result<Vec<ChildInfo>, NoProc>),
    /// `count_children`.
    Count(Result<ChildCounts, NoProc>),
}

const NOPROC: &str = "error noproc";

impl Answer {
    /// The step's result text.
    pub fn text(&self, tree: &Tree, log: &TreeLog) -> String {
        let started = |started: &Started, ignored: &str| match started {
            Started::Running { pid, .. } => format!("ok {}", log.pid_text(tree, *pid)),
            _ => ignored.to_owned(),
        };
        match self {
            Answer::NoProc => NOPROC.to_owned(),
            Answer::StaticStart(Ok(s)) => started(s, "ok undefined"),
            Answer::StaticDone(Ok(())) | Answer::DynamicTerminate(Ok(())) => "ok".to_owned(),
            Answer::StaticStart(Err(e)) | Answer::StaticDone(Err(e)) => {
                static_error_text(tree, log, e)
            }
            Answer::StaticWhich(Ok(rows)) => {
                if rows.is_empty() {
                    return "-".to_owned();
                }
                rows.iter()
                    .map(|row| {
                        let x = match row.pid {
                            ChildPid::Running(pid) => log.pid_text(tree, pid),
                            ChildPid::Restarting => "restarting".to_owned(),
                            ChildPid::Undefined => "undefined".to_owned(),
                        };
                        format!("{}={x}", tree.name(row.id.node))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            Answer::DynamicStart(Ok(s)) => started(s, "ignore"),
            Answer::DynamicStart(Err(StartChildError::MaxChildren)) => {
                "error max_children".to_owned()
            }
            Answer::DynamicStart(Err(StartChildError::Failed(reason))) => {
                format!("error {}", log.reason_text(tree, reason))
            }
            Answer::DynamicTerminate(Err(TerminateChildError::NotFound)) => {
                "error not_found".to_owned()
            }
            Answer::DynamicWhich(Ok(infos)) => which_result(
                infos
                    .iter()
                    .map(|info| match info.pid {
                        Some(pid) => log.pid_text(tree, pid),
                        None => "restarting".to_owned(),
                    })
                    .collect(),
            ),
            Answer::Count(Ok(counts)) => counts_text(*counts),
            _ => NOPROC.to_owned(),
        }
    }
}

fn static_error_text(tree: &Tree, log: &TreeLog, error: &StaticChildError) -> String {
    match error {
        StaticChildError::AlreadyStarted(pid) => {
            format!("error already_started {}", log.pid_text(tree, *pid))
        }
        StaticChildError::AlreadyPresent => "error already_present".to_owned(),
        StaticChildError::Running => "error running".to_owned(),
        StaticChildError::Restarting => "error restarting".to_owned(),
        StaticChildError::NotFound => "error not_found".to_owned(),
        StaticChildError::Failed(reason) => format!("error {}", log.reason_text(tree, reason)),
        StaticChildError::InvalidSpec(_) => "error invalid_child_spec".to_owned(),
        _ => NOPROC.to_owned(),
    }
}
