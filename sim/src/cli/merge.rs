//! `dynsup-sim merge-summaries`: adds up the JSON summaries of the shards of one explore run
//! (seeds, rate, failures, coverage; of `explore --trees` runs too), and checks that the shards
//! cover the range exactly once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use dynsup_sim::coverage::{Corner, Coverage};
use dynsup_sim::tree::coverage::TreeSituation;

/// Arguments of `dynsup-sim merge-summaries`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Summary files written by `explore --summary-file` (or a saved `explore --json` output:
    /// its last line is read), one per shard of the same range.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the coverage table of the merged run.
    #[arg(long)]
    coverage: bool,
}

/// The parts of an `explore --json` summary that merging reads.
#[derive(serde::Deserialize, Debug, Clone, PartialEq)]
struct ShardSummary {
    seeds_run: u64,
    seeds_total: u64,
    range: SeedRange,
    shard: Option<Shard>,
    steps: u64,
    failures: u64,
    elapsed_seconds: f64,
    time_limit_reached: bool,
    coverage: BTreeMap<String, u64>,
    /// Present in the summaries of `explore --trees` only.
    #[serde(default)]
    checkers: Option<Vec<String>>,
    failure: Option<FailureSummary>,
}

#[derive(serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
struct SeedRange {
    first: u64,
    end: u64,
}

#[derive(serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
struct Shard {
    index: u64,
    count: u64,
}

#[derive(serde::Deserialize, Debug, Clone, PartialEq)]
struct FailureSummary {
    seed: u64,
    check: String,
    replay: String,
}

/// The merged run.
#[derive(Debug, PartialEq)]
struct Merged {
    range: SeedRange,
    steps: u64,
    shards: u64,
    seeds_run: u64,
    seeds_total: u64,
    failures: u64,
    /// The slowest shard's wall time: the run's, when the shards ran side by side.
    slowest_seconds: f64,
    /// The shards' wall times added up: the run's, when they ran one after the other.
    total_seconds: f64,
    time_limited_shards: u64,
    coverage: Counts,
    /// The lowest failing seed of any shard.
    failure: Option<FailureSummary>,
}

/// The merged coverage: of supervisor situations, or of tree situations (`explore --trees`).
#[derive(Debug, PartialEq)]
enum Counts {
    Flat(Coverage),
    Trees(Coverage<TreeSituation>),
}

/// Adds up the coverage counts of `summaries`, each name one of `S`'s situations.
fn counted<S: Corner>(summaries: &[ShardSummary]) -> Result<Coverage<S>, String> {
    let mut coverage = Coverage::new();
    for summary in summaries {
        for (name, &times) in &summary.coverage {
            let situation = S::EVERY.iter().find(|s| s.label() == name).ok_or_else(|| {
                format!("unknown situation {name:?}: a summary of another version")
            })?;
            coverage.hit_times(*situation, times);
        }
    }
    Ok(coverage)
}

/// Reads a summary: the last non-empty line of the file.
fn read_summary(path: &PathBuf) -> Result<ShardSummary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| format!("{}: empty file", path.display()))?;
    serde_json::from_str(line)
        .map_err(|e| format!("{}: not an explore summary: {e}", path.display()))
}

/// Adds up `summaries`, which must be the shards of one range, each exactly once (or one
/// unsharded run).
fn merge(summaries: &[ShardSummary]) -> Result<Merged, String> {
    let first = summaries.first().ok_or("no summary to merge")?;
    let count = first.shard.map_or(1, |s| s.count);
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for (n, summary) in summaries.iter().enumerate() {
        if summary.range != first.range || summary.steps != first.steps {
            return Err(format!(
                "summary {} is of seeds {}..{} with --steps {}, summary 1 of seeds {}..{} with --steps {}: not shards of one run",
                n + 1,
                summary.range.first,
                summary.range.end,
                summary.steps,
                first.range.first,
                first.range.end,
                first.steps
            ));
        }
        let shard = summary.shard.unwrap_or(Shard { index: 0, count: 1 });
        if shard.count != count {
            return Err(format!(
                "summary {} is shard {}/{}, summary 1 a shard of {count}: not shards of one run",
                n + 1,
                shard.index,
                shard.count
            ));
        }
        if let Some(earlier) = seen.insert(shard.index, n) {
            return Err(format!(
                "shard {}/{count} appears twice (summaries {} and {})",
                shard.index,
                earlier + 1,
                n + 1
            ));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .take(20)
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shards missing: {}", missing.join(" ")));
    }
    let trees = first.checkers.is_some();
    if summaries.iter().any(|s| s.checkers.is_some() != trees) {
        return Err("summaries of explore and of explore --trees: not shards of one run".into());
    }
    let coverage = if trees {
        Counts::Trees(counted(summaries)?)
    } else {
        Counts::Flat(counted(summaries)?)
    };
    let failure = summaries
        .iter()
        .filter_map(|s| s.failure.clone())
        .min_by_key(|f| f.seed);
    Ok(Merged {
        range: first.range,
        steps: first.steps,
        shards: count,
        seeds_run: summaries.iter().map(|s| s.seeds_run).sum(),
        seeds_total: summaries.iter().map(|s| s.seeds_total).sum(),
        failures: summaries.iter().map(|s| s.failures).sum(),
        slowest_seconds: summaries
            .iter()
            .map(|s| s.elapsed_seconds)
            .fold(0.0, f64::max),
        total_seconds: summaries.iter().map(|s| s.elapsed_seconds).sum(),
        time_limited_shards: summaries.iter().filter(|s| s.time_limit_reached).count() as u64,
        coverage,
        failure,
    })
}

/// Merges the summaries; exit status 0 when every seed passed, 1 on a failure, 2 on bad input.
pub fn main(args: &MergeArgs) -> ExitCode {
    let summaries: Result<Vec<_>, String> = args.files.iter().map(read_summary).collect();
    let merged = match summaries.and_then(|s| merge(&s)) {
        Ok(merged) => merged,
        Err(err) => {
            eprintln!("dynsup-sim: merge-summaries: {err}");
            return ExitCode::from(2);
        }
    };
    let m = &merged;
    println!(
        "merged {} shard(s) of seeds {}..{} (--steps {}): {} of {} seeds run, {} failure(s)",
        m.shards, m.range.first, m.range.end, m.steps, m.seeds_run, m.seeds_total, m.failures
    );
    println!(
        "rate: {:.0} seeds/s with the shards side by side (slowest shard {:.1} s), {:.0} seeds/s per shard ({:.1} s of shard time in all)",
        m.seeds_run as f64 / m.slowest_seconds.max(1e-9),
        m.slowest_seconds,
        m.seeds_run as f64 / m.total_seconds.max(1e-9),
        m.total_seconds
    );
    if m.time_limited_shards > 0 {
        println!(
            "{} shard(s) stopped at their time limit",
            m.time_limited_shards
        );
    }
    let table = match &m.coverage {
        Counts::Flat(coverage) => coverage.to_string(),
        Counts::Trees(coverage) => coverage.to_string(),
    };
    if args.coverage {
        print!("{table}");
    } else {
        println!("{}", table.lines().next().unwrap_or_default());
    }
    match &m.failure {
        None => ExitCode::SUCCESS,
        Some(failure) => {
            println!(
                "lowest failing seed: {} ({}); replay: {}",
                failure.seed, failure.check, failure.replay
            );
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynsup_sim::coverage::Situation;

    #[test]
    fn tree_shards_add_up_their_tree_situations() {
        let tree_shard = |index: u64| {
            let mut summary = shard(index, 2, 50);
            summary.checkers = Some(vec!["orphan".into()]);
            summary.coverage = BTreeMap::from([(TreeSituation::ALL[0].label().to_owned(), 2)]);
            summary
        };
        let merged = merge(&[tree_shard(0), tree_shard(1)]).unwrap();
        match merged.coverage {
            Counts::Trees(coverage) => assert_eq!(coverage.count(TreeSituation::ALL[0]), 4),
            Counts::Flat(_) => panic!("tree summaries merge as trees"),
        }
        let mut flat_name = tree_shard(1);
        flat_name.coverage = BTreeMap::from([(Situation::ALL[0].name().to_owned(), 1)]);
        assert!(merge(&[tree_shard(0), flat_name]).is_err());
    }

    fn shard(index: u64, count: u64, seeds: u64) -> ShardSummary {
        let mut coverage = BTreeMap::new();
        coverage.insert(Situation::ALL[0].name().to_owned(), index + 1);
        ShardSummary {
            seeds_run: seeds,
            seeds_total: seeds,
            range: SeedRange { first: 0, end: 100 },
            shard: Some(Shard { index, count }),
            steps: 200,
            failures: 0,
            elapsed_seconds: 1.0 + index as f64,
            time_limit_reached: false,
            coverage,
            checkers: None,
            failure: None,
        }
    }

    #[test]
    fn shards_add_up() {
        let mut failing = shard(1, 3, 33);
        failing.failures = 1;
        failing.failure = Some(FailureSummary {
            seed: 40,
            check: "liveness".into(),
            replay: "r".into(),
        });
        let merged = merge(&[shard(2, 3, 33), failing, shard(0, 3, 34)]).unwrap();
        assert_eq!(
            (merged.shards, merged.seeds_run, merged.failures),
            (3, 100, 1)
        );
        assert_eq!(merged.slowest_seconds, 3.0);
        assert_eq!(merged.total_seconds, 6.0);
        match merged.coverage {
            Counts::Flat(coverage) => assert_eq!(coverage.count(Situation::ALL[0]), 6),
            Counts::Trees(_) => panic!("flat summaries merge as flat"),
        }
        assert_eq!(merged.failure.map(|f| f.seed), Some(40));
    }

    #[test]
    fn a_missing_a_repeated_or_a_foreign_shard_is_refused() {
        let err = merge(&[shard(0, 3, 1), shard(2, 3, 1)]).unwrap_err();
        assert!(err.contains("missing: 1/3"), "{err}");
        let err = merge(&[shard(0, 2, 1), shard(0, 2, 1), shard(1, 2, 1)]).unwrap_err();
        assert!(err.contains("twice"), "{err}");
        let err = merge(&[shard(0, 2, 1), shard(1, 3, 1)]).unwrap_err();
        assert!(err.contains("not shards of one run"), "{err}");
        let mut other_range = shard(1, 2, 1);
        other_range.range.end = 99;
        let err = merge(&[shard(0, 2, 1), other_range]).unwrap_err();
        assert!(err.contains("not shards of one run"), "{err}");
        let mut other_version = shard(1, 2, 1);
        other_version.coverage.insert("no-such-situation".into(), 1);
        let err = merge(&[shard(0, 2, 1), other_version]).unwrap_err();
        assert!(err.contains("another version"), "{err}");
        let mut tree_shard = shard(1, 2, 1);
        tree_shard.checkers = Some(vec!["orphan".into()]);
        let err = merge(&[shard(0, 2, 1), tree_shard]).unwrap_err();
        assert!(err.contains("--trees"), "{err}");
        let mut unsharded = shard(0, 1, 100);
        unsharded.shard = None;
        assert_eq!(merge(&[unsharded]).unwrap().seeds_run, 100);
    }
}
