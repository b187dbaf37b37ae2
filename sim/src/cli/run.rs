//! `dynsup-sim run FILE...`: print the transcript of each scenario file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dynsup_sim::runner;
use dynsup_sim::scenario;

/// Arguments of `dynsup-sim run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario files to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// The scenario's name: its file name without directory and `.scn` extension.
fn name_of(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Runs every file; exit status 0 on success, 2 on a bad file (one line on stderr).
pub fn main(args: &RunArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let several = args.files.len() > 1;
    for path in &args.files {
        let parsed = scenario::parse_file(path);
        let transcript = parsed
            .map_err(|err| err.to_string())
            .and_then(|s| runner::run(&s).map_err(|err| format!("{}: {err}", path.display())));
        match transcript {
            Ok(transcript) => {
                let written = if several {
                    write!(out, "== {}\n{transcript}", name_of(path))
                } else {
                    write!(out, "{transcript}")
                };
                if written.is_err() {
                    return ExitCode::from(1);
                }
            }
            Err(message) => {
                let _ = out.flush();
                eprintln!("dynsup-sim: {message}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
