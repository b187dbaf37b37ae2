//! The conformance scenarios as a workload: the wall time to run each in the simulator, and
//! the virtual time it spans, which is how long the same scenario takes on a real BEAM.

use std::path::{Path, PathBuf};

use crate::runner::{self, ScenarioRun};
use crate::scenario::{self, Op, Scenario, Step};

use super::timing::{median, ns_per, timed};
use super::BenchError;

/// The figures of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioFigure {
    /// The file name without its `.scn` extension.
    pub name: String,
    /// How many steps it has.
    pub steps: usize,
    /// Wall time to run it in the simulator (transcript included, parsing excluded), the
    /// median of the runs, in nanoseconds.
    pub simulated_ns: f64,
    /// The virtual time it spans in milliseconds: its last step's time, or the time of the
    /// last thing that happens after it (a shutdown that waits, a restart), if later.
    pub span_ms: u64,
}

impl ScenarioFigure {
    /// How many times faster than real time the simulator runs it (`None` for a scenario
    /// that spans no time).
    pub fn speedup(&self) -> Option<f64> {
        (self.span_ms > 0).then(|| self.span_ms as f64 * 1e6 / self.simulated_ns.max(1.0))
    }
}

/// The format-1 scenario files in `dir` (`*.scn`, race files left out), sorted by name.
pub fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, BenchError> {
    let entries =
        std::fs::read_dir(dir).map_err(|err| BenchError(format!("{}: {err}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        // Race files (docs/races.md): the simulator runs them, but the bench compares it
        // with the runtimes, which do not.
        .filter(|path| !crate::scenario::is_race_file(path))
        .collect();
    files.sort();
    Ok(files)
}

/// The virtual time `scenario` spans: it runs a copy with one more step far in the future, so
/// that everything the scenario sets off happens before that step, and takes the time of the
/// last trace entry.
pub fn span_ms(scenario: &Scenario) -> Result<u64, BenchError> {
    let last_step = scenario.steps.last().map_or(0, |step| step.at_ms);
    let mut probe = scenario.clone();
    probe
        .steps
        .push(Step::new(last_step.saturating_add(1 << 40), Op::Count));
    let mut run = ScenarioRun::new(&probe).map_err(|err| BenchError(err.to_string()))?;
    for index in 0..scenario.steps.len() {
        run.run_step(index)
            .map_err(|err| BenchError(err.to_string()))?;
    }
    // Settling before the extra step delivers everything due; the step itself adds nothing.
    let index = scenario.steps.len();
    run.run_step(index)
        .map_err(|err| BenchError(err.to_string()))?;
    let last_event = run
        .simulation()
        .trace()
        .last()
        .map_or(0, |entry| entry.at.as_millis());
    Ok(last_step.max(last_event))
}

/// Times one scenario file: `runs` runs, the median reported.
pub fn measure(path: &Path, runs: usize) -> Result<ScenarioFigure, BenchError> {
    let scenario = scenario::parse_file(path).map_err(|err| BenchError(err.to_string()))?;
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let span_ms = span_ms(&scenario).map_err(|err| BenchError(format!("{name}: {err}")))?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (elapsed, transcript) = timed(|| runner::run(&scenario));
        transcript.map_err(|err| BenchError(format!("{name}: {err}")))?;
        samples.push(ns_per(elapsed, 1));
    }
    Ok(ScenarioFigure {
        name,
        steps: scenario.steps.len(),
        simulated_ns: median(&samples),
        span_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_includes_what_happens_after_the_last_step() {
        // A trapping child takes 300 ms to stop after the parent stops the supervisor at 100.
        let text = "child w trap_exit=true stop_ms=300\nat 0 start w\nat 100 stop\n";
        let scenario = scenario::parse(text).unwrap();
        assert_eq!(span_ms(&scenario).unwrap(), 400);
        let quick = scenario::parse("child w\nat 0 start w\nat 50 count\n").unwrap();
        assert_eq!(span_ms(&quick).unwrap(), 50);
    }

    #[test]
    fn speedup_needs_a_span() {
        let figure = ScenarioFigure {
            name: "x".into(),
            steps: 1,
            simulated_ns: 1000.0,
            span_ms: 0,
        };
        assert_eq!(figure.speedup(), None);
        let spanning = ScenarioFigure {
            span_ms: 1,
            ..figure
        };
        assert_eq!(spanning.speedup(), Some(1000.0));
    }
}
