//! Conformance: every scenario file's simulated transcript equals its golden transcript, which
//! was produced by the real Elixir DynamicSupervisor (see `tests/conformance/README.md`).

use dynsup_sim::{runner, scenario};

/// Every scenario file prints its golden: format 1 and race files (`suspend`/`resume`,
/// docs/races.md) alike, each run twice with the same transcript.
#[test]
fn transcript() {
    insta::glob!("scenarios/*.scn", |path| {
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
}

/// The race files of `tests/scenarios/` (at least 20, each with its real-OTP golden) are run by
/// the simulator: each parses, runs, holds a `suspend` with its `resume`, and prints its golden
/// exactly ([`transcript`] compares them; here the golden's text is read back and compared
/// too, so that a race file can never be skipped silently).
#[test]
fn race_files_are_run() {
    let mut races = 0;
    insta::glob!("scenarios/*.scn", |path| {
        if !scenario::is_race_file(path) {
            return;
        }
        races += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let snap = format!("tests/snapshots/conformance__transcript@{name}.snap");
        let golden = std::fs::read_to_string(&snap).unwrap_or_else(|_| panic!("{snap} is missing"));
        // The snapshot's body follows its second `---` line.
        let body: String = golden
            .splitn(3, "---\n")
            .nth(2)
            .unwrap_or_else(|| panic!("{snap} has no body"))
            .to_owned();
        let parsed = scenario::parse_file(path).expect("a race file parses");
        assert!(
            parsed.steps.iter().any(|s| s.op == scenario::Op::Suspend)
                && parsed.steps.iter().any(|s| s.op == scenario::Op::Resume),
            "{name} has no suspend/resume pair"
        );
        let transcript = runner::run(&parsed).expect("a race file runs").to_string();
        assert_eq!(transcript.trim_end(), body.trim_end(), "{name}");
    });
    assert!(races >= 20, "only {races} race scenarios");
}
