//! The `dynsup-sim` command line: run scenario files, explore random seeds.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Deterministic simulation harness for dynsup's DynamicSupervisor.
#[derive(Parser, Debug)]
#[command(name = "dynsup-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scenario files and print their transcripts (several files: each after `== NAME`).
    Run(cli::run::RunArgs),
    /// Explore random scenarios from seeds with every invariant checked; shrink any failure.
    Explore(cli::explore::ExploreArgs),
    /// Benchmark the simulator, the bare core, the scenarios, the explorer and the runtime.
    Bench(cli::bench::BenchArgs),
    /// Model-check every interleaving of small configurations exhaustively (BFS).
    Check(cli::check::CheckArgs),
    /// Add up the JSON summaries of the shards of one explore run (seeds, rate, coverage).
    MergeSummaries(cli::merge::MergeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => cli::run::main(&args),
        Command::Explore(args) => cli::explore::main(&args),
        Command::Bench(args) => cli::bench::main(&args),
        Command::Check(args) => cli::check::main(&args),
        Command::MergeSummaries(args) => cli::merge::main(&args),
    }
}
