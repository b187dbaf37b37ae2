//! The tokio runtime through its async handle: the DynamicSupervisor API, a panic as an exit
//! `panic` and a permanent child's restart, timers on tokio's paused clock, calls, kills as
//! task aborts, and stop. Most tests run on a paused clock (virtual time, exact instants).
#![cfg(not(loom))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use dynsup::tokio_runtime::{
    NoProc, Report, StartChildError, StopError, Supervisor, TerminateChildError,
};
use dynsup::{
    Answer, CallError, ChildCounts, ChildSpec, Context, ExitReason, Init, Instant, Next, Options,
    Pid, Restart, Shutdown, StartOutcome, Started, Worker,
};

/// What a test worker does.
#[derive(Clone, Debug, Default)]
struct Behaviour {
    /// Traps exits, with this cleanup time in ms (`None`: never exits by itself).
    trap: Option<Option<u64>>,
    /// Sets a timer in `init` that makes it exit with `timer` after this many ms.
    exit_after: Option<u64>,
}

/// Messages a test worker understands.
#[derive(Debug)]
enum Msg {
    Panic,
    Exit(ExitReason),
    /// Blocks its runtime thread for this many ms inside the callback.
    Block(u64),
}

/// Calls a test worker answers.
#[derive(Debug)]
enum Req {
    Get,
    Stop(ExitReason),
}

/// What the test sees of its workers.
#[derive(Default)]
struct World {
    live: AtomicUsize,
    terminated: AtomicUsize,
    handled: AtomicUsize,
    blocking: AtomicBool,
    blocked_done: AtomicBool,
    /// The worker's clock when it last handled a message.
    handled_at: Mutex<Option<Instant>>,
    reports: Mutex<Vec<Report>>,
}

impl World {
    fn reports(&self) -> Vec<Report> {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn downs_of(&self, pid: Pid) -> Vec<ExitReason> {
        self.reports()
            .into_iter()
            .filter_map(|report| match report {
                Report::ChildDown { pid: p, reason } if p == pid => Some(reason),
                _ => None,
            })
            .collect()
    }

    fn started(&self) -> Vec<Pid> {
        self.reports()
            .into_iter()
            .filter_map(|report| match report {
                Report::StartAttempt {
                    outcome: StartOutcome::Started { pid, .. },
                    ..
                } => Some(pid),
                _ => None,
            })
            .collect()
    }
}

struct Probe {
    behaviour: Behaviour,
    world: Arc<World>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.world.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker for Probe {
    type Message = Msg;
    type Call = Req;
    type Reply = usize;

    fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
        if let Some(ms) = self.behaviour.exit_after {
            ctx.send_after(ms, Msg::Exit(ExitReason::other("timer")));
        }
        Init::Ok
    }

    fn handle_message(&mut self, message: Msg, ctx: &mut Context<Msg>) -> Next {
        self.world.handled.fetch_add(1, Ordering::SeqCst);
        *self
            .world
            .handled_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(ctx.now());
        match message {
            Msg::Panic => panic!("told to panic"),
            Msg::Exit(reason) => Next::Stop(reason),
            Msg::Block(ms) => {
                self.world.blocking.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(ms));
                self.world.blocked_done.store(true, Ordering::SeqCst);
                Next::Continue
            }
        }
    }

    fn handle_call(&mut self, request: Req, _ctx: &mut Context<Msg>) -> Answer<usize> {
        match request {
            Req::Get => Answer::Reply(self.world.handled.load(Ordering::SeqCst)),
            Req::Stop(reason) => Answer::Stop(reason),
        }
    }

    fn traps_exits(&self) -> bool {
        self.behaviour.trap.is_some()
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Msg>) {
        self.world.terminated.fetch_add(1, Ordering::SeqCst);
    }
}

type Sup = Supervisor<Behaviour, (), Probe>;

fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let told = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("told to"));
            if !told {
                default(info);
            }
        }));
    });
}

async fn start(world: &Arc<World>, options: Options<()>) -> Sup {
    let (spawned, observed) = (world.clone(), world.clone());
    let spawner = move |behaviour: &Behaviour, _: &[()]| {
        spawned.live.fetch_add(1, Ordering::SeqCst);
        Box::new(Probe {
            behaviour: behaviour.clone(),
            world: spawned.clone(),
        })
    };
    Supervisor::builder(options, spawner)
        .observer(move |report: &Report| {
            observed
                .reports
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(report.clone());
        })
        .cleanup_time(|_, probe: &Probe| probe.behaviour.trap.flatten().map(Duration::from_millis))
        .start_link()
        .await
        .expect("valid options")
}

fn spec(behaviour: Behaviour) -> ChildSpec<Behaviour, ()> {
    ChildSpec::new(behaviour, Vec::new())
}

fn running(started: Result<Started, StartChildError>) -> Pid {
    match started {
        Ok(Started::Running { pid, .. }) => pid,
        other => panic!("expected a running child, got {other:?}"),
    }
}

fn counts(specs: u64, active: u64) -> ChildCounts {
    ChildCounts {
        specs,
        active,
        supervisors: 0,
        workers: specs,
    }
}

/// Lets the runtime run until `done` holds (on a paused clock each sleep advances virtual
/// time by 1 ms only when everything is idle).
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..100_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("never happened");
}

#[tokio::test(start_paused = true)]
async fn start_terminate_which_count_stop() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let mut pids = Vec::new();
    for _ in 0..3 {
        pids.push(running(sup.start_child(spec(Behaviour::default())).await));
    }
    let which: Vec<Option<Pid>> = sup
        .which_children()
        .await
        .expect("alive")
        .iter()
        .map(|info| info.pid)
        .collect();
    assert_eq!(which, pids.iter().copied().map(Some).collect::<Vec<_>>());
    assert_eq!(sup.count_children().await, Ok(counts(3, 3)));

    assert_eq!(sup.terminate_child(pids[1]).await, Ok(()));
    assert_eq!(world.downs_of(pids[1]), vec![ExitReason::Shutdown]);
    assert_eq!(
        sup.terminate_child(pids[1]).await,
        Err(TerminateChildError::NotFound)
    );
    assert_eq!(sup.count_children().await, Ok(counts(2, 2)));

    assert_eq!(sup.stop(ExitReason::Normal, None).await, Ok(()));
    assert!(!sup.is_alive());
    assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
    assert_eq!(sup.count_children().await, Err(NoProc));
    assert_eq!(sup.which_children().await, Err(NoProc));
    assert_eq!(
        sup.start_child(spec(Behaviour::default())).await,
        Err(StartChildError::NoProc)
    );
    assert_eq!(
        sup.stop(ExitReason::Normal, None).await,
        Err(StopError::NoProc)
    );
    until(|| world.live.load(Ordering::SeqCst) == 0).await;
}

#[tokio::test(start_paused = true)]
async fn invalid_options_are_refused() {
    let world = Arc::new(World::default());
    let spawner = |_: &Behaviour, _: &[()]| -> Box<Probe> { unreachable!() };
    let _ = &world;
    let started = Supervisor::start_link(Options::<()>::default().max_seconds(0), spawner).await;
    assert!(started.is_err());
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_an_exit_panic_and_a_permanent_child_restarts() {
    quiet_panics();
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let pid = running(
        sup.start_child(spec(Behaviour::default()).restart(Restart::Permanent))
            .await,
    );
    assert!(sup.send(pid, Msg::Panic).await);
    until(|| world.started().len() == 2).await;
    assert_eq!(world.downs_of(pid), vec![ExitReason::other("panic")]);
    let restarted = world.started()[1];
    assert_ne!(restarted, pid);
    let which = sup.which_children().await.expect("alive");
    assert_eq!(which.len(), 1);
    assert_eq!(which[0].pid, Some(restarted));
}

#[tokio::test(start_paused = true)]
async fn a_timer_fires_on_tokios_paused_clock() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let real = std::time::Instant::now();
    let behaviour = Behaviour {
        exit_after: Some(5_000),
        ..Behaviour::default()
    };
    let pid = running(
        sup.start_child(spec(behaviour).restart(Restart::Temporary))
            .await,
    );
    until(|| !world.downs_of(pid).is_empty()).await;
    assert_eq!(world.downs_of(pid), vec![ExitReason::other("timer")]);
    // Virtual time: the timer's message came exactly 5 s after the start on the worker's
    // clock (the supervisor's), in almost no real time.
    let handled_at = *world
        .handled_at
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    assert_eq!(handled_at, Some(Instant::from_millis(5_000)));
    assert!(real.elapsed() < Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn call_answers_times_out_and_is_noproc() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let pid = running(sup.start_child(spec(Behaviour::default())).await);
    assert_eq!(sup.call(pid, Req::Get, None).await, Ok(0));
    assert_eq!(
        sup.call(Pid(999), Req::Get, Some(Duration::from_secs(1)))
            .await,
        Err(CallError::NoProc)
    );
    let reason = ExitReason::other("asked");
    assert_eq!(
        sup.call(pid, Req::Stop(reason.clone()), None).await,
        Err(CallError::Exited(reason))
    );

    // A trapping child busy with a 10 s cleanup answers no call: a call times out.
    let slow = Behaviour {
        trap: Some(Some(10_000)),
        ..Behaviour::default()
    };
    let slow = running(
        sup.start_child(spec(slow).shutdown(Shutdown::Infinity))
            .await,
    );
    let terminating = {
        let sup = sup.clone();
        tokio::spawn(async move { sup.terminate_child(slow).await })
    };
    until(|| world.terminated.load(Ordering::SeqCst) == 1).await;
    let asked = sup.now();
    assert_eq!(
        sup.call(slow, Req::Get, Some(Duration::from_millis(500)))
            .await,
        Err(CallError::Timeout)
    );
    assert_eq!(sup.now(), asked.saturating_add_millis(500));
    assert_eq!(terminating.await.expect("joined"), Ok(()));
    assert_eq!(world.downs_of(slow), vec![ExitReason::Shutdown]);
    assert_eq!(sup.now(), Instant::from_millis(10_000));
}

#[tokio::test(start_paused = true)]
async fn brutal_kill_aborts_the_task_without_terminate() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let trapping = Behaviour {
        trap: Some(Some(0)),
        ..Behaviour::default()
    };
    let pid = running(
        sup.start_child(spec(trapping).shutdown(Shutdown::BrutalKill))
            .await,
    );
    assert_eq!(sup.terminate_child(pid).await, Ok(()));
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    assert_eq!(world.terminated.load(Ordering::SeqCst), 0);
    // The aborted task dropped its worker.
    until(|| world.live.load(Ordering::SeqCst) == 0).await;
    assert!(!sup.send(pid, Msg::Exit(ExitReason::Normal)).await);
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_timeout_aborts_a_cleanup_at_its_deadline() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let slow = Behaviour {
        trap: Some(None),
        ..Behaviour::default()
    };
    let pid = running(
        sup.start_child(spec(slow).shutdown(Shutdown::millis(100)))
            .await,
    );
    assert_eq!(sup.terminate_child(pid).await, Ok(()));
    assert_eq!(sup.now(), Instant::from_millis(100));
    assert_eq!(world.terminated.load(Ordering::SeqCst), 1);
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    until(|| world.live.load(Ordering::SeqCst) == 0).await;
}

#[tokio::test(start_paused = true)]
async fn kill_from_outside_restarts_a_permanent_child() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let pid = running(sup.start_child(spec(Behaviour::default())).await);
    assert!(sup.kill(pid).await);
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    until(|| world.started().len() == 2).await;
    assert!(!sup.kill(pid).await);
    assert_eq!(sup.count_children().await, Ok(counts(1, 1)));
}

#[tokio::test(start_paused = true)]
async fn stop_terminates_every_child() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let mut pids = Vec::new();
    for trap in [None, Some(Some(300)), Some(Some(0))] {
        let behaviour = Behaviour {
            trap,
            ..Behaviour::default()
        };
        pids.push(running(sup.start_child(spec(behaviour)).await));
    }
    assert_eq!(sup.stop(ExitReason::Normal, None).await, Ok(()));
    // The slowest cleanup (300 ms) decides when the supervisor is gone.
    assert_eq!(sup.now(), Instant::from_millis(300));
    for pid in &pids {
        assert_eq!(world.downs_of(*pid), vec![ExitReason::Shutdown]);
    }
    assert_eq!(world.terminated.load(Ordering::SeqCst), 2);
    assert_eq!(sup.wait_exit(None).await, Some(ExitReason::Normal));
    until(|| world.live.load(Ordering::SeqCst) == 0).await;
}

#[tokio::test(start_paused = true)]
async fn stop_with_a_timeout_returns_while_the_supervisor_waits() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let stuck = Behaviour {
        trap: Some(None),
        ..Behaviour::default()
    };
    running(
        sup.start_child(spec(stuck).shutdown(Shutdown::Infinity))
            .await,
    );
    assert_eq!(
        sup.stop(ExitReason::Normal, Some(Duration::from_secs(1)))
            .await,
        Err(StopError::Timeout)
    );
    assert!(sup.is_alive());
    assert_eq!(sup.wait_exit(Some(Duration::from_secs(1))).await, None);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_last_handle_stops_the_supervisor() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let pid = running(sup.start_child(spec(Behaviour::default())).await);
    let watcher = sup.clone();
    drop(sup);
    // A clone is still alive: nothing happens.
    assert!(watcher.is_alive());
    assert_eq!(watcher.count_children().await, Ok(counts(1, 1)));
    let _ = pid;
}

/// On a multi-threaded runtime, a kill cannot interrupt a synchronous callback: it is reported
/// at once, the callback runs to its end, and nothing more of the worker runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_lands_between_callbacks() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let pid = running(
        sup.start_child(spec(Behaviour::default()).restart(Restart::Temporary))
            .await,
    );
    assert!(sup.send(pid, Msg::Block(300)).await);
    while !world.blocking.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(sup.kill(pid).await);
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    assert!(!world.blocked_done.load(Ordering::SeqCst));
    assert!(!sup.send(pid, Msg::Exit(ExitReason::Normal)).await);
    // The callback finishes; then the task is dropped at its next await point.
    for _ in 0..30_000 {
        if world.blocked_done.load(Ordering::SeqCst) && world.live.load(Ordering::SeqCst) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(world.blocked_done.load(Ordering::SeqCst));
    assert_eq!(world.live.load(Ordering::SeqCst), 0);
    assert_eq!(world.handled.load(Ordering::SeqCst), 1);
    assert_eq!(sup.stop(ExitReason::Normal, None).await, Ok(()));
}

/// A worker that has had nothing to do since its `init` (no task yet, see the driver) and does
/// not trap exits dies at once on a shutdown, without `terminate`; one that traps exits runs
/// its `terminate`; a worker that got a message has a task, and the core sees one exit of it:
/// its own (it left on the message, ahead of any shutdown).
#[tokio::test(start_paused = true)]
async fn a_shutdown_kills_an_idle_worker_at_once_and_comes_behind_earlier_messages() {
    let world = Arc::new(World::default());
    let sup = start(&world, Options::default()).await;
    let idle = running(sup.start_child(spec(Behaviour::default())).await);
    assert_eq!(sup.terminate_child(idle).await, Ok(()));
    assert_eq!(world.downs_of(idle), vec![ExitReason::Shutdown]);
    assert_eq!(world.terminated.load(Ordering::SeqCst), 0);

    let trapping = Behaviour {
        trap: Some(Some(0)),
        ..Behaviour::default()
    };
    let trapper = running(sup.start_child(spec(trapping)).await);
    assert_eq!(sup.terminate_child(trapper).await, Ok(()));
    assert_eq!(world.downs_of(trapper), vec![ExitReason::Shutdown]);
    assert_eq!(world.terminated.load(Ordering::SeqCst), 1);

    let busy = running(
        sup.start_child(spec(Behaviour::default()).restart(Restart::Temporary))
            .await,
    );
    assert!(sup.send(busy, Msg::Exit(ExitReason::other("own"))).await);
    // The message reached the worker's new task first: it has left, or is about to.
    let terminated = sup.terminate_child(busy).await;
    assert!(
        matches!(terminated, Ok(()) | Err(TerminateChildError::NotFound)),
        "{terminated:?}"
    );
    until(|| !world.downs_of(busy).is_empty()).await;
    assert_eq!(world.downs_of(busy), vec![ExitReason::other("own")]);
    assert_eq!(world.handled.load(Ordering::SeqCst), 1);
    assert_eq!(sup.count_children().await, Ok(counts(0, 0)));
    until(|| world.live.load(Ordering::SeqCst) == 0).await;
}
