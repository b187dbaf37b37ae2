//! `dynsup-sim run` on tree files: dispatch on the `sup` line, the transcript on stdout, a bad
//! file's `dynsup-sim: FILE:LINE: ...` with status 2, the same transcript with `--runtime
//! tokio|threads`; and `explore --trees`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn dynsup_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynsup-sim"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("dynsup-sim runs")
}

/// An empty directory `name` of the test's temporary directory.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("tree_cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

fn write(name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tree_cli");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("file written");
    path
}

#[test]
fn a_tree_file_runs_in_the_tree_world_and_a_format_1_file_as_before() {
    let tree = write(
        "good.scn",
        "sup root\nsup ds in=root kind=dynamic\nchild w in=ds\nat 100 on ds start w\n",
    );
    let output = dynsup_sim(&["run", tree.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "@0 init -> ok\n  up ds#1\n@100 on ds start w -> ok w#1\n  up w#1\n"
    );
    let flat = write("flat.scn", "child w\nat 0 start w\n");
    let both = dynsup_sim(&[
        "run",
        flat.to_str().expect("UTF-8 path"),
        tree.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(both.status.code(), Some(0), "{}", text(&both.stderr));
    assert_eq!(
        text(&both.stdout),
        "== flat\n@0 start w -> ok w#1\n  up w#1\n== good\n@0 init -> ok\n  up ds#1\n\
         @100 on ds start w -> ok w#1\n  up w#1\n"
    );
}

#[test]
fn a_bad_tree_file_is_refused_with_its_line_and_status_2() {
    let bad = write("bad.scn", "sup root\nchild w in=nowhere\n");
    let path = bad.to_str().expect("UTF-8 path");
    let output = dynsup_sim(&["run", path]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), "");
    assert_eq!(
        text(&output.stderr),
        format!("dynsup-sim: {path}:2: supervisor \"nowhere\" is not declared before this line\n")
    );
    let threads = dynsup_sim(&["run", "--runtime", "threads", path]);
    assert_eq!(threads.status.code(), Some(2));
    assert_eq!(text(&threads.stdout), "");
}

#[test]
fn a_tree_file_prints_the_same_transcript_on_both_runtimes() {
    let file = "tests/tree_scenarios/esc_two_levels.scn";
    let sim = dynsup_sim(&["run", file]);
    assert_eq!(sim.status.code(), Some(0), "{}", text(&sim.stderr));
    assert!(text(&sim.stdout).starts_with("@0 init -> ok\n"));
    for runtime in ["tokio", "threads"] {
        let output = dynsup_sim(&["run", "--runtime", runtime, file]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(text(&output.stdout), text(&sim.stdout), "on {runtime}");
    }
}

#[test]
fn explore_trees_reports_seeds_per_second() {
    let output = dynsup_sim(&[
        "explore", "--trees", "--seeds", "20", "--steps", "20", "--jobs", "1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("TREES SEED=0..20 seeds=20 shard=- steps=20 jobs=1\n"),
        "{stdout}"
    );
    assert!(stdout.contains("explored 20 tree seeds in "), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("seeds/s, 0 failures"),
        "{stdout}"
    );
}

/// The last line of stdout, parsed as the JSON summary.
fn summary(stdout: &str) -> serde_json::Value {
    let line = stdout.lines().last().expect("a summary line");
    serde_json::from_str(line).expect("the last line is JSON")
}

#[test]
fn explore_trees_writes_the_json_summary_with_tree_coverage_and_checkers() {
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tree_cli/summary.json");
    let _ = std::fs::remove_file(&file);
    let output = dynsup_sim(&[
        "explore",
        "--trees",
        "--seeds",
        "30",
        "--steps",
        "50",
        "--coverage",
        "--json",
        "--summary-file",
        file.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\ncoverage: "), "{stdout}");
    assert!(
        stdout.contains("one-for-all-siblings-restarted"),
        "{stdout}"
    );
    let json = summary(stdout);
    assert_eq!(json["seeds_run"], 30);
    assert_eq!(json["failures"], 0);
    assert_eq!(json["steps"], 50);
    assert!(json["failure"].is_null());
    assert!(json["seeds_per_sec"].as_f64().is_some_and(|r| r > 0.0));
    let coverage = json["coverage"].as_object().expect("a coverage object");
    assert!(
        coverage.contains_key("escalation-two-levels"),
        "{coverage:?}"
    );
    assert!(
        coverage.contains_key("name-already-started"),
        "{coverage:?}"
    );
    let checkers: Vec<&str> = json["checkers"]
        .as_array()
        .expect("the tree checkers")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(
        checkers,
        [
            "orphan",
            "shutdown order",
            "strategy",
            "intensity",
            "escalation"
        ]
    );
    let written = std::fs::read_to_string(&file).expect("the summary file");
    assert_eq!(summary(&written)["seeds_run"], 30);
}

/// At most this many steps remain of a failing tree seed of 200 steps, once shrunk.
const SHRUNK_STEPS_MAX: u64 = 3;

#[test]
fn a_failing_tree_seed_is_shrunk_to_a_file_that_replays_it() {
    // The planted checker forbids escalation: a correct tree fails it as soon as a child
    // supervisor gives up.
    let out = fresh_dir("failures");
    let output = dynsup_sim(&[
        "explore",
        "--trees",
        "--seeds",
        "500",
        "--jobs",
        "1",
        "--plant-tree-defect",
        "escalation-forbidden",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let json = summary(stdout);
    let failure = &json["failure"];
    assert_eq!(failure["check"], "planted-escalation-forbidden", "{stdout}");
    assert_eq!(json["failures"], 1);
    let shrunk_steps = failure["shrunk_steps"].as_u64().expect("shrunk_steps");
    assert!(
        (1..=SHRUNK_STEPS_MAX).contains(&shrunk_steps),
        "shrunk to {shrunk_steps} steps\n{stdout}"
    );
    let seed = failure["seed"].as_u64().expect("the failing seed");
    let file = failure["scenario_file"].as_str().expect("the file written");
    assert!(file.ends_with(&format!("tree-seed-{seed}.scn")), "{file}");
    let written = std::fs::read_to_string(file).expect("the shrunk file");
    assert_eq!(
        written.lines().filter(|l| l.starts_with("at ")).count() as u64,
        shrunk_steps,
        "{written}"
    );
    assert!(
        failure["replay"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!(
                "run --plant-tree-defect escalation-forbidden {file}"
            ))),
        "{failure}"
    );
    // The file replays the failure with the planted checker, and passes without it.
    let replay = dynsup_sim(&["run", "--plant-tree-defect", "escalation-forbidden", file]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stdout));
    assert!(
        text(&replay.stderr).contains("planted-escalation-forbidden: "),
        "{}",
        text(&replay.stderr)
    );
    let clean = dynsup_sim(&["run", file]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    assert!(text(&clean.stdout).starts_with("@0 init -> ok\n"));
}

#[test]
fn run_coverage_on_tree_files_prints_the_tree_situations_they_reach() {
    let output = dynsup_sim(&[
        "run",
        "--coverage",
        "tests/tree_scenarios/esc_two_levels.scn",
        "tests/tree_scenarios/api_start_already_present.scn",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let table = &stdout[stdout.find("coverage: ").expect("a coverage table")..];
    assert!(table.starts_with("coverage: "), "{stdout}");
    let count = |name: &str| -> u64 {
        table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no row {name}\n{table}"))
    };
    assert!(count("escalation-two-levels") >= 1, "{table}");
    assert_eq!(count("static-already-present"), 1, "{table}");
    assert_eq!(count("name-already-started"), 0, "{table}");
    // Only tree files ran: no table of the one-supervisor situations.
    assert!(!table.contains("start-ignored"), "{table}");
}

#[test]
fn check_trees_explores_every_sequence_of_operations_to_completion() {
    let output = dynsup_sim(&[
        "check",
        "--trees",
        "--max-time-ms",
        "0",
        "--jobs",
        "2",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("trees: depth 20, "), "{stdout}");
    assert!(stdout.contains(", complete, "), "{stdout}");
    let json = summary(stdout);
    assert_eq!(json["violations"], 0);
    let config = &json["configs"][0];
    assert_eq!(config["complete"], true);
    assert!(config["violation"].is_null());
    // The same counts with one job: they never depend on the number of jobs.
    let one = dynsup_sim(&[
        "check",
        "--trees",
        "--max-time-ms",
        "0",
        "--jobs",
        "1",
        "--json",
    ]);
    let one = summary(text(&one.stdout));
    assert_eq!(one["states"], json["states"]);
    assert_eq!(one["transitions"], json["transitions"]);
    assert!(json["states"].as_u64().is_some_and(|s| s > 100), "{json}");
}

#[test]
fn check_trees_writes_the_shortest_counterexample_as_a_tree_file_that_replays() {
    let out = fresh_dir("check");
    let output = dynsup_sim(&[
        "check",
        "--trees",
        "--plant-tree-defect",
        "escalation-forbidden",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("  shortest path (2 steps):\n    on ds start f\n    exit f#1 normal\n"),
        "{stdout}"
    );
    let violation = &summary(stdout)["configs"][0]["violation"];
    assert_eq!(violation["checker"], "planted-escalation-forbidden");
    assert_eq!(violation["steps"], 2);
    let file = out.join("tree-check.scn");
    assert_eq!(violation["file"], file.to_str().expect("UTF-8 path"));
    let written = std::fs::read_to_string(&file).expect("the counterexample file");
    assert!(
        written.ends_with("at 0 on ds start f\nat 0 exit f#1 normal\n"),
        "{written}"
    );
    let path = file.to_str().expect("UTF-8 path");
    let replay = dynsup_sim(&["run", "--plant-tree-defect", "escalation-forbidden", path]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stdout));
    assert!(text(&replay.stderr).contains("planted-escalation-forbidden: ds#1 gave up"));
    assert_eq!(dynsup_sim(&["run", path]).status.code(), Some(0));
}

/// `run` compares a tree file's transcript with the tree reference model's; a file the model
/// does not cover (the name race) still prints its transcript, and stderr says it was not
/// compared.
#[test]
fn run_compares_with_the_tree_reference_model_or_says_why_not() {
    let golden = dynsup_sim(&["run", "tests/tree_scenarios/esc_two_levels.scn"]);
    assert_eq!(golden.status.code(), Some(0), "{}", text(&golden.stderr));
    assert_eq!(text(&golden.stderr), "");
    let race = write(
        "name_race.scn",
        "sup root\nsup mid in=root\nsup low in=mid\nat 100 kill mid#1\nat 200 count\n",
    );
    let output = dynsup_sim(&["run", race.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout)
        .contains("fail mid#2 shutdown:failed_to_start_child:low:already_started:low#1"));
    assert!(
        text(&output.stderr).contains("not compared: the tree reference model does not cover this file: low#2 needs the name of an orphan"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn explore_writes_the_scenarios_of_a_seed_range_and_runs_none() {
    for (trees, name) in [(false, "flat"), (true, "trees")] {
        let dir = fresh_dir(&format!("written_{name}"));
        let dir_text = dir.to_str().expect("UTF-8 path");
        let mut args = vec![
            "explore",
            "--first-seed",
            "7",
            "--seeds",
            "3",
            "--steps",
            "12",
            "--write-scenarios",
            dir_text,
        ];
        if trees {
            args.push("--trees");
        }
        let output = dynsup_sim(&args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert!(
            text(&output.stdout).starts_with("wrote 3 "),
            "{}",
            text(&output.stdout)
        );
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("the directory was made")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        assert_eq!(files, ["seed-7.scn", "seed-8.scn", "seed-9.scn"]);
        // Each file is the seed's own scenario: it runs, and the same seed writes the same file.
        let first = dir.join("seed-7.scn");
        let run = dynsup_sim(&["run", first.to_str().expect("UTF-8 path")]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let again = fresh_dir(&format!("again_{name}"));
        let mut args: Vec<&str> = vec!["explore", "--seed", "7", "--steps", "12"];
        let again_text = again.to_str().expect("UTF-8 path");
        args.extend(["--write-scenarios", again_text]);
        if trees {
            args.push("--trees");
        }
        assert_eq!(dynsup_sim(&args).status.code(), Some(0));
        assert_eq!(
            std::fs::read_to_string(again.join("seed-7.scn")).expect("written"),
            std::fs::read_to_string(&first).expect("written")
        );
    }
    // A limit on the number of files, and a directory that cannot be made: status 2.
    let many = dynsup_sim(&[
        "explore",
        "--seeds",
        "100001",
        "--write-scenarios",
        "target/never",
    ]);
    assert_eq!(many.status.code(), Some(2));
    assert!(
        text(&many.stderr).contains("at most 100000 files"),
        "{}",
        text(&many.stderr)
    );
    let blocked = write("a_file", "not a directory");
    let below = blocked.join("sub");
    let bad = dynsup_sim(&[
        "explore",
        "--seeds",
        "1",
        "--write-scenarios",
        below.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).starts_with("dynsup-sim: "),
        "{}",
        text(&bad.stderr)
    );
}
