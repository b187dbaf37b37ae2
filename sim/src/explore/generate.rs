//! Random scenarios from a seed, swarm-style: each seed picks its own configuration and its own
//! operation mix, so that rare corners (max_restarts 0, a full max_children, failing restarts,
//! slow shutdowns) come up often across seeds.

use dynsup::{ExitReason, Restart, Shutdown};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scenario::{ChildRef, InitOutcome, Name, Op, Scenario, Step, SupervisorLine, Template};

/// The RNG stream of each subsystem, so that drawing more in one never shifts another.
#[derive(Clone, Copy, Debug)]
enum Stream {
    Configuration = 1,
    Workload = 2,
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
    let templates: Vec<Template> = (0..template_count)
        .map(|i| template(&mut config, format!("c{i}")))
        .collect();
    let mix = OpMix::draw(&mut config);
    // Each step shares its template's name instead of copying the text.
    let names: Vec<Name> = templates.iter().map(|t| Name::from(&t.name)).collect();

    let mut rng = stream(seed, Stream::Workload);
    let mut starts = vec![0u64; templates.len()];
    let mut now_ms = 0u64;
    let mut result = Vec::with_capacity(steps);
    let mut stopped = false;
    let total = mix.start + mix.exit + mix.kill + mix.terminate + mix.count + mix.which;
    for _ in 0..steps {
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
    }
    Scenario {
        supervisor,
        templates,
        steps: result,
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
    fn generated_scenarios_print_and_parse_back() {
        for seed in 0..50 {
            let scenario = generate(seed, 60);
            let text = scenario.to_string();
            let parsed = crate::scenario::parse(&text).expect("generated scenario parses");
            assert_eq!(parsed, scenario, "seed {seed}");
        }
    }
}
