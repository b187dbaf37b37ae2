//! Memory per child, measured for real and without `unsafe`: the growth of the process's
//! resident set (`VmRSS` in `/proc/self/status`) while N children are started, read in a fresh
//! process so that no earlier workload's freed memory is reused.
//!
//! A counting global allocator would need `unsafe impl GlobalAlloc`, which this crate forbids;
//! the resident set is what the operating system actually gives the process, allocator
//! overhead and the slack of growing vectors included, at a granularity of one page (4 KiB,
//! under 0.01 byte per child at 1M children). It is Linux-only: elsewhere the figure is absent.

use std::fmt;
use std::hint::black_box;
use std::mem::size_of_val;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use super::bare::BareCore;
use super::simulated;
use super::BenchError;

/// What a memory probe builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    /// A simulation with N running children (core and process table; no-history mode).
    Simulated,
    /// A bare core with N running children.
    Bare,
    /// A supervisor of the tokio runtime (feature `tokio`) with N running children, one task
    /// each, on a multi-threaded runtime (built before the first reading).
    Tokio,
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProbeKind::Simulated => "sim",
            ProbeKind::Bare => "core",
            ProbeKind::Tokio => "tokio",
        })
    }
}

/// A probe request, written `KIND:N` (`sim:1000000`, `core:100000`, `tokio:1000000`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// What to build.
    pub kind: ProbeKind,
    /// How many children.
    pub children: u64,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.children)
    }
}

impl FromStr for Probe {
    type Err = BenchError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            BenchError(format!(
                "bad memory probe {text:?}: expected sim:N, core:N or tokio:N"
            ))
        };
        let (kind, children) = text.split_once(':').ok_or_else(bad)?;
        let kind = match kind {
            "sim" => ProbeKind::Simulated,
            "core" => ProbeKind::Bare,
            "tokio" => ProbeKind::Tokio,
            _ => return Err(bad()),
        };
        let children = children.parse().map_err(|_| bad())?;
        Ok(Probe { kind, children })
    }
}

/// What a probe measured, in bytes per child.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Footprint {
    /// The growth of the resident set, per child.
    pub total: f64,
    /// Of which the simulator's recorded history (trace entries and supervisor events, by
    /// count times size; 0 for the bare core), per child.
    pub history: f64,
}

/// The resident set of this process in bytes, if the platform tells it.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Builds what `probe` asks for in this process and returns the growth of the resident set
/// per child, in bytes. Meaningful only in a fresh process (see [`measure_in_fresh_process`]).
pub fn measure_here(probe: Probe) -> Result<Footprint, BenchError> {
    let unsupported = || BenchError("memory: /proc/self/status is not readable here".into());
    let children = probe.children.max(1);
    let before = resident_bytes().ok_or_else(unsupported)?;
    let (after, history) = match probe.kind {
        // It reads the resident set itself, once its runtime is built.
        ProbeKind::Tokio => return tokio_probe(children),
        ProbeKind::Simulated => {
            let mut sim = simulated::new_simulation(3)?;
            for _ in 0..children {
                simulated::start_child(&mut sim)?;
            }
            let after = resident_bytes();
            let history = size_of_val(sim.trace()) + size_of_val(sim.supervisor_events());
            black_box(&sim);
            (after, history)
        }
        ProbeKind::Bare => {
            let mut core = BareCore::new(3)?;
            for _ in 0..children {
                core.start_child()?;
            }
            let after = resident_bytes();
            black_box(&core);
            (after, 0)
        }
    };
    let after = after.ok_or_else(unsupported)?;
    Ok(Footprint {
        total: after.saturating_sub(before) as f64 / children as f64,
        history: history as f64 / children as f64,
    })
}

/// The tokio probe: the runtime and an empty supervisor first, then the resident set's growth
/// while `children` children start.
#[cfg(feature = "tokio")]
fn tokio_probe(children: u64) -> Result<Footprint, BenchError> {
    let runtime = super::tokio::runtime()?;
    runtime.block_on(async {
        let sup = super::tokio::start_supervisor(3).await?;
        let before = resident_bytes();
        let pids = super::tokio::start_children(&sup, children).await?;
        let after = resident_bytes();
        black_box(&pids);
        match (before, after) {
            (Some(before), Some(after)) => Ok(Footprint {
                total: after.saturating_sub(before) as f64 / children as f64,
                history: 0.0,
            }),
            _ => Err(BenchError(
                "memory: /proc/self/status is not readable here".into(),
            )),
        }
    })
}

/// Without the tokio runtime there is nothing to probe.
#[cfg(not(feature = "tokio"))]
fn tokio_probe(_children: u64) -> Result<Footprint, BenchError> {
    Err(BenchError(
        "memory: this build has no tokio runtime (feature `tokio`)".into(),
    ))
}

/// Runs `exe bench --memory-probe PROBE` (the `dynsup-sim` binary) and reads the two figures
/// it prints (total and history bytes per child).
pub fn measure_in_fresh_process(exe: &Path, probe: Probe) -> Result<Footprint, BenchError> {
    let output = Command::new(exe)
        .args(["bench", "--memory-probe", &probe.to_string()])
        .output()
        .map_err(|err| BenchError(format!("memory probe {probe}: {err}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(BenchError(format!(
            "memory probe {probe} failed: {}",
            stderr.trim()
        )));
    }
    let bad = || BenchError(format!("memory probe {probe} printed {stdout:?}"));
    let mut numbers = stdout.split_whitespace().map(str::parse::<f64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(total)), Some(Ok(history))) => Ok(Footprint { total, history }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_parse_and_print() {
        let probe: Probe = "sim:1000".parse().unwrap();
        assert_eq!(
            probe,
            Probe {
                kind: ProbeKind::Simulated,
                children: 1000
            }
        );
        assert_eq!(probe.to_string(), "sim:1000");
        assert_eq!("core:5".parse::<Probe>().unwrap().kind, ProbeKind::Bare);
        assert!("heap:5".parse::<Probe>().is_err());
        assert!("sim".parse::<Probe>().is_err());
        assert!("sim:x".parse::<Probe>().is_err());
    }

    #[test]
    fn a_probe_runs_in_process() {
        // Only that it runs and gives a number: the figure itself is not meaningful here.
        if resident_bytes().is_some() {
            let bytes = measure_here("sim:100".parse().unwrap()).unwrap();
            assert!(bytes.total >= 0.0);
            assert_eq!(
                bytes.history, 0.0,
                "the simulated workloads run without history"
            );
        }
    }
}
