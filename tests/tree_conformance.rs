//! Tree conformance: every tree scenario file's simulated transcript equals its golden
//! transcript, which was produced by the real Elixir `Supervisor` and `DynamicSupervisor`
//! (see `docs/tree-scenarios.md` and `tests/conformance/README.md`).

use dynsup_sim::tree;

#[test]
fn transcript() {
    insta::glob!("tree_scenarios/*.scn", |path| {
        let text = std::fs::read_to_string(path).expect("tree scenario file is readable");
        let parsed = tree::parse_file(path).expect("tree scenario parses");
        let first = tree::run(&parsed).expect("tree scenario runs").to_string();
        let second = tree::run(&parsed).expect("tree scenario runs").to_string();
        assert_eq!(first, second, "two runs of {} differ", path.display());
        let transcript = first;
        insta::with_settings!({ description => text, prepend_module_to_snapshot => true }, {
            insta::assert_snapshot!(transcript);
        });
    });
}
