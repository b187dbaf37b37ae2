//! `dynsup-sim check`'s engine: the same counts on every run and for any number of jobs, and
//! every default configuration clean to a bounded depth (`.ci/run` checks them completely, in
//! a release build); the exact figures pinned, and the symmetry over interchangeable templates.

use dynsup_sim::model_check::config::{default_set, CheckConfig, Template};
use dynsup_sim::model_check::search::{search, search_from, SearchReport, Space};
use dynsup_sim::model_check::world::{Request, Step, Violation, World};

#[test]
fn the_same_counts_every_run_and_for_any_number_of_jobs() {
    let config = default_set().remove(0);
    let once = search(&config, 1, &mut |_, _, _| {}).expect("valid config");
    let again = search(&config, 1, &mut |_, _, _| {}).expect("valid config");
    let two_jobs = search(&config, 2, &mut |_, _, _| {}).expect("valid config");
    assert_eq!(once, again);
    assert_eq!(once, two_jobs);
    assert!(once.complete, "{once:?}");
    assert!(once.violation.is_none(), "{once:?}");
    assert!(once.states > 1_000, "{once:?}");
    // Levels wide enough to be cut into several runs each (a run holds at most 2,048 to 16,384
    // states, fewer the more jobs), shared among uneven numbers of threads, merge in the same
    // order.
    let mut wide = default_set().remove(1);
    wide.bounds.depth = 11;
    let once = search(&wide, 1, &mut |_, _, _| {}).expect("valid config");
    for jobs in [2, 3, 7] {
        let cut = search(&wide, jobs, &mut |_, _, _| {}).expect("valid config");
        assert_eq!(once, cut, "{jobs} jobs");
    }
    assert!(once.states > 100_000, "{once:?}");
}

#[test]
fn every_default_configuration_is_clean_to_depth_12() {
    for mut config in default_set() {
        config.bounds.depth = 12;
        let mut levels = Vec::new();
        let report = search(&config, 2, &mut |depth, states, _| {
            levels.push((depth, states))
        })
        .expect("valid config");
        if let Some(found) = &report.violation {
            let path: Vec<String> = found.path.iter().map(ToString::to_string).collect();
            panic!("{}: {}\n{}", config.name, found.violation, path.join("\n"));
        }
        // Progress is reported once per level, with growing state counts.
        assert_eq!(levels.len() as u32, report.depth, "{}", config.name);
        assert!(
            levels.windows(2).all(|w| w[0].1 <= w[1].1),
            "{}",
            config.name
        );
    }
}

/// The exact figures of each default configuration to a bounded depth, as the search gave them
/// before it was made faster: an optimisation of the search, the world or the core must leave
/// every state, transition and level exactly as it was.
#[test]
fn the_figures_of_each_default_configuration_are_pinned() {
    // (configuration, depth bound, distinct states, transitions, depth reached, complete)
    let pinned = [
        (0, 100, 6_740, 16_728, 15, true),
        (1, 9, 33_758, 86_026, 9, false),
        (2, 9, 28_617, 77_789, 9, false),
    ];
    let set = default_set();
    for (index, depth, states, transitions, reached, complete) in pinned {
        let mut config = set[index].clone();
        config.bounds.depth = depth;
        for jobs in [1, 2] {
            let report = search(&config, jobs, &mut |_, _, _| {}).expect("valid config");
            let figures = (
                report.states,
                report.transitions,
                report.depth,
                report.complete,
            );
            assert_eq!(
                figures,
                (states, transitions, reached, complete),
                "configuration {index} with {jobs} jobs"
            );
            assert!(report.violation.is_none(), "{report:?}");
        }
    }
}

/// The world as it is, without the symmetry over interchangeable templates: its fingerprint
/// is the plain hash of the state.
#[derive(Clone, Hash)]
struct WithoutTemplateSymmetry(World);

impl Space for WithoutTemplateSymmetry {
    type Config = CheckConfig;
    type Step = Step;
    type Shelf = Vec<WithoutTemplateSymmetry>;

    fn enabled(&self, config: &CheckConfig, out: &mut Vec<Step>) {
        self.0.enabled(config, out);
    }

    fn take(&mut self, config: &CheckConfig, step: &Step) -> Result<(), Violation> {
        self.0.take(config, step)
    }

    fn check(&self, config: &CheckConfig) -> Result<(), Violation> {
        self.0.check(config)
    }

    fn bounds(config: &CheckConfig) -> (u32, u64) {
        World::bounds(config)
    }
}

/// Searches `config` from `world` with and without the template symmetry, and asserts the
/// same verdict both ways: complete, no violation, the same depth.
fn search_with_and_without_symmetry(
    world: World,
    config: &CheckConfig,
) -> (SearchReport, SearchReport) {
    let with = search_from(world.clone(), config, 2, &mut |_, _, _| {});
    let without = search_from(WithoutTemplateSymmetry(world), config, 2, &mut |_, _, _| {});
    assert!(with.complete && without.complete, "{with:?} {without:?}");
    assert!(with.violation.is_none() && without.violation.is_none());
    assert_eq!(with.depth, without.depth);
    (with, without)
}

#[test]
fn two_interchangeable_templates_are_one_up_to_renaming() {
    let mut config = CheckConfig::custom(vec![Template::new("a"), Template::new("b")]);
    config.bounds.starts = 2;
    config.bounds.crashes = 1;
    assert_eq!(config.template_symmetries(), vec![vec![1, 0]]);
    let world = World::new(&config).expect("valid config");
    let (with, without) = search_with_and_without_symmetry(world, &config);
    assert_eq!((with.states, without.states), (22_967, 45_699));
    // Templates that differ in any policy are never merged.
    let mut different = config.clone();
    different.templates[1].restart = dynsup::Restart::Transient;
    assert!(different.template_symmetries().is_empty());
    different.templates[1] = "b:inits=ok/fail".parse().expect("a valid template");
    assert!(different.template_symmetries().is_empty());
}

/// Templates with the same `inits` list are interchangeable too: renaming them renames their
/// attempt counts with them, so the search keeps its verdict and depth with fewer states.
#[test]
fn interchangeable_templates_with_init_lists_carry_their_attempts() {
    let template = |name: &str| -> Template {
        format!("{name}:inits=ok/fail/ok,shutdown=brutal_kill")
            .parse()
            .expect("a valid template")
    };
    let mut config = CheckConfig::custom(vec![template("a"), template("b")]);
    config.bounds.starts = 2;
    config.bounds.crashes = 1;
    config.bounds.terminates = 0;
    config.bounds.stops = false;
    assert_eq!(config.template_symmetries(), vec![vec![1, 0]]);
    let world = World::new(&config).expect("valid config");
    // One start of `a` is one start of `b` up to renaming, attempt count included.
    let started = |template: u8| {
        let mut started = world.clone();
        for step in [Step::Call(Request::Start(template)), Step::InitReturns] {
            started.apply(&config, step).expect("no violation");
        }
        started
    };
    let (a, b) = (started(0), started(1));
    assert_eq!(a.fingerprint(&config), b.fingerprint(&config));
    let (with, without) = search_with_and_without_symmetry(world, &config);
    assert!(with.states < without.states, "{with:?} {without:?}");
}

/// The two extensions of the world that the race goldens' walk needs (`tests/model_check_races.rs`)
/// keep every rule in every interleaving: several clients with a call outstanding each, and a
/// template whose start attempts answer by number (`inits`). Two clients reach states that one
/// client cannot (two calls waiting in the mailbox at once).
#[test]
fn several_clients_and_init_answers_by_attempt_break_no_rule() {
    let retried: Template = "f:inits=ok/fail/ok,shutdown=brutal_kill"
        .parse()
        .expect("a valid template");
    let mut config = CheckConfig::custom(vec![retried]);
    config.max_children = Some(1);
    config.bounds.starts = 2;
    config.bounds.crashes = 1;
    config.bounds.terminates = 0;
    config.bounds.listings = true;
    config.bounds.stops = false;
    let mut states = Vec::new();
    for clients in [1, 2] {
        config.bounds.clients = clients;
        let report = search(&config, 2, &mut |_, _, _| {}).expect("valid config");
        assert!(report.complete, "{report:?}");
        if let Some(found) = &report.violation {
            let path: Vec<String> = found.path.iter().map(ToString::to_string).collect();
            panic!(
                "{clients} clients: {}\n{}",
                found.violation,
                path.join("\n")
            );
        }
        states.push(report.states);
    }
    assert!(states[1] > states[0], "{states:?}");
}
