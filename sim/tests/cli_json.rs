//! The `dynsup-sim` binary's `--json` outputs and its progress off a terminal: `explore --json`
//! ends stdout with a summary object, `bench --json` keeps its keys, and progress goes to
//! stderr as plain lines.

use std::path::PathBuf;
use std::process::{Command, Output};

use dynsup_sim::coverage::Situation;
use serde_json::Value;

fn dynsup_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynsup-sim"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("dynsup-sim runs")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

/// The sorted keys of a JSON object.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn out_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The explore summary: the last line of stdout, after the usual lines.
fn summary(output: &Output) -> Value {
    let stdout = text(&output.stdout);
    let last = stdout.lines().last().expect("some output");
    serde_json::from_str(last).unwrap_or_else(|err| panic!("{err}: {last:?}\n{stdout}"))
}

const SUMMARY_KEYS: [&str; 12] = [
    "coverage",
    "elapsed_seconds",
    "failure",
    "failures",
    "first_seed",
    "range",
    "seeds_per_sec",
    "seeds_run",
    "seeds_total",
    "shard",
    "steps",
    "time_limit_reached",
];

#[test]
fn explore_json_summarizes_a_passing_run() {
    let out = out_dir("explore-pass");
    let output = dynsup_sim(&[
        "explore",
        "--seeds",
        "30",
        "--first-seed",
        "7",
        "--steps",
        "20",
        "--jobs",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("SEED=7..37 seeds=30 "), "{stdout}");
    assert!(
        stdout.contains("explored 30 of 30 seeds"),
        "the text report stays: {stdout}"
    );
    let json = summary(&output);
    assert_eq!(keys(&json), SUMMARY_KEYS);
    assert_eq!(json["seeds_run"], 30);
    assert_eq!(json["seeds_total"], 30);
    assert_eq!(json["first_seed"], 7);
    assert_eq!(json["range"]["first"], 7);
    assert_eq!(json["range"]["end"], 37);
    assert!(json["shard"].is_null());
    assert_eq!(json["steps"], 20);
    assert_eq!(json["failures"], 0);
    assert_eq!(json["time_limit_reached"], false);
    assert!(json["failure"].is_null());
    assert!(json["seeds_per_sec"].as_f64().unwrap() > 0.0);
    assert!(json["elapsed_seconds"].as_f64().unwrap() > 0.0);
    // Off a terminal, progress is a plain line on stderr (the last one always written).
    let stderr = text(&output.stderr);
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("30/30 seeds (100%)")),
        "{stderr:?}"
    );
}

#[test]
fn explore_json_shards_add_up_to_their_range() {
    let mut seeds_run = 0;
    let mut first_seeds = Vec::new();
    for index in 0..3 {
        let out = out_dir("explore-shards");
        let shard = format!("{index}/3");
        let output = dynsup_sim(&[
            "explore",
            "--seeds",
            "10",
            "--first-seed",
            "4",
            "--steps",
            "10",
            "--jobs",
            "1",
            "--shard",
            &shard,
            "--json",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{output:?}");
        let json = summary(&output);
        assert_eq!(json["range"]["first"], 4);
        assert_eq!(json["range"]["end"], 14);
        assert_eq!(json["shard"]["index"], index);
        assert_eq!(json["shard"]["count"], 3);
        assert_eq!(json["failures"], 0);
        seeds_run += json["seeds_run"].as_u64().unwrap();
        first_seeds.push(json["first_seed"].as_u64().unwrap());
    }
    // Seeds 4..14 split by seed % 3: 6, 4, 5 first; 4 + 3 + 3 seeds.
    assert_eq!(first_seeds, [6, 4, 5]);
    assert_eq!(seeds_run, 10);
}

/// The shards of a Kubernetes Indexed Job: the index from the environment, each summary in a
/// file of the shared volume, merged by `merge-summaries` into the whole range's figures.
#[test]
fn shards_from_the_environment_merge_into_the_whole_run() {
    let volume = out_dir("explore-indexed-job");
    let _ = std::fs::remove_dir_all(&volume);
    let mut files = Vec::new();
    for index in 0..3 {
        let file = volume.join(format!("summary-{index}.json"));
        let output = Command::new(env!("CARGO_BIN_EXE_dynsup-sim"))
            .args(["explore", "--seeds", "30", "--steps", "20", "--jobs", "1"])
            .args([
                "--shard-from-env",
                "JOB_COMPLETION_INDEX/3",
                "--summary-file",
            ])
            .arg(&file)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .output()
            .expect("dynsup-sim runs");
        assert!(output.status.success(), "{output:?}");
        assert!(text(&output.stdout).contains(&format!(" shard={index}/3 ")));
        files.push(file.to_str().unwrap().to_owned());
    }
    let merge = |files: &[String]| {
        let mut args = vec!["merge-summaries"];
        args.extend(files.iter().map(String::as_str));
        dynsup_sim(&args)
    };
    let merged = merge(&files);
    assert!(merged.status.success(), "{merged:?}");
    let stdout = text(&merged.stdout);
    assert!(
        stdout.starts_with(
            "merged 3 shard(s) of seeds 0..30 (--steps 20): 30 of 30 seeds run, 0 failure(s)\n"
        ),
        "{stdout}"
    );
    // The whole range in one run reaches the same number of situations.
    let whole = dynsup_sim(&["explore", "--seeds", "30", "--steps", "20", "--json"]);
    let reached = coverage_counts(&summary(&whole))
        .iter()
        .filter(|(name, count)| *count > 0 && Situation::ALL.iter().any(|s| s.name() == name))
        .count();
    assert!(
        stdout.contains(&format!("coverage: {reached} of ")),
        "{stdout}"
    );

    // A shard missing, or one given twice, is refused with status 2.
    let missing = merge(&files[..2]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("shards missing: 2/3"));
    let twice = merge(&[
        files[0].clone(),
        files[0].clone(),
        files[1].clone(),
        files[2].clone(),
    ]);
    assert_eq!(twice.status.code(), Some(2));
    // An index outside the count is a usage error.
    let outside = Command::new(env!("CARGO_BIN_EXE_dynsup-sim"))
        .args([
            "explore",
            "--seeds",
            "3",
            "--shard-from-env",
            "JOB_COMPLETION_INDEX/3",
        ])
        .env("JOB_COMPLETION_INDEX", "3")
        .output()
        .expect("dynsup-sim runs");
    assert_eq!(outside.status.code(), Some(2));
    assert!(text(&outside.stderr).contains("JOB_COMPLETION_INDEX"));
}

#[test]
fn explore_json_reports_the_failure_and_its_replay() {
    let out = out_dir("explore-fail");
    let output = dynsup_sim(&[
        "explore",
        "--seeds",
        "300",
        "--steps",
        "100",
        "--plant-defect",
        "restart-terminated",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(text(&output.stdout).starts_with("SEED=0..300 "));
    let json = summary(&output);
    assert_eq!(keys(&json), SUMMARY_KEYS);
    assert!(json["failures"].as_u64().unwrap() >= 1);
    let failure = &json["failure"];
    assert_eq!(
        keys(failure),
        [
            "check",
            "replay",
            "scenario_file",
            "seed",
            "shrunk_steps",
            "violation"
        ]
    );
    let seed = failure["seed"].as_u64().unwrap();
    let file = failure["scenario_file"].as_str().unwrap();
    assert!(file.ends_with(&format!("seed-{seed}.scn")), "{file}");
    assert!(std::path::Path::new(file).exists(), "{file}");
    let replay = failure["replay"].as_str().unwrap();
    assert!(
        replay.contains("--plant-defect restart-terminated"),
        "{replay}"
    );
    assert!(replay.ends_with(file), "{replay}");
    let check = failure["check"].as_str().unwrap();
    assert!(!check.is_empty());
    assert!(failure["violation"].as_str().unwrap().starts_with(check));
    assert!(text(&output.stdout).contains(&format!("replay: {replay}\n")));
}

/// The `coverage` object of an explore summary: every situation's count, by name.
fn coverage_counts(json: &Value) -> Vec<(String, u64)> {
    let object = json["coverage"].as_object().expect("a coverage object");
    object
        .iter()
        .map(|(name, count)| (name.clone(), count.as_u64().expect("a count")))
        .collect()
}

#[test]
fn explore_coverage_of_shards_adds_up_to_the_whole_range() {
    let run = |shard: Option<&str>| {
        let mut args = vec!["explore", "--seeds", "40", "--steps", "40", "--json"];
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        let output = dynsup_sim(&args);
        assert!(output.status.success(), "{output:?}");
        coverage_counts(&summary(&output))
    };
    let whole = run(None);
    let names: Vec<&str> = whole.iter().map(|(name, _)| name.as_str()).collect();
    let mut expected: Vec<&str> = Situation::ALL.iter().map(|s| s.name()).collect();
    expected.sort_unstable();
    assert_eq!(
        names, expected,
        "every situation (serde_json sorts the keys)"
    );
    assert!(whole.iter().any(|(_, count)| *count > 0));
    let (first, second) = (run(Some("0/2")), run(Some("1/2")));
    for ((name, total), ((_, a), (_, b))) in whole.iter().zip(first.iter().zip(second.iter())) {
        assert_eq!(*total, a + b, "{name}");
    }
}

#[test]
fn explore_coverage_prints_the_table() {
    let output = dynsup_sim(&["explore", "--seeds", "20", "--steps", "40", "--coverage"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\ncoverage: "), "{stdout}");
    for situation in Situation::ALL {
        let row = stdout
            .lines()
            .find(|line| line.split_whitespace().nth(1) == Some(situation.name()))
            .unwrap_or_else(|| panic!("no row for {situation}: {stdout}"));
        assert!(row.ends_with(situation.description()), "{row}");
    }
}

#[test]
fn bench_json_keeps_its_keys() {
    let output = dynsup_sim(&["bench", "--json", "--runs", "1", "--only", "scenarios"]);
    assert!(output.status.success(), "{output:?}");
    let json: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(
        keys(&json),
        [
            "cores",
            "missing",
            "runs",
            "scenario_sim_ns_max",
            "scenario_sim_ns_median",
            "scenario_speedup_min",
            "scenario_speedup_vs_real_time",
            "scenarios"
        ]
    );
    assert_eq!(json["runs"], 1);
    let scenarios = json["scenarios"].as_array().unwrap();
    assert!(!scenarios.is_empty());
    for scenario in scenarios {
        assert_eq!(
            keys(scenario),
            ["name", "simulated_us", "span_ms", "speedup", "steps"]
        );
    }
    // Progress went to stderr, line by line off a terminal.
    assert!(text(&output.stderr).contains("conformance scenarios..."));
}
