//! The BEAM side of the comparison: runs `bench/beam.exs` with `elixir` and reads the flat
//! JSON object it prints (numbers, and one string for the Elixir version).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use super::BenchError;

/// The figures of the real DynamicSupervisor, by key (`start_child_ns_per_child_100k`, ...).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BeamFigures {
    /// Every numeric field of the script's output.
    pub numbers: BTreeMap<String, f64>,
    /// The Elixir version it ran on.
    pub elixir_version: String,
}

impl BeamFigures {
    /// The figure called `key`, if the script printed it.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.numbers.get(key).copied()
    }
}

/// Whether `elixir` can be run from `PATH`.
pub fn elixir_available() -> bool {
    Command::new("elixir")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The BEAM's process limit for the script: room for a million children and more (the
/// default, 262,144, is below the seeds' scale).
const BEAM_PROCESS_LIMIT: &str = "+P 4194304";

/// Runs the script at `script` (its progress goes straight to our stderr) and parses its
/// output. With `scale` > 0 it also measures the seeds' scale workloads at `scale` children
/// (`--scale N`: start, memory, terminate and stop per child, start throughput through a
/// PartitionSupervisor of 1 and 2 partitions), the `scale_*` figures.
pub fn run_script(script: &Path, scale: u64) -> Result<BeamFigures, BenchError> {
    let mut command = Command::new("elixir");
    command.args(["--erl", BEAM_PROCESS_LIMIT]).arg(script);
    if scale > 0 {
        command.args(["--scale", &scale.to_string()]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| BenchError(format!("cannot run elixir {}: {err}", script.display())))?;
    if !output.status.success() {
        return Err(BenchError(format!(
            "elixir {} failed with {}",
            script.display(),
            output.status
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with('{'))
        .ok_or_else(|| BenchError(format!("{} printed no JSON", script.display())))?;
    parse_flat_json(line)
}

/// Parses a flat JSON object whose values are numbers or strings without escapes.
pub fn parse_flat_json(text: &str) -> Result<BeamFigures, BenchError> {
    let bad = |why: &str| BenchError(format!("unexpected BEAM output ({why}): {text}"));
    let body = text
        .trim()
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .ok_or_else(|| bad("not an object"))?;
    let mut figures = BeamFigures::default();
    for field in body.split(',').filter(|field| !field.trim().is_empty()) {
        let (key, value) = field.split_once(':').ok_or_else(|| bad("no colon"))?;
        let key = key.trim().trim_matches('"').to_owned();
        let value = value.trim();
        if let Some(string) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            if key == "elixir_version" {
                string.clone_into(&mut figures.elixir_version);
            }
        } else {
            let number = value.parse().map_err(|_| bad("not a number"))?;
            figures.numbers.insert(key, number);
        }
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_scripts_output() {
        let figures = parse_flat_json(
            r#"{"start_child_ns_per_child_100k": 8683.980, "children": 100000, "elixir_version": "1.14.0"}"#,
        )
        .unwrap();
        assert_eq!(figures.get("start_child_ns_per_child_100k"), Some(8683.98));
        assert_eq!(figures.get("children"), Some(100_000.0));
        assert_eq!(figures.elixir_version, "1.14.0");
        assert!(parse_flat_json("[1]").is_err());
        assert!(parse_flat_json(r#"{"a": x}"#).is_err());
    }
}
