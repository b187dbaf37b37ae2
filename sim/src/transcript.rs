//! Transcripts: what running a scenario prints, one line per step and its events; and the one
//! writer of their texts (results and events), shared by the simulator's runner, the runtimes'
//! runners and the reference model.
//!
//! A [`Transcript`] prints as the text of docs/scenarios.md ("Transcripts"): each step as
//! `@MS OP -> RESULT`, then its events indented, sorted by byte order. Compare transcripts by
//! that text: the runners keep events in the order they happened, the model sorts them.
//! (The result and event writers here are the runners' and the model's, hidden from the
//! documentation.)
//!
//! ```
//! use dynsup_sim::{runner, scenario};
//! let scenario = scenario::parse("child w\nat 0 start w\nat 10 exit w#1 boom\n").unwrap();
//! let transcript = runner::run(&scenario).unwrap();
//! let last = &transcript.steps[1];
//! assert_eq!((last.step.as_str(), last.result.as_str()), ("@10 exit w#1 boom", "ok"));
//! assert_eq!(
//!     transcript.to_string(),
//!     "@0 start w -> ok w#1\n  up w#1\n@10 exit w#1 boom -> ok\n  down w#1 boom\n  up w#2\n"
//! );
//! ```

use std::fmt::{self, Write as _};

use dynsup::{ChildCounts, ChildInfo, ExitReason, Pid, Started};

use crate::runner::{Observation, StartAnswer};
use crate::scenario::ChildRef;

/// One step of a transcript: `@MS OP -> RESULT`, then its events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepRecord {
    /// The step as written, e.g. `@100 exit w#1 boom`.
    pub step: String,
    /// The result, e.g. `ok`.
    pub result: String,
    /// The events that happened from this step's beginning until the next step's.
    pub events: Vec<String>,
}

/// The transcript of one scenario run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The steps in order.
    pub steps: Vec<StepRecord>,
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for record in &self.steps {
            writeln!(f, "{} -> {}", record.step, record.result)?;
            let mut events: Vec<&String> = record.events.iter().collect();
            events.sort();
            for event in events {
                writeln!(f, "  {event}")?;
            }
        }
        Ok(())
    }
}

#[doc(hidden)]
/// The result of a `which` step: the children's names sorted by byte order, separated by
/// single spaces (`restarting` for a restarting entry), or `-` when there are none.
pub fn which_result(mut names: Vec<String>) -> String {
    names.sort();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(" ")
    }
}

#[doc(hidden)]
/// The result of any call once the supervisor is gone.
pub const NOPROC: &str = "error noproc";

#[doc(hidden)]
/// The result of `exit` and `kill`: `ok` when the process was alive, else `dead`.
pub fn alive_result(alive: bool) -> &'static str {
    if alive {
        "ok"
    } else {
        "dead"
    }
}

#[doc(hidden)]
/// The result of `count`.
pub fn count_result(counts: &ChildCounts) -> String {
    let mut text = String::with_capacity(48);
    let _ = write!(
        text,
        "active={} specs={} supervisors={} workers={}",
        counts.active, counts.specs, counts.supervisors, counts.workers
    );
    text
}

/// Writes the REF of `pid`, or the pid itself when it has none.
fn write_process<'r>(out: &mut String, pid: Pid, name: impl Fn(Pid) -> Option<&'r ChildRef>) {
    match name(pid) {
        Some(child) => {
            let _ = child.write_text(out);
        }
        None => {
            let _ = write!(out, "{pid}");
        }
    }
}

#[doc(hidden)]
/// The result of `start`.
pub fn start_result<'r>(
    answer: &StartAnswer,
    name: impl Fn(Pid) -> Option<&'r ChildRef>,
) -> String {
    match answer {
        StartAnswer::Started(Started::Running { pid, .. }) => {
            let mut text = String::with_capacity(16);
            text.push_str("ok ");
            write_process(&mut text, *pid, name);
            text
        }
        StartAnswer::Started(Started::Ignored) => "ignore".into(),
        StartAnswer::MaxChildren => "error max_children".into(),
        StartAnswer::Failed(reason) => failed_start_result(reason),
        StartAnswer::NoProc => NOPROC.into(),
    }
}

#[doc(hidden)]
/// The result of a `start` whose init failed with `reason`.
pub fn failed_start_result(reason: &ExitReason) -> String {
    format!("error {reason}")
}

#[doc(hidden)]
/// The result of `which` from the supervisor's rows.
pub fn which_result_of<'r>(
    infos: &[ChildInfo],
    name: impl Fn(Pid) -> Option<&'r ChildRef>,
) -> String {
    let names = infos
        .iter()
        .map(|info| {
            let mut text = String::new();
            match info.pid {
                Some(pid) => write_process(&mut text, pid, &name),
                None => text.push_str("restarting"),
            }
            text
        })
        .collect();
    which_result(names)
}

#[doc(hidden)]
/// The text of one event; `name` gives a process's REF, `attempt` a start attempt's.
pub fn event_text<'r>(
    observation: &Observation,
    name: impl Fn(Pid) -> Option<&'r ChildRef>,
    attempt: impl Fn(u64) -> Option<ChildRef>,
) -> String {
    let mut text = String::with_capacity(24);
    let write_attempt = |out: &mut String, number: u64| match attempt(number) {
        Some(child) => {
            let _ = child.write_text(out);
        }
        None => {
            let _ = write!(out, "#{number}");
        }
    };
    match observation {
        Observation::Up { attempt, .. } => {
            text.push_str("up ");
            write_attempt(&mut text, *attempt);
        }
        Observation::Ignored { attempt } => {
            text.push_str("ignore ");
            write_attempt(&mut text, *attempt);
        }
        Observation::Failed { attempt, reason } => {
            text.push_str("fail ");
            write_attempt(&mut text, *attempt);
            let _ = write!(text, " {reason}");
        }
        Observation::Down { pid, reason } => {
            text.push_str("down ");
            write_process(&mut text, *pid, name);
            let _ = write!(text, " {reason}");
        }
        Observation::SupervisorDown { reason } => {
            let _ = write!(text, "sup down {reason}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_print_sorted_and_indented() {
        let transcript = Transcript {
            steps: vec![StepRecord {
                step: "@0 kill w#1".into(),
                result: "ok".into(),
                events: vec!["up w#2".into(), "down w#1 killed".into()],
            }],
        };
        assert_eq!(
            transcript.to_string(),
            "@0 kill w#1 -> ok\n  down w#1 killed\n  up w#2\n"
        );
    }
}
