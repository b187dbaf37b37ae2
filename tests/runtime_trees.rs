//! The static supervisor, trees and names on the threaded runtime: start-up in order and its
//! typed failure, the calls by id with OTP's errors, the strategies, shutdown of a whole tree
//! deepest last-started first with no thread left, escalation of a child supervisor that gives
//! up, pids unique across a tree, the tree's thread limit, and the registry. Every wait is
//! bounded; nothing asserts on time.
#![cfg(not(loom))]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dynsup::driver::StaticReport;
use dynsup::runtime::{
    ChildSupervisor, Registry, Report, StartChildError, StartLinkError, StaticChildError,
    StaticStartError, StaticSupervisor, Supervisor,
};
use dynsup::static_supervisor::{ChildPid, Event, Flags, InitError, StaticChildSpec};
use dynsup::Shutdown;
use dynsup::{
    ChildSpec, ChildType, DynWorker, ExitReason, Options, Pid, Restart, Started, Strategy,
};

const PATIENCE: Duration = Duration::from_secs(30);

mod tree_support;

use tree_support::{child, running, supervisor_child, Crash, World};

type Fixed = StaticSupervisor<&'static str, &'static str, (), DynWorker<Crash>>;
type Pool = Supervisor<&'static str, (), DynWorker<Crash>>;

// ----- the static supervisor ---------------------------------------------------------------

#[test]
fn start_link_starts_in_order_and_stop_shuts_down_the_last_started_first() {
    let world = World::default();
    let children = vec![child("a"), child("b"), child("c")];
    let sup: Fixed =
        StaticSupervisor::start_link(Flags::default(), children, world.spawner()).expect("starts");
    assert_eq!(world.log(), ["init a", "init b", "init c"]);
    let rows = sup.which_children().unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        ["c", "b", "a"]
    );
    let counts = sup.count_children().unwrap();
    assert_eq!((counts.specs, counts.active, counts.workers), (3, 3, 3));
    sup.stop(ExitReason::Normal, None).unwrap();
    assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
    assert_eq!(world.terminated(), ["c", "b", "a"]);
    assert!(sup.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
    assert_eq!(sup.count_children(), Err(dynsup::runtime::NoProc));
}

#[test]
fn calls_by_id_answer_otps_errors() {
    let world = World::default();
    let sup: Fixed =
        StaticSupervisor::start_link(Flags::default(), vec![child("a")], world.spawner()).unwrap();
    let a = running(sup.which_children().unwrap()[0].pid);
    assert_eq!(
        sup.start_child(child("a")),
        Err(StaticChildError::AlreadyStarted(a))
    );
    assert_eq!(sup.delete_child("a"), Err(StaticChildError::Running));
    assert_eq!(sup.restart_child("a"), Err(StaticChildError::Running));
    assert_eq!(sup.terminate_child("zz"), Err(StaticChildError::NotFound));
    assert_eq!(sup.restart_child("zz"), Err(StaticChildError::NotFound));
    sup.terminate_child("a").unwrap();
    assert_eq!(sup.which_children().unwrap()[0].pid, ChildPid::Undefined);
    assert_eq!(
        sup.start_child(child("a")),
        Err(StaticChildError::AlreadyPresent)
    );
    let Ok(Started::Running { pid, .. }) = sup.restart_child("a") else {
        panic!("restart_child starts it again")
    };
    assert_ne!(pid, a);
    assert_eq!(
        sup.start_child(child("fail_x")),
        Err(StaticChildError::Failed(ExitReason::other("boom")))
    );
    let bad = StaticChildSpec::new("t", ChildSpec::new("t", vec![]).significant(true));
    assert!(matches!(
        sup.start_child(bad),
        Err(StaticChildError::InvalidSpec(_))
    ));
    sup.stop(ExitReason::Normal, None).unwrap();
    assert_eq!(sup.delete_child("a"), Err(StaticChildError::NoProc));
    assert!(sup.wait_threads(Some(PATIENCE)));
}

#[test]
fn a_failed_start_up_is_a_typed_error_and_the_started_children_are_down() {
    let world = World::default();
    let children = vec![child("a"), child("b"), child("fail_c"), child("d")];
    let started: Result<Fixed, _> =
        StaticSupervisor::start_link(Flags::default(), children, world.spawner());
    let Err(StaticStartError::FailedToStartChild(failed)) = started else {
        panic!("start-up fails")
    };
    assert_eq!(
        (failed.id, failed.reason),
        ("fail_c", ExitReason::other("boom"))
    );
    assert_eq!(world.terminated(), ["b", "a"]);
    assert!(!world.log().contains(&"init d".to_owned()));
    assert!(world.none_alive());

    let invalid: Result<Fixed, _> = StaticSupervisor::start_link(
        Flags::default(),
        vec![child("a"), child("a")],
        world.spawner(),
    );
    assert!(matches!(
        invalid,
        Err(StaticStartError::Init(InitError::DuplicateChildName("a")))
    ));
}

#[test]
fn one_for_all_restarts_every_child_and_the_intensity_limit_stops_the_supervisor() {
    let world = World::default();
    let flags = Flags::default()
        .strategy(Strategy::OneForAll)
        .max_restarts(1);
    let sup: Fixed =
        StaticSupervisor::start_link(flags, vec![child("a"), child("b")], world.spawner()).unwrap();
    let before: Vec<Pid> = sup
        .which_children()
        .unwrap()
        .iter()
        .map(|r| running(r.pid))
        .collect();
    assert!(sup.send(before[1], Crash)); // "a", started first, listed last
    let mut after = before.clone();
    for _ in 0..3000 {
        let rows = sup.which_children().unwrap();
        after = rows.iter().map(|r| running(r.pid)).collect();
        if after.iter().all(|pid| !before.contains(pid)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        after.iter().all(|pid| !before.contains(pid)),
        "{before:?} -> {after:?}"
    );
    // "b" was shut down for the restart of "a".
    assert!(world.terminated().contains(&"b".to_owned()));
    // A second crash within the window exceeds max_restarts = 1.
    assert!(sup.send(after[0], Crash));
    assert_eq!(sup.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    assert!(sup.wait_threads(Some(PATIENCE)));
}

// ----- trees -------------------------------------------------------------------------------

/// The child supervisors of the test trees: `pool` (dynamic, named, gives up at the first
/// crash) and `inner` (static, named, children `x` and `y`, or a failing one when asked).
fn subtrees(
    world: &World,
) -> impl FnMut(&&'static str, &[()]) -> Option<ChildSupervisor> + Send + 'static {
    let world = world.clone();
    move |function: &&'static str, _: &[()]| match *function {
        "pool" => Some(
            Supervisor::builder(Options::default().max_restarts(0), world.spawner())
                .name("pool")
                .observer(world.observer())
                .child(),
        ),
        "inner" => Some(
            StaticSupervisor::builder(
                Flags::default(),
                vec![child("x"), child("y")],
                world.spawner(),
            )
            .name("inner")
            .observer(world.observer())
            .child(),
        ),
        "slow_inner" => Some(
            StaticSupervisor::builder(
                Flags::default(),
                vec![
                    child("plain_u"),
                    StaticChildSpec::new(
                        "slow_s",
                        ChildSpec::new("slow_s", vec![]).shutdown(Shutdown::millis(10)),
                    ),
                ],
                world.spawner(),
            )
            .name("slow_inner")
            .observer(world.observer())
            .child(),
        ),
        "bad_inner" => Some(
            StaticSupervisor::builder(
                Flags::default(),
                vec![child("x"), child("fail_y")],
                world.spawner(),
            )
            .child(),
        ),
        _ => None,
    }
}

fn tree(world: &World, flags: Flags) -> Fixed {
    let children = vec![
        child("a"),
        supervisor_child("pool"),
        supervisor_child("inner"),
    ];
    StaticSupervisor::builder(flags, children, world.spawner())
        .supervisors(subtrees(world))
        .observer(world.observer())
        .start_link()
        .expect("the tree starts")
}

#[test]
fn stopping_the_root_stops_the_tree_deepest_last_started_first_and_leaves_no_thread() {
    let world = World::default();
    let app = tree(&world, Flags::default());
    assert_eq!(world.log(), ["init a", "init x", "init y"]);
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    for _ in 0..2 {
        pool.start_child(ChildSpec::new("p", vec![])).unwrap();
    }
    let rows = app.which_children().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id, r.child_type))
            .collect::<Vec<_>>(),
        [
            ("inner", ChildType::Supervisor),
            ("pool", ChildType::Supervisor),
            ("a", ChildType::Worker)
        ]
    );
    assert_eq!(app.count_children().unwrap().supervisors, 2);
    // 3 workers under app and inner, 2 in the pool, 2 supervisor threads.
    assert_eq!(app.live_threads(), 7);
    app.stop(ExitReason::Normal, None).unwrap();
    // inner (last started) first, its children last-started first; then the pool's two
    // workers (a DynamicSupervisor shuts its children down together); then a.
    let order = world.terminated();
    assert_eq!(order.len(), 5, "{order:?}");
    assert_eq!(order[..2], ["y", "x"]);
    assert_eq!(order[2..4], ["p", "p"]);
    assert_eq!(order[4], "a");
    assert!(app.wait_threads(Some(PATIENCE)));
    assert_eq!(app.live_threads(), 0);
    assert!(world.none_alive());
    assert_eq!(app.registry().names(), []);
    assert!(!pool.is_alive());
}

#[test]
fn dropping_the_roots_handle_takes_the_whole_tree_down() {
    let world = World::default();
    let app = tree(&world, Flags::default());
    let registry = app.registry().clone();
    drop(app);
    assert!(world.none_alive());
    for _ in 0..3000 {
        if registry.names().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(registry.names(), []);
}

#[test]
fn a_child_supervisor_that_gives_up_exits_with_shutdown_and_its_parent_restarts_it() {
    let world = World::default();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let children = vec![
        child("a"),
        supervisor_child("pool"),
        supervisor_child("inner"),
    ];
    let app: Fixed = StaticSupervisor::builder(Flags::default(), children, world.spawner())
        .supervisors(subtrees(&world))
        .observer(move |report: &Report<StaticReport<&'static str>>| {
            if let Report::Supervisor(StaticReport::Event(event)) = report {
                seen.lock().unwrap().push(event.clone());
            }
        })
        .start_link()
        .unwrap();
    let registry = app.registry().clone();
    let first = registry.whereis("pool").unwrap();
    let pool: Pool = registry.lookup("pool").unwrap();
    let Ok(Started::Running { pid: worker, .. }) = pool.start_child(ChildSpec::new("p", vec![]))
    else {
        panic!("the pool starts a worker")
    };
    // The pool allows no restart: the crash makes it give up, with reason shutdown.
    assert!(pool.send(worker, Crash));
    assert_eq!(pool.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    let mut second = None;
    for _ in 0..3000 {
        second = registry.whereis("pool").filter(|pid| *pid != first);
        if second.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = second.expect("the parent restarts the pool, registered again");
    assert!(second > worker, "pids keep growing across the tree");
    let pool_row = app
        .which_children()
        .unwrap()
        .into_iter()
        .find(|row| row.id == "pool")
        .unwrap();
    assert_eq!(pool_row.pid, ChildPid::Running(second));
    assert!(events.lock().unwrap().contains(&Event::ChildExited {
        id: "pool",
        reason: ExitReason::Shutdown,
        will_restart: true,
    }));
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
}

#[test]
fn a_giving_up_child_supervisor_escalates_through_a_parent_that_gives_up_too() {
    let world = World::default();
    let app = tree(&world, Flags::default().max_restarts(0));
    let pool: Pool = app.registry().lookup("pool").unwrap();
    let Ok(Started::Running { pid, .. }) = pool.start_child(ChildSpec::new("p", vec![])) else {
        panic!("the pool starts a worker")
    };
    assert!(pool.send(pid, Crash));
    assert_eq!(app.wait_exit(Some(PATIENCE)), Some(ExitReason::Shutdown));
    assert!(app.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
}

#[test]
fn a_child_supervisors_failed_start_up_fails_its_parents_start() {
    let world = World::default();
    let children = vec![child("a"), supervisor_child("bad_inner")];
    let started: Result<Fixed, _> =
        StaticSupervisor::builder(Flags::default(), children, world.spawner())
            .supervisors(subtrees(&world))
            .start_link();
    let Err(StaticStartError::FailedToStartChild(failed)) = started else {
        panic!("the parent's start-up fails")
    };
    assert_eq!(failed.id, "bad_inner");
    assert_eq!(
        failed.reason,
        ExitReason::ShutdownWith("failed_to_start_child:\"fail_y\":boom".into())
    );
    assert_eq!(world.terminated(), ["x", "a"]);
    assert!(world.none_alive());
}

#[test]
fn a_dynamic_supervisor_has_child_supervisors_too_and_pids_are_unique_across_the_tree() {
    let world = World::default();
    let root: Pool = Supervisor::builder(Options::default(), world.spawner())
        .supervisors(subtrees(&world))
        .start_link()
        .unwrap();
    let spec = ChildSpec::new("inner", vec![]).child_type(ChildType::Supervisor);
    let Ok(Started::Running { pid: inner_pid, .. }) = root.start_child(spec.clone()) else {
        panic!("the child supervisor starts")
    };
    let Ok(Started::Running { pid: worker, .. }) = root.start_child(ChildSpec::new("w", vec![]))
    else {
        panic!("the worker starts")
    };
    let inner: Fixed = root.registry().lookup("inner").unwrap();
    assert_eq!(inner.pid(), Some(inner_pid));
    let mut pids: Vec<Pid> = inner
        .which_children()
        .unwrap()
        .iter()
        .map(|row| running(row.pid))
        .collect();
    pids.extend([inner_pid, worker]);
    assert_eq!(pids.iter().collect::<BTreeSet<_>>().len(), 4, "{pids:?}");
    // A second child supervisor under the same name: already_started.
    assert_eq!(
        root.start_child(spec),
        Err(StartChildError::Failed(ExitReason::other(format!(
            "already_started:{inner_pid}"
        ))))
    );
    // Messages and calls are for workers: a child supervisor takes neither.
    assert!(!root.send(inner_pid, Crash));
    // terminate_child of a child supervisor waits for its subtree and frees its name.
    root.terminate_child(inner_pid).unwrap();
    assert_eq!(root.registry().whereis("inner"), None);
    assert!(!inner.is_alive());
    root.stop(ExitReason::Normal, None).unwrap();
    assert!(root.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
}

// ----- killed supervisors (docs/trees.md "Killing a supervisor") ---------------------------------------------

/// The pid of a running child of a static supervisor, by id.
fn pid_of(sup: &Fixed, id: &str) -> Pid {
    let rows = sup.which_children().expect("alive");
    let row = rows
        .iter()
        .find(|r| r.id == id)
        .expect("a child with that id");
    running(row.pid)
}

#[test]
fn a_killed_root_dies_at_once_its_children_end_killed_and_nothing_is_left() {
    let world = World::default();
    let children = vec![
        child("a"),
        child("plain_b"),
        supervisor_child("pool"),
        supervisor_child("inner"),
    ];
    let app: Fixed = StaticSupervisor::builder(Flags::default(), children, world.spawner())
        .supervisors(subtrees(&world))
        .observer(world.observer())
        .start_link()
        .expect("the tree starts");
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    pool.start_child(ChildSpec::new("p", vec![])).unwrap();
    let pids: Vec<Pid> = ["a", "plain_b", "pool", "inner"]
        .iter()
        .map(|id| pid_of(&app, id))
        .collect();

    assert!(app.kill_supervisor());
    assert!(!app.is_alive());
    assert_eq!(app.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(app.which_children(), Err(dynsup::runtime::NoProc));
    // A root's `wait_exit` joins its driver, which ends once its last child has.
    assert_eq!(app.wait_exit(Some(PATIENCE)), Some(ExitReason::Killed));
    assert!(app.wait_threads(Some(PATIENCE)));
    assert_eq!(app.live_threads(), 0);
    assert!(world.none_alive());
    assert_eq!(app.registry().names(), []);
    // Every child of the root ended `killed`: the link's exit signal.
    for pid in pids {
        assert_eq!(world.down_of(pid), Some(ExitReason::Killed), "{pid:?}");
    }
    // The trapping worker ran its terminate with `killed`, the other one none; the child
    // supervisors shut their own children down the ordinary way, with `shutdown`.
    assert_eq!(world.terminated_with("a"), ["killed"]);
    assert_eq!(world.terminated_with("plain_b"), Vec::<String>::new());
    assert_eq!(world.terminated_with("p"), ["shutdown"]);
    assert_eq!(world.terminated_with("x"), ["shutdown"]);
    assert_eq!(world.terminated_with("y"), ["shutdown"]);
    assert!(
        !app.kill_supervisor(),
        "a dead supervisor cannot be killed again"
    );
}

#[test]
fn a_killed_child_supervisor_is_restarted_by_its_parent_and_its_children_end_killed() {
    let world = World::default();
    let app = tree(&world, Flags::default());
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    let Ok(Started::Running { pid: p, .. }) = pool.start_child(ChildSpec::new("p", vec![])) else {
        panic!("p starts")
    };
    let Ok(Started::Running { pid: q, .. }) = pool.start_child(ChildSpec::new("plain_q", vec![]))
    else {
        panic!("plain_q starts")
    };
    let old = pid_of(&app, "pool");

    assert!(app.kill(old));
    // Reported `killed` by its parent at once; its own handles see it dead once its driver
    // has taken the kill from its mailbox.
    assert_eq!(world.down_of(old), Some(ExitReason::Killed));
    assert!(world.eventually(|| !pool.is_alive()));
    assert_eq!(pool.exit_reason(), Some(ExitReason::Killed));
    // Its parent restarts it (permanent), under the same name, with a new pid.
    assert!(world.eventually(|| app.registry().whereis("pool").is_some_and(|pid| pid != old)));
    // Its children got the exit signal `killed` through the link.
    assert!(world.eventually(|| world.down_of(p).is_some() && world.down_of(q).is_some()));
    assert_eq!(world.down_of(p), Some(ExitReason::Killed));
    assert_eq!(world.down_of(q), Some(ExitReason::Killed));
    assert_eq!(world.terminated_with("p"), ["killed"]);
    assert_eq!(world.terminated_with("plain_q"), Vec::<String>::new());
    // The rest of the tree is untouched.
    assert_eq!(world.terminated_with("a"), Vec::<String>::new());
    assert_eq!(world.terminated_with("x"), Vec::<String>::new());
    assert_eq!(world.alive_now(), 3);
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
}

#[test]
fn a_child_supervisor_killed_through_its_own_handle_is_restarted_by_its_parent() {
    let world = World::default();
    let app = tree(&world, Flags::default());
    let inner: Fixed = app.registry().lookup("inner").expect("inner is registered");
    let old = pid_of(&app, "inner");
    let (x, y) = (pid_of(&inner, "x"), pid_of(&inner, "y"));

    assert!(inner.kill_supervisor());
    assert_eq!(inner.exit_reason(), Some(ExitReason::Killed));
    // Its parent sees it exit `killed` and restarts it.
    assert!(world.eventually(|| world.down_of(old).is_some()));
    assert_eq!(world.down_of(old), Some(ExitReason::Killed));
    assert!(world.eventually(|| app
        .registry()
        .whereis("inner")
        .is_some_and(|pid| pid != old)));
    assert!(world.eventually(|| world.down_of(x).is_some() && world.down_of(y).is_some()));
    assert_eq!(world.down_of(x), Some(ExitReason::Killed));
    assert_eq!(world.down_of(y), Some(ExitReason::Killed));
    assert_eq!(world.terminated_with("x"), ["killed"]);
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
}

#[test]
fn a_killed_child_supervisors_trapping_child_gets_its_whole_terminate() {
    let world = World::default();
    world.set_slow(Duration::from_millis(300));
    let children = vec![child("a"), supervisor_child("slow_inner")];
    let app: Fixed = StaticSupervisor::builder(Flags::default(), children, world.spawner())
        .supervisors(subtrees(&world))
        .observer(world.observer())
        .start_link()
        .expect("the tree starts");
    let old = pid_of(&app, "slow_inner");
    let inner: Fixed = app.registry().lookup("slow_inner").expect("registered");
    let (u, s) = (pid_of(&inner, "plain_u"), pid_of(&inner, "slow_s"));

    assert!(app.kill(old));
    assert!(world.eventually(|| world.down_of(s).is_some()));
    // The non-trapping child died `killed`; the trapping one ran its whole terminate (its
    // spec's 10 ms shutdown does not apply: its supervisor is dead) and then ended `killed`.
    assert_eq!(world.down_of(u), Some(ExitReason::Killed));
    assert_eq!(world.down_of(s), Some(ExitReason::Killed));
    assert_eq!(world.terminated_with("slow_s"), ["killed"]);
    let log = world.log();
    let terminated = log.iter().position(|l| l == "terminate slow_s killed");
    let down = log
        .iter()
        .position(|l| *l == format!("down {} killed", s.0));
    assert!(terminated.is_some() && down.is_some(), "{log:?}");
    assert!(terminated < down, "{log:?}");
    // Its parent restarted it, with new children.
    assert!(world.eventually(|| app
        .registry()
        .whereis("slow_inner")
        .is_some_and(|pid| pid != old)));
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
    assert!(world.none_alive());
}

#[test]
fn the_thread_limit_is_the_trees() {
    let world = World::default();
    let children = vec![child("a"), supervisor_child("pool")];
    let app: Fixed = StaticSupervisor::builder(Flags::default(), children, world.spawner())
        .supervisors(subtrees(&world))
        .thread_limit(3)
        .start_link()
        .unwrap();
    let pool: Pool = app.registry().lookup("pool").unwrap();
    assert_eq!(pool.thread_limit(), 3);
    pool.start_child(ChildSpec::new("p", vec![])).unwrap();
    assert_eq!(
        pool.start_child(ChildSpec::new("p", vec![])),
        Err(StartChildError::ThreadLimit(3))
    );
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
}

// ----- names -------------------------------------------------------------------------------

#[test]
fn names_are_registered_refused_when_taken_and_freed_when_the_process_ends() {
    let world = World::default();
    let registry = Registry::new();
    let first: Pool = Supervisor::builder(Options::default(), world.spawner())
        .name("sessions")
        .registry(&registry)
        .start_link()
        .unwrap();
    let pid = registry.whereis("sessions").expect("registered");
    assert_eq!(first.pid(), Some(pid));
    let again = Supervisor::builder(Options::default(), world.spawner())
        .name("sessions")
        .registry(&registry)
        .start_link();
    assert_eq!(again.err(), Some(StartLinkError::AlreadyStarted(pid)));
    let fixed: Result<Fixed, _> =
        StaticSupervisor::builder(Flags::default(), vec![], world.spawner())
            .name("sessions")
            .registry(&registry)
            .start_link();
    assert!(matches!(fixed, Err(StaticStartError::AlreadyStarted(p)) if p == pid));
    // Found by name, the handle reaches the same supervisor; dropping it stops nothing.
    let found: Pool = registry.lookup("sessions").unwrap();
    found.start_child(ChildSpec::new("s", vec![])).unwrap();
    drop(found);
    assert_eq!(first.count_children().unwrap().active, 1);
    // The wrong handle type finds nothing.
    assert!(registry.lookup::<Fixed>("sessions").is_none());
    first.stop(ExitReason::Normal, None).unwrap();
    assert_eq!(registry.whereis("sessions"), None);
    // The name is free again.
    let second: Pool = Supervisor::builder(Options::default(), world.spawner())
        .name("sessions")
        .registry(&registry)
        .start_link()
        .unwrap();
    assert_ne!(second.pid(), Some(pid));
    second.stop(ExitReason::Normal, None).unwrap();
    assert!(world.none_alive());
}

#[test]
fn a_terminated_child_supervisor_frees_its_name_and_restart_child_takes_it_again() {
    let world = World::default();
    let app = tree(&world, Flags::default());
    let registry = app.registry().clone();
    let before = registry.whereis("pool").unwrap();
    app.terminate_child("pool").unwrap();
    assert_eq!(registry.whereis("pool"), None);
    let Ok(Started::Running { pid, .. }) = app.restart_child("pool") else {
        panic!("restart_child starts the pool again")
    };
    assert_ne!(pid, before);
    assert_eq!(registry.whereis("pool"), Some(pid));
    app.stop(ExitReason::Normal, None).unwrap();
    assert!(app.wait_threads(Some(PATIENCE)));
}

#[test]
fn restart_transient_child_of_a_tree_is_kept_after_a_clean_exit() {
    let world = World::default();
    let spec = StaticChildSpec::new("t", ChildSpec::new("t", vec![]).restart(Restart::Transient));
    let sup: Fixed =
        StaticSupervisor::start_link(Flags::default(), vec![spec], world.spawner()).unwrap();
    sup.terminate_child("t").unwrap();
    assert_eq!(sup.which_children().unwrap()[0].pid, ChildPid::Undefined);
    sup.stop(ExitReason::Normal, None).unwrap();
}
