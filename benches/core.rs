//! criterion micro-benchmarks of the core's hot paths, driven by hand (no simulator):
//! start_child with its start result, a child's exit with its restart, count_children, and
//! terminate_child. Run with `cargo bench --bench core`.
// `criterion_group!` generates a public function without documentation.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant as WallClock};

use criterion::{criterion_group, criterion_main, Criterion};
use dynsup::{
    CallId, ChildSpec, DynamicSupervisor, Effect, ExitReason, Instant, Options, Pid, StartOutcome,
};

/// A core and the counters of the driver that feeds it.
struct Driver {
    sup: DynamicSupervisor<(), ()>,
    next_pid: u64,
    next_call: u64,
    now: Instant,
}

impl Driver {
    fn new(max_restarts: i64) -> Self {
        let options = Options::default().max_restarts(max_restarts).max_seconds(1);
        Driver {
            sup: DynamicSupervisor::with_options(options).expect("valid options"),
            next_pid: 1,
            next_call: 0,
            now: Instant::ZERO,
        }
    }

    fn call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    fn drain(&mut self) {
        while let Some(effect) = self.sup.poll_effect() {
            black_box(effect);
        }
        while let Some(event) = self.sup.poll_event() {
            black_box(event);
        }
    }

    /// start_child, the start effect, its result, and the reply.
    fn start_child(&mut self) -> Pid {
        let call = self.call();
        self.sup
            .start_child(
                self.now,
                call,
                ChildSpec::new((), Vec::new())
                    .validate()
                    .expect("valid spec"),
            )
            .expect("time moves on");
        let start = self.sup.poll_effect();
        debug_assert!(matches!(start, Some(Effect::Start { .. })));
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        self.sup
            .handle_start_result(self.now, StartOutcome::Started { pid, info: None })
            .expect("a start is pending");
        self.drain();
        pid
    }

    /// The child is killed and restarted; returns its new pid.
    fn crash_and_restart(&mut self, pid: Pid) -> Pid {
        self.now = self.now.saturating_add_millis(1);
        self.sup
            .handle_child_exit(self.now, pid, ExitReason::Killed)
            .expect("time moves on");
        let start = self.sup.poll_effect();
        debug_assert!(matches!(start, Some(Effect::Start { .. })));
        let new = Pid(self.next_pid);
        self.next_pid += 1;
        self.sup
            .handle_start_result(
                self.now,
                StartOutcome::Started {
                    pid: new,
                    info: None,
                },
            )
            .expect("a restart is pending");
        self.drain();
        new
    }

    fn terminate_child(&mut self, pid: Pid) {
        let call = self.call();
        self.sup
            .terminate_child(self.now, call, pid)
            .expect("time moves on");
        let shutdown = self.sup.poll_effect();
        debug_assert!(matches!(shutdown, Some(Effect::Shutdown { .. })));
        self.sup
            .handle_child_exit(self.now, pid, ExitReason::Shutdown)
            .expect("time moves on");
        self.drain();
    }

    fn count_children(&mut self) {
        let call = self.call();
        self.sup
            .count_children(self.now, call)
            .expect("time moves on");
        self.drain();
    }
}

fn start_child(c: &mut Criterion) {
    // Each sample starts `iters` children on a fresh supervisor: the table grows as it would.
    c.bench_function("start_child + start_result", |b| {
        b.iter_custom(|iters| {
            let mut driver = Driver::new(3);
            let began = WallClock::now();
            for _ in 0..iters {
                black_box(driver.start_child());
            }
            began.elapsed()
        });
    });
}

fn crash_and_restart(c: &mut Criterion) {
    let mut driver = Driver::new(1_000_000);
    let mut pid = driver.start_child();
    c.bench_function("child exit + restart", |b| {
        b.iter(|| {
            pid = driver.crash_and_restart(pid);
        });
    });
}

fn count_children(c: &mut Criterion) {
    let mut driver = Driver::new(3);
    for _ in 0..100_000 {
        driver.start_child();
    }
    c.bench_function("count_children, 100k children", |b| {
        b.iter(|| driver.count_children());
    });
}

fn terminate_child(c: &mut Criterion) {
    // Each sample starts `iters` children (not timed), then terminates them in order.
    c.bench_function("terminate_child", |b| {
        b.iter_custom(|iters| {
            let mut driver = Driver::new(3);
            let pids: Vec<Pid> = (0..iters).map(|_| driver.start_child()).collect();
            let began = WallClock::now();
            for pid in pids {
                driver.terminate_child(pid);
            }
            began.elapsed()
        });
    });
}

criterion_group! {
    name = core;
    config = Criterion::default().measurement_time(Duration::from_secs(3));
    targets = start_child, crash_and_restart, count_children, terminate_child
}
criterion_main!(core);
