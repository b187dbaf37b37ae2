//! Conformance: every scenario file's simulated transcript equals its golden transcript, which
//! was produced by the real Elixir DynamicSupervisor (see `tests/conformance/README.md`).

use dynsup_sim::{runner, scenario};

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
