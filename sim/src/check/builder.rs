//! The check builder: seeds, supervisor configuration, the user's spawner, limits and faults;
//! and the loop that runs a test body over every seed, twice in debug builds, shrinks the
//! first failure and writes its replay file.

use std::cell::RefCell;
use std::fs;
use std::marker::PhantomData;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use dynsup::driver::Spawner;
use dynsup::Config;

use super::decider::Decider;
use super::failure::{Failed, FailureKind};
use super::faults::FaultPlan;
use super::report::{Divergence, Report};
use super::seeds::{seeds_from_env, REPLAY_DIR_VAR, REPLAY_VAR};
use super::shrink::shrink;
use super::sim::Sim;
use super::tape::Tape;
use crate::invariants::Invariants;
use crate::simulation::{SimLimits, Simulation};

/// One run of a test body: its outcome, its decisions and its trace.
#[derive(Clone, Debug)]
pub struct Run {
    /// `Err` when it failed.
    pub outcome: Result<(), Failed>,
    /// Everything it decided (a replay of this tape repeats the run).
    pub tape: Tape,
    /// Everything it did, line by line.
    pub trace: Vec<String>,
}

/// A check that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Passed {
    /// Seeds run (0 when a replay file ran instead).
    pub seeds: u64,
}

/// A property of the user's workers, checked over many seeds in the simulator.
///
/// `M` makes a fresh spawner for every run (so runs share nothing); `F` and `A` are the
/// supervisor's start-function and argument types. See the [module](super) for an example.
pub struct Check<F, A, M> {
    name: String,
    config: Config<A>,
    make_spawner: M,
    seeds: Range<u64>,
    plan: FaultPlan,
    operations: usize,
    limits: SimLimits,
    replay_dir: PathBuf,
    shrink_budget: usize,
    twice: bool,
    function: PhantomData<fn() -> F>,
}

impl<F, A, S, M> Check<F, A, M>
where
    F: Clone,
    A: Clone,
    S: Spawner<F, A>,
    M: FnMut() -> S,
{
    /// A check of supervisors configured by `config`, whose workers `make_spawner`'s spawners
    /// make. Defaults: seeds `0..100`, every fault kind swarm-style, 100 operations, at most
    /// 1,000 failed restarts in a row and 1,000,000 deliveries per run, 2,000 shrinking replays, replay files in
    /// `$DYNSUP_REPLAY_DIR` or the system's temporary directory, each seed run twice in debug
    /// builds; named after the running test (its thread's name).
    pub fn new(config: Config<A>, make_spawner: M) -> Self {
        let name = std::thread::current()
            .name()
            .filter(|name| *name != "main")
            .unwrap_or("check")
            .to_string();
        let replay_dir = std::env::var_os(REPLAY_DIR_VAR).map_or_else(
            || std::env::temp_dir().join("dynsup-replays"),
            PathBuf::from,
        );
        Check {
            name,
            config,
            make_spawner,
            seeds: 0..100,
            plan: FaultPlan::swarm(),
            operations: 100,
            limits: SimLimits {
                failed_restarts_max: 1_000,
                deliveries_max: 1_000_000,
            },
            replay_dir,
            shrink_budget: 2_000,
            twice: cfg!(debug_assertions),
            function: PhantomData,
        }
    }

    /// Names the check (in reports, replay files and the commands they print; use the test's
    /// name, so that `cargo test NAME` runs it).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The seeds to run (`DYNSUP_SEED` and `DYNSUP_SEEDS` override them).
    pub fn seeds(mut self, seeds: Range<u64>) -> Self {
        self.seeds = seeds;
        self
    }

    /// The faults the seeds may inject.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.plan = plan;
        self
    }

    /// How many operations [`Sim::operation`] hands out per run.
    pub fn operations(mut self, operations: usize) -> Self {
        self.operations = operations;
        self
    }

    /// The simulator's limits per run.
    pub fn limits(mut self, limits: SimLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Where replay files are written.
    pub fn replay_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.replay_dir = dir.into();
        self
    }

    /// At most this many replays while shrinking.
    pub fn shrink_budget(mut self, runs: usize) -> Self {
        self.shrink_budget = runs;
        self
    }

    /// Whether each seed runs twice, its two traces compared (by default in debug builds).
    pub fn run_twice(mut self, twice: bool) -> Self {
        self.twice = twice;
        self
    }

    /// Runs `body` over every seed and panics with the [`Report`] of the first failure.
    pub fn check<B>(self, body: B) -> Passed
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        match self.run(body) {
            Ok(passed) => passed,
            Err(report) => panic!("{report}"),
        }
    }

    /// Runs `body` over every seed; the first failure is shrunk, written as a replay file and
    /// returned. `SEED=` is printed on stderr as soon as a seed fails. With `DYNSUP_REPLAY`
    /// naming a replay file of this check, that file is replayed instead.
    pub fn run<B>(mut self, mut body: B) -> Result<Passed, Box<Report>>
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        if let Some(path) = std::env::var_os(REPLAY_VAR) {
            let path = PathBuf::from(path);
            match read_replay(&path) {
                Err(failed) => return Err(Box::new(self.setup_report(failed))),
                Ok((name, tape)) if name == self.name => {
                    let run = self.replay(tape, &mut body);
                    return match run.outcome {
                        Ok(()) => Ok(Passed { seeds: 0 }),
                        Err(failure) => Err(Box::new(Report {
                            name: self.name.clone(),
                            seed: None,
                            faults: String::new(),
                            failure,
                            divergence: None,
                            original: (run.tape.ops.len(), run.tape.fault_count()),
                            tape: run.tape,
                            shrink_runs: 0,
                            replay_file: Some(path),
                            replay_error: None,
                            trace: run.trace,
                        })),
                    };
                }
                Ok(_) => {}
            }
        }
        let seeds = match seeds_from_env(self.seeds.clone()) {
            Ok(seeds) => seeds,
            Err(message) => {
                return Err(Box::new(
                    self.setup_report(Failed::new(FailureKind::Setup, message)),
                ))
            }
        };
        let mut passed = 0;
        for seed in seeds {
            let (first, faults) = self.run_seed_with_faults(seed, &mut body);
            if self.twice {
                let second = self.run_seed(seed, &mut body);
                if let Some(divergence) = Divergence::between(&first.trace, &second.trace) {
                    eprintln!("SEED={seed} {faults}");
                    return Err(Box::new(Report {
                        name: self.name.clone(),
                        seed: Some(seed),
                        faults,
                        failure: Failed::new(FailureKind::Setup, "not deterministic"),
                        divergence: Some(divergence),
                        original: (first.tape.ops.len(), first.tape.fault_count()),
                        tape: first.tape,
                        shrink_runs: 0,
                        replay_file: None,
                        replay_error: None,
                        trace: first.trace,
                    }));
                }
            }
            if let Err(failure) = first.outcome {
                eprintln!("SEED={seed} {faults}");
                eprintln!("check `{}` failed: {failure}; shrinking...", self.name);
                return Err(Box::new(
                    self.shrunk_report(seed, faults, first.tape, failure, &mut body),
                ));
            }
            passed += 1;
        }
        Ok(Passed { seeds: passed })
    }

    /// Shrinks a failing seed's run and writes its replay file.
    fn shrunk_report<B>(
        &mut self,
        seed: u64,
        faults: String,
        tape: Tape,
        failure: Failed,
        body: &mut B,
    ) -> Report
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        let original = (tape.ops.len(), tape.fault_count());
        let shrunk = shrink(tape, failure, self.shrink_budget, |candidate| {
            let run = self.replay(candidate.clone(), body);
            (run.outcome, run.tape)
        });
        let last = self.replay(shrunk.tape.clone(), body);
        let mut report = Report {
            name: self.name.clone(),
            seed: Some(seed),
            faults,
            failure: shrunk.failure,
            divergence: None,
            original,
            tape: shrunk.tape,
            shrink_runs: shrunk.runs,
            replay_file: None,
            replay_error: None,
            trace: last.trace,
        };
        match self.write_replay(&report) {
            Ok(path) => report.replay_file = Some(path),
            Err(err) => report.replay_error = Some(err),
        }
        report
    }

    /// Runs `body` once under `seed`.
    pub fn run_seed<B>(&mut self, seed: u64, body: &mut B) -> Run
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        self.run_seed_with_faults(seed, body).0
    }

    fn run_seed_with_faults<B>(&mut self, seed: u64, body: &mut B) -> (Run, String)
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        let decider = Decider::from_seed(seed, &self.plan, self.operations);
        let faults = decider
            .seed_faults()
            .map_or_else(String::new, ToString::to_string);
        (self.run_with(decider, body), faults)
    }

    /// Runs `body` once from `tape`, without any random generator.
    pub fn replay<B>(&mut self, tape: Tape, body: &mut B) -> Run
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        self.run_with(Decider::from_tape(tape), body)
    }

    /// Runs `body` once from the replay file at `path`.
    pub fn replay_file<B>(&mut self, path: &Path, body: &mut B) -> Result<Run, Failed>
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        let (_, tape) = read_replay(path)?;
        Ok(self.replay(tape, body))
    }

    fn run_with<B>(&mut self, decider: Decider, body: &mut B) -> Run
    where
        B: FnMut(&mut Sim<F, A, S>) -> Result<(), Failed>,
    {
        let decider = Rc::new(RefCell::new(decider));
        let spawner = (self.make_spawner)();
        let mut simulation = Simulation::with_limits(self.config.clone(), spawner, self.limits);
        simulation.set_checker(Box::new(Invariants::new(
            self.config.max_restarts(),
            self.config.max_seconds(),
        )));
        let mut sim = Sim::new(simulation, Rc::clone(&decider));
        let outcome = match catch_unwind(AssertUnwindSafe(|| body(&mut sim))) {
            Ok(outcome) => outcome,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(a panic without a message)".into());
                Err(Failed::new(FailureKind::Panic, message))
            }
        };
        let trace = sim.finish();
        let tape = decider.borrow().recorded().clone();
        Run {
            outcome,
            tape,
            trace,
        }
    }

    fn setup_report(&self, failure: Failed) -> Report {
        Report {
            name: self.name.clone(),
            seed: None,
            faults: String::new(),
            failure,
            divergence: None,
            original: (0, 0),
            tape: Tape::default(),
            shrink_runs: 0,
            replay_file: None,
            replay_error: None,
            trace: Vec::new(),
        }
    }

    /// Writes `report`'s tape as `<dir>/<name>-seed-<seed>.replay`.
    fn write_replay(&self, report: &Report) -> Result<PathBuf, String> {
        let file_name: String = report
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let path = self.replay_dir.join(format!(
            "{file_name}-seed-{}.replay",
            report.seed.unwrap_or(0)
        ));
        let mut text = format!(
            "# dynsup replay of check `{}`: it reproduces the failing run below without the\n\
             # seed's random generator (every decision is written here).\n\
             # failure: {}\n\
             # replay: {}={} cargo test {}\n",
            report.name,
            report.failure.to_string().replace('\n', " "),
            REPLAY_VAR,
            path.display(),
            report.name
        );
        text.push_str(&format!("check {}\n", report.name));
        if let Some(seed) = report.seed {
            text.push_str(&format!("seed {seed}\n"));
        }
        report.tape.write_to(&mut text);
        fs::create_dir_all(&self.replay_dir)
            .and_then(|()| fs::write(&path, text))
            .map_err(|err| format!("{}: {err}", path.display()))?;
        Ok(path)
    }
}

/// Reads a replay file: the check's name and the tape.
fn read_replay(path: &Path) -> Result<(String, Tape), Failed> {
    let setup = |message: String| Failed::new(FailureKind::Setup, message);
    let text =
        fs::read_to_string(path).map_err(|err| setup(format!("{}: {err}", path.display())))?;
    let name = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("check "))
        .map(|name| name.trim().to_string())
        .unwrap_or_default();
    let tape = Tape::parse(&text).map_err(|err| setup(format!("{}: {err}", path.display())))?;
    Ok((name, tape))
}
