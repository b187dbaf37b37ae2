//! Conformance: every scenario file's simulated transcript equals its golden transcript, which
//! was produced by the real Elixir DynamicSupervisor (see `tests/conformance/README.md`).

use dynsup_sim::{runner, scenario};

/// Every format-1 file prints its golden. Race files (`suspend`/`resume`, docs/races.md) are
/// skipped here, loudly: the simulator does not run them yet; `check-live.sh` checks their
/// goldens against the real OTP, and [`race_files_are_refused_clearly`] checks the refusal.
#[test]
fn transcript() {
    let mut skipped = Vec::new();
    insta::glob!("scenarios/*.scn", |path| {
        if scenario::is_race_file(path) {
            skipped.push(path.display().to_string());
            return;
        }
        let text = std::fs::read_to_string(path).expect("scenario file is readable");
        let parsed = scenario::parse_file(path).expect("scenario parses");
        let first = runner::run(&parsed).expect("scenario runs").to_string();
        let second = runner::run(&parsed).expect("scenario runs").to_string();
        assert_eq!(first, second, "two runs of {} differ", path.display());
        let transcript = first;
        insta::with_settings!({ description => text, prepend_module_to_snapshot => true }, {
            insta::assert_snapshot!(transcript);
        });
    });
    eprintln!(
        "conformance: {} race files skipped (the simulator does not run suspend/resume yet)",
        skipped.len()
    );
}

/// Each race file in `tests/scenarios/` parses up to the end, then is refused at its first
/// `suspend` with a message that says the simulator does not run races yet; each has a golden.
#[test]
fn race_files_are_refused_clearly() {
    let mut races = 0;
    insta::glob!("scenarios/*.scn", |path| {
        if !scenario::is_race_file(path) {
            return;
        }
        races += 1;
        let err = scenario::parse_file(path).expect_err("a race file is refused");
        assert_eq!(err.message, scenario::RACES_NOT_RUN, "{}", path.display());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let snap = format!("tests/snapshots/conformance__transcript@{name}.snap");
        assert!(std::path::Path::new(&snap).exists(), "{snap} is missing");
    });
    assert!(races >= 20, "only {races} race scenarios");
}
