//! A property test of the static supervisor against a small world of processes: random
//! strategies, restart types, shutdowns, start outcomes, crashes, calls and disobeyed shutdown
//! signals. Whenever the supervisor rests, its running children are exactly the live processes
//! (no orphan, no ghost); every call gets exactly one reply; a parent's exit leaves nothing
//! alive (docs/static-supervisor.md §2 to §7).

use std::collections::BTreeSet;

use proptest::prelude::*;

use crate::static_supervisor::{ChildPid, Effect, Flags, StaticChildSpec, Supervisor};
use crate::{
    AutoShutdown, CallId, ChildSpec, ExitReason, Instant, Pid, Restart, Shutdown, StartOutcome,
    Strategy as RestartStrategy,
};

type Sup = Supervisor<u8, u8, ()>;

const IDS: u8 = 5;

/// One thing the world does.
#[derive(Clone, Debug)]
enum Op {
    /// The `n`-th live process (modulo) ends with reason kind `k`.
    Crash(usize, u8),
    StartChild(u8),
    TerminateChild(u8),
    RestartChild(u8),
    DeleteChild(u8),
    Which,
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<usize>(), 0..4u8).prop_map(|(n, k)| Op::Crash(n, k)),
        1 => (0..IDS).prop_map(Op::StartChild),
        1 => (0..IDS).prop_map(Op::TerminateChild),
        1 => (0..IDS).prop_map(Op::RestartChild),
        1 => (0..IDS).prop_map(Op::DeleteChild),
        1 => Just(Op::Which),
        2 => (0..3_000u64).prop_map(Op::Advance),
    ]
}

fn reason(kind: u8) -> ExitReason {
    match kind {
        0 => ExitReason::Normal,
        1 => ExitReason::Shutdown,
        2 => ExitReason::Killed,
        _ => ExitReason::other("boom"),
    }
}

/// The world: live processes, the clock, and the choices that answer starts and signals.
struct World {
    sup: Sup,
    alive: BTreeSet<u64>,
    next_pid: u64,
    next_call: u64,
    now: u64,
    choices: Vec<u8>,
    at: usize,
    calls: u64,
    replies: u64,
    exited: bool,
}

impl World {
    fn choice(&mut self) -> u8 {
        let c = self.choices[self.at % self.choices.len()];
        self.at += 1;
        c
    }

    fn t(&self) -> Instant {
        Instant::from_millis(self.now)
    }

    fn exit(&mut self, pid: u64, reason: ExitReason) {
        self.alive.remove(&pid);
        self.sup
            .handle_child_exit(self.t(), Pid(pid), reason)
            .unwrap();
    }

    /// Performs every effect, firing kill deadlines when nothing else is left.
    fn pump(&mut self) {
        loop {
            while let Some(effect) = self.sup.poll_effect() {
                match effect {
                    Effect::Start { .. } => {
                        let outcome = match self.choice() % 5 {
                            0 => StartOutcome::Failed(ExitReason::other("nope")),
                            1 => StartOutcome::Ignore,
                            _ => {
                                self.next_pid += 1;
                                self.alive.insert(self.next_pid);
                                StartOutcome::Started {
                                    pid: Pid(self.next_pid),
                                    info: None,
                                }
                            }
                        };
                        self.sup.handle_start_result(self.t(), outcome).unwrap();
                    }
                    // A child may disobey the shutdown signal; the kill deadline then comes.
                    Effect::Shutdown { pid } => {
                        if !self.choice().is_multiple_of(3) {
                            self.exit(pid.0, ExitReason::Shutdown);
                        }
                    }
                    Effect::Kill { pid } => {
                        assert!(self.alive.contains(&pid.0), "kill of a dead pid {pid}");
                        self.exit(pid.0, ExitReason::Killed);
                    }
                    Effect::Reply { .. } => self.replies += 1,
                    Effect::Exit { .. } => self.exited = true,
                    Effect::Initialized(_) => {}
                }
            }
            match self.sup.poll_timeout() {
                Some(deadline) => {
                    self.now = self.now.max(deadline.as_millis());
                    self.sup.handle_timeout(self.t()).unwrap();
                }
                None => return,
            }
        }
    }

    fn call(&mut self) -> CallId {
        self.next_call += 1;
        self.calls += 1;
        CallId(self.next_call)
    }

    fn spec(
        &self,
        id: u8,
        restart: Restart,
        brutal: bool,
        significant: bool,
    ) -> StaticChildSpec<u8, u8, ()> {
        let shutdown = if brutal {
            Shutdown::BrutalKill
        } else {
            Shutdown::millis(100)
        };
        StaticChildSpec::new(
            id,
            ChildSpec::new(id, vec![])
                .restart(restart)
                .shutdown(shutdown)
                .significant(significant),
        )
    }

    /// When the supervisor rests, its running children are exactly the live processes.
    fn check(&self) {
        let view = self.sup.view();
        if !view.is_alive() {
            assert!(
                self.alive.is_empty(),
                "orphans after exit: {:?}",
                self.alive
            );
            assert!(self.exited);
            return;
        }
        if view.is_busy() || view.mailbox_len() > 0 {
            return;
        }
        let running: BTreeSet<u64> = view
            .rows()
            .iter()
            .filter_map(|r| match r.pid {
                ChildPid::Running(pid) => Some(pid.0),
                _ => None,
            })
            .collect();
        assert_eq!(running, self.alive, "table and world disagree");
    }
}

fn restart_of(n: u8) -> Restart {
    match n % 3 {
        0 => Restart::Permanent,
        1 => Restart::Transient,
        _ => Restart::Temporary,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_orphan_no_ghost_one_reply_per_call(
        strategy in 0..3u8,
        auto in 0..3u8,
        kinds in proptest::collection::vec((0..3u8, any::<bool>(), any::<bool>()), 1..5),
        choices in proptest::collection::vec(any::<u8>(), 1..64),
        ops in proptest::collection::vec(op(), 0..40),
    ) {
        let strategy = [RestartStrategy::OneForOne, RestartStrategy::OneForAll, RestartStrategy::RestForOne][strategy as usize];
        let auto = [AutoShutdown::Never, AutoShutdown::AnySignificant, AutoShutdown::AllSignificant][auto as usize];
        let mut world = World {
            sup: Supervisor::start(Instant::ZERO, Flags::default(), vec![]).unwrap(),
            alive: BTreeSet::new(), next_pid: 0, next_call: 0, now: 0, choices, at: 0,
            calls: 0, replies: 0, exited: false,
        };
        let valid_significant = |restart: Restart, s: bool| s && auto != AutoShutdown::Never && restart != Restart::Permanent;
        let specs = kinds.iter().enumerate().map(|(i, &(r, brutal, s))| {
            let restart = restart_of(r);
            world.spec(i as u8, restart, brutal, valid_significant(restart, s))
        }).collect();
        let flags = Flags::default().strategy(strategy).auto_shutdown(auto).max_restarts(3).max_seconds(5);
        world.sup = Supervisor::start(Instant::ZERO, flags, specs).unwrap();
        world.pump();
        world.check();
        for op in ops {
            let t = world.t();
            match op {
                Op::Crash(n, k) => {
                    let pid = world.alive.iter().copied().nth(n % world.alive.len().max(1));
                    if let Some(pid) = pid {
                        world.exit(pid, reason(k));
                    }
                }
                Op::StartChild(id) => {
                    let call = world.call();
                    let restart = restart_of(id);
                    let spec = world.spec(id, restart, id % 2 == 0, false);
                    world.sup.start_child(t, call, spec).unwrap();
                }
                Op::TerminateChild(id) => { let c = world.call(); world.sup.terminate_child(t, c, id).unwrap(); }
                Op::RestartChild(id) => { let c = world.call(); world.sup.restart_child(t, c, id).unwrap(); }
                Op::DeleteChild(id) => { let c = world.call(); world.sup.delete_child(t, c, id).unwrap(); }
                Op::Which => { let c = world.call(); world.sup.which_children(t, c).unwrap(); }
                Op::Advance(ms) => world.now += ms,
            }
            world.pump();
            world.check();
        }
        let t = world.t();
        world.sup.handle_parent_exit(t, ExitReason::Shutdown).unwrap();
        world.pump();
        prop_assert!(!world.sup.view().is_alive());
        prop_assert!(world.alive.is_empty(), "orphans: {:?}", world.alive);
        prop_assert_eq!(world.calls, world.replies);
    }
}
