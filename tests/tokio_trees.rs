//! The static supervisor, trees and names on the tokio runtime (the threaded runtime's
//! `tests/runtime_trees.rs`, with tasks): start-up in order and its typed failure, the calls
//! by id with OTP's errors, shutdown of a whole tree deepest last-started first with nothing
//! left alive, escalation of a child supervisor that gives up, pids unique across a tree, and
//! the registry. Every wait is bounded; nothing asserts on time.
#![cfg(not(loom))]

use std::collections::BTreeSet;
use std::time::Duration;

use dynsup::static_supervisor::Flags;
use dynsup::static_supervisor::StaticChildSpec;
use dynsup::tokio_runtime::{
    ChildSupervisor, Registry, StartChildError, StartLinkError, StaticChildError, StaticStartError,
    StaticSupervisor, Supervisor,
};
use dynsup::{ChildSpec, ChildType, DynWorker, ExitReason, Options, Pid, Shutdown, Started};

mod tree_support;

use tree_support::{child, running, supervisor_child, Crash, World};

const PATIENCE: Duration = Duration::from_secs(30);

type Fixed = StaticSupervisor<&'static str, &'static str, (), DynWorker<Crash>>;
type Pool = Supervisor<&'static str, (), DynWorker<Crash>>;

/// Waits (bounded, on tokio's clock) until `done` holds.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..3000 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Waits (bounded, on tokio's clock) until no test worker is alive.
async fn none_alive(world: &World) -> bool {
    eventually(|| world.alive_now() == 0).await
}

/// Waits (bounded) until `name` is registered to a pid other than `old`.
async fn registered_again(registry: &Registry, name: &str, old: Pid) -> Option<Pid> {
    for _ in 0..3000 {
        if let Some(pid) = registry.whereis(name).filter(|pid| *pid != old) {
            return Some(pid);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// The child supervisors of the test trees (as in `tests/runtime_trees.rs`).
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
        // A trapping child whose cleanup takes 300 ms and whose spec's shutdown is 10 ms.
        "slow_inner" => Some(
            StaticSupervisor::builder(
                Flags::default(),
                vec![
                    child("plain_u"),
                    StaticChildSpec::new(
                        "s",
                        ChildSpec::new("s", vec![]).shutdown(Shutdown::millis(10)),
                    ),
                ],
                world.spawner(),
            )
            .name("slow_inner")
            .observer(world.observer())
            .cleanup_time(|_, _| Some(Duration::from_millis(300)))
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

async fn tree(world: &World, flags: Flags) -> Fixed {
    let children = vec![
        child("a"),
        supervisor_child("pool"),
        supervisor_child("inner"),
    ];
    StaticSupervisor::builder(flags, children, world.spawner())
        .supervisors(subtrees(world))
        .observer(world.observer())
        .start_link()
        .await
        .expect("the tree starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_supervisor_starts_in_order_answers_otps_errors_and_stops_last_first() {
    let world = World::default();
    let children = vec![child("a"), child("b"), child("c")];
    let sup: Fixed = StaticSupervisor::start_link(Flags::default(), children, world.spawner())
        .await
        .expect("starts");
    assert_eq!(world.log(), ["init a", "init b", "init c"]);
    let rows = sup.which_children().await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        ["c", "b", "a"]
    );
    let a = running(rows[2].pid);
    assert_eq!(
        sup.start_child(child("a")).await,
        Err(StaticChildError::AlreadyStarted(a))
    );
    assert_eq!(sup.delete_child("a").await, Err(StaticChildError::Running));
    assert_eq!(
        sup.terminate_child("zz").await,
        Err(StaticChildError::NotFound)
    );
    sup.terminate_child("a").await.unwrap();
    assert_eq!(
        sup.start_child(child("a")).await,
        Err(StaticChildError::AlreadyPresent)
    );
    assert!(matches!(
        sup.restart_child("a").await,
        Ok(Started::Running { .. })
    ));
    let counts = sup.count_children().await.unwrap();
    assert_eq!((counts.specs, counts.active), (3, 3));
    sup.stop(ExitReason::Normal, None).await.unwrap();
    // a was terminated first; restart_child keeps its place (first started), so the stop
    // takes c, b, then a.
    assert_eq!(world.terminated(), ["a", "c", "b", "a"]);
    assert!(none_alive(&world).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_start_up_is_a_typed_error_and_the_started_children_are_down() {
    let world = World::default();
    let children = vec![child("a"), child("b"), child("fail_c"), child("d")];
    let started: Result<Fixed, _> =
        StaticSupervisor::start_link(Flags::default(), children, world.spawner()).await;
    let Err(StaticStartError::FailedToStartChild(failed)) = started else {
        panic!("start-up fails")
    };
    assert_eq!(
        (failed.id, failed.reason),
        ("fail_c", ExitReason::other("boom"))
    );
    assert_eq!(world.terminated(), ["b", "a"]);
    assert!(none_alive(&world).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_root_stops_the_tree_deepest_last_started_first() {
    let world = World::default();
    let app = tree(&world, Flags::default()).await;
    assert_eq!(world.log(), ["init a", "init x", "init y"]);
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    for _ in 0..2 {
        pool.start_child(ChildSpec::new("p", vec![])).await.unwrap();
    }
    let rows = app.which_children().await.unwrap();
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
    app.stop(ExitReason::Normal, None).await.unwrap();
    let order = world.terminated();
    assert_eq!(order, ["y", "x", "p", "p", "a"]);
    assert!(none_alive(&world).await);
    assert_eq!(app.registry().names(), []);
    assert!(!pool.is_alive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_supervisor_that_gives_up_is_restarted_and_escalates_when_its_parent_gives_up() {
    let world = World::default();
    let app = tree(&world, Flags::default()).await;
    let registry = app.registry().clone();
    let first = registry.whereis("pool").unwrap();
    let pool: Pool = registry.lookup("pool").unwrap();
    let Ok(Started::Running { pid, .. }) = pool.start_child(ChildSpec::new("p", vec![])).await
    else {
        panic!("the pool starts a worker")
    };
    assert!(pool.send(pid, Crash).await);
    assert_eq!(
        pool.wait_exit(Some(PATIENCE)).await,
        Some(ExitReason::Shutdown)
    );
    let second = registered_again(&registry, "pool", first)
        .await
        .expect("the parent restarts the pool");
    assert!(second > pid, "pids keep growing across the tree");
    app.stop(ExitReason::Normal, None).await.unwrap();

    // The same under a parent that allows no restart: the whole tree goes down.
    let world = World::default();
    let app = tree(&world, Flags::default().max_restarts(0)).await;
    let pool: Pool = app.registry().lookup("pool").unwrap();
    let Ok(Started::Running { pid, .. }) = pool.start_child(ChildSpec::new("p", vec![])).await
    else {
        panic!("the pool starts a worker")
    };
    assert!(pool.send(pid, Crash).await);
    assert_eq!(
        app.wait_exit(Some(PATIENCE)).await,
        Some(ExitReason::Shutdown)
    );
    assert!(none_alive(&world).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_supervisors_failed_start_up_fails_its_parents_start() {
    let world = World::default();
    let children = vec![child("a"), supervisor_child("bad_inner")];
    let started: Result<Fixed, _> =
        StaticSupervisor::builder(Flags::default(), children, world.spawner())
            .supervisors(subtrees(&world))
            .start_link()
            .await;
    let Err(StaticStartError::FailedToStartChild(failed)) = started else {
        panic!("the parent's start-up fails")
    };
    assert_eq!(failed.id, "bad_inner");
    assert_eq!(world.terminated(), ["x", "a"]);
    assert!(none_alive(&world).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pids_are_unique_across_the_tree_and_names_are_refused_when_taken_and_freed() {
    let world = World::default();
    let registry = Registry::new();
    let root: Pool = Supervisor::builder(Options::default(), world.spawner())
        .supervisors(subtrees(&world))
        .name("root")
        .registry(&registry)
        .start_link()
        .await
        .unwrap();
    let root_pid = registry.whereis("root").unwrap();
    let again = Supervisor::builder(Options::default(), world.spawner())
        .name("root")
        .registry(&registry)
        .start_link()
        .await;
    assert_eq!(again.err(), Some(StartLinkError::AlreadyStarted(root_pid)));
    let spec = ChildSpec::new("inner", vec![]).child_type(ChildType::Supervisor);
    let Ok(Started::Running { pid: inner_pid, .. }) = root.start_child(spec.clone()).await else {
        panic!("the child supervisor starts")
    };
    let inner: Fixed = registry.lookup("inner").unwrap();
    let mut pids: Vec<Pid> = inner
        .which_children()
        .await
        .unwrap()
        .iter()
        .map(|row| running(row.pid))
        .collect();
    pids.extend([inner_pid, root_pid]);
    assert_eq!(pids.iter().collect::<BTreeSet<_>>().len(), 4, "{pids:?}");
    assert_eq!(
        root.start_child(spec).await,
        Err(StartChildError::Failed(ExitReason::other(format!(
            "already_started:{inner_pid}"
        ))))
    );
    root.terminate_child(inner_pid).await.unwrap();
    assert_eq!(registry.whereis("inner"), None);
    root.stop(ExitReason::Normal, None).await.unwrap();
    assert_eq!(registry.names(), []);
    assert!(none_alive(&world).await);
}

// ----- killed supervisors (docs/trees.md "Killing a supervisor") ---------------------------------------------

/// The pid of a running child of a static supervisor, by id.
async fn pid_of(sup: &Fixed, id: &str) -> Pid {
    let rows = sup.which_children().await.expect("alive");
    let row = rows
        .iter()
        .find(|r| r.id == id)
        .expect("a child with that id");
    running(row.pid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_root_dies_at_once_its_children_end_killed_and_nothing_is_left() {
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
        .await
        .expect("the tree starts");
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    pool.start_child(ChildSpec::new("p", vec![])).await.unwrap();
    let mut pids = Vec::new();
    for id in ["a", "plain_b", "pool", "inner"] {
        pids.push(pid_of(&app, id).await);
    }

    assert!(app.kill_supervisor().await);
    assert!(!app.is_alive());
    assert_eq!(app.exit_reason(), Some(ExitReason::Killed));
    assert!(app.which_children().await.is_err());
    assert!(none_alive(&world).await);
    // Every child of the root ended `killed`: the link's exit signal.
    assert!(eventually(|| pids.iter().all(|pid| world.down_of(*pid).is_some())).await);
    for pid in pids {
        assert_eq!(world.down_of(pid), Some(ExitReason::Killed), "{pid:?}");
    }
    assert!(eventually(|| app.registry().names().is_empty()).await);
    // The trapping worker ran its terminate with `killed`, the other one none; the child
    // supervisors shut their own children down the ordinary way, with `shutdown`.
    assert_eq!(world.terminated_with("a"), ["killed"]);
    assert_eq!(world.terminated_with("plain_b"), Vec::<String>::new());
    assert_eq!(world.terminated_with("p"), ["shutdown"]);
    assert_eq!(world.terminated_with("x"), ["shutdown"]);
    assert_eq!(world.terminated_with("y"), ["shutdown"]);
    assert!(
        !app.kill_supervisor().await,
        "a dead supervisor cannot be killed again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_child_supervisor_is_restarted_by_its_parent_and_its_children_end_killed() {
    let world = World::default();
    let app = tree(&world, Flags::default()).await;
    let pool: Pool = app.registry().lookup("pool").expect("pool is registered");
    let Ok(Started::Running { pid: p, .. }) = pool.start_child(ChildSpec::new("p", vec![])).await
    else {
        panic!("p starts")
    };
    let Ok(Started::Running { pid: q, .. }) =
        pool.start_child(ChildSpec::new("plain_q", vec![])).await
    else {
        panic!("plain_q starts")
    };
    let old = pid_of(&app, "pool").await;

    assert!(app.kill(old).await);
    assert_eq!(world.down_of(old), Some(ExitReason::Killed));
    assert!(eventually(|| !pool.is_alive()).await);
    assert_eq!(pool.exit_reason(), Some(ExitReason::Killed));
    // Its parent restarts it (permanent), under the same name, with a new pid.
    assert!(registered_again(app.registry(), "pool", old)
        .await
        .is_some());
    // Its children got the exit signal `killed` through the link.
    assert!(eventually(|| world.down_of(p).is_some() && world.down_of(q).is_some()).await);
    assert_eq!(world.down_of(p), Some(ExitReason::Killed));
    assert_eq!(world.down_of(q), Some(ExitReason::Killed));
    assert_eq!(world.terminated_with("p"), ["killed"]);
    assert_eq!(world.terminated_with("plain_q"), Vec::<String>::new());
    // The rest of the tree is untouched.
    assert_eq!(world.terminated_with("a"), Vec::<String>::new());
    assert_eq!(world.terminated_with("x"), Vec::<String>::new());
    assert_eq!(world.alive_now(), 3);
    app.stop(ExitReason::Normal, None).await.unwrap();
    assert!(none_alive(&world).await);
}

/// On tokio's paused clock: the trapping child of a killed child supervisor takes its whole
/// cleanup time (300 ms), although its spec's shutdown is 10 ms: nobody is left to kill it.
#[tokio::test(start_paused = true)]
async fn a_killed_child_supervisors_trapping_child_gets_its_whole_cleanup_time() {
    let world = World::default();
    let children = vec![child("a"), supervisor_child("slow_inner")];
    let app: Fixed = StaticSupervisor::builder(Flags::default(), children, world.spawner())
        .supervisors(subtrees(&world))
        .observer(world.observer())
        .start_link()
        .await
        .expect("the tree starts");
    let old = pid_of(&app, "slow_inner").await;
    let inner: Fixed = app.registry().lookup("slow_inner").expect("registered");
    let (u, s) = (pid_of(&inner, "plain_u").await, pid_of(&inner, "s").await);

    assert!(app.kill(old).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The non-trapping child died `killed` at once; the trapping one is still cleaning up.
    assert_eq!(world.down_of(u), Some(ExitReason::Killed));
    assert_eq!(world.down_of(s), None);
    assert_eq!(world.terminated_with("s"), ["killed"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(world.down_of(s), Some(ExitReason::Killed));
    // Its parent restarted it, with new children.
    assert!(registered_again(app.registry(), "slow_inner", old)
        .await
        .is_some());
    app.stop(ExitReason::Normal, None).await.unwrap();
    assert!(none_alive(&world).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_roots_handle_takes_the_whole_tree_down() {
    let world = World::default();
    let app = tree(&world, Flags::default()).await;
    let registry = app.registry().clone();
    drop(app);
    assert!(none_alive(&world).await);
    for _ in 0..3000 {
        if registry.names().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(registry.names(), []);
}
