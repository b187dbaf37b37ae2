//! `dynsup-sim bench`: fixed workloads on the simulator and on the bare core, the conformance
//! scenarios, the explorer and the model checker, each figure the median of several runs,
//! optionally side by side with the real Elixir DynamicSupervisor (`bench/beam.exs`).
//!
//! Benchmarks are programs that print figures; nothing here asserts a time.
//!
//! **Not part of the library's API**: this module is the `dynsup-sim` binary's (and the
//! `runtime_latency` example's), public only so that they can reach it, and hidden from the
//! documentation. It may change at any time.

pub mod bare;
pub mod beam;
pub mod check;
pub mod explore;
pub mod memory;
pub mod report;
pub mod scenarios;
pub mod simulated;
pub mod threads;
pub mod timing;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod user_check;

use std::fmt;
use std::hint::black_box;
use std::path::PathBuf;

use dynsup::{ChildCounts, ChildInfo, Pid};

use bare::BareCore;
use memory::{Probe, ProbeKind};
use report::{Figure, Report, Section, Unit};
use simulated::BenchSimulation;
use timing::{median, ns_per, per_second, timed};

/// A workload could not run (a bug in the workload or the system, or a missing tool).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchError(pub String);

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

/// How bytes per child are measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemoryMode {
    /// In a fresh process of this binary (`BINARY bench --memory-probe KIND:N`).
    FreshProcess(PathBuf),
    /// In this process (only meaningful in a fresh one).
    InProcess,
    /// Not at all.
    Skip,
}

/// What to measure, and how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    /// Runs per workload; every figure is the median.
    pub runs: usize,
    /// The children counts of the start_child scaling series (1k, 10k, 100k, 1M).
    pub sizes: Vec<u64>,
    /// Crash and restart cycles per run.
    pub restart_cycles: u64,
    /// count_children calls per run.
    pub count_calls: u64,
    /// The conformance scenarios' directory (`None`: skip them).
    pub scenarios_dir: Option<PathBuf>,
    /// How bytes per child are measured.
    pub memory: MemoryMode,
    /// Seeds per explore run (0: skip the explorer).
    pub explore_seeds: u64,
    /// Steps per explored scenario.
    pub explore_steps: usize,
    /// Seeds of the worked example's check per run (0: skip it).
    pub user_check_seeds: u64,
    /// Search the model checker's default set (`dynsup-sim check`) with one and two jobs.
    pub model_check: bool,
    /// Children started (each a thread) in the threaded runtime workload (0: skip it).
    pub thread_children: usize,
    /// Live children of the tokio runtime workload (feature `tokio`; 0: skip it).
    pub tokio_children: u64,
    /// Crash and restart cycles per run of the tokio runtime workload.
    pub tokio_restart_cycles: u64,
    /// Only these workload groups (names from [`WORKLOADS`]); empty: all of them.
    pub only: Vec<String>,
    /// `bench/beam.exs`, to run with `elixir` and compare (`None`: no comparison).
    pub beam_script: Option<PathBuf>,
}

impl Default for BenchConfig {
    /// The full benchmark: 5 runs, sizes 1k to 1M, 200k restart cycles, 200k count calls,
    /// 1,000 explore seeds of 200 steps, the model checker's default set, 2,000 threads, 100k
    /// tokio children with 100k restart cycles; no scenarios, memory or BEAM unless set.
    fn default() -> Self {
        BenchConfig {
            runs: 5,
            sizes: vec![1_000, 10_000, 100_000, 1_000_000],
            restart_cycles: 200_000,
            count_calls: 200_000,
            scenarios_dir: None,
            memory: MemoryMode::Skip,
            explore_seeds: 1_000,
            explore_steps: 200,
            user_check_seeds: 1_000,
            model_check: true,
            thread_children: 2_000,
            tokio_children: DEFAULT_TOKIO_CHILDREN,
            tokio_restart_cycles: 100_000,
            only: Vec::new(),
            beam_script: None,
        }
    }
}

/// The children count the figures at "100k" are taken at (which_children, terminate_child,
/// and the comparison with the BEAM).
pub const MID_SIZE: u64 = 100_000;
/// The children count the figures at "1m" are taken at (count_children, memory).
pub const LARGE_SIZE: u64 = 1_000_000;

/// The tokio runtime workload's default children count (`--tokio-children`): 1M children
/// take about a minute per run.
pub const DEFAULT_TOKIO_CHILDREN: u64 = 100_000;

/// `1k`, `10k`, `100k`, `1m`, or the number itself.
pub fn size_suffix(children: u64) -> String {
    match children {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// The operations both drivers offer.
trait Driver {
    fn start_child(&mut self) -> Result<Pid, BenchError>;
    fn count_children(&mut self) -> Result<ChildCounts, BenchError>;
    fn which_children(&mut self) -> Result<Vec<ChildInfo>, BenchError>;
    fn terminate_child(&mut self, pid: Pid) -> Result<(), BenchError>;
    fn crash_and_restart(&mut self, pid: Pid) -> Result<Pid, BenchError>;
}

impl Driver for BareCore {
    fn start_child(&mut self) -> Result<Pid, BenchError> {
        BareCore::start_child(self)
    }
    fn count_children(&mut self) -> Result<ChildCounts, BenchError> {
        BareCore::count_children(self)
    }
    fn which_children(&mut self) -> Result<Vec<ChildInfo>, BenchError> {
        BareCore::which_children(self)
    }
    fn terminate_child(&mut self, pid: Pid) -> Result<(), BenchError> {
        BareCore::terminate_child(self, pid)
    }
    fn crash_and_restart(&mut self, pid: Pid) -> Result<Pid, BenchError> {
        BareCore::crash_and_restart(self, pid, 1)
    }
}

impl Driver for BenchSimulation {
    fn start_child(&mut self) -> Result<Pid, BenchError> {
        simulated::start_child(self)
    }
    fn count_children(&mut self) -> Result<ChildCounts, BenchError> {
        simulated::count_children(self)
    }
    fn which_children(&mut self) -> Result<Vec<ChildInfo>, BenchError> {
        simulated::which_children(self)
    }
    fn terminate_child(&mut self, pid: Pid) -> Result<(), BenchError> {
        simulated::terminate_child(self, pid)
    }
    fn crash_and_restart(&mut self, pid: Pid) -> Result<Pid, BenchError> {
        simulated::crash_and_restart(self, pid, 1)
    }
}

/// Restarts allowed per one-second window in the restart workload (1 ms between crashes
/// makes at most about 2,000 per window).
const RESTART_BUDGET: i64 = 1_000_000;

/// The samples of the population workloads, one entry per run.
#[derive(Default)]
struct PopulationSamples {
    /// start_child ns per child, by size.
    start: Vec<(u64, Vec<f64>)>,
    /// count_children ns per call, by size.
    count: Vec<(u64, Vec<f64>)>,
    which_ms: Vec<f64>,
    terminate_ns: Vec<f64>,
}

fn samples_at(series: &mut Vec<(u64, Vec<f64>)>, size: u64) -> &mut Vec<f64> {
    let index = match series.iter().position(|(s, _)| *s == size) {
        Some(index) => index,
        None => {
            series.push((size, Vec::new()));
            series.len() - 1
        }
    };
    &mut series[index].1
}

/// Runs the population workloads once at `size` children on a fresh driver.
fn population_run<D: Driver>(
    driver: &mut D,
    size: u64,
    config: &BenchConfig,
    samples: &mut PopulationSamples,
) -> Result<(), BenchError> {
    let mut pids = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let (elapsed, started) = timed(|| -> Result<(), BenchError> {
        for _ in 0..size {
            pids.push(driver.start_child()?);
        }
        Ok(())
    });
    started?;
    samples_at(&mut samples.start, size).push(ns_per(elapsed, size));
    if size == MID_SIZE || size == LARGE_SIZE {
        let calls = config.count_calls;
        let (elapsed, counted) = timed(|| -> Result<u64, BenchError> {
            let mut active = 0;
            for _ in 0..calls {
                active += black_box(driver.count_children()?).active;
            }
            Ok(active)
        });
        if counted? != calls * size {
            return Err(BenchError(format!(
                "count_children did not see {size} children"
            )));
        }
        samples_at(&mut samples.count, size).push(ns_per(elapsed, calls));
    }
    if size == MID_SIZE {
        let mut which = Vec::new();
        for _ in 0..3 {
            let (elapsed, infos) = timed(|| driver.which_children());
            if u64::try_from(infos?.len()).ok() != Some(size) {
                return Err(BenchError("which_children missed children".into()));
            }
            which.push(elapsed.as_secs_f64() * 1e3);
        }
        samples.which_ms.push(median(&which));
        let (elapsed, terminated) = timed(|| -> Result<(), BenchError> {
            for &pid in &pids {
                driver.terminate_child(pid)?;
            }
            Ok(())
        });
        terminated?;
        samples.terminate_ns.push(ns_per(elapsed, size));
    }
    Ok(())
}

/// Runs `cycles` crash and restart cycles of one child; returns cycles per second.
fn restart_run<D: Driver>(driver: &mut D, cycles: u64) -> Result<f64, BenchError> {
    let mut pid = driver.start_child()?;
    let (elapsed, done) = timed(|| -> Result<(), BenchError> {
        for _ in 0..cycles {
            pid = driver.crash_and_restart(pid)?;
        }
        Ok(())
    });
    done?;
    Ok(per_second(elapsed, cycles))
}

/// Builds the figures of one driver (`prefix` "" for the simulator, "core_" for the core).
fn driver_section<D: Driver>(
    title: &str,
    prefix: &str,
    mut make: impl FnMut(i64) -> Result<D, BenchError>,
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let mut samples = PopulationSamples::default();
    let mut restarts = Vec::new();
    for run in 1..=config.runs.max(1) {
        for &size in &config.sizes {
            let mut driver = make(3)?;
            population_run(&mut driver, size, config, &mut samples)?;
            drop(driver);
        }
        let mut driver = make(RESTART_BUDGET)?;
        restarts.push(restart_run(&mut driver, config.restart_cycles)?);
        progress(&format!("  {title}: run {run}/{} done", config.runs.max(1)));
    }
    let goal = |on: bool, text: &'static str| on.then_some(text);
    let is_sim = prefix.is_empty();
    let mut figures = Vec::new();
    for (size, values) in &samples.start {
        let suffix = size_suffix(*size);
        figures.push(Figure {
            key: format!("{prefix}start_child_ns_per_child_{suffix}"),
            label: format!("start_child, per child, {suffix} children"),
            value: median(values),
            unit: Unit::Nanos,
            beam_key: (*size == MID_SIZE).then_some("start_child_ns_per_child_100k"),
            goal: goal(is_sim && *size == LARGE_SIZE, "≤ 300 ns"),
        });
    }
    for (size, values) in &samples.count {
        let suffix = size_suffix(*size);
        figures.push(Figure {
            key: format!("{prefix}count_children_ns_{suffix}"),
            label: format!("count_children, {suffix} children"),
            value: median(values),
            unit: Unit::Nanos,
            beam_key: (*size == MID_SIZE).then_some("count_children_ns_100k"),
            goal: goal(*size == LARGE_SIZE, "≤ 100 ns"),
        });
    }
    if !samples.which_ms.is_empty() {
        figures.push(Figure {
            key: format!("{prefix}which_children_ms_100k"),
            label: "which_children, 100k children".into(),
            value: median(&samples.which_ms),
            unit: Unit::Millis,
            beam_key: Some("which_children_ms_100k"),
            goal: Some("≤ 6.9 ms (138 ms / 20)"),
        });
        figures.push(Figure {
            key: format!("{prefix}terminate_child_ns_per_child_100k"),
            label: "terminate_child, per child, 100k children".into(),
            value: median(&samples.terminate_ns),
            unit: Unit::Nanos,
            beam_key: Some("terminate_child_ns_per_child_100k"),
            goal: None,
        });
    }
    figures.push(Figure {
        key: format!("{prefix}restarts_per_sec"),
        label: "crash and restart cycles".into(),
        value: median(&restarts),
        unit: Unit::PerSecond,
        beam_key: Some("restarts_per_sec"),
        goal: goal(true, "≥ 1M/s"),
    });
    Ok(Section {
        title: title.to_owned(),
        figures,
    })
}

/// Measures bytes per child at 100k and 1M children for both drivers.
fn memory_figures(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<(ProbeKind, Figure)>, BenchError> {
    let mut figures = Vec::new();
    for kind in [ProbeKind::Simulated, ProbeKind::Bare] {
        for children in [MID_SIZE, LARGE_SIZE] {
            let probe = Probe { kind, children };
            let mut totals = Vec::new();
            let mut histories = Vec::new();
            for _ in 0..config.runs.clamp(1, 3) {
                let footprint = match &config.memory {
                    MemoryMode::FreshProcess(exe) => memory::measure_in_fresh_process(exe, probe)?,
                    MemoryMode::InProcess => memory::measure_here(probe)?,
                    MemoryMode::Skip => return Ok(Vec::new()),
                };
                totals.push(footprint.total);
                histories.push(footprint.history);
            }
            let suffix = size_suffix(children);
            let prefix = if kind == ProbeKind::Bare { "core_" } else { "" };
            let (value, history) = (median(&totals), median(&histories));
            progress(&format!(
                "  memory {probe}: {value:.0} bytes per child ({history:.0} of them history)"
            ));
            figures.push((
                kind,
                Figure {
                    key: format!("{prefix}bytes_per_child_{suffix}"),
                    label: format!("memory per child, {suffix} children"),
                    value,
                    unit: Unit::Bytes,
                    beam_key: (children == MID_SIZE).then_some("bytes_per_child_100k"),
                    goal: (kind == ProbeKind::Simulated && children == LARGE_SIZE)
                        .then_some("≤ 150 B"),
                },
            ));
            if kind == ProbeKind::Simulated {
                figures.push((
                    kind,
                    Figure {
                        key: format!("history_bytes_per_child_{suffix}"),
                        label: format!("  of which trace + event history, {suffix}"),
                        value: history,
                        unit: Unit::Bytes,
                        beam_key: None,
                        goal: None,
                    },
                ));
            }
        }
    }
    Ok(figures)
}

/// Runs the conformance scenarios and returns their section and per-scenario figures.
fn scenario_section(
    dir: &std::path::Path,
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<(Section, Vec<scenarios::ScenarioFigure>), BenchError> {
    let files = scenarios::scenario_files(dir)?;
    let mut figures = Vec::with_capacity(files.len());
    for path in &files {
        figures.push(scenarios::measure(path, config.runs)?);
    }
    let total_ns: f64 = figures.iter().map(|s| s.simulated_ns).sum();
    let total_span_ms: u64 = figures.iter().map(|s| s.span_ms).sum();
    let per_scenario: Vec<f64> = figures.iter().map(|s| s.simulated_ns).collect();
    let slowest = per_scenario.iter().copied().fold(0.0, f64::max);
    let speedups: Vec<f64> = figures.iter().filter_map(|s| s.speedup()).collect();
    let least = speedups.iter().copied().fold(f64::INFINITY, f64::min);
    let aggregate = total_span_ms as f64 * 1e6 / total_ns.max(1.0);
    progress(&format!(
        "  {} scenarios: {:.1} ms simulated for {:.1} s of real time",
        figures.len(),
        total_ns / 1e6,
        total_span_ms as f64 / 1e3
    ));
    let count = figures.len();
    let section = Section {
        title: format!("conformance scenarios ({count} files in {})", dir.display()),
        figures: vec![
            Figure {
                key: "scenario_sim_ns_median".into(),
                label: "simulated time per scenario, median".into(),
                value: median(&per_scenario),
                unit: Unit::Nanos,
                beam_key: None,
                goal: None,
            },
            Figure {
                key: "scenario_sim_ns_max".into(),
                label: "simulated time per scenario, slowest".into(),
                value: slowest,
                unit: Unit::Nanos,
                beam_key: None,
                goal: None,
            },
            Figure {
                key: "scenario_speedup_vs_real_time".into(),
                label: "speedup vs real time, all scenarios".into(),
                value: aggregate,
                unit: Unit::Times,
                beam_key: None,
                goal: Some("≥ 10,000x"),
            },
            Figure {
                key: "scenario_speedup_min".into(),
                label: "speedup vs real time, least".into(),
                value: if least.is_finite() { least } else { 0.0 },
                unit: Unit::Times,
                beam_key: None,
                goal: None,
            },
        ],
    };
    Ok((section, figures))
}

/// Measures the explorer's seeds per second (each run on its own seeds).
fn explore_section(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let mut rates = Vec::new();
    for run in 0..config.runs.max(1) {
        let first = u64::try_from(run).unwrap_or(0) * config.explore_seeds;
        let rate = explore::seeds_per_second(first, config.explore_seeds, config.explore_steps)?;
        progress(&format!("  explore: {rate:.0} seeds/s"));
        rates.push(rate);
    }
    Ok(Section {
        title: format!(
            "explore: {}-step scenarios, every checker and the model, one thread",
            config.explore_steps
        ),
        figures: vec![Figure {
            key: "explore_seeds_per_sec".into(),
            label: "seeds per second per core".into(),
            value: median(&rates),
            unit: Unit::PerSecond,
            beam_key: None,
            goal: Some("≥ 10,000/s"),
        }],
    })
}

/// Measures the worked example's check (docs/testing-your-workers.md): seeds per second.
fn user_check_section(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let mut rates = Vec::new();
    for run in 0..config.runs.max(1) {
        let first = u64::try_from(run).unwrap_or(0) * config.user_check_seeds;
        let rate = user_check::seeds_per_second(first, config.user_check_seeds)?;
        progress(&format!("  user check: {rate:.0} seeds/s"));
        rates.push(rate);
    }
    Ok(Section {
        title: "user check: the worked example's session body, 100 operations, faults on, one \
                thread"
            .to_owned(),
        figures: vec![Figure {
            key: "user_check_seeds_per_sec".into(),
            label: "seeds per second per core".into(),
            value: median(&rates),
            unit: Unit::PerSecond,
            beam_key: None,
            goal: None,
        }],
    })
}

/// Measures the model checker on its default set: one job, two jobs, and two one-job searches
/// at once (the machine's ceiling for two workers). Each ratio is the median of the rounds'
/// own ratios, so that a slow minute slows both sides of one ratio alike.
fn check_section(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let set = crate::model_check::config::default_set();
    let mut rounds = Vec::new();
    for run in 1..=config.runs.max(1) {
        let round = check::round(&set)?;
        progress(&format!(
            "  check: run {run}/{}: one job {:.0} states/s, two jobs {:.0} ({:.2}x), two \
             one-job searches at once {:.2}x",
            config.runs.max(1),
            round.one_job,
            round.two_jobs,
            round.speedup(),
            round.ceiling()
        ));
        rounds.push(round);
    }
    let of = |pick: &dyn Fn(&check::CheckRound) -> f64| {
        median(&rounds.iter().map(pick).collect::<Vec<f64>>())
    };
    let figure =
        |key: &str, label: &str, value: f64, unit: Unit, goal: Option<&'static str>| Figure {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
            unit,
            beam_key: None,
            goal,
        };
    Ok(Section {
        title: "model checker: `check` on its default set (distinct states)".into(),
        figures: vec![
            figure(
                "check_states_per_sec_1_job",
                "states per second, one job",
                of(&|r| r.one_job),
                Unit::PerSecond,
                Some("≥ 1,000,000/s"),
            ),
            figure(
                "check_states_per_sec_2_jobs",
                "states per second, two jobs",
                of(&|r| r.two_jobs),
                Unit::PerSecond,
                None,
            ),
            figure(
                "check_speedup_2_jobs",
                "two jobs over one",
                of(&|r| r.speedup()),
                Unit::Times,
                Some("near 2x"),
            ),
            figure(
                "check_ceiling_2_apart",
                "two one-job searches at once over one (the machine's ceiling)",
                of(&|r| r.ceiling()),
                Unit::Times,
                None,
            ),
            figure(
                "check_speedup_of_ceiling",
                "two jobs' speedup over the ceiling",
                of(&|r| r.speedup() / r.ceiling().max(f64::MIN_POSITIVE)),
                Unit::Times,
                Some("near 1x"),
            ),
        ],
    })
}

/// Measures the threaded runtime's call latencies.
fn thread_section(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let mut runs = Vec::new();
    for run in 1..=config.runs.max(1) {
        runs.push(threads::measure(config.thread_children)?);
        progress(&format!("  threads: run {run}/{} done", config.runs.max(1)));
    }
    let of = |pick: fn(&threads::ThreadFigures) -> f64| {
        median(&runs.iter().map(pick).collect::<Vec<f64>>())
    };
    let children = config.thread_children;
    let figure = |key: &str, label: String, value: f64| Figure {
        key: key.to_owned(),
        label,
        value,
        unit: Unit::Micros,
        beam_key: None,
        goal: None,
    };
    Ok(Section {
        title: "threaded runtime: dynsup::runtime, one thread per child".into(),
        figures: vec![
            figure(
                "threads_start_child_us",
                format!("start_child latency, up to {children} children"),
                of(|f| f.start_child_us),
            ),
            figure(
                "threads_count_children_us",
                format!("count_children latency, {children} children"),
                of(|f| f.count_children_us),
            ),
            figure(
                "threads_terminate_child_us",
                format!("terminate_child latency, from {children} children"),
                of(|f| f.terminate_child_us),
            ),
        ],
    })
}

/// Measures the tokio runtime at `config.tokio_children` live children (and its bytes per
/// child in a fresh process, when memory is measured).
#[cfg(feature = "tokio")]
fn tokio_section(
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    let children = config.tokio_children;
    let mut runs = Vec::new();
    for run in 1..=config.runs.max(1) {
        let figures = tokio::measure(children, config.tokio_restart_cycles)?;
        progress(&format!(
            "  tokio: run {run}/{}: start_child {:.2} µs/child, terminate_child {:.2} µs/child, \
             stop {:.2} s, {:.0} restarts/s",
            config.runs.max(1),
            figures.start_child_us,
            figures.terminate_child_us,
            figures.stop_s,
            figures.restarts_per_sec
        ));
        runs.push(figures);
    }
    let of = |pick: fn(&tokio::TokioFigures) -> f64| {
        median(&runs.iter().map(pick).collect::<Vec<f64>>())
    };
    let suffix = size_suffix(children);
    let at_goal = children == LARGE_SIZE;
    let goal = |text: &'static str| at_goal.then_some(text);
    let mut figures = vec![Figure {
        key: format!("tokio_start_child_us_per_child_{suffix}"),
        label: format!("start_child, per child, {suffix} children"),
        value: of(|f| f.start_child_us),
        unit: Unit::Micros,
        beam_key: Some("scale_start_child_us_per_child"),
        goal: goal("≤ 2 µs"),
    }];
    let probe = Probe {
        kind: ProbeKind::Tokio,
        children,
    };
    let mut bytes = Vec::new();
    for _ in 0..config.runs.clamp(1, 3) {
        match &config.memory {
            MemoryMode::FreshProcess(exe) => {
                bytes.push(memory::measure_in_fresh_process(exe, probe)?.total);
            }
            MemoryMode::InProcess => bytes.push(memory::measure_here(probe)?.total),
            MemoryMode::Skip => break,
        }
    }
    if !bytes.is_empty() {
        progress(&format!(
            "  memory {probe}: {:.0} bytes per child",
            median(&bytes)
        ));
        figures.push(Figure {
            key: format!("tokio_bytes_per_child_{suffix}"),
            label: format!("memory per child, {suffix} children"),
            value: median(&bytes),
            unit: Unit::Bytes,
            beam_key: Some("scale_bytes_per_child"),
            goal: goal("≤ 1 KB"),
        });
    }
    figures.extend([
        Figure {
            key: format!("tokio_terminate_child_us_per_child_{suffix}"),
            label: format!("terminate_child, per child, {suffix} children"),
            value: of(|f| f.terminate_child_us),
            unit: Unit::Micros,
            beam_key: Some("scale_terminate_child_us_per_child"),
            goal: goal("≤ 2 µs"),
        },
        Figure {
            key: format!("tokio_stop_s_{suffix}"),
            label: format!("stop, with {suffix} children"),
            value: of(|f| f.stop_s),
            unit: Unit::Seconds,
            beam_key: Some("scale_stop_s"),
            goal: goal("≤ 3 s"),
        },
        Figure {
            key: "tokio_restarts_per_sec".into(),
            label: "crash and restart cycles".into(),
            value: of(|f| f.restarts_per_sec),
            unit: Unit::PerSecond,
            beam_key: Some("restarts_per_sec"),
            goal: Some("≥ 500k/s"),
        },
        Figure {
            key: format!("tokio_partition_1_starts_per_sec_{suffix}"),
            label: format!("start_child throughput, 1 partition, {suffix}"),
            value: of(|f| f.partition_starts_per_sec[0]),
            unit: Unit::PerSecond,
            beam_key: Some("scale_partition_1_starts_per_sec"),
            goal: None,
        },
        Figure {
            key: format!("tokio_partition_2_starts_per_sec_{suffix}"),
            label: format!("start_child throughput, 2 partitions, {suffix}"),
            value: of(|f| f.partition_starts_per_sec[1]),
            unit: Unit::PerSecond,
            beam_key: Some("scale_partition_2_starts_per_sec"),
            goal: None,
        },
    ]);
    Ok(Section {
        title: "tokio runtime: dynsup::tokio_runtime, one task per child".into(),
        figures,
    })
}

/// Without the feature `tokio` the workload is missing.
#[cfg(not(feature = "tokio"))]
fn tokio_section(
    _config: &BenchConfig,
    _progress: &mut dyn FnMut(&str),
) -> Result<Section, BenchError> {
    Err(BenchError(
        "the tokio runtime workload needs the feature `tokio`".into(),
    ))
}

/// The workload groups, as `--only` names them.
pub const WORKLOADS: [&str; 9] = [
    "sim",
    "core",
    "memory",
    "scenarios",
    "explore",
    "user-check",
    "check",
    "threads",
    "tokio",
];

/// Runs every workload `config` asks for, reporting progress line by line.
pub fn run(config: &BenchConfig, progress: &mut dyn FnMut(&str)) -> Result<Report, BenchError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut report = Report {
        cores,
        runs: config.runs.max(1),
        ..Report::default()
    };
    let wants = |name: &str| config.only.is_empty() || config.only.iter().any(|o| o == name);
    let sim_title = "simulator: Simulation, trivial workers";
    let core_title = "bare core: DynamicSupervisor driven by hand";
    let mut sim = Section {
        title: sim_title.into(),
        figures: Vec::new(),
    };
    let mut core = Section {
        title: core_title.into(),
        figures: Vec::new(),
    };
    if wants("sim") {
        progress("simulator (Simulation with trivial workers, no-history mode)...");
        sim = driver_section(sim_title, "", simulated::new_simulation, config, progress)?;
    }
    if wants("core") {
        progress("bare core (DynamicSupervisor driven by hand)...");
        core = driver_section(core_title, "core_", BareCore::new, config, progress)?;
    }
    if !wants("memory") {
    } else if config.memory == MemoryMode::Skip {
        report
            .missing
            .push("bytes per child: memory probes were skipped".into());
    } else {
        progress("memory per child (resident set growth in a fresh process)...");
        for (kind, figure) in memory_figures(config, progress)? {
            match kind {
                ProbeKind::Simulated => sim.figures.push(figure),
                // The tokio runtime's figures go to its own section.
                ProbeKind::Bare | ProbeKind::Tokio => core.figures.push(figure),
            }
        }
    }
    for section in [sim, core] {
        if !section.figures.is_empty() {
            report.sections.push(section);
        }
    }
    if let Some(dir) = config.scenarios_dir.as_ref().filter(|_| wants("scenarios")) {
        progress("conformance scenarios...");
        let (section, figures) = scenario_section(dir, config, progress)?;
        report.sections.push(section);
        report.scenarios = figures;
    }
    if config.explore_seeds > 0 && wants("explore") {
        progress(&format!(
            "explore ({} seeds of {} steps per run, every checker on)...",
            config.explore_seeds, config.explore_steps
        ));
        report.sections.push(explore_section(config, progress)?);
    }
    if config.user_check_seeds > 0 && wants("user-check") {
        progress(&format!(
            "user check ({} seeds of the worked example per run)...",
            config.user_check_seeds
        ));
        report.sections.push(user_check_section(config, progress)?);
    }
    if config.model_check && wants("check") {
        progress("model checker (the default set with one job, two jobs, and two one-job searches at once)...");
        report.sections.push(check_section(config, progress)?);
    }
    if config.thread_children > 0 && wants("threads") {
        progress("threaded runtime (dynsup::runtime, one thread per child)...");
        report.sections.push(thread_section(config, progress)?);
    }
    let tokio_wanted = config.tokio_children > 0 && wants("tokio");
    if tokio_wanted && cfg!(feature = "tokio") {
        progress(&format!(
            "tokio runtime ({} children, one task each)...",
            config.tokio_children
        ));
        report.sections.push(tokio_section(config, progress)?);
    } else if tokio_wanted {
        report
            .missing
            .push("tokio runtime: this build has no feature `tokio`".into());
    }
    if let Some(script) = &config.beam_script {
        progress(&format!("BEAM: elixir {} ...", script.display()));
        let scale = if tokio_wanted {
            config.tokio_children
        } else {
            0
        };
        report.beam = Some(beam::run_script(script, scale)?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(size_suffix(1_000), "1k");
        assert_eq!(size_suffix(100_000), "100k");
        assert_eq!(size_suffix(1_000_000), "1m");
        assert_eq!(size_suffix(1_500), "1500");
    }

    #[test]
    fn a_tiny_benchmark_runs_end_to_end() {
        let config = BenchConfig {
            runs: 1,
            sizes: vec![10],
            restart_cycles: 10,
            count_calls: 10,
            explore_seeds: 0,
            user_check_seeds: 3,
            model_check: false,
            thread_children: 2,
            tokio_children: 20,
            tokio_restart_cycles: 10,
            ..BenchConfig::default()
        };
        let mut lines = Vec::new();
        let report = run(&config, &mut |line| lines.push(line.to_owned())).unwrap();
        assert!(report.get("start_child_ns_per_child_10").is_some());
        assert!(report.get("core_start_child_ns_per_child_10").is_some());
        assert!(report.get("restarts_per_sec").is_some());
        assert!(report
            .get("user_check_seeds_per_sec")
            .is_some_and(|rate| rate > 0.0));
        assert_eq!(
            report.get("tokio_start_child_us_per_child_20").is_some(),
            cfg!(feature = "tokio")
        );
        assert!(!lines.is_empty());
    }
}
