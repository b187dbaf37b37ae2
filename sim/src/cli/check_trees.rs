//! `dynsup-sim check --trees`: the exhaustive search over every sequence of operations on a
//! small supervision tree ([`dynsup_sim::tree::check`]), with the flat `check`'s figures,
//! progress and `--json`; a violation's shortest path is written as a tree file that
//! `dynsup-sim run` replays.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use dynsup_sim::model_check::search::search_from;
use dynsup_sim::tree::check::{TreeCheckConfig, TreeState, DEFAULT_TREE};

use super::check::{
    print_json, print_report, progress_lines, CheckArgs, ConfigSummary, ViolationSummary,
};

/// The configuration asked for: the tree (`--tree FILE` or the built-in one) and the bounds.
fn config_of(args: &CheckArgs) -> Result<TreeCheckConfig, String> {
    let (text, name) = match &args.tree {
        Some(path) => (
            dynsup_sim::scenario::read_text(path).map_err(|e| e.to_string())?,
            path.display().to_string(),
        ),
        None => (DEFAULT_TREE.to_owned(), "the built-in tree".to_owned()),
    };
    let mut config = TreeCheckConfig::new(&text).map_err(|e| e.in_file(name).to_string())?;
    if let Some(depth) = args.depth {
        config.depth = depth;
    }
    if let Some(max_states) = args.max_states {
        config.max_states = max_states;
    }
    if let Some(max_time_ms) = args.max_time_ms {
        config.max_time_ms = max_time_ms;
    }
    config.defect = args.plant_tree_defect.map(Into::into);
    Ok(config)
}

/// Runs `dynsup-sim check --trees`: status 0 when no state breaks a rule, 1 on a violation, 2
/// on a bad tree file.
pub fn main(args: &CheckArgs) -> ExitCode {
    let config = match config_of(args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    println!(
        "trees: depth {}, waits of {} ms up to {} ms, the tree:",
        config.depth,
        dynsup_sim::tree::check::WAIT_MS,
        config.max_time_ms
    );
    for line in config.nodes.lines() {
        println!("  {line}");
    }
    let begun = Instant::now();
    let report = match TreeState::initial(&config) {
        Ok(initial) => {
            let mut progress = progress_lines("trees", begun);
            search_from(initial, &config, jobs, &mut progress)
        }
        Err(violation) => {
            println!("  VIOLATION at start-up: {violation}");
            return ExitCode::from(1);
        }
    };
    let (seconds, per_sec) = print_report("trees", "tree", &report, begun);
    let mut status = ExitCode::SUCCESS;
    let violation = report.violation.as_ref().map(|found| {
        status = ExitCode::from(1);
        let planted = args.plant_tree_defect.map_or_else(String::new, |d| {
            format!(" --plant-tree-defect {}", d.name())
        });
        let path = args.out.join("tree-check.scn");
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# dynsup-sim check --trees counterexample ({} steps)",
            found.path.len()
        );
        let _ = writeln!(text, "# {}", found.violation.to_string().replace('\n', " "));
        let _ = writeln!(text, "# replay: dynsup-sim run{planted} {}", path.display());
        text.push_str(&config.file_text(&found.path));
        let written =
            std::fs::create_dir_all(&args.out).and_then(|()| std::fs::write(&path, &text));
        let file = match written {
            Ok(()) => {
                println!(
                    "  written to {0}; replay: dynsup-sim run{planted} {0}",
                    path.display()
                );
                Some(path.display().to_string())
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                None
            }
        };
        ViolationSummary {
            checker: found.violation.checker.to_owned(),
            message: found.violation.message.clone(),
            steps: found.path.len(),
            file,
        }
    });
    if args.json {
        let config = ConfigSummary {
            name: "trees".to_owned(),
            states: report.states,
            transitions: report.transitions,
            depth: report.depth,
            complete: report.complete,
            seconds,
            states_per_sec: per_sec,
            violation,
        };
        print_json(vec![config], seconds, jobs);
    }
    status
}
