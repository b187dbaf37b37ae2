//! Random scenarios from a seed, swarm-style: each seed picks its own configuration and its own
//! operation mix, so that rare corners (max_restarts 0, a full max_children, failing restarts,
//! slow shutdowns) come up often across seeds. Some seeds also write races (docs/races.md):
//! `suspend` ... `resume` windows whose exits, kills and calls queue in the supervisor's
//! mailbox and are handled together once it is resumed.

use dynsup::{ExitReason, Restart, Shutdown};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::Model;
use crate::scenario::{ChildRef, InitOutcome, Name, Op, Scenario, Step, SupervisorLine, Template};

/// The RNG stream of each subsystem, so that drawing more in one never shifts another.
#[derive(Clone, Copy, Debug)]
enum Stream {
    Configuration = 1,
    Workload = 2,
    /// Whether and where the seed writes races, and what each window holds: a stream of its
    /// own, so that a seed without races is the scenario it was before races existed.
    Races = 3,
}

/// One independent random stream of `seed`.
fn stream(seed: u64, which: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(which as u64);
    rng
}

/// The relative weights of each operation for one seed.
#[derive(Clone, Copy, Debug)]
struct OpMix {
    start: u32,
    exit: u32,
    kill: u32,
    terminate: u32,
    count: u32,
    which: u32,
    stop: u32,
}

impl OpMix {
    fn draw(rng: &mut ChaCha8Rng) -> Self {
        // Swarm testing: some operations are often left out entirely.
        let mut weight = |max: u32| {
            if rng.gen_bool(0.2) {
                0
            } else {
                rng.gen_range(1..=max)
            }
        };
        OpMix {
            start: weight(10).max(1),
            exit: weight(8),
            kill: weight(6),
            terminate: weight(6),
            count: weight(4),
            which: weight(4),
            stop: u32::from(rng.gen_bool(0.3)),
        }
    }
}

const SCRIPTS: &[&[&str]] = &[
    &["ok"],
    &["ok"],
    &["ok", "stop:boom"],
    &["ok", "ignore"],
    &["ok", "stop:flaky", "ok"],
    &["ok", "stop:flaky", "stop:flaky", "ok"],
    &["stop:bad", "ok"],
    &["ignore", "ok"],
    &["ok", "ok", "stop:late"],
];

fn outcome(word: &str) -> InitOutcome {
    match word.strip_prefix("stop:") {
        Some(reason) => InitOutcome::Stop(reason.to_owned()),
        None if word == "ignore" => InitOutcome::Ignore,
        None => InitOutcome::Ok,
    }
}

fn template(rng: &mut ChaCha8Rng, name: String) -> Template {
    let restart = *[Restart::Permanent, Restart::Transient, Restart::Temporary]
        .choose(rng)
        .unwrap_or(&Restart::Permanent);
    let shutdown = match rng.gen_range(0..8) {
        0 | 1 => Shutdown::BrutalKill,
        2 => Shutdown::Infinity,
        // No 0: Elixir 1.14, the reference, rejects it. 50 and 200 tie with stop times.
        _ => Shutdown::millis(*[1, 50, 200, 1000, 5000].choose(rng).unwrap_or(&5000)),
    };
    let script = SCRIPTS.choose(rng).copied().unwrap_or(&["ok"]);
    Template {
        name,
        restart,
        shutdown,
        trap_exit: rng.gen_bool(0.5),
        stop_ms: *[0, 10, 50, 200, 300, 2000].choose(rng).unwrap_or(&0),
        init: script.iter().map(|w| outcome(w)).collect(),
    }
}

fn reason(rng: &mut ChaCha8Rng) -> ExitReason {
    match rng.gen_range(0..6) {
        0 => ExitReason::Normal,
        1 => ExitReason::Shutdown,
        2 => ExitReason::ShutdownWith("x".into()),
        3 => ExitReason::Killed,
        _ => ExitReason::other("boom"),
    }
}

/// The scenario of `seed`, with `steps` steps: the same seed always gives the same scenario.
///
/// ```
/// use dynsup_sim::{explore, scenario};
/// let generated = explore::generate(1, 10);
/// assert_eq!(generated.steps.len(), 10);
/// // It prints as a scenario file that parses back to the same scenario.
/// assert_eq!(scenario::parse(&generated.to_string()).unwrap(), generated);
/// ```
pub fn generate(seed: u64, steps: usize) -> Scenario {
    let mut config = stream(seed, Stream::Configuration);
    let supervisor = SupervisorLine {
        max_children: if config.gen_bool(0.4) {
            Some(config.gen_range(0..=4))
        } else {
            None
        },
        max_restarts: *[0, 1, 2, 3, 3, 5, 10].choose(&mut config).unwrap_or(&3),
        max_seconds: config.gen_range(1..=5),
    };
    let template_count = config.gen_range(1..=3);
    let mut templates: Vec<Template> = (0..template_count)
        .map(|i| template(&mut config, format!("c{i}")))
        .collect();
    let mut races = Races::draw(seed);
    races.failing_restarts(&mut templates);
    let mix = OpMix::draw(&mut config);
    // Each step shares its template's name instead of copying the text.
    let names: Vec<Name> = templates.iter().map(|t| Name::from(&t.name)).collect();

    // A seed that writes races follows its own steps in the reference model, so that a
    // window's exits and calls name children that run.
    let mut model = (races.percent > 0)
        .then(|| {
            Model::new(&Scenario {
                supervisor,
                templates: templates.clone(),
                steps: Vec::new(),
            })
            .ok()
        })
        .flatten();
    let mut rng = stream(seed, Stream::Workload);
    let mut starts = vec![0u64; templates.len()];
    let mut now_ms = 0u64;
    let mut result = Vec::with_capacity(steps);
    let mut stopped = false;
    let total = mix.start + mix.exit + mix.kill + mix.terminate + mix.count + mix.which;
    while result.len() < steps {
        now_ms += match rng.gen_range(0..10) {
            0..=2 => 0,
            3..=6 => rng.gen_range(1..=100),
            // Straddle the next second boundary.
            7 => (1000 - now_ms % 1000) + rng.gen_range(0..=50),
            // Jump about one restart window.
            8 => supervisor.max_seconds * 1000 + rng.gen_range(0..=200),
            _ => rng.gen_range(500..=3000),
        };
        let pick = |rng: &mut ChaCha8Rng, starts: &[u64]| {
            let index = rng.gen_range(0..templates.len());
            let bound = starts.get(index).copied().unwrap_or(0) * 2 + 1;
            ChildRef {
                template: names.get(index).cloned().unwrap_or_default(),
                attempt: rng.gen_range(1..=bound),
            }
        };
        let left = steps - result.len();
        if let Some(window) = races.window(left) {
            // Inside a window a REF is one already started (attempts past the starts are
            // restarts, which may not exist yet): an exit there races something more often.
            let started = |rng: &mut ChaCha8Rng, starts: &[u64]| {
                let index = rng.gen_range(0..names.len().max(1));
                let bound = starts.get(index).copied().unwrap_or(0).max(1);
                ChildRef {
                    template: names.get(index).cloned().unwrap_or_default(),
                    attempt: rng.gen_range(1..=bound),
                }
            };
            let running = model.as_ref().map(Model::running).unwrap_or_default();
            let live = |rng: &mut ChaCha8Rng, starts: &[u64]| match running.choose(rng) {
                Some(child) => child.clone(),
                None => started(rng, starts),
            };
            let picked = live(&mut races.rng, &starts);
            let names = &names;
            let first = result.len();
            now_ms = window.write(&mut races.rng, now_ms, &mut result, |rng, op| match op {
                WindowOp::Start => {
                    let index = rng.gen_range(0..names.len().max(1));
                    if let Some(count) = starts.get_mut(index) {
                        *count += 1;
                    }
                    Op::Start {
                        template: names.get(index).cloned().unwrap_or_default(),
                    }
                }
                WindowOp::ExitPicked => Op::Exit(picked.clone(), reason(rng)),
                WindowOp::KillPicked => Op::Kill(picked.clone()),
                WindowOp::TerminatePicked => Op::Terminate(picked.clone()),
                WindowOp::ExitOther => {
                    // Another running child than the picked one, when there is one.
                    let others: Vec<&ChildRef> =
                        running.iter().filter(|child| **child != picked).collect();
                    let other = match others.choose(rng) {
                        Some(child) => (*child).clone(),
                        None => live(rng, &starts),
                    };
                    Op::Exit(other, reason(rng))
                }
                WindowOp::TerminateOther => Op::Terminate(live(rng, &starts)),
                WindowOp::Which => Op::Which,
                WindowOp::Count => Op::Count,
                WindowOp::Stop if !stopped && mix.stop > 0 => {
                    stopped = true;
                    Op::Stop
                }
                WindowOp::Stop => Op::Count,
            });
            follow(&mut model, result.get(first..).unwrap_or(&[]));
            continue;
        }
        let stop_now = !stopped && mix.stop > 0 && rng.gen_range(0..steps.max(1) * 2) == 0;
        let op = if stop_now {
            stopped = true;
            Op::Stop
        } else {
            let mut roll = rng.gen_range(0..total.max(1));
            let mut take = |weight: u32| {
                let hit = roll < weight;
                roll = roll.saturating_sub(weight);
                hit
            };
            if take(mix.start) {
                let index = rng.gen_range(0..templates.len());
                if let Some(count) = starts.get_mut(index) {
                    *count += 1;
                }
                Op::Start {
                    template: names.get(index).cloned().unwrap_or_default(),
                }
            } else if take(mix.exit) {
                Op::Exit(pick(&mut rng, &starts), reason(&mut rng))
            } else if take(mix.kill) {
                Op::Kill(pick(&mut rng, &starts))
            } else if take(mix.terminate) {
                Op::Terminate(pick(&mut rng, &starts))
            } else if take(mix.count) {
                Op::Count
            } else {
                Op::Which
            }
        };
        result.push(Step::new(now_ms, op));
        follow(&mut model, result.get(result.len() - 1..).unwrap_or(&[]));
    }
    Scenario {
        supervisor,
        templates,
        steps: result,
    }
}

/// Runs `steps` in `model`; a model that cannot go on (a restart retried forever) is dropped.
fn follow(model: &mut Option<Model>, steps: &[Step]) {
    let Some(state) = model.as_mut() else {
        return;
    };
    for step in steps {
        if state.step_record(step).is_err() {
            *model = None;
            return;
        }
    }
}

/// What a seed does about races: how often it opens a `suspend` ... `resume` window.
struct Races {
    rng: ChaCha8Rng,
    /// The chance, in percent, that a step opens a window (0: the seed writes no races).
    percent: u32,
}

impl Races {
    fn draw(seed: u64) -> Self {
        let mut rng = stream(seed, Stream::Races);
        let percent = if rng.gen_bool(0.4) {
            rng.gen_range(5..=25)
        } else {
            0
        };
        Races { rng, percent }
    }

    /// A seed that writes races often gives a template restarts that fail (its first two
    /// starts succeed): what races expose is mostly what waits behind a retry (r04, r09, r10,
    /// r17, r25), and two such children crashing together keep two retries waiting at once.
    fn failing_restarts(&mut self, templates: &mut [Template]) {
        if self.percent == 0 || !self.rng.gen_bool(0.5) {
            return;
        }
        let script: &[&str] = if self.rng.gen_bool(0.5) {
            &["ok", "ok", "stop:late"]
        } else {
            &["ok", "ok", "stop:flaky", "stop:flaky", "ok"]
        };
        if let Some(template) = templates.choose_mut(&mut self.rng) {
            template.init = script.iter().map(|w| outcome(w)).collect();
        }
    }

    /// A window to write now, with `left` steps left to write, if the seed opens one here.
    fn window(&mut self, left: usize) -> Option<Window> {
        if self.percent == 0 || left < 3 || self.rng.gen_range(0..100) >= self.percent {
            return None;
        }
        let inner = self.rng.gen_range(1..=(left - 2).min(5));
        Some(Window { inner })
    }
}

/// What a step inside a window does; `Picked` ones all name the same REF, drawn once per
/// window, so that an exit and a terminate of one child can race.
#[derive(Clone, Copy, Debug)]
enum WindowOp {
    Start,
    ExitPicked,
    KillPicked,
    TerminatePicked,
    ExitOther,
    TerminateOther,
    Which,
    Count,
    Stop,
}

/// The weights of the steps inside a window: mostly an exit followed by the calls that race it.
const WINDOW_OPS: [(WindowOp, u32); 9] = [
    (WindowOp::Start, 5),
    (WindowOp::ExitPicked, 5),
    (WindowOp::KillPicked, 2),
    (WindowOp::TerminatePicked, 4),
    (WindowOp::ExitOther, 5),
    (WindowOp::TerminateOther, 2),
    (WindowOp::Which, 3),
    (WindowOp::Count, 3),
    (WindowOp::Stop, 1),
];

/// A `suspend`, `inner` steps, and the `resume`.
struct Window {
    inner: usize,
}

impl Window {
    /// Writes the window's steps from `at_ms` (a step inside may let a little time pass for
    /// the children), each inner step made by `make` from its kind; returns the time of its
    /// `resume`.
    fn write(
        &self,
        rng: &mut ChaCha8Rng,
        mut at_ms: u64,
        steps: &mut Vec<Step>,
        mut make: impl FnMut(&mut ChaCha8Rng, WindowOp) -> Op,
    ) -> u64 {
        steps.push(Step::new(at_ms, Op::Suspend));
        let total: u32 = WINDOW_OPS.iter().map(|(_, weight)| weight).sum();
        for index in 0..self.inner {
            // The first step is an exit or a kill more often than not: what the others race;
            // the second is often another child's exit (exits handled together, r07, r20),
            // and a later one a start.
            let kind = if index == 0 && rng.gen_bool(0.6) {
                if rng.gen_bool(0.75) {
                    WindowOp::ExitPicked
                } else {
                    WindowOp::KillPicked
                }
            } else if index == 1 && rng.gen_bool(0.5) {
                WindowOp::ExitOther
            } else if index >= 1 && rng.gen_bool(0.25) {
                // A start behind a crash: refused at max_children while it restarts (r02, r10).
                WindowOp::Start
            } else {
                let mut roll = rng.gen_range(0..total);
                WINDOW_OPS
                    .iter()
                    .find(|(_, weight)| {
                        let hit = roll < *weight;
                        roll = roll.saturating_sub(*weight);
                        hit
                    })
                    .map_or(WindowOp::Which, |(kind, _)| *kind)
            };
            if rng.gen_bool(0.15) {
                at_ms += rng.gen_range(1..=100);
            }
            let op = make(rng, kind);
            steps.push(Step::new(at_ms, op));
        }
        steps.push(Step::new(at_ms, Op::Resume));
        at_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_scenario() {
        for seed in 0..50 {
            assert_eq!(generate(seed, 100), generate(seed, 100));
        }
        assert_ne!(generate(1, 100), generate(2, 100));
    }

    #[test]
    fn some_seeds_write_well_formed_races() {
        let mut racy = 0;
        for seed in 0..100 {
            let scenario = generate(seed, 60);
            assert_eq!(scenario.steps.len(), 60, "seed {seed}");
            let suspends = scenario.steps.iter().filter(|s| s.op == Op::Suspend);
            let resumes = scenario.steps.iter().filter(|s| s.op == Op::Resume);
            assert_eq!(suspends.count(), resumes.count(), "seed {seed}");
            if scenario.steps.iter().any(|s| s.op == Op::Suspend) {
                racy += 1;
            }
        }
        assert!((20..=60).contains(&racy), "{racy} of 100 seeds write races");
    }

    #[test]
    fn generated_scenarios_print_and_parse_back() {
        for seed in 0..50 {
            let scenario = generate(seed, 60);
            let text = scenario.to_string();
            let parsed = crate::scenario::parse(&text).expect("generated scenario parses");
            assert_eq!(parsed, scenario, "seed {seed}");
        }
    }
}
