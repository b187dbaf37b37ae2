//! `dynsup-sim explore`: random scenarios from seeds, every invariant checked, failures shrunk.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dynsup_sim::coverage::{Corner, Coverage};
use dynsup_sim::explore::{generate, Failure};
use dynsup_sim::scenario::Scenario;
use dynsup_sim::testing::{
    check_scenario_counted_with, check_scenario_with, check_tree_text_with, shrink_failure_with,
    shrink_tree_failure_with, Defect, TreeDefect,
};
use dynsup_sim::tree;

use super::defect::{DefectArg, TreeDefectArg};
use super::progress::CountProgress;

/// Arguments of `dynsup-sim explore`.
#[derive(clap::Args, Debug)]
pub struct ExploreArgs {
    /// How many seeds to run (from --first-seed on; at most 100 million, as the list of seeds
    /// is held in memory).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    seeds: u64,
    /// Run exactly this one seed.
    #[arg(long, conflicts_with_all = ["seeds", "first_seed", "shard", "shard_from_env"])]
    seed: Option<u64>,
    /// The first seed of the range.
    #[arg(long, default_value_t = 0)]
    first_seed: u64,
    /// Run only the seeds of shard I of N (seed % N == I), to split a range across machines.
    #[arg(long, value_parser = parse_shard, conflicts_with = "shard_from_env")]
    shard: Option<(u64, u64)>,
    /// Like --shard I/N, with I read from the environment variable VAR: `--shard-from-env
    /// JOB_COMPLETION_INDEX/8` in the pods of a Kubernetes Indexed Job of 8 completions
    /// (deploy/README.md).
    #[arg(long, value_name = "VAR/N")]
    shard_from_env: Option<String>,
    /// Also write the one-line JSON summary of --json to FILE (its directory is created), for
    /// `dynsup-sim merge-summaries` to add up the shards of a run.
    #[arg(long, value_name = "FILE")]
    summary_file: Option<PathBuf>,
    /// Steps per scenario (at most 1000: a scenario run holds at most
    /// `scenario::MAX_LIVE_CHILDREN` children, and the checkers cost steps x children).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    steps: u64,
    /// Where to write the shrunk scenario of a failure.
    #[arg(long, default_value = "target/dynsup-failures")]
    out: PathBuf,
    /// Stop after this many seconds (the seeds run so far are reported).
    #[arg(long, value_parser = parse_seconds)]
    time_limit: Option<f64>,
    /// Worker threads (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// After the usual output, print a one-line JSON summary as the last line of stdout:
    /// `seeds_run` (seeds checked: passed and failed), `seeds_total`, `first_seed`, `range`
    /// (`first` and `end` of the range asked for), `shard` (null, or its `index` and `count`),
    /// `steps`, `failures`, `seeds_per_sec`, `elapsed_seconds`, `time_limit_reached`,
    /// `coverage` (each supervisor situation's name and how many times the run reached it),
    /// and `failure`: null, or the lowest failing seed's `seed`, `check`, `violation`,
    /// `shrunk_steps`, `scenario_file` and `replay` command. The shards of one range can be
    /// added up: same `range` and `steps`, every `index` of `count`; coverage counts add up.
    #[arg(long)]
    json: bool,
    /// After the run, print the coverage table: each supervisor situation, how many times the
    /// run reached it, and what it is (docs/coverage.md).
    #[arg(long)]
    coverage: bool,
    /// Plant a deliberate defect in the reference model (to test the harness itself).
    #[arg(long, value_enum, hide = true)]
    plant_defect: Option<DefectArg>,
    /// Explore random supervision trees (tree files, docs/tree-scenarios.md) with the tree
    /// checkers on: every option applies; a failure is shrunk to a tree file that `dynsup-sim
    /// run` replays, `--coverage` counts tree situations (docs/coverage.md, "Trees"), and the
    /// `--json` summary also lists the tree `checkers`.
    #[arg(long, conflicts_with = "plant_defect")]
    trees: bool,
    /// With --trees: plant a deliberately wrong tree checker (to test the harness itself).
    #[arg(long, value_enum, hide = true, requires = "trees")]
    plant_tree_defect: Option<TreeDefectArg>,
    /// Write each seed's scenario (its tree file with --trees) to DIR/seed-N.scn instead of
    /// running it (at most 100000 seeds): `tests/conformance/differential.sh` runs such files
    /// through the real OTP and the simulator and compares the transcripts.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["plant_defect", "plant_tree_defect", "json", "coverage", "summary_file"])]
    write_scenarios: Option<PathBuf>,
}

impl ExploreArgs {
    /// Steps per scenario, as a length (`--steps` is at most 1000, so it always fits).
    fn scenario_steps(&self) -> usize {
        usize::try_from(self.steps).unwrap_or(1_000)
    }
}

/// The most scenario files one `--write-scenarios` run writes.
const MAX_WRITTEN_SCENARIOS: usize = 100_000;

/// `explore --write-scenarios DIR`: each seed's scenario as a file, nothing run.
fn write_scenarios(dir: &Path, seeds: &[u64], args: &ExploreArgs) -> ExitCode {
    if seeds.len() > MAX_WRITTEN_SCENARIOS {
        eprintln!(
            "dynsup-sim: --write-scenarios writes at most {MAX_WRITTEN_SCENARIOS} files, not {}",
            seeds.len()
        );
        return ExitCode::from(2);
    }
    if let Err(err) = std::fs::create_dir_all(dir) {
        eprintln!("dynsup-sim: {}: {err}", dir.display());
        return ExitCode::from(2);
    }
    let steps = args.scenario_steps();
    for &seed in seeds {
        let text = if args.trees {
            tree::generate::tree_text(seed, args.steps)
        } else {
            generate(seed, steps).to_string()
        };
        let path = dir.join(format!("seed-{seed}.scn"));
        if let Err(err) = std::fs::write(&path, text) {
            eprintln!("dynsup-sim: {}: {err}", path.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "wrote {} {} of {} steps to {}",
        seeds.len(),
        if args.trees {
            "tree files"
        } else {
            "scenarios"
        },
        args.steps,
        dir.display()
    );
    ExitCode::SUCCESS
}

/// What the workers of a run found.
struct SeedRun<F, S: Corner> {
    /// Seeds that passed.
    checked: u64,
    /// Seeds that failed (workers stop at the first; a few may fail at once).
    failures: u64,
    /// The lowest failing seed and what its check returned.
    found: Option<(u64, F)>,
    /// The situations every seed run reached.
    coverage: Coverage<S>,
    /// Wall time in seconds.
    elapsed: f64,
}

/// Runs `check` on `seeds` with `jobs` worker threads (progress on stderr) until every seed
/// ran, one failed, or `limit` passed. The one worker loop of both explorers.
fn run_seeds<F: Send, S: Corner + Send>(
    seeds: &[u64],
    jobs: usize,
    limit: Option<Duration>,
    check: impl Fn(u64, &mut Coverage<S>) -> Result<(), F> + Sync,
) -> SeedRun<F, S> {
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let found: Mutex<Option<(u64, F)>> = Mutex::new(None);
    let coverage: Mutex<Coverage<S>> = Mutex::new(Coverage::new());
    let total = seeds.len() as u64;
    // Each worker holds a sender; once all have finished, the progress loop wakes at once
    // (instead of at its next tick), so the run's time is the workers' time.
    let (running, all_finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let (next, done, failed, stop, found) = (&next, &done, &failed, &stop, &found);
        let (coverage, check) = (&coverage, &check);
        for _ in 0..jobs {
            let running = running.clone();
            scope.spawn(move || {
                // Moved in: dropped when this worker returns.
                let _running = &running;
                // Each worker counts on its own and adds its counts once, at the end.
                let mut reached = Coverage::new();
                loop {
                    if stop.load(Ordering::Relaxed) || limit.is_some_and(|l| started.elapsed() > l)
                    {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&seed) = usize::try_from(index).ok().and_then(|i| seeds.get(i)) else {
                        break;
                    };
                    if let Err(failure) = check(seed, &mut reached) {
                        stop.store(true, Ordering::Relaxed);
                        failed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut slot) = found.lock() {
                            if slot.as_ref().is_none_or(|(s, _)| seed < *s) {
                                *slot = Some((seed, failure));
                            }
                        }
                        break;
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                if let Ok(mut total) = coverage.lock() {
                    total.add(&reached);
                }
            });
        }
        drop(running);
        let mut progress = CountProgress::new(total, "seeds");
        while !stop.load(Ordering::Relaxed) && done.load(Ordering::Relaxed) < total {
            if limit.is_some_and(|l| started.elapsed() > l) {
                break;
            }
            let tick = all_finished.recv_timeout(Duration::from_millis(200));
            if tick == Err(RecvTimeoutError::Disconnected) {
                break;
            }
            progress.update(done.load(Ordering::Relaxed), started.elapsed(), false);
        }
        progress.update(done.load(Ordering::Relaxed), started.elapsed(), true);
    });
    SeedRun {
        checked: done.load(Ordering::Relaxed),
        failures: failed.load(Ordering::Relaxed),
        found: found.into_inner().ok().flatten(),
        coverage: coverage.into_inner().unwrap_or_default(),
        elapsed: started.elapsed().as_secs_f64(),
    }
}

/// A number of seconds: finite, not negative, at most a year (`Duration::from_secs_f64`
/// panics on NaN, infinity, negative or huge values).
fn parse_seconds(text: &str) -> Result<f64, String> {
    const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=MAX_SECONDS).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "bad time limit {text:?}: expected seconds from 0 to {MAX_SECONDS}"
        )),
    }
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (index, count) = text
        .split_once('/')
        .ok_or_else(|| format!("shard {text:?} is not I/N"))?;
    let index: u64 = index
        .parse()
        .map_err(|_| format!("bad shard index {index:?}"))?;
    let count: u64 = count
        .parse()
        .map_err(|_| format!("bad shard count {count:?}"))?;
    if count == 0 || index >= count {
        return Err(format!("shard {index}/{count}: need 0 <= I < N"));
    }
    Ok((index, count))
}

/// The shard asked for: `--shard I/N`, or `--shard-from-env VAR/N` with I read from `VAR`.
fn shard_of(
    args: &ExploreArgs,
    read_env: impl Fn(&str) -> Option<String>,
) -> Result<Option<(u64, u64)>, String> {
    let Some(text) = &args.shard_from_env else {
        return Ok(args.shard);
    };
    let (var, count) = text
        .split_once('/')
        .ok_or_else(|| format!("--shard-from-env {text:?} is not VAR/N"))?;
    let index = read_env(var)
        .ok_or_else(|| format!("--shard-from-env: the environment variable {var:?} is not set"))?;
    parse_shard(&format!("{}/{count}", index.trim()))
        .map(Some)
        .map_err(|e| format!("--shard-from-env {text:?} ({var}={index:?}): {e}"))
}

/// The seeds `first..end` of shard `index` of `count` (`s % count == index`): the shards of a
/// range cover it exactly once.
fn shard_seeds(first: u64, end: u64, (index, count): (u64, u64)) -> Vec<u64> {
    (first..end).filter(|s| s % count == index).collect()
}

/// The seeds this run covers.
fn seed_list(args: &ExploreArgs, shard: Option<(u64, u64)>) -> Vec<u64> {
    if let Some(seed) = args.seed {
        return vec![seed];
    }
    let end = args.first_seed.saturating_add(args.seeds);
    shard_seeds(args.first_seed, end, shard.unwrap_or((0, 1)))
}

/// The range of a run as its first line prints it: `FIRST..END seeds=N shard=I/N` (`-`: all).
fn range_text(args: &ExploreArgs, shard: Option<(u64, u64)>, seeds: &[u64]) -> String {
    format!(
        "{}..{} seeds={} shard={}",
        args.first_seed,
        args.first_seed.saturating_add(args.seeds),
        seeds.len(),
        shard.map_or_else(|| "-".to_owned(), |(i, n)| format!("{i}/{n}"))
    )
}

/// A failing scenario and its check.
struct Found {
    scenario: Scenario,
    failure: Failure,
}

fn describe(scenario: &Scenario) -> String {
    let line = &scenario.supervisor;
    format!(
        "max_children={} max_restarts={} max_seconds={} templates={} steps={}",
        line.max_children
            .map_or_else(|| "infinity".to_owned(), |n| n.to_string()),
        line.max_restarts,
        line.max_seconds,
        scenario.templates.len(),
        scenario.steps.len()
    )
}

/// Runs the explorer; exit status 0 when every seed passed, 1 on a failure, 2 on bad use.
pub fn main(args: &ExploreArgs) -> ExitCode {
    let shard = match shard_of(args, |var| std::env::var(var).ok()) {
        Ok(shard) => shard,
        Err(err) => {
            eprintln!("dynsup-sim: {err}");
            return ExitCode::from(2);
        }
    };
    let seeds = seed_list(args, shard);
    if let Some(dir) = &args.write_scenarios {
        return write_scenarios(dir, &seeds, args);
    }
    let jobs = args
        .jobs
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
        .clamp(1, 256);
    if args.trees {
        return explore_trees(args, shard, &seeds, jobs);
    }
    let steps = args.scenario_steps();
    let defect: Option<Defect> = args.plant_defect.map(Into::into);
    match args.seed {
        Some(seed) => println!("SEED={seed} {}", describe(&generate(seed, steps))),
        None => println!(
            "SEED={} steps={steps} jobs={jobs}{}",
            range_text(args, shard, &seeds),
            defect.map_or_else(String::new, |d| format!(" planted-defect={d:?}")),
        ),
    }
    let limit = args.time_limit.map(Duration::from_secs_f64);
    let run = run_seeds(&seeds, jobs, limit, |seed, reached| {
        let scenario = generate(seed, steps);
        check_scenario_counted_with(&scenario, defect, reached)
            .map_err(|failure| Box::new(Found { scenario, failure }))
    });
    let mut summary = summary_of(args, shard, &seeds, &run);
    let status = match &run.found {
        None => {
            let (checked, total, elapsed) = (run.checked, seeds.len(), run.elapsed);
            let rate = checked as f64 / elapsed.max(1e-9);
            let note = if summary.time_limit_reached {
                " (time limit)"
            } else {
                ""
            };
            println!("explored {checked} of {total} seeds in {elapsed:.1} s ({rate:.0} seeds/s): no violation{note}");
            ExitCode::SUCCESS
        }
        Some((seed, found)) => {
            let (status, failure) = report(*seed, found, args, defect);
            summary.failure = Some(failure);
            status
        }
    };
    finish(args, &summary, &run.coverage, status)
}

/// `explore --trees`: each seed's random tree file run with every tree checker on and its
/// tree situations counted; the lowest failing seed is shrunk and written to `--out` as a
/// tree file that `dynsup-sim run` replays.
fn explore_trees(
    args: &ExploreArgs,
    shard: Option<(u64, u64)>,
    seeds: &[u64],
    jobs: usize,
) -> ExitCode {
    let defect: Option<TreeDefect> = args.plant_tree_defect.map(Into::into);
    let planted = args.plant_tree_defect.map_or_else(String::new, |d| {
        format!(" planted-tree-defect={}", d.name())
    });
    match args.seed {
        Some(seed) => println!(
            "TREES SEED={seed} steps={} jobs={jobs}{planted}",
            args.steps
        ),
        None => println!(
            "TREES SEED={} steps={} jobs={jobs}{planted}",
            range_text(args, shard, seeds),
            args.steps
        ),
    }
    let limit = args.time_limit.map(Duration::from_secs_f64);
    let run = run_seeds(seeds, jobs, limit, |seed, reached| {
        let text = tree::generate::tree_text(seed, args.steps);
        check_tree_text_with(&text, defect, reached).map_err(|failure| (text, failure))
    });
    let mut summary = summary_of(args, shard, seeds, &run);
    summary.checkers = Some(tree::invariants::CHECKS.to_vec());
    let status = match &run.found {
        None => {
            let rate = run.checked as f64 / run.elapsed.max(1e-9);
            let note = if summary.time_limit_reached {
                " (time limit)"
            } else {
                ""
            };
            println!(
                "explored {} tree seeds in {:.2}s: {rate:.0} seeds/s, 0 failures{note}",
                run.checked, run.elapsed
            );
            ExitCode::SUCCESS
        }
        Some((seed, (text, failure))) => {
            let (status, failure) = report_tree(*seed, text, failure, args);
            summary.failure = Some(failure);
            status
        }
    };
    finish(args, &summary, &run.coverage, status)
}

/// The `--json` summary of `run`, without its failure.
fn summary_of<'a, F, S: Corner>(
    args: &ExploreArgs,
    shard: Option<(u64, u64)>,
    seeds: &[u64],
    run: &'a SeedRun<F, S>,
) -> Summary<'a, S> {
    let total = seeds.len() as u64;
    let range = match args.seed {
        Some(seed) => SeedRange {
            first: seed,
            end: seed.saturating_add(1),
        },
        None => SeedRange {
            first: args.first_seed,
            end: args.first_seed.saturating_add(args.seeds),
        },
    };
    Summary {
        seeds_run: run.checked + run.failures,
        seeds_total: total,
        first_seed: seeds.first().copied(),
        range,
        shard: shard.map(|(index, count)| Shard { index, count }),
        steps: args.steps,
        failures: run.failures,
        seeds_per_sec: (run.checked + run.failures) as f64 / run.elapsed.max(1e-9),
        elapsed_seconds: run.elapsed,
        time_limit_reached: run.found.is_none() && run.checked < total,
        coverage: CoverageCounts(&run.coverage),
        checkers: None,
        failure: None,
    }
}

/// Prints the coverage table (`--coverage`) and writes the JSON summary (`--json`,
/// `--summary-file`); the run's status, or 2 when the summary cannot be written.
fn finish<S: Corner>(
    args: &ExploreArgs,
    summary: &Summary<'_, S>,
    coverage: &Coverage<S>,
    status: ExitCode,
) -> ExitCode {
    if args.coverage {
        print!("{coverage}");
    }
    if args.json || args.summary_file.is_some() {
        let json = match serde_json::to_string(summary) {
            Ok(json) => json,
            Err(err) => {
                eprintln!("dynsup-sim: cannot write the JSON summary: {err}");
                return ExitCode::from(2);
            }
        };
        if args.json {
            println!("{json}");
        }
        if let Some(path) = &args.summary_file {
            if let Err(err) = write_file(path, &format!("{json}\n")) {
                eprintln!("dynsup-sim: cannot write {}: {err}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    status
}

/// The `--json` summary of a run.
#[derive(serde::Serialize, Debug)]
#[serde(bound = "")]
struct Summary<'a, S: Corner> {
    /// Seeds checked in full: those that passed and those that failed.
    seeds_run: u64,
    /// Seeds in the range (or shard) asked for.
    seeds_total: u64,
    /// The first seed of the range (or shard), if it has any.
    first_seed: Option<u64>,
    /// The range of seeds asked for, before sharding: the same in every shard of a run.
    range: SeedRange,
    /// Which shard of the range this run covered (`None`: all of it).
    shard: Option<Shard>,
    /// Steps per scenario.
    steps: u64,
    /// Seeds that failed (workers stop at the first; a few may fail at once).
    failures: u64,
    /// Seeds checked per second of wall time.
    seeds_per_sec: f64,
    /// Wall time in seconds.
    elapsed_seconds: f64,
    /// Whether --time-limit stopped the run before every seed was checked.
    time_limit_reached: bool,
    /// How many times the run reached each supervisor situation (tree situation with
    /// `--trees`), by name.
    coverage: CoverageCounts<'a, S>,
    /// With `--trees`: the tree checkers every run had on (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    checkers: Option<Vec<&'static str>>,
    /// The lowest failing seed, shrunk.
    failure: Option<FailureSummary>,
}

/// A range of seeds, `first..end`.
#[derive(serde::Serialize, Debug)]
struct SeedRange {
    /// The first seed.
    first: u64,
    /// One past the last seed.
    end: u64,
}

/// Shard `index` of `count`: the seeds `s` of the range with `s % count == index`.
#[derive(serde::Serialize, Debug)]
struct Shard {
    /// Which shard, from 0.
    index: u64,
    /// How many shards the range is split into.
    count: u64,
}

/// Coverage as a JSON object: each situation's name and count, in table order.
#[derive(Debug)]
struct CoverageCounts<'a, S: Corner>(&'a Coverage<S>);

impl<S: Corner> serde::Serialize for CoverageCounts<'_, S> {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(S::EVERY.len()))?;
        for (situation, count) in self.0.iter() {
            map.serialize_entry(situation.label(), &count)?;
        }
        map.end()
    }
}

/// The failure of a `--json` summary.
#[derive(serde::Serialize, Debug)]
struct FailureSummary {
    /// The failing seed.
    seed: u64,
    /// The name of the check that failed (an invariant, `model-mismatch`, ...).
    check: String,
    /// What the shrunk scenario violates, in full.
    violation: String,
    /// Steps of the shrunk scenario.
    shrunk_steps: usize,
    /// Where the shrunk scenario was written (`None`: it could not be written).
    scenario_file: Option<String>,
    /// The command that replays it.
    replay: String,
}

/// Shrinks the failure, writes its scenario file and prints how to replay it.
fn report(
    seed: u64,
    found: &Found,
    args: &ExploreArgs,
    defect: Option<Defect>,
) -> (ExitCode, FailureSummary) {
    println!("SEED={seed} {}", describe(&found.scenario));
    println!("violation: {}", found.failure);
    let shrunk = shrink_failure_with(&found.scenario, &found.failure, defect);
    let final_failure = check_scenario_with(&shrunk, defect)
        .err()
        .unwrap_or_else(|| found.failure.clone());
    let path = args.out.join(format!("seed-{seed}.scn"));
    let defect_flag = defect.map_or_else(String::new, |d| {
        format!(" --plant-defect {}", DefectArg::from(d).name())
    });
    let replay = format!(
        "cargo run --release -p dynsup-sim -- run{defect_flag} {}",
        path.display()
    );
    let text = format!(
        "# dynsup-sim explore: shrunk failing scenario ({} of {} steps kept)\n# seed: {} (--steps {})\n# violated: {}\n# replay: {replay}\n{shrunk}",
        shrunk.steps.len(),
        found.scenario.steps.len(),
        seed,
        args.steps,
        final_failure.to_string().replace('\n', " "),
    );
    save(
        &path,
        &text,
        FailureSummary {
            seed,
            check: final_failure.check.clone(),
            violation: final_failure.to_string(),
            shrunk_steps: shrunk.steps.len(),
            scenario_file: None,
            replay,
        },
    )
}

/// Shrinks a failing tree file, writes it and prints how to replay it.
fn report_tree(
    seed: u64,
    text: &str,
    failure: &Failure,
    args: &ExploreArgs,
) -> (ExitCode, FailureSummary) {
    let defect: Option<TreeDefect> = args.plant_tree_defect.map(Into::into);
    let steps_of = |text: &str| text.lines().filter(|l| l.starts_with("at ")).count();
    println!("TREES SEED={seed} steps={}", steps_of(text));
    println!("violation: {failure}");
    let shrunk = shrink_tree_failure_with(text, failure, defect);
    let final_failure = check_tree_text_with(&shrunk, defect, &mut Coverage::new())
        .err()
        .unwrap_or_else(|| failure.clone());
    let path = args.out.join(format!("tree-seed-{seed}.scn"));
    let defect_flag = args.plant_tree_defect.map_or_else(String::new, |d| {
        format!(" --plant-tree-defect {}", d.name())
    });
    let replay = format!(
        "cargo run --release -p dynsup-sim -- run{defect_flag} {}",
        path.display()
    );
    let shrunk_steps = steps_of(&shrunk);
    let contents = format!(
        "# dynsup-sim explore --trees: shrunk failing tree ({shrunk_steps} of {} steps kept)\n# seed: {seed} (--steps {})\n# violated: {}\n# replay: {replay}\n{shrunk}",
        steps_of(text),
        args.steps,
        final_failure.to_string().replace('\n', " "),
    );
    save(
        &path,
        &contents,
        FailureSummary {
            seed,
            check: final_failure.check.clone(),
            violation: final_failure.to_string(),
            shrunk_steps,
            scenario_file: None,
            replay,
        },
    )
}

/// Writes a shrunk failure's file and prints where it is and how to replay it: status 1, or
/// 2 when it cannot be written.
fn save(path: &Path, text: &str, mut summary: FailureSummary) -> (ExitCode, FailureSummary) {
    if let Err(err) = write_file(path, text) {
        eprintln!("dynsup-sim: cannot write {}: {err}", path.display());
        return (ExitCode::from(2), summary);
    }
    println!(
        "shrunk to {} steps: {}",
        summary.shrunk_steps,
        path.display()
    );
    println!("replay: {}", summary.replay);
    summary.scenario_file = Some(path.display().to_string());
    (ExitCode::from(1), summary)
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ExploreArgs,
    }

    fn args(words: &[&str]) -> ExploreArgs {
        Cli::parse_from(std::iter::once("explore").chain(words.iter().copied())).args
    }

    #[test]
    fn the_shards_of_a_range_cover_it_exactly_once() {
        for (first, end) in [(0, 1_000), (17, 18), (5, 5), (u64::MAX - 40, u64::MAX)] {
            for count in [1, 2, 3, 7, 64] {
                let mut covered: Vec<u64> = (0..count)
                    .flat_map(|index| shard_seeds(first, end, (index, count)))
                    .collect();
                covered.sort_unstable();
                assert_eq!(
                    covered,
                    (first..end).collect::<Vec<_>>(),
                    "{first}..{end} in {count}"
                );
            }
        }
    }

    #[test]
    fn the_shard_index_comes_from_the_environment() {
        let env = |value: &'static str| move |var: &str| (var == "IDX").then(|| value.to_owned());
        let from_env = args(&["--shard-from-env", "IDX/8"]);
        assert_eq!(shard_of(&from_env, env("3")), Ok(Some((3, 8))));
        assert_eq!(shard_of(&from_env, env(" 7\n")), Ok(Some((7, 8))));
        for bad in ["8", "-1", "x", ""] {
            let err = shard_of(&from_env, env(bad)).unwrap_err();
            assert!(err.contains("IDX"), "{err}");
        }
        let unset = args(&["--shard-from-env", "MISSING/2"]);
        assert!(shard_of(&unset, env("0")).unwrap_err().contains("not set"));
        let no_slash = args(&["--shard-from-env", "IDX"]);
        assert!(shard_of(&no_slash, env("0")).unwrap_err().contains("VAR/N"));
        let plain = args(&["--shard", "1/4"]);
        assert_eq!(shard_of(&plain, env("3")), Ok(Some((1, 4))));
        assert_eq!(
            seed_list(&args(&["--seeds", "10"]), Some((1, 4))),
            vec![1, 5, 9]
        );
    }
}
