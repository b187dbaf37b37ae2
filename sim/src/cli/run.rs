//! `dynsup-sim run FILE...`: print the transcript of each scenario file, with every invariant
//! checked and the transcript compared with the reference model's (a tree file's with the tree
//! reference model's, `dynsup_sim::tree::reference`); or, with
//! `--runtime threads`, as the real threaded runtime prints it in real time; or, with
//! `--runtime tokio`, as the tokio runtime prints it on tokio's paused (virtual) clock; or,
//! with `--runtime tokio-multi-thread`, on a multi-threaded tokio runtime (two worker threads)
//! in real time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dynsup_sim::coverage::Coverage;
use dynsup_sim::runner::{self, RunError};
use dynsup_sim::scenario;
use dynsup_sim::testing::{check_scenario_counted_with, Defect, TreeDefect};
use dynsup_sim::threads;
use dynsup_sim::tree::{self, coverage::TreeSituation};

use super::defect::{DefectArg, TreeDefectArg};

/// Arguments of `dynsup-sim run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario files to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Plant a deliberate defect in the reference model (to replay an explorer finding).
    #[arg(long, value_enum, hide = true)]
    plant_defect: Option<DefectArg>,
    /// Plant a deliberately wrong tree checker (to replay an `explore --trees` finding).
    #[arg(long, value_enum, hide = true)]
    plant_tree_defect: Option<TreeDefectArg>,
    /// Where the scenarios run: the deterministic simulator (virtual time), or the real
    /// threaded runtime (real time: it takes as long as the scenario), or the tokio runtime
    /// (on tokio's paused clock: virtual time, or on two worker threads in real time).
    #[arg(long, value_enum, default_value_t = RuntimeArg::Sim)]
    runtime: RuntimeArg,
    /// After the transcripts, print the coverage table: the supervisor situations the
    /// scenarios reached, and the tree situations the tree files reached (simulator only;
    /// docs/coverage.md).
    #[arg(long)]
    coverage: bool,
}

/// The runtime of `dynsup-sim run --runtime`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuntimeArg {
    /// The deterministic simulator, in virtual time, checked against the reference model.
    #[default]
    Sim,
    /// The real threaded runtime (`dynsup::runtime`), in real time.
    Threads,
    /// The tokio runtime (`dynsup::tokio_runtime`), on tokio's paused (virtual) clock.
    Tokio,
    /// The tokio runtime on a multi-threaded tokio runtime of two worker threads, in real time.
    TokioMultiThread,
}

/// Worker threads of `--runtime tokio-multi-thread`.
const TOKIO_WORKER_THREADS: usize = 2;

/// The scenario's name: its file name without directory and `.scn` extension.
fn name_of(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Runs every file. Exit status 0 on success; 1 when a run violates an invariant or disagrees
/// with the reference model; 2 on a bad file (one line on stderr).
pub fn main(args: &RunArgs) -> ExitCode {
    let defect: Option<Defect> = args.plant_defect.map(Into::into);
    let mut out = std::io::stdout().lock();
    let several = args.files.len() > 1;
    let mut coverage = Coverage::new();
    let mut tree_coverage: Coverage<TreeSituation> = Coverage::new();
    let (mut flat_files, mut tree_files) = (false, false);
    for path in &args.files {
        let text = match scenario::read_text(path) {
            Ok(text) => text,
            Err(err) => return fail(&mut out, 2, &err.to_string()),
        };
        if tree::is_tree_text(&text) {
            let header = if several {
                format!("== {}\n", name_of(path))
            } else {
                String::new()
            };
            tree_files = true;
            let run = TreeRun {
                runtime: args.runtime,
                planted: args.plant_tree_defect.map(Into::into),
                coverage: &mut tree_coverage,
            };
            if let Err((code, message)) = run_tree(&mut out, path, &text, run, &header) {
                return fail(&mut out, code, &message);
            }
            continue;
        }
        flat_files = true;
        let parsed = match scenario::parse(&text).map_err(|e| e.in_file(path.display().to_string()))
        {
            Ok(parsed) => parsed,
            Err(err) => return fail(&mut out, 2, &err.to_string()),
        };
        let transcript = match args.runtime {
            RuntimeArg::Sim => runner::run(&parsed).map_err(|err| {
                let code = if matches!(err, RunError::Violation(_)) {
                    1
                } else {
                    2
                };
                (code, err.to_string())
            }),
            RuntimeArg::Threads => threads::run_threads(&parsed).map_err(|e| (2, e.to_string())),
            RuntimeArg::Tokio => {
                dynsup_sim::tokio::run_tokio(&parsed, true).map_err(|e| (2, e.to_string()))
            }
            RuntimeArg::TokioMultiThread => {
                dynsup_sim::tokio::run_tokio_multi_thread(&parsed, TOKIO_WORKER_THREADS)
                    .map_err(|e| (2, e.to_string()))
            }
        };
        let transcript = match transcript {
            Ok(transcript) => transcript,
            Err((code, err)) => return fail(&mut out, code, &format!("{}: {err}", path.display())),
        };
        let header = if several {
            format!("== {}\n", name_of(path))
        } else {
            String::new()
        };
        if write!(out, "{header}{transcript}").is_err() {
            return ExitCode::from(1);
        }
        if args.runtime != RuntimeArg::Sim {
            continue;
        }
        if let Err(failure) = check_scenario_counted_with(&parsed, defect, &mut coverage) {
            return fail(&mut out, 1, &format!("{}: {failure}", path.display()));
        }
    }
    if args.coverage && args.runtime == RuntimeArg::Sim {
        let flat = if flat_files {
            coverage.to_string()
        } else {
            String::new()
        };
        let trees = if tree_files {
            tree_coverage.to_string()
        } else {
            String::new()
        };
        if write!(out, "{flat}{trees}").is_err() {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// How a tree file runs: where, with which planted checker, counting into which coverage.
struct TreeRun<'a> {
    runtime: RuntimeArg,
    planted: Option<TreeDefect>,
    coverage: &'a mut Coverage<TreeSituation>,
}

/// Runs one tree file in the tree world (counting its tree situations) or on a runtime and
/// prints its transcript; `Err((status, message))` on a bad file (2), a run that does not
/// settle (2) or a checker violation (1).
fn run_tree(
    out: &mut impl Write,
    path: &Path,
    text: &str,
    run: TreeRun<'_>,
    header: &str,
) -> Result<(), (u8, String)> {
    let parsed = tree::parse_tree(text)
        .map_err(|e| (2, e.in_file(path.display().to_string()).to_string()))?;
    let checker = Box::new(tree::invariants::TreeInvariants::with_defect(run.planted));
    let transcript = match run.runtime {
        RuntimeArg::Sim => {
            let world =
                tree::run_observed(&parsed, Some(checker), Some(run.coverage)).map_err(|err| {
                    let code = if matches!(err, tree::WorldError::Violation(_)) {
                        1
                    } else {
                        2
                    };
                    (code, format!("{}: {err}", path.display()))
                })?;
            compare_with_tree_model(path, &parsed, &world)?;
            world
        }
        RuntimeArg::Threads => threads::run_tree_threads(&parsed)
            .map_err(|e| (2, format!("{}: {e}", path.display())))?,
        RuntimeArg::Tokio => dynsup_sim::tokio::run_tree_tokio(&parsed, true)
            .map_err(|e| (2, format!("{}: {e}", path.display())))?,
        RuntimeArg::TokioMultiThread => {
            dynsup_sim::tokio::run_tree_tokio_multi_thread(&parsed, TOKIO_WORKER_THREADS)
                .map_err(|e| (2, format!("{}: {e}", path.display())))?
        }
    };
    write!(out, "{header}{transcript}").map_err(|e| (1, e.to_string()))
}

/// Compares the tree world's transcript of `parsed` with the tree reference model's
/// (`dynsup_sim::tree::reference`): `Err((1, ..))` when they differ. A file the model does not
/// cover is said so on stderr and not compared.
fn compare_with_tree_model(
    path: &Path,
    parsed: &tree::Tree,
    world: &dynsup_sim::transcript::Transcript,
) -> Result<(), (u8, String)> {
    match tree::reference::run(parsed) {
        Ok(model) if model.to_string() == world.to_string() => Ok(()),
        Ok(model) => Err((
            1,
            format!(
                "{}: the tree world and the tree reference model differ\n--- tree world\n{world}--- reference model\n{model}",
                path.display()
            ),
        )),
        Err(err @ tree::reference::TreeModelError::Unsupported { .. }) => {
            eprintln!("dynsup-sim: {}: not compared: {err}", path.display());
            Ok(())
        }
        Err(err) => Err((
            1,
            format!(
                "{}: the tree world settles, the tree reference model does not: {err}",
                path.display()
            ),
        )),
    }
}

fn fail(out: &mut impl Write, code: u8, message: &str) -> ExitCode {
    let _ = out.flush();
    eprintln!("dynsup-sim: {message}");
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript that differs from the tree reference model's fails the run with status 1.
    #[test]
    fn a_transcript_unlike_the_tree_models_fails_with_status_1() {
        let parsed = tree::parse_tree("sup root\nchild a\nat 100 exit a#1 boom\n").expect("parses");
        let path = Path::new("t.scn");
        let mut world = tree::run(&parsed).expect("runs");
        assert_eq!(compare_with_tree_model(path, &parsed, &world), Ok(()));
        world.steps[1].events.push("up a#9".to_owned());
        let (code, message) =
            compare_with_tree_model(path, &parsed, &world).expect_err("the transcripts differ");
        assert_eq!(code, 1);
        assert!(
            message.contains("the tree world and the tree reference model differ"),
            "{message}"
        );
    }
}
