//! The static supervisor, trees and names on the tokio runtime (the threaded runtime's
//! `tests/runtime_trees.rs`, with tasks): start-up in order and its typed failure, the calls
//! by id with OTP's errors, shutdown of a whole tree deepest last-started first with nothing
//! left alive, escalation of a child supervisor that gives up, pids unique across a tree, and
//! the registry. Every wait is bounded; nothing asserts on time.
#![cfg(not(loom))]

use std::collections::BTreeSet;
use std::time::Duration;

use dynsup::static_supervisor::{ChildPid, Flags};
use dynsup::tokio_runtime::{
    ChildSupervisor, Registry, StartChildError, StartLinkError, StaticChildError, StaticStartError,
    StaticSupervisor, Supervisor,
};
use dynsup::{ChildSpec, ChildType, DynWorker, ExitReason, Options, Pid, Started};

mod tree_support;

use tree_support::{child, running, supervisor_child, Crash, World};

const PATIENCE: Duration = Duration::from_secs(30);

type Fixed = StaticSupervisor<&'static str, &'static str, (), DynWorker<Crash>>;
type Pool = Supervisor<&'static str, (), DynWorker<Crash>>;

/// Waits (bounded, on tokio's clock) until no test worker is alive.
async fn none_alive(world: &World) -> bool {
    for _ in 0..3000 {
        if world.alive_now() == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
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
                .child(),
        ),
        "inner" => Some(
            StaticSupervisor::builder(
                Flags::default(),
                vec![child("x"), child("y")],
                world.spawner(),
            )
            .name("inner")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_child_supervisor_takes_its_subtree_down_and_it_is_restarted() {
    let world = World::default();
    let app = tree(&world, Flags::default()).await;
    let inner = app.registry().whereis("inner").unwrap();
    assert!(app.kill(inner).await);
    assert!(registered_again(app.registry(), "inner", inner)
        .await
        .is_some());
    let rows = app.which_children().await.unwrap();
    assert!(matches!(rows[0].pid, ChildPid::Running(pid) if pid != inner));
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
