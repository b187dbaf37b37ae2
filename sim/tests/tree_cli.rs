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
    let output = dynsup_sim(&["explore", "--trees", "--seeds", "20", "--steps", "20"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("TREES SEED=0..20 seeds=20 steps=20\n"),
        "{stdout}"
    );
    assert!(stdout.contains("explored 20 tree seeds in "), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("seeds/s, 0 failures"),
        "{stdout}"
    );
}
