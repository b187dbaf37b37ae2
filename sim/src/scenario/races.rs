//! The `suspend` and `resume` steps of `docs/races.md`: the parser checks their rules (the same
//! as the real-OTP oracle's): every `suspend` is followed by its `resume` before the next
//! `suspend` and before the end of the file.

use super::{Op, ParseError, Step};

/// What the parser has seen of `suspend` and `resume`.
#[derive(Debug, Default)]
pub(super) struct Races {
    /// The line of the `suspend` not yet followed by its `resume`, if any.
    open: Option<usize>,
}

impl Races {
    /// Handles an `at` step whose operation word is `word`, on line `line`: `Ok(Some(op))`
    /// when it is `suspend` or `resume` (and in its place), `Ok(None)` for any other operation.
    pub(super) fn step(&mut self, line: usize, word: &str) -> Result<Option<Op>, String> {
        let op = match (word, self.open) {
            ("suspend", None) => {
                self.open = Some(line);
                Op::Suspend
            }
            ("suspend", Some(open)) => {
                return Err(format!(
                    "a second \"suspend\" before \"resume\" (the supervisor is suspended since line {open})"
                ))
            }
            ("resume", None) => {
                return Err("\"resume\" without a \"suspend\" before it".to_owned())
            }
            ("resume", Some(_)) => {
                self.open = None;
                Op::Resume
            }
            _ => return Ok(None),
        };
        Ok(Some(op))
    }

    /// At the end of the file: a file that ends suspended is an error at its `suspend`.
    pub(super) fn finish(&self) -> Result<(), ParseError> {
        match self.open {
            Some(open) => Err(ParseError::new(
                open,
                "the file ends suspended (no \"resume\" after this \"suspend\")",
            )),
            None => Ok(()),
        }
    }
}

/// Whether scenario `text` has a `suspend` or `resume` step (a race file of `docs/races.md`).
/// The simulator runs such files; the real-time runtimes (`run --runtime threads|tokio`), the
/// tree runner and `dynsup-sim bench` do not, and the suites that run those over every
/// `tests/scenarios/*.scn` leave race files out with this.
pub fn has_race_steps(text: &str) -> bool {
    text.lines().any(|line| {
        let mut words = line.split_ascii_whitespace();
        words.next() == Some("at")
            && words.next().is_some()
            && matches!(words.next(), Some("suspend" | "resume"))
    })
}

/// Whether `steps` keep the rules of `suspend` and `resume` (the parser's own check): no
/// `resume` without its `suspend`, no second `suspend` before it, not ending suspended. The
/// shrinker keeps only such candidates.
pub fn races_well_formed(steps: &[Step]) -> bool {
    let mut races = Races::default();
    let paired = steps.iter().all(|step| {
        let word = match step.op {
            Op::Suspend => "suspend",
            Op::Resume => "resume",
            _ => return true,
        };
        races.step(step.line, word).is_ok()
    });
    paired && races.finish().is_ok()
}
