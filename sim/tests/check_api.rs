//! `dynsup_sim::check` from the outside: traces repeat byte for byte, a test that reads the
//! wall clock is reported as nondeterministic, boxed `dyn` workers downcast, reordering keeps
//! each sender-receiver pair in order, every fault kind comes up, and a panicking body is a
//! failure of its own kind.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use dynsup::{
    BoxedWorker, ChildSpec, Config, Context, ExitReason, Init, Next, Options, Restart, Worker,
};
use dynsup_sim::check::{
    ensure, ensure_eq, started_pid, BoxedAnyWorker, Check, FailureKind, FaultKind, FaultPlan,
};

fn config() -> Config<()> {
    Options::default()
        .max_restarts(1_000)
        .validate()
        .expect("valid options")
}

/// Does nothing; traps exits so that its shutdown has a cleanup (and can be slow).
struct Idle;

impl Worker for Idle {
    type Message = ();
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
    fn traps_exits(&self) -> bool {
        true
    }
}

fn idle_spawner() -> impl FnMut(&&'static str, &[()]) -> BoxedWorker<()> {
    |_: &&'static str, _: &[()]| -> BoxedWorker<()> { Box::new(Idle) }
}

/// A body that exercises every fault: starts, messages to every child, terminations, time.
fn busy_body(
    sim: &mut dynsup_sim::check::Sim<
        &'static str,
        (),
        impl dynsup::Spawner<&'static str, (), Worker = dynsup::DynWorker<()>>,
    >,
) -> Result<(), dynsup_sim::check::Failed> {
    while let Some(op) = sim.operation(4) {
        match op {
            0 => {
                sim.start_child(ChildSpec::new("idle", vec![]).restart(Restart::Permanent))?;
            }
            1 => {
                for pid in sim.live_children() {
                    sim.send(pid, ());
                }
            }
            2 => {
                if let Some(&pid) = sim.live_children().first() {
                    sim.terminate_child(pid)?;
                }
            }
            _ => {
                let millis = sim.draw(500);
                sim.advance(millis)?;
            }
        }
    }
    Ok(())
}

#[test]
fn two_runs_of_a_seed_have_byte_identical_traces() {
    let mut check = Check::new(config(), idle_spawner).faults(FaultPlan::swarm().all_on());
    for seed in 0..5 {
        let first = check.run_seed(seed, &mut busy_body);
        let second = check.run_seed(seed, &mut busy_body);
        assert!(first.trace.len() > 50, "a run does something");
        assert_eq!(first.trace, second.trace);
        assert_eq!(first.tape, second.tape);
        // The tape alone replays it, without the generator.
        let replayed = check.replay(first.tape.clone(), &mut busy_body);
        assert_eq!(replayed.trace, first.trace);
    }
}

#[test]
fn every_fault_kind_comes_up() {
    let mut check = Check::new(config(), idle_spawner).faults(FaultPlan::swarm().all_on());
    let mut seen = BTreeSet::new();
    for seed in 0..30 {
        let run = check.run_seed(seed, &mut busy_body);
        assert_eq!(run.outcome, Ok(()), "seed {seed}");
        for record in run.tape.records() {
            seen.extend(record.decisions.iter().map(|decision| decision.kind));
        }
    }
    assert_eq!(seen, FaultKind::ALL.into_iter().collect());
    // And without faults there are none.
    let mut calm = Check::new(config(), idle_spawner).faults(FaultPlan::none());
    let run = calm.run_seed(3, &mut busy_body);
    assert_eq!(run.tape.fault_count(), 0);
}

/// Crashes when the wall clock's nanoseconds are odd: not deterministic.
struct WallClock;

impl Worker for WallClock {
    type Message = ();
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
    fn handle_message(&mut self, (): (), _ctx: &mut Context<()>) -> Next {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        if nanos % 2 == 1 {
            Next::Stop(ExitReason::other("odd"))
        } else {
            Next::Continue
        }
    }
}

#[test]
fn a_worker_reading_the_wall_clock_is_reported_as_nondeterministic() {
    let spawner = || |_: &&'static str, _: &[()]| -> BoxedWorker<()> { Box::new(WallClock) };
    let report = Check::new(config(), spawner)
        .name("wall_clock")
        .faults(FaultPlan::none())
        .run_twice(true)
        .seeds(0..10)
        .run(|sim| {
            sim.start_child(ChildSpec::new("clock", vec![]))?;
            for _ in 0..64 {
                for pid in sim.live_children() {
                    sim.send(pid, ());
                }
                sim.advance(1)?;
            }
            Ok(())
        })
        .expect_err("reported");
    let divergence = report.divergence.clone().expect("a divergence");
    assert_ne!(divergence.first, divergence.second);
    let text = report.to_string();
    assert!(text.starts_with("SEED=0 "), "{text}");
    assert!(text.contains("is not deterministic"), "{text}");
}

struct Left(u64);
struct Right;

impl Worker for Left {
    type Message = ();
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
    fn handle_message(&mut self, (): (), _ctx: &mut Context<()>) -> Next {
        self.0 += 1;
        Next::Continue
    }
}

impl Worker for Right {
    type Message = ();
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
}

#[test]
fn boxed_dyn_workers_downcast_to_their_types() {
    let spawner = || {
        |function: &&'static str, _: &[()]| -> BoxedAnyWorker<()> {
            if *function == "left" {
                Box::new(Left(0))
            } else {
                Box::new(Right)
            }
        }
    };
    Check::new(config(), spawner)
        .faults(FaultPlan::none())
        .seeds(0..1)
        .check(|sim| {
            let left = started_pid(&sim.start_child(ChildSpec::new("left", vec![]))?);
            let right = started_pid(&sim.start_child(ChildSpec::new("right", vec![]))?);
            let (Some(left), Some(right)) = (left, right) else {
                return Err("not started".into());
            };
            sim.send(left, ());
            sim.send(left, ());
            sim.advance(1)?;
            ensure_eq(sim.worker_as::<Left>(left).map(|w| w.0), Some(2), "left")?;
            ensure(sim.worker_as::<Right>(left).is_none(), "left is no Right")?;
            ensure(sim.worker_as::<Right>(right).is_some(), "right is a Right")?;
            Ok(())
        });
}

/// Stamps each message with a sequence shared by the run's workers.
struct Stamps {
    clock: Rc<Cell<u64>>,
    got: Vec<(u64, u64)>,
}

impl Worker for Stamps {
    type Message = u64;
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<u64>) -> Init {
        Init::Ok
    }
    fn handle_message(&mut self, n: u64, _ctx: &mut Context<u64>) -> Next {
        let stamp = self.clock.get();
        self.clock.set(stamp + 1);
        self.got.push((stamp, n));
        Next::Continue
    }
}

#[test]
fn reordering_keeps_each_pair_in_order_and_varies_the_rest() {
    let spawner = || {
        let clock = Rc::new(Cell::new(0));
        move |_: &&'static str, _: &[()]| {
            Box::new(Stamps {
                clock: Rc::clone(&clock),
                got: Vec::new(),
            })
        }
    };
    let interleavings = RefCell::new(BTreeSet::new());
    Check::new(config(), spawner)
        .faults(FaultPlan::only(&[FaultKind::Reorder]).all_on())
        .seeds(0..40)
        .check(|sim| {
            let a = started_pid(&sim.start_child(ChildSpec::new("a", vec![]))?);
            let b = started_pid(&sim.start_child(ChildSpec::new("b", vec![]))?);
            let (Some(a), Some(b)) = (a, b) else {
                return Err("not started".into());
            };
            for n in 1..=3 {
                sim.send(a, n);
                sim.send(b, n);
            }
            sim.advance(1)?;
            let mut order = Vec::new();
            for pid in [a, b] {
                let got = sim.worker(pid).map(|w| w.got.clone()).unwrap_or_default();
                let values: Vec<u64> = got.iter().map(|&(_, n)| n).collect();
                ensure_eq(values, vec![1, 2, 3], "one sender, one receiver: FIFO")?;
                order.push(got.iter().map(|&(stamp, _)| stamp).collect::<Vec<_>>());
            }
            interleavings.borrow_mut().insert(order);
            Ok(())
        });
    assert!(
        interleavings.borrow().len() > 1,
        "different pairs interleave differently across seeds"
    );
}

#[test]
fn a_panicking_body_is_a_panic_failure() {
    let report = Check::new(config(), idle_spawner)
        .faults(FaultPlan::none())
        .seeds(0..1)
        .run_twice(false)
        .shrink_budget(3)
        .replay_dir(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("replays"))
        .run(|sim| {
            sim.start_child(ChildSpec::new("idle", vec![]))?;
            assert_eq!(sim.live_children().len(), 2, "deliberately wrong");
            Ok(())
        })
        .expect_err("it panics");
    assert_eq!(report.failure.kind, FailureKind::Panic);
    assert!(report.failure.message.contains("deliberately wrong"));
}

/// Lists its keys in a `HashMap`'s order: that order changes from one map to the next.
struct Keys(HashMap<u64, ()>);

impl Worker for Keys {
    type Message = ();
    type Call = ();
    type Reply = Vec<u64>;
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
    fn handle_call(&mut self, (): (), _ctx: &mut Context<()>) -> dynsup::Answer<Vec<u64>> {
        dynsup::Answer::Reply(self.0.keys().copied().collect())
    }
}

#[test]
fn a_body_logging_a_hash_map_order_is_reported_as_nondeterministic() {
    let spawner =
        || |_: &&'static str, _: &[()]| Box::new(Keys((0..16).map(|key| (key, ())).collect()));
    let report = Check::new(config(), spawner)
        .faults(FaultPlan::none())
        .run_twice(true)
        .seeds(0..10)
        .run(|sim| {
            for _ in 0..4 {
                let reply = sim.start_child(ChildSpec::new("keys", vec![]))?;
                if let Some(pid) = started_pid(&reply) {
                    let keys = sim.call(pid, (), 1_000)?;
                    sim.log(format!("keys {keys:?}"));
                    // The body's own fault, in the trace too.
                    sim.kill_child(pid);
                }
            }
            Ok(())
        })
        .expect_err("reported");
    let divergence = report.divergence.expect("a divergence");
    assert!(
        divergence
            .first
            .is_some_and(|line| line.contains("log keys")),
        "the first difference is the logged order"
    );
}

/// The same-instant order hook, always picking the oldest, changes nothing: the default
/// order is the order sent.
#[test]
fn picking_the_oldest_is_the_default_order() {
    use dynsup::Instant;
    use dynsup_sim::simulation::Simulation;

    let run = |hooked: bool| {
        let mut sim = Simulation::new(config(), idle_spawner());
        if hooked {
            sim.set_same_instant_order(Box::new(|_| 0));
        }
        let mut pids = Vec::new();
        for _ in 0..3 {
            let call = sim
                .start_child(ChildSpec::new("idle", vec![]))
                .expect("valid");
            if let Ok(reply) = sim.wait_reply(call) {
                pids.extend(started_pid(&reply));
            }
        }
        for &pid in &pids {
            sim.send(pid, ());
            sim.kill_child(pid);
        }
        let stop = sim.stop(ExitReason::Shutdown);
        sim.wait_reply(stop).expect("stopped");
        sim.run_until(Instant::from_millis(10_000)).expect("runs");
        sim.trace().to_vec()
    };
    let plain = run(false);
    assert!(plain.len() > 10);
    assert_eq!(run(true), plain);
}
