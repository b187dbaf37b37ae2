//! Exit reasons: why a process ended, as data (a crash is not an error).

use std::fmt;
use std::str::FromStr;

/// Why a process ended, mirroring the Erlang exit reasons that matter to a supervisor.
///
/// The text form (used by scenario files and transcripts) is `normal`, `shutdown`,
/// `shutdown:WORD` for `{:shutdown, :WORD}`, `killed`, `noproc`, or any other word.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitReason {
    /// `:normal`: the process finished its work.
    Normal,
    /// `:shutdown`: the process was asked to stop, or stopped cleanly.
    Shutdown,
    /// `{:shutdown, term}`: a clean stop that carries a detail.
    ShutdownWith(String),
    /// `:killed`: the process was killed (`exit(pid, :kill)`); it cannot be trapped.
    Killed,
    /// `:noproc`: the process did not exist.
    NoProc,
    /// Any other reason: an abnormal exit.
    Other(String),
}

impl ExitReason {
    /// Whether this is `:normal`, `:shutdown` or `{:shutdown, _}`: the reasons after which a
    /// transient child is not restarted and a temporary child leaves no report.
    pub fn is_clean(&self) -> bool {
        matches!(
            self,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        )
    }

    /// An abnormal reason from free text (a crash description).
    pub fn other(word: impl Into<String>) -> Self {
        ExitReason::Other(word.into())
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::ShutdownWith(detail) => write!(f, "shutdown:{detail}"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::NoProc => f.write_str("noproc"),
            ExitReason::Other(word) => f.write_str(word),
        }
    }
}

/// The text was not a valid exit reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidExitReason(pub String);

impl fmt::Display for InvalidExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid exit reason {:?}: expected normal, shutdown, shutdown:WORD or a word of [a-z0-9_]",
            self.0
        )
    }
}

impl std::error::Error for InvalidExitReason {}

fn is_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl FromStr for ExitReason {
    type Err = InvalidExitReason;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let reason = match text {
            "normal" => ExitReason::Normal,
            "shutdown" => ExitReason::Shutdown,
            "killed" => ExitReason::Killed,
            "noproc" => ExitReason::NoProc,
            _ => match text.strip_prefix("shutdown:") {
                Some(detail) if is_word(detail) => ExitReason::ShutdownWith(detail.to_owned()),
                None if is_word(text) => ExitReason::Other(text.to_owned()),
                _ => return Err(InvalidExitReason(text.to_owned())),
            },
        };
        Ok(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for text in [
            "normal",
            "shutdown",
            "shutdown:x",
            "killed",
            "noproc",
            "boom",
        ] {
            let reason: ExitReason = text.parse().unwrap();
            assert_eq!(reason.to_string(), text);
        }
    }

    #[test]
    fn clean_reasons() {
        assert!(ExitReason::Normal.is_clean());
        assert!(ExitReason::Shutdown.is_clean());
        assert!(ExitReason::ShutdownWith("x".into()).is_clean());
        assert!(!ExitReason::Killed.is_clean());
        assert!(!ExitReason::other("boom").is_clean());
    }

    #[test]
    fn rejects_bad_text() {
        assert!("".parse::<ExitReason>().is_err());
        assert!("shutdown:".parse::<ExitReason>().is_err());
        assert!("Boom".parse::<ExitReason>().is_err());
        assert!("a b".parse::<ExitReason>().is_err());
    }
}
