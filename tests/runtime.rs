//! The real threaded runtime through its handle: the DynamicSupervisor API, restarts after a
//! panic, restart intensity, max_children, shutdown timeouts, workers' timers and calls, and no
//! thread left behind after 10,000 random operations. Only correctness is asserted; every wait
//! has a generous bound.
#![cfg(not(loom))]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once};
use std::time::{Duration, Instant as WallClock};

use dynsup::runtime::{
    BoxedWorker, NoProc, Report, StartChildError, StopError, Supervisor, TerminateChildError,
};
use dynsup::{
    Answer, CallError, ChildCounts, ChildSpec, Context, DynWorker, Event, ExitReason, Init,
    MaxChildren, Modules, Next, Options, Pid, Restart, Shutdown, StartOutcome, Started, TimerRef,
    Worker, UNHANDLED_CALL,
};

/// A generous bound for anything that should happen "soon". Lower bounds on waits allow 1 ms
/// less than asked: the runtime's clock counts whole milliseconds.
const PATIENCE: Duration = Duration::from_secs(30);

/// How a trapping test worker's `terminate` cleans up before it exits with the reason it was
/// given.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cleanup {
    /// Returns at once.
    Quick,
    /// Sleeps this many milliseconds.
    Sleep(u64),
    /// Blocks until the test opens the world's gate: only a kill ends it in the meantime.
    Hang,
}

/// What a test worker does: its init, how it cleans up when it traps exits.
#[derive(Clone, Debug)]
struct Behaviour {
    init: Init,
    init_panics: bool,
    trap: Option<Cleanup>,
    terminate_panics: bool,
    /// Leaves `handle_call` to the trait's default (see [`Mute`]).
    mute: bool,
}

impl Behaviour {
    fn ok() -> Self {
        Behaviour {
            init: Init::Ok,
            init_panics: false,
            trap: None,
            terminate_panics: false,
            mute: false,
        }
    }

    fn trapping(cleanup: Cleanup) -> Self {
        Behaviour {
            trap: Some(cleanup),
            ..Behaviour::ok()
        }
    }
}

/// Messages a test worker understands.
#[derive(Debug)]
enum Msg {
    /// Panic in `handle_message`.
    Panic,
    /// Stop with this reason.
    Exit(ExitReason),
    /// Keep running.
    Noop,
    /// Sets a timer that sends it `Exit(reason)` after this many milliseconds.
    ExitIn(u64, ExitReason),
    /// Sets a timer that sends it `Panic` after this many milliseconds.
    PanicIn(u64),
    /// Cancels the timer set last.
    CancelTimer,
}

/// Calls a test worker answers.
#[derive(Debug)]
enum Req {
    /// Adds to its total and replies the new total.
    Add(u64),
    /// Stops with this reason without replying.
    StopSilently(ExitReason),
    /// Replies its total, then stops with this reason.
    ReplyAndStop(ExitReason),
    /// Sleeps this many milliseconds, then replies its total.
    Sleep(u64),
    /// Panics in `handle_call`.
    Panic,
}

/// A gate closed until the test opens it: what a hanging `terminate` waits on.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, opened) = &*self.0;
        let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn open(&self) {
        let (open, opened) = &*self.0;
        *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        opened.notify_all();
    }
}

/// Counts live workers (made by the spawner, dropped when their thread ends).
struct TestWorker {
    behaviour: Behaviour,
    live: Arc<AtomicUsize>,
    terminated: Arc<AtomicBool>,
    init_pids: Arc<Mutex<Vec<Pid>>>,
    gate: Gate,
    total: u64,
    timer: Option<TimerRef>,
}

impl Drop for TestWorker {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker for TestWorker {
    type Message = Msg;
    type Call = Req;
    type Reply = u64;

    fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
        self.init_pids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ctx.pid());
        assert!(!self.behaviour.init_panics, "init told to panic");
        self.behaviour.init.clone()
    }

    fn traps_exits(&self) -> bool {
        self.behaviour.trap.is_some()
    }

    fn handle_message(&mut self, message: Msg, ctx: &mut Context<Msg>) -> Next {
        match message {
            Msg::Panic => panic!("told to panic"),
            Msg::Exit(reason) => return Next::Stop(reason),
            Msg::Noop => {}
            Msg::ExitIn(millis, reason) => {
                self.timer = Some(ctx.send_after(millis, Msg::Exit(reason)));
            }
            Msg::PanicIn(millis) => self.timer = Some(ctx.send_after(millis, Msg::Panic)),
            Msg::CancelTimer => {
                let timer = self.timer.take().expect("a timer to cancel");
                assert!(ctx.cancel_timer(timer), "the timer was still pending");
            }
        }
        Next::Continue
    }

    fn handle_call(&mut self, request: Req, _ctx: &mut Context<Msg>) -> Answer<u64> {
        match request {
            Req::Add(n) => {
                self.total += n;
                Answer::Reply(self.total)
            }
            Req::StopSilently(reason) => Answer::Stop(reason),
            Req::ReplyAndStop(reason) => Answer::ReplyAndStop(self.total, reason),
            Req::Sleep(millis) => {
                std::thread::sleep(Duration::from_millis(millis));
                Answer::Reply(self.total)
            }
            Req::Panic => panic!("told to panic in handle_call"),
        }
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Msg>) {
        self.terminated.store(true, Ordering::SeqCst);
        assert!(!self.behaviour.terminate_panics, "terminate told to panic");
        match self.behaviour.trap {
            Some(Cleanup::Sleep(millis)) => std::thread::sleep(Duration::from_millis(millis)),
            Some(Cleanup::Hang) => self.gate.wait(),
            Some(Cleanup::Quick) | None => {}
        }
    }
}

/// A [`TestWorker`] that does not handle calls: `handle_call` is the trait's default.
struct Mute(TestWorker);

impl Worker for Mute {
    type Message = Msg;
    type Call = Req;
    type Reply = u64;

    fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
        self.0.init(ctx)
    }
}

/// The workers of these tests, boxed.
type Boxed = BoxedWorker<Msg, Req, u64>;

/// The start function is the behaviour itself.
type Sup = Supervisor<Behaviour, (), DynWorker<Msg, Req, u64>>;

/// Shared by a test and its spawner.
#[derive(Clone, Default)]
struct World {
    live: Arc<AtomicUsize>,
    terminated: Arc<AtomicBool>,
    reports: Arc<Mutex<Vec<Report>>>,
    /// The pid each worker's `init` saw in its context, in start order.
    init_pids: Arc<Mutex<Vec<Pid>>>,
    /// What hanging cleanups wait on; opened by [`World::release`].
    gate: Gate,
}

impl World {
    /// A worker of this world (counted live until it is dropped).
    fn worker(&self, behaviour: Behaviour) -> Boxed {
        self.live.fetch_add(1, Ordering::SeqCst);
        let mute = behaviour.mute;
        let worker = TestWorker {
            behaviour,
            live: self.live.clone(),
            terminated: self.terminated.clone(),
            init_pids: self.init_pids.clone(),
            gate: self.gate.clone(),
            total: 0,
            timer: None,
        };
        if mute {
            Box::new(Mute(worker))
        } else {
            Box::new(worker)
        }
    }

    fn spawner(&self) -> impl FnMut(&Behaviour, &[()]) -> Boxed + Send + 'static {
        let world = self.clone();
        move |behaviour: &Behaviour, _: &[()]| world.worker(behaviour.clone())
    }

    /// Lets every hanging cleanup return (their threads can then end).
    fn release(&self) {
        self.gate.open();
    }

    fn init_pids(&self) -> Vec<Pid> {
        self.init_pids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn start(&self, options: Options<()>) -> Sup {
        self.start_limited(options, None)
    }

    /// A supervisor with `thread_limit` (the default when `None`).
    fn start_limited(&self, options: Options<()>, thread_limit: Option<usize>) -> Sup {
        quiet_panics();
        let reports = self.reports.clone();
        let mut builder = Supervisor::builder(options, self.spawner());
        if let Some(limit) = thread_limit {
            builder = builder.thread_limit(limit);
        }
        builder
            .observer(move |report: &Report| {
                reports
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(report.clone())
            })
            .start_link()
            .expect("valid options")
    }

    fn reports(&self) -> Vec<Report> {
        self.reports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
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

    /// Waits until `ready` holds on the reports.
    fn wait_reports(&self, ready: impl Fn(&[Report]) -> bool) -> bool {
        let start = WallClock::now();
        while start.elapsed() < PATIENCE {
            if ready(&self.reports()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    fn wait_live_workers_zero(&self) -> bool {
        let start = WallClock::now();
        while start.elapsed() < PATIENCE {
            if self.live.load(Ordering::SeqCst) == 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }
}

/// Worker panics are part of these tests; keep their messages out of the output.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let told = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("told to"))
                || info
                    .payload()
                    .downcast_ref::<String>()
                    .is_some_and(|m| m.starts_with("told to"));
            if !told {
                default(info);
            }
        }));
    });
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

#[test]
fn start_terminate_which_count_stop() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pids: Vec<Pid> = (0..3)
        .map(|_| running(sup.start_child(spec(Behaviour::ok()))))
        .collect();
    let which: Vec<Option<Pid>> = sup
        .which_children()
        .expect("alive")
        .iter()
        .map(|info| info.pid)
        .collect();
    assert_eq!(which, pids.iter().copied().map(Some).collect::<Vec<_>>());
    assert_eq!(sup.count_children(), Ok(counts(3, 3)));

    assert_eq!(sup.terminate_child(pids[1]), Ok(()));
    assert_eq!(world.downs_of(pids[1]), vec![ExitReason::Shutdown]);
    assert_eq!(
        sup.terminate_child(pids[1]),
        Err(TerminateChildError::NotFound)
    );
    assert_eq!(sup.count_children(), Ok(counts(2, 2)));

    assert_eq!(sup.stop(ExitReason::Normal, None), Ok(()));
    assert!(!sup.is_alive());
    assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
    for pid in [pids[0], pids[2]] {
        assert_eq!(world.downs_of(pid), vec![ExitReason::Shutdown]);
    }
    assert_eq!(sup.count_children(), Err(NoProc));
    assert_eq!(sup.which_children(), Err(NoProc));
    assert_eq!(
        sup.start_child(spec(Behaviour::ok())),
        Err(StartChildError::NoProc)
    );
    assert_eq!(
        sup.terminate_child(pids[0]),
        Err(TerminateChildError::NoProc)
    );
    assert_eq!(sup.stop(ExitReason::Normal, None), Err(StopError::NoProc));
    assert!(sup.wait_threads(Some(PATIENCE)));
    assert!(world.wait_live_workers_zero());
}

#[test]
fn invalid_spec_is_refused_in_the_caller() {
    let world = World::default();
    let sup = world.start(Options::default());
    let bad = spec(Behaviour::ok()).modules(Modules::List(vec!["has space".into()]));
    assert!(matches!(
        sup.start_child(bad),
        Err(StartChildError::Invalid(_))
    ));
    // The supervisor was not contacted: no start attempt was made.
    assert!(world.reports().is_empty());
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn invalid_options_are_refused() {
    let world = World::default();
    let result = Sup::start_link(Options::default().max_seconds(0), world.spawner());
    assert!(result.is_err());
}

#[test]
fn init_outcomes() {
    let world = World::default();
    let sup = world.start(Options::default());
    let ignore = Behaviour {
        init: Init::Ignore,
        ..Behaviour::ok()
    };
    assert_eq!(sup.start_child(spec(ignore)), Ok(Started::Ignored));
    let stop = Behaviour {
        init: Init::Stop(ExitReason::other("nope")),
        ..Behaviour::ok()
    };
    assert_eq!(
        sup.start_child(spec(stop)),
        Err(StartChildError::Failed(ExitReason::other("nope")))
    );
    let panics = Behaviour {
        init_panics: true,
        ..Behaviour::ok()
    };
    assert_eq!(
        sup.start_child(spec(panics)),
        Err(StartChildError::Failed(ExitReason::other("panic")))
    );
    assert_eq!(sup.count_children(), Ok(counts(0, 0)));
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(world.wait_live_workers_zero());
}

#[test]
fn a_panicking_spawner_is_a_failed_start() {
    quiet_panics();
    let spawner = |_: &Behaviour, _: &[()]| -> Boxed { panic!("told to fail") };
    let sup: Sup = Supervisor::start_link(Options::default(), spawner).expect("valid options");
    assert_eq!(
        sup.start_child(spec(Behaviour::ok())),
        Err(StartChildError::Failed(ExitReason::other("panic")))
    );
    assert_eq!(sup.count_children(), Ok(counts(0, 0)));
    assert_eq!(sup.live_threads(), 0);
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn the_handle_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Sup>();
    let world = World::default();
    let sup = world.start(Options::default());
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let sup = sup.clone();
            std::thread::spawn(move || running(sup.start_child(spec(Behaviour::ok()))))
        })
        .collect();
    for caller in callers {
        caller.join().expect("the caller does not panic");
    }
    assert_eq!(sup.count_children(), Ok(counts(4, 4)));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn restart_after_a_panic() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert!(sup.send(pid, Msg::Noop));
    assert!(sup.send(pid, Msg::Panic));
    assert!(
        world.wait_reports(|reports| reports.iter().any(|r| matches!(
            r,
            Report::Supervisor(Event::ChildRestarted { old, .. }) if *old == pid
        )))
    );
    assert_eq!(world.downs_of(pid), vec![ExitReason::other("panic")]);
    let which = sup.which_children().expect("alive");
    assert_eq!(which.len(), 1);
    assert!(which[0].pid.is_some_and(|new| new != pid));
    // The old pid is gone: messages to it are dropped.
    assert!(!sup.send(pid, Msg::Noop));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn transient_and_temporary_exits() {
    let world = World::default();
    let sup = world.start(Options::default());
    let transient = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Transient)));
    let temporary = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Temporary)));
    assert!(sup.send(transient, Msg::Exit(ExitReason::Normal)));
    assert!(sup.send(temporary, Msg::Exit(ExitReason::other("boom"))));
    assert!(world.wait_reports(|reports| {
        reports
            .iter()
            .filter(|r| matches!(r, Report::Supervisor(Event::ChildExited { .. })))
            .count()
            == 2
    }));
    assert_eq!(sup.count_children(), Ok(counts(0, 0)));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn external_kill_restarts_a_permanent_child() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert!(sup.kill(pid));
    assert!(!sup.kill(pid));
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    // The kill was handled before the next call: the restart is done.
    assert_eq!(sup.count_children(), Ok(counts(1, 1)));
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(world.wait_live_workers_zero());
}

#[test]
fn intensity_takes_the_supervisor_down_with_shutdown() {
    let world = World::default();
    let sup = world.start(Options::default().max_restarts(1).max_seconds(3600));
    let healthy = running(sup.start_child(spec(Behaviour::ok())));
    let fragile = running(sup.start_child(spec(Behaviour::ok())));
    assert!(sup.send(fragile, Msg::Panic));
    assert!(world.wait_reports(|reports| reports
        .iter()
        .any(|r| matches!(r, Report::Supervisor(Event::ChildRestarted { .. })))));
    let restarted = sup
        .which_children()
        .expect("alive")
        .iter()
        .filter_map(|info| info.pid)
        .find(|&pid| pid != healthy)
        .expect("the restarted child");
    assert!(sup.send(restarted, Msg::Panic));
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    assert_eq!(world.downs_of(healthy), vec![ExitReason::Shutdown]);
    assert!(world
        .reports()
        .contains(&Report::Supervisor(Event::IntensityExceeded)));
    assert_eq!(sup.count_children(), Err(NoProc));
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn max_children_is_never_exceeded() {
    let world = World::default();
    let sup = world.start(Options::default().max_children(MaxChildren::Limit(2)));
    running(sup.start_child(spec(Behaviour::ok())));
    let second = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(
        sup.start_child(spec(Behaviour::ok())),
        Err(StartChildError::MaxChildren)
    );
    sup.terminate_child(second).expect("terminates");
    running(sup.start_child(spec(Behaviour::ok())));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_trapping_child_slower_than_its_shutdown_is_killed_at_the_timeout() {
    let world = World::default();
    let sup = world.start(Options::default());
    let hang = spec(Behaviour::trapping(Cleanup::Hang)).shutdown(Shutdown::millis(200));
    let pid = running(sup.start_child(hang));
    let begun = WallClock::now();
    assert_eq!(sup.terminate_child(pid), Ok(()));
    let took = begun.elapsed();
    // The runtime's clock counts whole milliseconds (the call may begin up to 1 ms after the
    // instant the core is given), so the kill comes at least 199 ms of wall time later.
    assert!(took >= Duration::from_millis(199), "killed early: {took:?}");
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    assert!(world
        .reports()
        .contains(&Report::Supervisor(Event::ShutdownError {
            pid,
            reason: ExitReason::Killed
        })));
    assert!(world.terminated.load(Ordering::SeqCst));
    sup.stop(ExitReason::Normal, None).expect("stops");
    // Its thread is still inside `terminate`, although it was reported killed.
    assert_eq!(sup.live_threads(), 1);
    world.release();
    assert!(sup.wait_threads(Some(PATIENCE)));
    assert!(world.wait_live_workers_zero());
}

#[test]
fn a_trapping_child_within_its_shutdown_ends_after_its_cleanup_with_the_given_reason() {
    // `terminate` returns nothing now: after its cleanup the process exits with the reason it
    // was given (`shutdown`), as a GenServer does whatever `terminate/2` returns.
    let world = World::default();
    let sup = world.start(Options::default());
    let slow = Cleanup::Sleep(50);
    let pid =
        running(sup.start_child(spec(Behaviour::trapping(slow)).shutdown(Shutdown::Infinity)));
    let begun = WallClock::now();
    assert_eq!(sup.terminate_child(pid), Ok(()));
    assert!(begun.elapsed() >= Duration::from_millis(50));
    assert_eq!(world.downs_of(pid), vec![ExitReason::Shutdown]);
    assert!(!world
        .reports()
        .iter()
        .any(|r| matches!(r, Report::Supervisor(Event::ShutdownError { .. }))));
    assert!(world.terminated.load(Ordering::SeqCst));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn brutal_kill_never_runs_terminate() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(
        sup.start_child(spec(Behaviour::trapping(Cleanup::Hang)).shutdown(Shutdown::BrutalKill)),
    );
    assert_eq!(sup.terminate_child(pid), Ok(()));
    assert_eq!(world.downs_of(pid), vec![ExitReason::Killed]);
    assert!(!world.terminated.load(Ordering::SeqCst));
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(sup.wait_threads(Some(PATIENCE)));
    assert!(world.wait_live_workers_zero());
}

#[test]
fn a_panic_in_terminate_is_an_abnormal_exit() {
    let world = World::default();
    let sup = world.start(Options::default());
    let behaviour = Behaviour {
        terminate_panics: true,
        ..Behaviour::trapping(Cleanup::Quick)
    };
    let pid = running(sup.start_child(spec(behaviour)));
    assert_eq!(sup.terminate_child(pid), Ok(()));
    assert_eq!(world.downs_of(pid), vec![ExitReason::other("panic")]);
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn stop_with_a_timeout_returns_while_the_supervisor_waits() {
    let world = World::default();
    let sup = world.start(Options::default());
    let stuck = spec(Behaviour::trapping(Cleanup::Hang)).shutdown(Shutdown::Infinity);
    let pid = running(sup.start_child(stuck));
    assert_eq!(
        sup.stop(ExitReason::Normal, Some(Duration::from_millis(100))),
        Err(StopError::Timeout)
    );
    assert!(sup.is_alive());
    // Killing the stuck child from outside lets the shutdown finish.
    assert!(sup.kill(pid));
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Normal));
    world.release();
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn the_parents_exit_stops_the_supervisor_with_its_reason() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert!(sup.exit(ExitReason::Normal));
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Normal));
    assert_eq!(world.downs_of(pid), vec![ExitReason::Shutdown]);
    assert!(!sup.exit(ExitReason::Normal));
}

#[test]
fn dropping_the_last_handle_stops_the_supervisor() {
    let world = World::default();
    let sup = world.start(Options::default());
    let clone = sup.clone();
    for _ in 0..3 {
        running(sup.start_child(spec(Behaviour::ok())));
    }
    drop(sup);
    assert_eq!(clone.count_children().map(|c| c.active), Ok(3));
    drop(clone);
    assert!(
        world.wait_reports(|reports| reports.iter().any(|r| matches!(
            r,
            Report::Supervisor(Event::SupervisorDown {
                reason: ExitReason::Shutdown
            })
        )))
    );
    assert!(world.wait_live_workers_zero());
}

#[test]
fn start_attempts_are_reported_in_order() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    let ignore = Behaviour {
        init: Init::Ignore,
        ..Behaviour::ok()
    };
    assert_eq!(sup.start_child(spec(ignore)), Ok(Started::Ignored));
    let attempts: Vec<(u64, StartOutcome)> = world
        .reports()
        .into_iter()
        .filter_map(|report| match report {
            Report::StartAttempt { attempt, outcome } => Some((attempt, outcome)),
            _ => None,
        })
        .collect();
    assert_eq!(
        attempts,
        vec![
            (0, StartOutcome::Started { pid, info: None }),
            (1, StartOutcome::Ignore)
        ]
    );
    sup.stop(ExitReason::Normal, None).expect("stops");
}

/// Waits (at most [`PATIENCE`]) until `pid`'s exit is reported, and returns its reasons.
fn wait_down(world: &World, pid: Pid) -> Vec<ExitReason> {
    assert!(
        world.wait_reports(|reports| reports
            .iter()
            .any(|r| matches!(r, Report::ChildDown { pid: p, .. } if *p == pid))),
        "{pid} never went down"
    );
    world.downs_of(pid)
}

/// The pid `old` was restarted as, once it has been.
fn wait_restart(world: &World, old: Pid) -> Pid {
    assert!(
        world.wait_reports(|reports| reports.iter().any(|r| matches!(
            r,
            Report::Supervisor(Event::ChildRestarted { old: o, .. }) if *o == old
        ))),
        "{old} was never restarted"
    );
    world
        .reports()
        .into_iter()
        .find_map(|r| match r {
            Report::Supervisor(Event::ChildRestarted { old: o, new, .. }) if o == old => Some(new),
            _ => None,
        })
        .expect("the restart")
}

#[test]
fn a_timer_stops_the_worker_and_its_restart_type_decides() {
    let world = World::default();
    let sup = world.start(Options::default());
    let transient = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Transient)));
    let temporary = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Temporary)));
    let normal = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Transient)));
    let begun = WallClock::now();
    assert!(sup.send(transient, Msg::ExitIn(50, ExitReason::other("expired"))));
    assert!(sup.send(temporary, Msg::ExitIn(50, ExitReason::other("expired"))));
    assert!(sup.send(normal, Msg::ExitIn(50, ExitReason::Normal)));
    // Nothing yet: the timers have not fired.
    assert_eq!(sup.count_children(), Ok(counts(3, 3)));
    assert_eq!(
        wait_down(&world, transient),
        vec![ExitReason::other("expired")]
    );
    assert!(begun.elapsed() >= Duration::from_millis(49), "fired early");
    assert_eq!(
        wait_down(&world, temporary),
        vec![ExitReason::other("expired")]
    );
    assert_eq!(wait_down(&world, normal), vec![ExitReason::Normal]);
    // A transient child that stops abnormally is restarted; a temporary one never is, nor a
    // transient one that stops normally.
    let restarted = wait_restart(&world, transient);
    assert_ne!(restarted, transient);
    let which: Vec<Option<Pid>> = sup
        .which_children()
        .expect("alive")
        .iter()
        .map(|info| info.pid)
        .collect();
    assert_eq!(which, vec![Some(restarted)]);
    assert!(!sup.send(transient, Msg::Noop));
    assert!(sup.send(restarted, Msg::Noop));
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(world.wait_live_workers_zero());
}

#[test]
fn a_timer_stops_a_permanent_worker_and_wait_exit_sees_intensity_exceeded() {
    let world = World::default();
    let sup = world.start(Options::default().max_restarts(0));
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    let begun = WallClock::now();
    assert!(sup.send(pid, Msg::ExitIn(50, ExitReason::Normal)));
    // A permanent child is restarted even after a normal exit: with max_restarts = 0 that
    // takes the supervisor down.
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    assert!(begun.elapsed() >= Duration::from_millis(49), "fired early");
    assert_eq!(world.downs_of(pid), vec![ExitReason::Normal]);
    assert!(world
        .reports()
        .contains(&Report::Supervisor(Event::IntensityExceeded)));
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn a_cancelled_timer_never_fires() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Temporary)));
    assert!(sup.send(pid, Msg::ExitIn(50, ExitReason::other("expired"))));
    assert!(sup.send(pid, Msg::CancelTimer));
    std::thread::sleep(Duration::from_millis(200));
    // Still alive, and it still answers.
    assert_eq!(sup.call(pid, Req::Add(1), Some(PATIENCE)), Ok(1));
    assert!(world.downs_of(pid).is_empty());
    assert_eq!(sup.count_children(), Ok(counts(1, 1)));
    assert!(sup.send(pid, Msg::Noop));
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert_eq!(world.downs_of(pid), vec![ExitReason::Shutdown]);
}

#[test]
fn a_call_is_answered_by_handle_call() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(sup.call(pid, Req::Add(2), Some(PATIENCE)), Ok(2));
    assert_eq!(sup.call(pid, Req::Add(40), None), Ok(42));
    // Calls and messages to the same worker are served in order.
    assert!(sup.send(pid, Msg::Noop));
    assert_eq!(sup.call(pid, Req::Add(0), Some(PATIENCE)), Ok(42));
    assert!(world.downs_of(pid).is_empty());
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_call_to_a_dead_pid_is_noproc() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(
        sup.call(Pid(12345), Req::Add(1), Some(PATIENCE)),
        Err(CallError::NoProc)
    );
    sup.terminate_child(pid).expect("terminates");
    assert_eq!(
        sup.call(pid, Req::Add(1), Some(PATIENCE)),
        Err(CallError::NoProc)
    );
    assert_eq!(sup.call(pid, Req::Add(1), None), Err(CallError::NoProc));
    sup.stop(ExitReason::Normal, None).expect("stops");
    // The supervisor is gone too.
    assert_eq!(sup.call(pid, Req::Add(1), None), Err(CallError::NoProc));
}

#[test]
fn a_call_whose_handler_stops_without_replying_is_exited() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(
        sup.call(
            pid,
            Req::StopSilently(ExitReason::other("bye")),
            Some(PATIENCE)
        ),
        Err(CallError::Exited(ExitReason::other("bye")))
    );
    assert_eq!(wait_down(&world, pid), vec![ExitReason::other("bye")]);
    // A permanent child: restarted, and the new one answers.
    let new = wait_restart(&world, pid);
    assert_eq!(sup.call(new, Req::Add(3), Some(PATIENCE)), Ok(3));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_call_answered_with_reply_and_stop_gets_its_reply_then_the_worker_exits() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Temporary)));
    assert_eq!(sup.call(pid, Req::Add(5), Some(PATIENCE)), Ok(5));
    assert_eq!(
        sup.call(pid, Req::ReplyAndStop(ExitReason::Normal), Some(PATIENCE)),
        Ok(5)
    );
    assert_eq!(wait_down(&world, pid), vec![ExitReason::Normal]);
    assert_eq!(
        sup.call(pid, Req::Add(1), Some(PATIENCE)),
        Err(CallError::NoProc)
    );
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_call_not_answered_in_time_is_a_timeout() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(sup.call(pid, Req::Add(7), Some(PATIENCE)), Ok(7));
    let begun = WallClock::now();
    assert_eq!(
        sup.call(pid, Req::Sleep(2000), Some(Duration::from_millis(50))),
        Err(CallError::Timeout)
    );
    let waited = begun.elapsed();
    assert!(
        waited >= Duration::from_millis(49),
        "gave up early: {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(2000),
        "waited for the reply: {waited:?}"
    );
    // The worker carries on: its late reply is dropped, and the next call gets its own.
    assert_eq!(sup.call(pid, Req::Add(1), Some(PATIENCE)), Ok(8));
    assert!(world.downs_of(pid).is_empty());
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn the_default_handle_call_crashes_with_unhandled_call() {
    let world = World::default();
    let sup = world.start(Options::default());
    let mute = Behaviour {
        mute: true,
        ..Behaviour::ok()
    };
    let pid = running(sup.start_child(spec(mute).restart(Restart::Transient)));
    let unhandled = ExitReason::other(UNHANDLED_CALL);
    assert_eq!(
        sup.call(pid, Req::Add(1), Some(PATIENCE)),
        Err(CallError::Exited(unhandled.clone()))
    );
    assert_eq!(wait_down(&world, pid), vec![unhandled]);
    // An abnormal exit: the transient child is restarted.
    wait_restart(&world, pid);
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_panic_in_handle_call_is_an_exit_with_panic() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok()).restart(Restart::Temporary)));
    let panic = ExitReason::other("panic");
    assert_eq!(
        sup.call(pid, Req::Panic, Some(PATIENCE)),
        Err(CallError::Exited(panic.clone()))
    );
    assert_eq!(wait_down(&world, pid), vec![panic]);
    assert_eq!(sup.count_children(), Ok(counts(0, 0)));
    sup.stop(ExitReason::Normal, None).expect("stops");
}

#[test]
fn a_panic_in_a_timers_handle_message_is_an_exit_with_panic() {
    let world = World::default();
    let sup = world.start(Options::default());
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    let begun = WallClock::now();
    assert!(sup.send(pid, Msg::PanicIn(50)));
    assert_eq!(wait_down(&world, pid), vec![ExitReason::other("panic")]);
    assert!(begun.elapsed() >= Duration::from_millis(49), "fired early");
    // A permanent child: restarted.
    wait_restart(&world, pid);
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(world.wait_live_workers_zero());
}

#[test]
fn a_panic_in_terminate_during_stop_is_an_exit_with_panic() {
    let world = World::default();
    let sup = world.start(Options::default());
    let behaviour = Behaviour {
        terminate_panics: true,
        ..Behaviour::trapping(Cleanup::Quick)
    };
    let pid = running(sup.start_child(spec(behaviour)));
    assert_eq!(sup.stop(ExitReason::Normal, Some(PATIENCE)), Ok(()));
    assert_eq!(world.downs_of(pid), vec![ExitReason::other("panic")]);
    assert!(world.terminated.load(Ordering::SeqCst));
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn the_pid_in_inits_context_is_the_pid_start_child_returns() {
    let world = World::default();
    let sup = world.start(Options::default());
    let first = running(sup.start_child(spec(Behaviour::ok())));
    let second = running(sup.start_child(spec(Behaviour::ok())));
    assert_eq!(world.init_pids(), vec![first, second]);
    // A restart's init sees the new pid too.
    assert!(sup.send(first, Msg::Panic));
    let restarted = wait_restart(&world, first);
    assert_eq!(world.init_pids(), vec![first, second, restarted]);
    sup.stop(ExitReason::Normal, None).expect("stops");
}

/// A small xorshift generator: the random operations are replayable from the seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn no_thread_is_left_after_ten_thousand_random_operations_and_a_stop() {
    const SEED: u64 = 0x5EED_D15C_0FFE_E001;
    const OPERATIONS: usize = 10_000;
    println!("SEED={SEED:#x}");
    let world = World::default();
    // Restarts may fail at random (30% of attempts): the retry loops end quickly.
    let mut init_rng = XorShift(SEED ^ 0xA5A5);
    let spawner_world = world.clone();
    let spawner = move |behaviour: &Behaviour, _: &[()]| {
        let mut behaviour = behaviour.clone();
        behaviour.init = match init_rng.below(10) {
            0 | 1 => Init::Stop(ExitReason::other("flaky")),
            2 => Init::Ignore,
            _ => Init::Ok,
        };
        spawner_world.worker(behaviour)
    };
    quiet_panics();
    let options = Options::default()
        .max_restarts(i64::MAX)
        .max_children(MaxChildren::Limit(40));
    let sup = Supervisor::start_link(options, spawner).expect("valid options");
    let mut rng = XorShift(SEED);
    let mut pids: Vec<Pid> = Vec::new();
    for _ in 0..OPERATIONS {
        match rng.below(9) {
            0..=2 => {
                let termination = match rng.below(4) {
                    0 => None,
                    1 => Some(Cleanup::Quick),
                    2 => Some(Cleanup::Sleep(rng.below(3))),
                    _ => Some(Cleanup::Hang),
                };
                let shutdown = match (rng.below(3), &termination) {
                    (0, _) => Shutdown::BrutalKill,
                    (1, Some(Cleanup::Hang)) | (1, None) => Shutdown::millis(rng.below(3)),
                    (1, _) => Shutdown::Infinity,
                    _ => Shutdown::millis(rng.below(3)),
                };
                let restart = match rng.below(3) {
                    0 => Restart::Permanent,
                    1 => Restart::Transient,
                    _ => Restart::Temporary,
                };
                let behaviour = Behaviour {
                    trap: termination,
                    ..Behaviour::ok()
                };
                let started = sup.start_child(spec(behaviour).restart(restart).shutdown(shutdown));
                match started {
                    Ok(Started::Running { pid, .. }) => pids.push(pid),
                    Ok(Started::Ignored)
                    | Err(StartChildError::MaxChildren)
                    | Err(StartChildError::Failed(_)) => {}
                    Err(other) => panic!("unexpected start error {other:?}"),
                }
            }
            3 => {
                if let Some(&pid) = pick(&mut rng, &pids) {
                    let result = sup.terminate_child(pid);
                    assert!(
                        matches!(result, Ok(()) | Err(TerminateChildError::NotFound)),
                        "{result:?}"
                    );
                }
            }
            4 => {
                let which = sup.which_children().expect("alive");
                pids = which.iter().filter_map(|info| info.pid).collect();
                let counts = sup.count_children().expect("alive");
                assert!(counts.specs >= counts.active);
                assert!(counts.specs <= 40);
            }
            5 => {
                if let Some(&pid) = pick(&mut rng, &pids) {
                    sup.send(pid, Msg::Panic);
                }
            }
            6 => {
                if let Some(&pid) = pick(&mut rng, &pids) {
                    let reason = match rng.below(3) {
                        0 => ExitReason::Normal,
                        1 => ExitReason::Shutdown,
                        _ => ExitReason::other("boom"),
                    };
                    sup.send(pid, Msg::Exit(reason));
                }
            }
            7 => {
                if let Some(&pid) = pick(&mut rng, &pids) {
                    sup.kill(pid);
                }
            }
            _ => {
                if let Some(&pid) = pick(&mut rng, &pids) {
                    sup.send(pid, Msg::Noop);
                }
            }
        }
    }
    assert!(
        sup.is_alive(),
        "the supervisor died: {:?}",
        sup.exit_reason()
    );
    assert_eq!(sup.stop(ExitReason::Shutdown, Some(PATIENCE)), Ok(()));
    // Hanging cleanups were killed (reported at once); their threads end once released.
    world.release();
    assert!(
        sup.wait_threads(Some(PATIENCE)),
        "{} child threads still running",
        sup.live_threads()
    );
    assert!(world.wait_live_workers_zero());
    assert_eq!(world.live.load(Ordering::SeqCst), 0);
}

fn pick<'a>(rng: &mut XorShift, pids: &'a [Pid]) -> Option<&'a Pid> {
    if pids.is_empty() {
        return None;
    }
    let index = usize::try_from(rng.below(pids.len() as u64)).unwrap_or(0);
    pids.get(index)
}

#[test]
fn the_thread_limit_refuses_a_start_with_a_typed_error_and_every_child_runs_on() {
    const LIMIT: usize = 8;
    let world = World::default();
    let sup = world.start_limited(Options::default(), Some(LIMIT));
    assert_eq!(sup.thread_limit(), LIMIT);
    let pids: Vec<Pid> = (0..LIMIT)
        .map(|_| running(sup.start_child(spec(Behaviour::ok()))))
        .collect();
    // Past the limit: refused, nothing stored, no thread made.
    for _ in 0..3 {
        assert_eq!(
            sup.start_child(spec(Behaviour::ok())),
            Err(StartChildError::ThreadLimit(LIMIT))
        );
    }
    assert_eq!(sup.count_children(), Ok(counts(LIMIT as u64, LIMIT as u64)));
    assert_eq!(sup.live_threads(), LIMIT);
    // Every earlier child still runs and answers.
    for (n, pid) in pids.iter().enumerate() {
        assert_eq!(
            sup.call(*pid, Req::Add(n as u64), Some(PATIENCE)),
            Ok(n as u64)
        );
    }
    // Once a child's thread has ended, a start fits again.
    let first = pids.first().copied().expect("started");
    assert_eq!(sup.terminate_child(first), Ok(()));
    let begun = WallClock::now();
    let again = loop {
        match sup.start_child(spec(Behaviour::ok())) {
            Err(StartChildError::ThreadLimit(_)) if begun.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_millis(1));
            }
            other => break other,
        }
    };
    running(again);
    sup.stop(ExitReason::Normal, None).expect("stops");
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn a_restart_past_the_thread_limit_is_a_failed_start() {
    let world = World::default();
    // One thread. The child is killed while its thread is busy in a call (a thread cannot be
    // killed: it ends when the call returns), so its restart finds the limit reached: a failed
    // start, retried from the mailbox and counted against intensity until the supervisor
    // gives up, as OTP does with a restart that keeps failing.
    let sup = world.start_limited(Options::default().max_restarts(5), Some(1));
    let pid = running(sup.start_child(spec(Behaviour::ok())));
    let caller = {
        let sup = sup.clone();
        std::thread::spawn(move || sup.call(pid, Req::Sleep(1_000), Some(PATIENCE)))
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(sup.kill(pid));
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    let refused = world
        .reports()
        .into_iter()
        .filter(|r| {
            matches!(
                r,
                Report::StartAttempt { outcome: StartOutcome::Failed(reason), .. }
                    if *reason == ExitReason::other(dynsup::runtime::THREAD_LIMIT)
            )
        })
        .count();
    assert_eq!(
        refused, 5,
        "the restart and its retries up to the intensity limit"
    );
    let _ = caller.join();
}

#[test]
fn the_default_thread_limit_is_well_below_what_the_machine_allows() {
    let limit = dynsup::runtime::default_thread_limit();
    assert!((1..=dynsup::runtime::FALLBACK_THREAD_LIMIT).contains(&limit));
    if let Ok(text) = std::fs::read_to_string("/proc/sys/vm/max_map_count") {
        let maps: usize = text.trim().parse().expect("a number");
        assert!(
            limit * 4 < maps,
            "{limit} threads would use most of {maps} mappings"
        );
    }
}
