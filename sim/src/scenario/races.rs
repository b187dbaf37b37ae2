//! The `suspend` and `resume` steps of `docs/races.md`: the parser checks their rules (the same
//! as the real-OTP oracle's), but the simulator does not run race files yet, so a file that
//! uses them is refused with a message saying so.

use super::ParseError;

/// What the parser has seen of `suspend` and `resume`.
#[derive(Debug, Default)]
pub(super) struct Races {
    /// The line of the first `suspend`, if any.
    first: Option<usize>,
    /// The line of the `suspend` not yet followed by its `resume`, if any.
    open: Option<usize>,
}

impl Races {
    /// Handles an `at` step whose operation word is `word`, on line `line`: `Ok(true)` when it
    /// is `suspend` or `resume` (and in its place), `Ok(false)` for any other operation.
    pub(super) fn step(&mut self, line: usize, word: &str) -> Result<bool, String> {
        match (word, self.open) {
            ("suspend", None) => {
                self.first.get_or_insert(line);
                self.open = Some(line);
            }
            ("suspend", Some(open)) => {
                return Err(format!(
                    "a second \"suspend\" before \"resume\" (the supervisor is suspended since line {open})"
                ))
            }
            ("resume", None) => {
                return Err("\"resume\" without a \"suspend\" before it".to_owned())
            }
            ("resume", Some(_)) => self.open = None,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// At the end of the file: a file that ends suspended is an error at its `suspend`; a
    /// well-formed race file is refused, since the simulator does not run races yet.
    pub(super) fn finish(&self) -> Result<(), ParseError> {
        if let Some(open) = self.open {
            return Err(ParseError::new(
                open,
                "the file ends suspended (no \"resume\" after this \"suspend\")",
            ));
        }
        match self.first {
            Some(line) => Err(ParseError::new(line, RACES_NOT_RUN)),
            None => Ok(()),
        }
    }
}

/// The message of a well-formed race file: only the real-OTP oracle runs it for now.
pub const RACES_NOT_RUN: &str = "\"suspend\"/\"resume\" steps (docs/races.md) are not run by the simulator yet; only the real-OTP oracle (tests/conformance/oracle.exs) runs this file";

/// Whether scenario `text` has a `suspend` or `resume` step (a race file of `docs/races.md`),
/// which the simulator, the runtimes and the reference model do not run yet: the Rust tests
/// that run every `tests/scenarios/*.scn` skip such files (the live oracle check covers them).
pub fn has_race_steps(text: &str) -> bool {
    text.lines().any(|line| {
        let mut words = line.split_ascii_whitespace();
        words.next() == Some("at")
            && words.next().is_some()
            && matches!(words.next(), Some("suspend" | "resume"))
    })
}
