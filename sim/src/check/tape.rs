//! The tape: every decision of one run (the body's operations and draws, and every fault with
//! the delivery it struck before), and its replay file. A replay runs from the tape alone,
//! without the seed's random generator, so it keeps reproducing the run when the generator
//! changes.
//!
//! A decision is filed under the operation during which it was made, at its delivery offset
//! within that operation, so dropping another operation while shrinking leaves it in place.
//!
//! ```text
//! check sessions
//! seed 17
//! prelude
//! op 1
//! draw 2
//! at 3 crash 0
//! op 3
//! epilogue
//! ```

use std::fmt;

use super::faults::FaultKind;

/// One fault decision: its kind and value (the target child's index among the live ones for an
/// exit, the milliseconds of a slow cleanup, the pick of a reordering; 0 for an `init` fault).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Deliveries since the operation began when it was made.
    pub offset: u64,
    /// The fault.
    pub kind: FaultKind,
    /// Its value.
    pub value: u64,
}

/// The decisions of one operation (or of the part of the body before the first operation, or
/// after the last).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The operation's kind, as [`Sim::operation`](super::Sim::operation) returned it (`0`
    /// for the prelude and the epilogue).
    pub kind: usize,
    /// The body's draws, in order.
    pub draws: Vec<u64>,
    /// The faults, in the order they were made.
    pub decisions: Vec<Decision>,
}

/// Everything one run decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tape {
    /// Before the first operation.
    pub prelude: Record,
    /// The operations, in order.
    pub ops: Vec<Record>,
    /// After the last operation.
    pub epilogue: Record,
}

impl Tape {
    /// Every record: prelude, operations, epilogue.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        std::iter::once(&self.prelude)
            .chain(&self.ops)
            .chain(std::iter::once(&self.epilogue))
    }

    /// Every record, mutably.
    pub(crate) fn records_mut(&mut self) -> impl Iterator<Item = &mut Record> {
        std::iter::once(&mut self.prelude)
            .chain(&mut self.ops)
            .chain(std::iter::once(&mut self.epilogue))
    }

    /// How many faults it holds.
    pub fn fault_count(&self) -> usize {
        self.records().map(|record| record.decisions.len()).sum()
    }

    /// Writes the tape as a replay file's body.
    pub fn write_to(&self, out: &mut String) {
        let section = |out: &mut String, head: String, record: &Record| {
            out.push_str(&head);
            out.push('\n');
            for draw in &record.draws {
                out.push_str(&format!("draw {draw}\n"));
            }
            for decision in &record.decisions {
                out.push_str(&format!(
                    "at {} {} {}\n",
                    decision.offset, decision.kind, decision.value
                ));
            }
        };
        section(out, "prelude".into(), &self.prelude);
        for op in &self.ops {
            section(out, format!("op {}", op.kind), op);
        }
        section(out, "epilogue".into(), &self.epilogue);
    }

    /// Reads a tape from replay-file lines (blank lines, `#` comments and header lines such as
    /// `check` and `seed` are skipped).
    pub fn parse(text: &str) -> Result<Tape, TapeError> {
        let mut tape = Tape::default();
        // 0: prelude, 1: an operation, 2: epilogue.
        let mut section = 0;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let bad = || TapeError {
                line: index + 1,
                text: raw.to_string(),
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            let current = match section {
                0 => &mut tape.prelude,
                1 => tape.ops.last_mut().ok_or_else(bad)?,
                _ => &mut tape.epilogue,
            };
            match words.as_slice() {
                [] => {}
                [first, ..] if first.starts_with('#') => {}
                ["check", ..] | ["seed", ..] => {}
                ["prelude"] => section = 0,
                ["epilogue"] => section = 2,
                ["op", kind] => {
                    let kind = kind.parse().map_err(|_| bad())?;
                    tape.ops.push(Record {
                        kind,
                        ..Record::default()
                    });
                    section = 1;
                }
                ["draw", value] => current.draws.push(value.parse().map_err(|_| bad())?),
                ["at", offset, kind, value] => current.decisions.push(Decision {
                    offset: offset.parse().map_err(|_| bad())?,
                    kind: FaultKind::from_name(kind).ok_or_else(bad)?,
                    value: value.parse().map_err(|_| bad())?,
                }),
                _ => return Err(bad()),
            }
        }
        Ok(tape)
    }
}

/// A line of a replay file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapeError {
    /// Its number, from 1.
    pub line: usize,
    /// The line.
    pub text: String,
}

impl fmt::Display for TapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replay file line {}: cannot read {:?}",
            self.line, self.text
        )
    }
}

impl std::error::Error for TapeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tape_reads_back_what_it_wrote() {
        let tape = Tape {
            prelude: Record {
                kind: 0,
                draws: vec![4],
                decisions: vec![],
            },
            ops: vec![Record {
                kind: 2,
                draws: vec![1, 0],
                decisions: vec![Decision {
                    offset: 3,
                    kind: FaultKind::SlowTermination,
                    value: 5_000,
                }],
            }],
            epilogue: Record::default(),
        };
        let mut text = String::from("# a comment\ncheck x\nseed 3\n");
        tape.write_to(&mut text);
        assert_eq!(Tape::parse(&text), Ok(tape));
        assert_eq!(Tape::parse("op 1\nat 1 melt 0\n").unwrap_err().line, 2);
        assert!(Tape::parse("draw 1\n").is_ok());
    }
}
