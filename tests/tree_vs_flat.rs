//! The tree world against the one-supervisor simulator: every format-1 scenario, written as a
//! tree file whose root is a DynamicSupervisor with the same options and templates, gives the
//! same transcript in both (after the tree's `@0 init -> ok` line).

use dynsup_sim::scenario::Scenario;
use dynsup_sim::{explore, runner, scenario, tree};

/// The tree file of a format-1 scenario: a dynamic root with its options, its templates as
/// the root's templates, the same steps.
fn as_tree(flat: &Scenario) -> String {
    let root = "tree_root_of_format_1";
    assert!(flat.template(root).is_none());
    assert!(flat.template(root).is_none());
    let line = &flat.supervisor;
    let mut text = format!(
        "sup {root} kind=dynamic max_children={} max_restarts={} max_seconds={}\n",
        line.max_children
            .map_or_else(|| "infinity".to_owned(), |n| n.to_string()),
        line.max_restarts,
        line.max_seconds
    );
    for template in &flat.templates {
        text.push_str(&format!("{template}\n"));
    }
    for step in &flat.steps {
        text.push_str(&format!("{step}\n"));
    }
    text
}

/// Runs `flat` in both and compares (`what` names it in a failure).
fn same_transcript(flat: &Scenario, what: &str) {
    let parsed = tree::parse_tree(&as_tree(flat)).expect("the tree form parses");
    let expected = runner::run(flat).expect("scenario runs").to_string();
    let got = tree::run(&parsed).expect("tree runs").to_string();
    let got = got
        .strip_prefix("@0 init -> ok\n")
        .expect("the root starts");
    assert_eq!(got, expected, "{what}");
}

#[test]
fn a_dynamic_root_runs_every_format_1_scenario_as_the_simulator_does() {
    let (mut compared, mut races) = (0, 0);
    insta::glob!("scenarios/*.scn", |path| {
        // Race files (docs/races.md): the tree world has no suspend/resume; only the flat
        // simulator runs them.
        if scenario::is_race_file(path) {
            races += 1;
            return;
        }
        let flat = scenario::parse_file(path).expect("scenario parses");
        same_transcript(&flat, &path.display().to_string());
        compared += 1;
    });
    assert!(compared >= 85, "only {compared} scenarios compared");
    assert!(races >= 20, "only {races} race files left out");
}

#[test]
fn a_dynamic_root_runs_the_explorers_scenarios_as_the_simulator_does() {
    // Seeds that write races (docs/races.md) are left out: the tree world has no
    // suspend/resume. Most seeds write none.
    let mut races = 0;
    for seed in 0..300 {
        let flat = explore::generate(seed, 60);
        if flat
            .steps
            .iter()
            .any(|step| step.op == scenario::Op::Suspend)
        {
            races += 1;
            continue;
        }
        same_transcript(&flat, &format!("explore seed {seed}"));
    }
    assert!(races < 150, "{races} of 300 seeds left out as races");
}
