//! Transcripts: what running a scenario prints, one line per step and its events.
//!
//! A [`Transcript`] prints as the text of docs/scenarios.md ("Transcripts"): each step as
//! `@MS OP -> RESULT`, then its events indented, sorted by byte order. Compare transcripts by
//! that text: the runners keep events in the order they happened, the model sorts them.
//!
//! Runs produce records (data, compared without printing); one writer makes their text, shared
//! by the simulator's runner, the runtimes' runner and the reference model (both hidden from
//! the documentation).
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

mod records;

use std::fmt::{self, Write as _};

use dynsup::ExitReason;

#[doc(hidden)]
pub use records::{Attempt, EventRecord, Process, Record, Records, RefId, StepResult};

use crate::scenario::{write_decimal, Scenario, Template};

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
/// The transcript text of `records`, a run of `scenario` (its first `records.len()` steps).
pub fn write(scenario: &Scenario, records: &[Record]) -> Transcript {
    let steps = scenario
        .steps
        .iter()
        .zip(records)
        .map(|(step, record)| StepRecord {
            step: step.transcript_text(),
            result: result_text(&scenario.templates, &record.result),
            events: record
                .events
                .iter()
                .map(|event| event_text(&scenario.templates, event))
                .collect(),
        })
        .collect();
    Transcript { steps }
}

#[doc(hidden)]
/// About how many bytes `record` prints to, without printing it (for run-time limits).
pub fn approximate_len(scenario: &Scenario, record: &Record) -> usize {
    let name = |id: &RefId| {
        scenario
            .templates
            .get(id.template)
            .map_or(8, |template| template.name.len() + 21)
    };
    let result = match &record.result {
        StepResult::Started(id) => name(id),
        StepResult::Which(entries) => entries
            .iter()
            .map(|entry| match entry {
                Some(Process::Named(id)) => name(id),
                _ => 22,
            })
            .sum(),
        _ => 48,
    };
    let events: usize = record
        .events
        .iter()
        .map(|event| match event {
            EventRecord::Up(Attempt::Named(id)) | EventRecord::Ignore(Attempt::Named(id)) => {
                name(id) + 10
            }
            EventRecord::Fail(_, reason)
            | EventRecord::Down(_, reason)
            | EventRecord::SupervisorDown(reason) => 64 + reason_len(reason),
            _ => 40,
        })
        .sum();
    64 + result + events
}

fn reason_len(reason: &ExitReason) -> usize {
    match reason {
        ExitReason::ShutdownWith(word) | ExitReason::Other(word) => word.len() + 9,
        _ => 8,
    }
}

fn write_ref(out: &mut String, templates: &[Template], id: RefId) {
    match templates.get(id.template) {
        Some(template) => out.push_str(&template.name),
        None => out.push('?'),
    }
    out.push('#');
    let _ = write_decimal(out, id.attempt);
}

fn write_process(out: &mut String, templates: &[Template], process: Process) {
    match process {
        Process::Named(id) => write_ref(out, templates, id),
        Process::Pid(pid) => {
            let _ = write!(out, "{pid}");
        }
    }
}

fn write_attempt(out: &mut String, templates: &[Template], attempt: Attempt) {
    match attempt {
        Attempt::Named(id) => write_ref(out, templates, id),
        Attempt::Number(number) => {
            out.push('#');
            let _ = write_decimal(out, number);
        }
    }
}

#[doc(hidden)]
/// The text of a step's result (`templates` name the processes).
pub fn result_text(templates: &[Template], result: &StepResult) -> String {
    match result {
        StepResult::Started(id) => {
            let mut text = String::from("ok ");
            write_ref(&mut text, templates, *id);
            text
        }
        StepResult::StartedUnnamed(pid) => format!("ok {pid}"),
        StepResult::Ignore => "ignore".into(),
        StepResult::MaxChildren => "error max_children".into(),
        StepResult::StartFailed(reason) => format!("error {reason}"),
        StepResult::Undefined => "error undefined".into(),
        StepResult::Ok => "ok".into(),
        StepResult::NotFound => "error not_found".into(),
        StepResult::NoProc => "error noproc".into(),
        StepResult::Dead => "dead".into(),
        StepResult::Counts(c) => format!(
            "active={} specs={} supervisors={} workers={}",
            c.active, c.specs, c.supervisors, c.workers
        ),
        StepResult::Which(entries) => {
            let names = entries
                .iter()
                .map(|entry| match entry {
                    Some(process) => {
                        let mut name = String::new();
                        write_process(&mut name, templates, *process);
                        name
                    }
                    None => "restarting".to_owned(),
                })
                .collect();
            which_result(names)
        }
    }
}

#[doc(hidden)]
/// The text of one event (`templates` name the processes).
pub fn event_text(templates: &[Template], event: &EventRecord) -> String {
    let mut text = String::with_capacity(24);
    match event {
        EventRecord::Up(attempt) => {
            text.push_str("up ");
            write_attempt(&mut text, templates, *attempt);
        }
        EventRecord::Ignore(attempt) => {
            text.push_str("ignore ");
            write_attempt(&mut text, templates, *attempt);
        }
        EventRecord::Fail(attempt, reason) => {
            text.push_str("fail ");
            write_attempt(&mut text, templates, *attempt);
            let _ = write!(text, " {reason}");
        }
        EventRecord::Down(process, reason) => {
            text.push_str("down ");
            write_process(&mut text, templates, *process);
            let _ = write!(text, " {reason}");
        }
        EventRecord::SupervisorDown(reason) => {
            let _ = write!(text, "sup down {reason}");
        }
    }
    text
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

    #[test]
    fn records_compare_as_their_text_does() {
        let w = |attempt| RefId {
            template: 0,
            attempt,
        };
        let mut a = Record {
            result: StepResult::Which(vec![Some(Process::Named(w(2))), None]),
            events: vec![
                EventRecord::Up(Attempt::Named(w(2))),
                EventRecord::Down(Process::Named(w(1)), ExitReason::Killed),
            ],
        };
        let mut b = Record {
            result: StepResult::Which(vec![None, Some(Process::Named(w(2)))]),
            events: vec![
                EventRecord::Down(Process::Named(w(1)), ExitReason::Killed),
                EventRecord::Up(Attempt::Named(w(2))),
            ],
        };
        assert!(a.same_as(&mut b));
        b.events.pop();
        assert!(!a.same_as(&mut b));
    }
}
