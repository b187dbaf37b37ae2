//! Model-based tests: the simulator, run through the scenario runner, against the obviously
//! correct reference model `dynsup_sim::model` (DESIGN.md habit 6).
//!
//! 1. On every scenario file in `tests/scenarios/`, the model's transcript equals the
//!    simulator's, and equals the real-OTP golden transcript in `tests/snapshots/` where there is
//!    one (so the model is itself checked against Elixir).
//! 2. A `proptest-state-machine` suite generates scenarios over a small generated configuration
//!    and, after every generated step, checks that the simulator's transcript of the scenario so
//!    far equals the model's. Preconditions are re-checked while shrinking, so a failure shrinks
//!    to a small scenario file, printed with both transcripts. Cases: `PROPTEST_CASES` (default
//!    [`DEFAULT_CASES`]); failures are kept in `tests/model_based.proptest-regressions`.
//! 3. The suite is not vacuous: with each planted [`Defect`] in the model, the same comparison on
//!    a fixed, seeded set of generated cases finds a mismatch.
//!
//! Transcripts are compared as text: the model sorts each step's events, and a transcript
//! prints them sorted.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dynsup::{ExitReason, Restart, Shutdown};
use dynsup_sim::model::{Model, ModelError};
use dynsup_sim::runner::{self, RunError};
use dynsup_sim::scenario::{
    self, ChildRef, InitOutcome, Op, Scenario, Step, SupervisorLine, Template, MAX_TIME_MS,
};
use dynsup_sim::testing::{self, Defect};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

// ----- 1. scenario files ------------------------------------------------------------------

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `tests/scenarios/*.scn`, sorted: format 1 and race files (docs/races.md) alike.
fn scenario_files() -> Vec<PathBuf> {
    let dir = root().join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        .collect();
    files.sort();
    files
}

/// A transcript, or the error that stopped it, as comparable text.
fn model_text(scenario: &Scenario, defect: Option<Defect>) -> String {
    match testing::run_model_with(scenario, defect) {
        Ok(transcript) => transcript.to_string(),
        Err(ModelError::RestartLoop { child, .. }) => format!("error: restart loop of {child}\n"),
        Err(err) => format!("error: {err}\n"),
    }
}

fn simulator_text(scenario: &Scenario) -> String {
    match runner::run(scenario) {
        Ok(transcript) => transcript.to_string(),
        Err(RunError::RestartLoop { child }) => format!("error: restart loop of {child}\n"),
        Err(err) => format!("error: {err}\n"),
    }
}

/// The first line where two transcripts differ, for failure messages.
fn first_difference(left: &str, right: &str) -> String {
    let mut left_lines = left.lines();
    let mut right_lines = right.lines();
    for number in 1.. {
        match (left_lines.next(), right_lines.next()) {
            (None, None) => return "no difference".into(),
            (l, r) if l == r => continue,
            (l, r) => {
                return format!(
                    "line {number}: simulator {:?}, model {:?}",
                    l.unwrap_or("<end>"),
                    r.unwrap_or("<end>")
                )
            }
        }
    }
    unreachable!()
}

#[test]
fn the_race_files_are_among_them() {
    let races = scenario_files()
        .iter()
        .filter(|path| dynsup_sim::scenario::is_race_file(path))
        .count();
    assert!(races >= 20, "only {races} race files");
}

#[test]
fn model_matches_simulator_on_every_scenario_file() {
    let files = scenario_files();
    assert!(!files.is_empty(), "no scenario files found");
    let mut mismatches = Vec::new();
    for path in &files {
        let scenario = scenario::parse_file(path).unwrap_or_else(|e| panic!("{e}"));
        let simulator = simulator_text(&scenario);
        let model = model_text(&scenario, None);
        if simulator != model {
            mismatches.push(format!(
                "{}: {}\n--- simulator\n{simulator}--- model\n{model}",
                path.display(),
                first_difference(&simulator, &model)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "the model and the simulator disagree on {} of {} scenario files:\n\n{}",
        mismatches.len(),
        files.len(),
        mismatches.join("\n")
    );
}

/// The transcript in an insta snapshot: everything after its second `---` line.
fn golden_body(snapshot: &str) -> Option<String> {
    let mut separators = 0;
    let mut body = String::new();
    for line in snapshot.lines() {
        if separators >= 2 {
            body.push_str(line);
            body.push('\n');
        } else if line == "---" {
            separators += 1;
        }
    }
    (separators >= 2).then_some(body)
}

/// Scenario files without a real-OTP golden snapshot, which the next test cannot check: none.
const WITHOUT_GOLDEN: [&str; 0] = [];

#[test]
fn model_matches_real_otp_goldens() {
    let mut checked = 0;
    let mut without_golden = Vec::new();
    let mut mismatches = Vec::new();
    for path in scenario_files() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_else(|| panic!("{} has no UTF-8 file name", path.display()));
        let snapshot = root().join(format!(
            "tests/snapshots/conformance__transcript@{name}.snap"
        ));
        let Ok(text) = std::fs::read_to_string(&snapshot) else {
            without_golden.push(name.to_owned());
            continue;
        };
        let golden = golden_body(&text)
            .unwrap_or_else(|| panic!("{} has no second `---` line", snapshot.display()));
        let scenario = scenario::parse_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let model = model_text(&scenario, None);
        checked += 1;
        if model.trim_end() != golden.trim_end() {
            mismatches.push(format!(
                "{}: {}\n--- golden\n{golden}--- model\n{model}",
                path.display(),
                first_difference(&golden, &model).replace("simulator", "golden")
            ));
        }
    }
    assert_eq!(
        without_golden, WITHOUT_GOLDEN,
        "scenario files without a golden snapshot changed"
    );
    assert_eq!(checked + WITHOUT_GOLDEN.len(), scenario_files().len());
    eprintln!("checked the model against {checked} real-OTP golden transcripts");
    assert!(
        mismatches.is_empty(),
        "the model disagrees with {} real-OTP goldens:\n\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

// ----- 2. the reference state machine -------------------------------------------------------

/// How many cases the property suite runs when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 1000;

/// The most generated steps in one case.
const STEPS_MAX: usize = 40;

/// Where failing cases are kept (commit this file if it appears).
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/model_based.proptest-regressions"
);

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn suite_config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..Config::default()
    }
}

/// The reference state: the scenario so far, and the reference model after its steps (used to
/// generate meaningful steps: which children are running, which REFs are dead, the clock).
#[derive(Clone)]
struct State {
    scenario: Scenario,
    model: Model,
}

impl fmt::Debug for State {
    /// The scenario file, which replays the case.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.scenario)
    }
}

impl State {
    fn new(supervisor: SupervisorLine, templates: Vec<Template>) -> Self {
        let scenario = Scenario {
            supervisor,
            templates,
            steps: Vec::new(),
        };
        let model = Model::new(&scenario).expect("generated supervisor lines are valid");
        State { scenario, model }
    }

    /// The written time of the last step (the next one may not be earlier).
    fn last_at(&self) -> u64 {
        self.scenario.steps.last().map_or(0, |step| step.at_ms)
    }

    /// Every REF whose attempt has happened (running or not), and a few that never existed.
    fn refs(&self) -> (Vec<ChildRef>, Vec<ChildRef>) {
        let mut known = Vec::new();
        let mut fresh = Vec::new();
        for (index, template) in self.scenario.templates.iter().enumerate() {
            let attempts = self.model.attempts(index);
            for k in 1..=attempts {
                known.push(ChildRef::new(template.name.clone(), k));
            }
            for k in attempts + 1..=attempts + 2 {
                fresh.push(ChildRef::new(template.name.clone(), k));
            }
        }
        (known, fresh)
    }
}

/// A generated step; its `Debug` is the scenario line.
#[derive(Clone)]
struct Transition(Step);

impl fmt::Debug for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

const NAMES: [&str; 3] = ["a", "b", "c"];

fn supervisor_line() -> impl Strategy<Value = SupervisorLine> {
    (
        prop_oneof![3 => Just(None), 1 => Just(Some(0)), 4 => (1u64..=3).prop_map(Some)],
        // Small budgets keep every scenario settling: the retries of a failed restart all run at
        // the same instant, so at most max_restarts + 1 attempts happen before intensity stops
        // them.
        prop_oneof![1 => Just(0u64), 4 => 1u64..=4],
        1u64..=6,
    )
        .prop_map(|(max_children, max_restarts, max_seconds)| SupervisorLine {
            max_children,
            max_restarts,
            max_seconds,
        })
}

fn template_body() -> impl Strategy<Value = Template> {
    let restart = prop_oneof![
        Just(Restart::Permanent),
        Just(Restart::Transient),
        Just(Restart::Temporary)
    ];
    // Zero is left out: Elixir 1.14 rejects `shutdown: 0`.
    let shutdown = prop_oneof![
        1 => Just(Shutdown::BrutalKill),
        3 => prop::sample::select(vec![100u64, 250, 1000]).prop_map(Shutdown::millis),
        1 => Just(Shutdown::Infinity),
    ];
    // The scripted worker always stops after stop_ms, so even `infinity` never hangs. The stop
    // times include every timeout, and one case in four copies the template's own timeout:
    // a trapping child whose shutdown work takes exactly its timeout is a tie, which both
    // the simulator and the model resolve as real OTP does, as a kill (docs/semantics.md §8,
    // `shutdown_tie_is_a_kill`).
    let stop_ms = prop::sample::select(vec![0u64, 50, 100, 250, 300, 700, 1000, 1500]);
    let tie = prop::bool::weighted(0.25);
    let stop = || prop::sample::select(vec!["bad", "no"]).prop_map(|w| InitOutcome::Stop(w.into()));
    // The first attempt mostly succeeds, so that there are children to crash; the later ones
    // (restarts, and starts after them) fail or are ignored more often.
    let first = prop_oneof![
        6 => Just(InitOutcome::Ok),
        1 => Just(InitOutcome::Ignore),
        1 => stop(),
    ];
    let later = prop_oneof![
        3 => Just(InitOutcome::Ok),
        1 => Just(InitOutcome::Ignore),
        2 => stop(),
    ];
    let init = (first, prop::collection::vec(later, 0..=3)).prop_map(|(first, later)| {
        let mut init = vec![first];
        init.extend(later);
        init
    });
    (restart, shutdown, any::<bool>(), stop_ms, tie, init).prop_map(
        |(restart, shutdown, trap_exit, stop_ms, tie, init)| Template {
            name: String::new(),
            restart,
            shutdown,
            trap_exit,
            stop_ms: match shutdown {
                Shutdown::Timeout { millis } if tie => millis,
                _ => stop_ms,
            },
            init,
        },
    )
}

/// The written time of the next step: mostly now, or a jump that lands next to a whole-second
/// boundary or next to the edge of the restart-intensity window, or (after a step that waited)
/// a time the clock has already passed.
fn next_time(state: &State) -> BoxedStrategy<u64> {
    let now = state.model.now_ms();
    let last_at = state.last_at();
    let period_ms = state.scenario.supervisor.max_seconds * 1000;
    let next_second = (now / 1000 + 1) * 1000;
    // The first millisecond whose stamp is out of the window of a restart stamped now.
    let window_edge = (now / 1000 + state.scenario.supervisor.max_seconds + 1) * 1000;
    prop_oneof![
        6 => Just(now),
        2 => last_at..=now,
        3 => now..=now + 300,
        2 => prop::sample::select(vec![next_second - 1, next_second, next_second + 1]),
        2 => prop::sample::select(vec![
            now + period_ms - 20,
            now + period_ms - 1,
            now + period_ms,
            now + period_ms + 1,
            now + period_ms + 20,
        ]),
        2 => prop::sample::select(vec![window_edge - 1, window_edge, window_edge + 1]),
        1 => now..=now + 7000,
    ]
    .boxed()
}

/// A REF: mostly a running child, sometimes a dead one, sometimes one that never existed.
fn child_ref(state: &State) -> BoxedStrategy<ChildRef> {
    let running = state.model.running();
    let (known, fresh) = state.refs();
    let mut choices: Vec<(u32, BoxedStrategy<ChildRef>)> = Vec::new();
    if !running.is_empty() {
        choices.push((6, prop::sample::select(running).boxed()));
    }
    if !known.is_empty() {
        choices.push((2, prop::sample::select(known).boxed()));
    }
    choices.push((1, prop::sample::select(fresh).boxed()));
    Union::new_weighted(choices).boxed()
}

fn exit_reason() -> impl Strategy<Value = ExitReason> {
    prop_oneof![
        Just(ExitReason::Normal),
        Just(ExitReason::Shutdown),
        Just(ExitReason::ShutdownWith("x".into())),
        Just(ExitReason::other("boom")),
        Just(ExitReason::Killed),
        Just(ExitReason::NoProc),
    ]
}

/// Generates scenarios step by step, following the reference model.
struct ScenarioMachine;

impl ReferenceStateMachine for ScenarioMachine {
    type State = State;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<State> {
        (
            supervisor_line(),
            prop::collection::vec(template_body(), 1..=NAMES.len()),
        )
            .prop_map(|(supervisor, mut templates)| {
                for (template, name) in templates.iter_mut().zip(NAMES) {
                    template.name = name.into();
                }
                State::new(supervisor, templates)
            })
            .boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Transition> {
        let names: Vec<String> = state
            .scenario
            .templates
            .iter()
            .map(|t| t.name.clone())
            .collect();
        let op = prop_oneof![
            16 => prop::sample::select(names).prop_map(|template| Op::Start {
                template: template.into(),
            }),
            12 => (child_ref(state), exit_reason()).prop_map(|(r, reason)| Op::Exit(r, reason)),
            6 => child_ref(state).prop_map(Op::Kill),
            8 => child_ref(state).prop_map(Op::Terminate),
            3 => Just(Op::Count),
            3 => Just(Op::Which),
            // Rare: after a stop, every step only meets a dead supervisor.
            1 => Just(Op::Stop),
        ];
        (next_time(state), op)
            .prop_map(|(at_ms, op)| Transition(Step::new(at_ms, op)))
            .boxed()
    }

    /// What keeps a scenario valid when shrinking deletes steps, shrinks a step or removes a
    /// template: times never decrease, and every name refers to a template.
    fn preconditions(state: &State, transition: &Transition) -> bool {
        let step = &transition.0;
        step.at_ms >= state.last_at()
            && step.at_ms <= MAX_TIME_MS
            && step
                .op
                .template()
                .is_none_or(|name| state.scenario.template(name).is_some())
    }

    fn apply(mut state: State, transition: &Transition) -> State {
        let step = transition.0.clone();
        // Cannot fail: with max_restarts <= 4 every restart loop ends within its step.
        state.model.step(&step).expect("generated scenarios settle");
        state.scenario.steps.push(step);
        state
    }
}

/// The check after every step: the simulator's transcript of the scenario so far equals the
/// model's (with `defect` planted in the model).
fn compare(scenario: &Scenario, defect: Option<Defect>) -> Result<(), String> {
    let simulator = simulator_text(scenario);
    let model = model_text(scenario, defect);
    if simulator == model {
        return Ok(());
    }
    Err(format!(
        "the simulator and the model disagree ({})\n--- scenario\n{scenario}--- simulator\n\
         {simulator}--- model\n{model}",
        first_difference(&simulator, &model)
    ))
}

/// The system under test is the simulator, rerun on the whole scenario after every step.
struct ModelVsSimulator;

impl StateMachineTest for ModelVsSimulator {
    type SystemUnderTest = ();
    type Reference = ScenarioMachine;

    fn init_test(_state: &State) {}

    fn apply((): (), state: &State, _transition: Transition) {
        if let Err(message) = compare(&state.scenario, None) {
            panic!("{message}");
        }
    }
}

/// A trapping child whose shutdown work takes exactly its shutdown timeout is killed: the
/// supervisor starts its timer before the child even receives the signal (the oracle gives
/// `killed` in every run, for `terminate` and for `stop`). The simulator once let the child
/// win that tie, and its answer depended on a kill-timer delivery left over from an earlier
/// `terminate` (the third scenario). Found by `simulator_matches_model`.
#[test]
fn shutdown_tie_is_a_kill() {
    let scenarios = [
        "child b shutdown=100 trap_exit=true stop_ms=100\nat 0 start b\nat 20 terminate b#1\n",
        "child b shutdown=100 trap_exit=true stop_ms=100\nat 0 start b\nat 0 start b\nat 10 stop\n",
        "child a shutdown=100\nchild b shutdown=100 trap_exit=true stop_ms=100\n\
         at 0 start a\nat 0 start b\nat 10 terminate a#1\nat 10 terminate b#1\n",
    ];
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|text| {
            let scenario = scenario::parse(text).expect("scenario parses");
            compare(&scenario, None).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

prop_state_machine! {
    #![proptest_config(suite_config())]
    #[test]
    fn simulator_matches_model(sequential 1..STEPS_MAX => ModelVsSimulator);
}

// ----- 3. the suite catches planted defects -------------------------------------------------

/// Cases tried per defect; each must be caught within them.
const DEFECT_CASES: u32 = 300;

/// The same comparison as [`ModelVsSimulator`], returning the failure instead of panicking.
fn run_case(
    mut state: State,
    transitions: Vec<Transition>,
    seen: Option<Arc<AtomicUsize>>,
    defect: Defect,
) -> Result<(), TestCaseError> {
    for transition in transitions {
        // Tells the shrinker how far the case ran, as `test_sequential` does.
        if let Some(seen) = &seen {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        state = ScenarioMachine::apply(state, &transition);
        compare(&state.scenario, Some(defect)).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

#[test]
fn every_planted_defect_is_caught() {
    for (index, defect) in Defect::ALL.into_iter().enumerate() {
        let config = Config {
            cases: DEFECT_CASES,
            failure_persistence: None,
            max_shrink_iters: 2_000,
            ..Config::default()
        };
        let seed = [u8::try_from(index).unwrap_or(0); 32];
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let strategy = ScenarioMachine::sequential_strategy(1..STEPS_MAX);
        let result = runner.run(&strategy, |(state, transitions, seen)| {
            run_case(state, transitions, seen, defect)
        });
        match result {
            Err(TestError::Fail(reason, (state, transitions, _))) => {
                // The reason holds the shrunk scenario up to the failing step.
                eprintln!(
                    "{defect:?} caught ({} steps generated after shrinking): {reason}\n",
                    transitions.len()
                );
                drop(state);
            }
            Err(TestError::Abort(reason)) => panic!("{defect:?}: the run aborted: {reason}"),
            Ok(()) => panic!("{defect:?} was not caught in {DEFECT_CASES} generated cases"),
        }
    }
}

// ----- 4. the generator reaches the interesting cases ----------------------------------------

/// How often each interesting situation occurs in a fixed, seeded sample of generated scenarios.
/// A generator that drifts away from one of them would make the suite quietly weaker.
#[test]
fn generated_scenarios_reach_the_interesting_cases() {
    let config = Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = ScenarioMachine::sequential_strategy(1..STEPS_MAX);
    let mut counts: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for _ in 0..300 {
        let tree = strategy
            .new_tree(&mut runner)
            .expect("a scenario is generated");
        let (mut state, transitions, _) = proptest::strategy::ValueTree::current(&tree);
        for transition in &transitions {
            state = ScenarioMachine::apply(state, transition);
        }
        for feature in features(&state.scenario) {
            *counts.entry(feature).or_insert(0) += 1;
        }
    }
    eprintln!("scenarios (of 300) reaching each situation: {counts:#?}");
    for feature in [
        "restart",
        "failed restart",
        "ignored restart",
        "intensity exceeded",
        "restart stamps exactly max_seconds apart",
        "restart stamps max_seconds + 1 apart",
        "stop",
        "max_children refusal",
        "start error",
        "exit or kill of a dead REF",
        "terminate not_found",
        "noproc",
        "terminate waits",
        "killed at the shutdown timeout",
        "terminate at a stop_ms == shutdown tie",
        "a step begins after its written time",
    ] {
        assert!(
            counts.get(feature).copied().unwrap_or(0) >= 3,
            "the generator rarely reaches `{feature}`: {counts:#?}"
        );
    }
}

/// The interesting situations one scenario reaches, replayed on the model.
fn features(scenario: &Scenario) -> std::collections::BTreeSet<&'static str> {
    let mut found = std::collections::BTreeSet::new();
    let mut model = Model::new(scenario).expect("valid");
    let mut restart_stamps: Vec<u64> = Vec::new();
    let period = scenario.supervisor.max_seconds;
    for step in &scenario.steps {
        if model.now_ms() > step.at_ms {
            found.insert("a step begins after its written time");
        }
        let began = model.now_ms().max(step.at_ms);
        let record = model.step(step).expect("settles");
        let has = |prefix: &str| record.events.iter().any(|e| e.starts_with(prefix));
        let crash = matches!(step.op, Op::Exit(..) | Op::Kill(_));
        if crash && record.result == "ok" {
            let restarted = has("up ") || has("fail ") || has("ignore ") || has("sup down");
            if restarted {
                let stamp = began / 1000;
                if restart_stamps.iter().any(|&s| stamp - s == period) {
                    found.insert("restart stamps exactly max_seconds apart");
                }
                if restart_stamps.iter().any(|&s| stamp - s == period + 1) {
                    found.insert("restart stamps max_seconds + 1 apart");
                }
                restart_stamps.push(stamp);
            }
            if has("up ") {
                found.insert("restart");
            }
            if has("fail ") {
                found.insert("failed restart");
            }
            if has("ignore ") {
                found.insert("ignored restart");
            }
            if has("sup down") {
                found.insert("intensity exceeded");
            }
        }
        match (&step.op, record.result.as_str()) {
            (Op::Stop, "ok") => {
                found.insert("stop");
            }
            (Op::Start { .. }, "error max_children") => {
                found.insert("max_children refusal");
            }
            (Op::Start { .. }, "error bad" | "error no") => {
                found.insert("start error");
            }
            (Op::Exit(..) | Op::Kill(_), "dead") => {
                found.insert("exit or kill of a dead REF");
            }
            (Op::Terminate(_), "error not_found") => {
                found.insert("terminate not_found");
            }
            (Op::Terminate(child), "ok") => {
                if model.now_ms() > began {
                    found.insert("terminate waits");
                }
                let template = scenario.template(&child.template);
                let timeout =
                    template.is_some_and(|t| matches!(t.shutdown, Shutdown::Timeout { .. }));
                if timeout && has(&format!("down {child} killed")) {
                    found.insert("killed at the shutdown timeout");
                }
                let tie = template.is_some_and(|t| {
                    t.trap_exit && t.shutdown == Shutdown::Timeout { millis: t.stop_ms }
                });
                if tie {
                    found.insert("terminate at a stop_ms == shutdown tie");
                }
            }
            (_, "error noproc") => {
                found.insert("noproc");
            }
            _ => {}
        }
    }
    found
}
