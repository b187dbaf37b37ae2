//! What a failing check tells its user: `SEED=` first, the failure, how far it was shrunk,
//! the replay file and the commands that rerun it, and the shrunk run step by step; or, for a
//! test that is not deterministic, the first line where its two runs differ.

use std::fmt;
use std::path::PathBuf;

use super::failure::Failed;
use super::seeds::{REPLAY_VAR, SEED_VAR};
use super::tape::Tape;

/// Where the two runs of one seed first differ: the test is not deterministic (it reads the
/// wall clock, iterates a `HashMap`, shares state between runs...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The trace line's number, from 1.
    pub line: usize,
    /// That line in the first run (`None`: the first run's trace had ended).
    pub first: Option<String>,
    /// That line in the second run.
    pub second: Option<String>,
}

impl Divergence {
    /// The first difference between two traces, if any.
    pub fn between(first: &[String], second: &[String]) -> Option<Divergence> {
        let line = (0..first.len().max(second.len())).find(|&i| first.get(i) != second.get(i))?;
        Some(Divergence {
            line: line + 1,
            first: first.get(line).cloned(),
            second: second.get(line).cloned(),
        })
    }
}

/// A failed check.
#[derive(Clone, Debug)]
pub struct Report {
    /// The check's name.
    pub name: String,
    /// The failing seed (`None` when a replay file failed).
    pub seed: Option<u64>,
    /// The seed's faults, as its `SEED=` line shows them.
    pub faults: String,
    /// The failure (of the shrunk run, when it was shrunk).
    pub failure: Failed,
    /// Set when the test is not deterministic: the first difference between two runs.
    pub divergence: Option<Divergence>,
    /// Operations and faults of the failing run before shrinking.
    pub original: (usize, usize),
    /// The shrunk tape, which replays the failure.
    pub tape: Tape,
    /// Replays run while shrinking.
    pub shrink_runs: usize,
    /// The replay file written (`None` if none could be written, or for a nondeterministic
    /// test).
    pub replay_file: Option<PathBuf>,
    /// Why no replay file could be written.
    pub replay_error: Option<String>,
    /// The shrunk run's trace.
    pub trace: Vec<String>,
}

impl Report {
    /// The command that replays the failure from its file.
    pub fn replay_command(&self) -> Option<String> {
        let path = self.replay_file.as_ref()?;
        Some(format!(
            "{REPLAY_VAR}={} cargo test {}",
            path.display(),
            self.name
        ))
    }

    /// The command that reruns the failing seed (unshrunk).
    pub fn seed_command(&self) -> Option<String> {
        Some(format!(
            "{SEED_VAR}={} cargo test {}",
            self.seed?, self.name
        ))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seed {
            Some(seed) => writeln!(f, "SEED={seed} {}", self.faults)?,
            None => writeln!(f, "SEED=none (a replay file)")?,
        }
        if let Some(divergence) = &self.divergence {
            writeln!(
                f,
                "check `{}` is not deterministic: two runs of the same seed differ at trace line {}",
                self.name, divergence.line
            )?;
            let show = |line: &Option<String>| line.clone().unwrap_or_else(|| "(end)".into());
            writeln!(f, "  first run:  {}", show(&divergence.first))?;
            writeln!(f, "  second run: {}", show(&divergence.second))?;
            writeln!(
                f,
                "  (a worker or the test reads the wall clock, iterates a HashMap, or keeps state between runs)"
            )?;
            if let Some(command) = self.seed_command() {
                writeln!(f, "  rerun: {command}")?;
            }
            return Ok(());
        }
        writeln!(f, "check `{}` failed: {}", self.name, self.failure)?;
        if self.seed.is_some() {
            writeln!(
                f,
                "  shrunk from {} operations and {} faults to {} operations and {} faults ({} replays)",
                self.original.0,
                self.original.1,
                self.tape.ops.len(),
                self.tape.fault_count(),
                self.shrink_runs
            )?;
        } else {
            writeln!(
                f,
                "  replayed from its file: {} operations and {} faults",
                self.tape.ops.len(),
                self.tape.fault_count()
            )?;
        }
        if let Some(command) = self.replay_command() {
            writeln!(f, "  replay: {command}")?;
        }
        if let Some(err) = &self.replay_error {
            writeln!(f, "  no replay file: {err}")?;
        }
        if let Some(command) = self.seed_command() {
            writeln!(f, "  rerun the seed: {command}")?;
        }
        writeln!(f, "  the run, step by step:")?;
        for line in &self.trace {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}
