//! The error of a scenario that does not parse.

use std::fmt;

/// A scenario file that could not be read or parsed: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The file's path as given to [`parse_file`](super::parse_file); `None` for
    /// [`parse`](super::parse).
    pub file: Option<String>,
    /// The 1-based line of the problem, or 0 when it concerns the whole file (it cannot be
    /// read, or is too large).
    pub line: usize,
    /// What is wrong, without the location.
    pub message: String,
}

impl ParseError {
    /// An error at `line` (0 for the whole file) with no file name.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        ParseError {
            file: None,
            line,
            message: message.into(),
        }
    }

    /// The same error, attributed to `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for ParseError {
    /// `FILE:LINE: message`, or `line LINE: message` without a file. An error about the whole
    /// file (line 0) prints as `FILE: message`, or just `message` without a file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), 0) => write!(f, "{file}: {}", self.message),
            (Some(file), line) => write!(f, "{file}:{line}: {}", self.message),
            (None, 0) => f.write_str(&self.message),
            (None, line) => write!(f, "line {line}: {}", self.message),
        }
    }
}

impl std::error::Error for ParseError {}
