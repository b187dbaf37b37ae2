//! Transcripts: what running a scenario prints, one line per step and its events.

use std::fmt;

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
}
