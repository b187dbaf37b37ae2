//! `dynsup-sim bench`: run the benchmark workloads and print a table, or JSON with `--json`;
//! `--vs-beam` also runs `bench/beam.exs` on the real Elixir DynamicSupervisor and compares.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dynsup_sim::bench::{self, beam, memory, BenchConfig, MemoryMode};

use super::progress::StepProgress;

/// Arguments of `dynsup-sim bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Print one JSON object instead of the table: `cores`, `runs`, one key per figure (e.g.
    /// `start_child_ns_per_child_1m`, `explore_seeds_per_sec`), `scenarios` (name, steps,
    /// simulated_us, span_ms, speedup) and `missing`; with --vs-beam also `beam` and `vs_beam`.
    /// Numbers have 3 decimals; one that could not be measured is null. Progress goes to stderr.
    #[arg(long)]
    json: bool,
    /// Also measure the real DynamicSupervisor with `elixir bench/beam.exs` and print both
    /// side by side, with ratios.
    #[arg(long)]
    vs_beam: bool,
    /// Runs per workload; each figure is the median.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    runs: u64,
    /// The conformance scenarios to time (default: tests/scenarios).
    #[arg(long, value_name = "DIR")]
    scenarios: Option<PathBuf>,
    /// The BEAM benchmark script (default: bench/beam.exs).
    #[arg(long, value_name = "FILE")]
    beam_script: Option<PathBuf>,
    /// Run only these workload groups (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(bench::WORKLOADS))]
    only: Vec<String>,
    /// Live children of the tokio runtime workload (`tokio`): start_child, memory,
    /// terminate_child and stop per child, and start throughput with 1 and 2 partitions, at
    /// this many children (1000000 for the seeds' scale: about a minute per run). With
    /// --vs-beam the BEAM measures the same at the same count.
    #[arg(long, value_name = "N", default_value_t = bench::DEFAULT_TOKIO_CHILDREN,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    tokio_children: u64,
    /// Print each conformance scenario's figures too (table only).
    #[arg(long)]
    per_scenario: bool,
    /// Internal: build KIND:N (sim:N, core:N or tokio:N) in this fresh process and print the resident
    /// memory it took per child, in bytes.
    #[arg(long, hide = true, value_name = "KIND:N")]
    memory_probe: Option<String>,
}

/// Finds `relative` under the current directory, or else under the workspace this binary was
/// built from.
fn locate(relative: &str) -> Option<PathBuf> {
    let here = PathBuf::from(relative);
    if here.exists() {
        return Some(here);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    built.exists().then_some(built)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("dynsup-sim bench: {message}");
    ExitCode::from(2)
}

/// Runs the benchmark; exit status 0 on success, 2 when a workload or a tool failed.
pub fn main(args: &BenchArgs) -> ExitCode {
    if let Some(probe) = &args.memory_probe {
        return match probe.parse().and_then(memory::measure_here) {
            Ok(bytes) => {
                println!("{:.3} {:.3}", bytes.total, bytes.history);
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err.to_string()),
        };
    }
    let scenarios_dir = match &args.scenarios {
        Some(dir) => Some(dir.clone()),
        None => locate("tests/scenarios"),
    };
    let beam_script = if args.vs_beam {
        if !beam::elixir_available() {
            return fail("--vs-beam needs `elixir` on PATH");
        }
        match args
            .beam_script
            .clone()
            .or_else(|| locate("bench/beam.exs"))
        {
            Some(script) => Some(script),
            None => return fail("cannot find bench/beam.exs (give --beam-script FILE)"),
        }
    } else {
        None
    };
    let memory = match std::env::current_exe() {
        Ok(exe) => MemoryMode::FreshProcess(exe),
        Err(_) => MemoryMode::Skip,
    };
    let config = BenchConfig {
        runs: usize::try_from(args.runs).unwrap_or(5),
        scenarios_dir,
        memory,
        beam_script,
        only: args.only.clone(),
        tokio_children: args.tokio_children,
        ..BenchConfig::default()
    };
    let steps = StepProgress::new();
    let result = bench::run(&config, &mut |line: &str| steps.line(line));
    steps.finish();
    let report = match result {
        Ok(report) => report,
        Err(err) => return fail(&err.to_string()),
    };
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        write!(out, "{}", report.to_json())
    } else {
        let mut text = report.to_string();
        if args.per_scenario {
            text.push_str(&per_scenario_table(&report));
        }
        write!(out, "{text}")
    };
    if written.is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn per_scenario_table(report: &bench::report::Report) -> String {
    let mut text = String::from(
        "\nscenario                                           steps  simulated    span  speedup\n",
    );
    for s in &report.scenarios {
        let speedup = s
            .speedup()
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.0}x"));
        text.push_str(&format!(
            "{:<50} {:>5}  {:>9}  {:>5}ms  {speedup}\n",
            s.name,
            s.steps,
            bench::report::human(s.simulated_ns, bench::report::Unit::Nanos),
            s.span_ms
        ));
    }
    text
}
