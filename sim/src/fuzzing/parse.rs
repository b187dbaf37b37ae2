//! The `scenario_parse` target: bytes to the scenario parser.

use crate::explore::check_scenario;
use crate::scenario::{parse, Scenario, MAX_FILE_BYTES, MAX_LINES};

/// The most steps of a parsed scenario that the target also runs.
const RUN_STEPS_MAX: usize = 200;

/// The largest `max_restarts` of a parsed scenario that the target also runs: below the
/// simulator's limit of failed restarts in a row, so that every restart loop ends by the
/// intensity limit and the scenario settles.
const RUN_RESTARTS_MAX: u64 = 1_000;

/// Parses `data` (invalid UTF-8 replaced, as a lossy reader would) as a scenario file. It must
/// never panic; an error names a line of the text (or 0 for the whole file); a scenario that
/// parses prints (`Display`) a canonical text that parses back to the same scenario and prints
/// the same again.
///
/// A small scenario that parses (at most 200 steps, `max_restarts` at most 1000, so that it
/// settles) is also run: [`check_scenario`] must pass, as the `core_ops` target requires, but
/// here with any value the parser accepts.
///
/// The round trip is only required while the canonical text stays within the file limits: the
/// canonical text spells out every key and adds a `supervisor` line, so a file right at a limit
/// can print longer than the limit.
pub fn scenario_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let scenario = match parse(&text) {
        Ok(scenario) => scenario,
        Err(err) => {
            let lines = text.lines().count();
            assert!(
                err.line <= lines.saturating_add(1),
                "error on line {} of a {lines}-line text: {err}",
                err.line
            );
            assert!(err.file.is_none());
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    let canonical = scenario.to_string();
    if canonical.len() > MAX_FILE_BYTES || canonical.lines().count() > MAX_LINES {
        return;
    }
    let again = match parse(&canonical) {
        Ok(again) => again,
        Err(err) => panic!("the canonical text does not parse: {err}\n{canonical}"),
    };
    assert_eq!(
        again, scenario,
        "the canonical text parses to another scenario"
    );
    assert_eq!(
        again.to_string(),
        canonical,
        "the canonical text is not stable"
    );
    run_small(&scenario, &canonical);
}

/// Runs a small scenario with every check (see [`scenario_parse`]).
fn run_small(scenario: &Scenario, canonical: &str) {
    if scenario.steps.len() > RUN_STEPS_MAX || scenario.supervisor.max_restarts > RUN_RESTARTS_MAX {
        return;
    }
    if let Err(failure) = check_scenario(scenario) {
        panic!("{failure}\n{canonical}");
    }
}
