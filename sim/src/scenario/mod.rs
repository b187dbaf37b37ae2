//! Scenario files (format 1 of `docs/scenarios.md`): their parsed form, parser and canonical printer.
//!
//! [`parse`] checks a whole file (every rule and every limit in [`limits`]) before returning, so
//! nothing runs on an error; the error names the line. `Display` on [`Scenario`] prints the
//! canonical text, which parses back to an equal scenario.
//!
//! ```
//! use dynsup_sim::scenario::parse;
//! let scenario = parse("child w restart=transient\nat 0 start w\nat 10 kill w#1\n").unwrap();
//! assert_eq!(scenario.steps[1].op.to_string(), "kill w#1");
//! assert_eq!(parse(&scenario.to_string()).unwrap(), scenario);
//! let err = parse("child w\nat 5 start v\n").unwrap_err();
//! assert_eq!(err.to_string(), "line 2: child \"v\" is not defined before this step");
//! ```

mod error;
pub mod limits;
mod model;
mod name;
pub(crate) mod parser;
mod races;
#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::Path;

pub use error::ParseError;
pub use limits::*;
pub(crate) use model::write_decimal;
pub use model::{ChildRef, InitOutcome, Op, Scenario, Step, SupervisorLine, Template};
pub use name::Name;
pub use races::{has_race_steps, races_well_formed};

/// Parses a scenario's text. The first problem found, with its line, is the error.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    parser::parse_text(text)
}

/// Reads and parses the scenario file at `path`; errors carry the path as given.
///
/// A file that cannot be read, or is larger than [`MAX_FILE_BYTES`], is an error at line 0;
/// a file that is not UTF-8 is an error at the line of the first bad byte.
pub fn parse_file(path: &Path) -> Result<Scenario, ParseError> {
    let text = read_text(path)?;
    parse(&text).map_err(|e| e.in_file(path.display().to_string()))
}

/// Whether the file at `path` is a race file of `docs/races.md` (see [`has_race_steps`]); a
/// file that cannot be read is not.
pub fn is_race_file(path: &Path) -> bool {
    read_text(path).is_ok_and(|text| has_race_steps(&text))
}

/// Reads the text of the scenario file at `path` (format 1 or a tree file), with the errors
/// of [`parse_file`] for a file that cannot be read, is too large or is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, ParseError> {
    let name = path.display().to_string();
    let whole_file = |message: String| ParseError::new(0, message).in_file(name.clone());
    let file = std::fs::File::open(path).map_err(|e| whole_file(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_FILE_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| whole_file(format!("cannot read: {e}")))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole_file(format!(
            "the file is more than the limit of {MAX_FILE_BYTES} bytes"
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let before = e.as_bytes().get(..valid).unwrap_or(&[]);
            let line = before
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                .saturating_add(1);
            return Err(ParseError::new(line, "the text is not valid UTF-8").in_file(name));
        }
    };
    Ok(text)
}
