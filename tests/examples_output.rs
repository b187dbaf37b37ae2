//! The examples print exactly their expected output: `examples/user_sessions.rs` (the lesson)
//! and `examples/workers.rs` (the API tour); `examples/sessions_at_scale.rs` starts its sessions
//! and reports the thread limit as an error instead of aborting; `examples/dynamic_supervisors.rs`
//! prints the seed lesson's expected output byte for byte; `examples/kata_68.rs` prints the kata's
//! tree, its shapes and its four pitfalls. Each example's body is compiled into this test and
//! written to a buffer.
#![cfg(not(loom))]

#[allow(dead_code)] // the example's `main` is not called here
#[path = "../examples/user_sessions.rs"]
mod user_sessions;

#[allow(dead_code)] // the example's `main` is not called here
#[path = "../examples/workers.rs"]
mod workers;

#[allow(dead_code)] // the example's `main` is not called here
#[path = "../examples/sessions_at_scale.rs"]
mod sessions_at_scale;

#[allow(dead_code)] // the example's `main` is not called here
#[path = "../examples/dynamic_supervisors.rs"]
mod dynamic_supervisors;

#[allow(dead_code)] // the example's `main` is not called here
#[path = "../examples/kata_68.rs"]
mod kata_68;

/// What `cargo run --example user_sessions` prints.
const EXPECTED: &str = r#"== A supervisor of user sessions
start_link: max_children=3, at most 3 restarts in 5 s

-- Logging in: start_child runs the session's init
alice logs in: session <1>
bob logs in: session <2>
guest logs in: ignored, no session
mallory logs in: refused (the child failed to start: banned)
count_children: specs=2 active=2 workers=2

-- A crash: a transient session is restarted
alice's connection drops: session <1> exits with connection_lost, restarted as <5>

-- Logging out: terminate_child, never restarted
bob logs out: session <2> shut down (shutdown)
which_children: <5>

-- max_children: at most 3 sessions
carol logs in: session <6>
dave logs in: session <7>
erin logs in: refused (max_children reached)
count_children: specs=3 active=3 workers=3

-- A crash storm: the 4th restart within 5 s is one too many
alice's session crashes (crash 2): restarted as <8>
alice's session crashes (crash 3): restarted as <9>
alice's session crashes (crash 4): restart intensity exceeded
the supervisor exits with reason shutdown
  the other sessions are shut down: <6> (shutdown)
  the other sessions are shut down: <7> (shutdown)
count_children afterwards: the supervisor is not alive
"#;

#[test]
fn user_sessions_prints_the_expected_lesson() {
    let mut out = Vec::new();
    user_sessions::lesson(&mut out).expect("the lesson runs");
    let printed = String::from_utf8(out).expect("the lesson prints UTF-8");
    assert_eq!(printed, EXPECTED);
}

#[test]
fn user_sessions_prints_the_same_lesson_every_time() {
    for _ in 0..5 {
        let mut out = Vec::new();
        user_sessions::lesson(&mut out).expect("the lesson runs");
        assert_eq!(String::from_utf8_lossy(&out), EXPECTED);
    }
}

/// What `cargo run --example workers` prints.
const WORKERS: &str = r#"start_child counter: running as <1>
start_child cache: running as <2>
start_child stubborn: running as <3>
start_child a fourth: Err(MaxChildren)
which_children: <1> Worker List(["Counter"])
which_children: <2> Worker OfStart
which_children: <3> Worker OfStart
count_children: specs=3 active=3 supervisors=0 workers=3
terminate_child cache: down with shutdown
terminate_child stubborn: down with killed
crash 1 of the counter: restarted as <4>
crash 2 of the counter: restarted as <5>
crash 3 of the counter: too many restarts
the supervisor exited: shutdown
count_children now: Err(NoProc)
"#;

#[test]
fn workers_prints_the_expected_tour() {
    let mut out = Vec::new();
    workers::tour(&mut out).expect("the tour runs");
    assert_eq!(String::from_utf8_lossy(&out), WORKERS);
}

#[test]
fn sessions_at_scale_starts_its_sessions_and_reports_the_thread_limit() {
    assert_eq!(sessions_at_scale::on_threads(20, None), Ok(()));
    let refused = sessions_at_scale::on_threads(10, Some(4)).expect_err("past the limit");
    assert!(
        refused.contains("stopped at 4 children") && refused.contains("limit of 4"),
        "{refused}"
    );
}

/// The seed lesson's "Expected Output", byte for byte.
const LESSON_OUTPUT: &str = "App: Letting users in...
--- [SYSTEM] Starting session for Alice
--- [SYSTEM] Starting session for Bob
--- [SYSTEM] Starting session for Charlie

App: We currently have 3 active workers.
";

#[test]
fn dynamic_supervisors_prints_the_lessons_expected_output() {
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let out: dynamic_supervisors::Output = buffer.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime
        .block_on(dynamic_supervisors::lesson(out))
        .expect("the lesson runs");
    let printed = String::from_utf8(buffer.lock().expect("not poisoned").clone()).expect("utf-8");
    assert_eq!(printed, LESSON_OUTPUT);
}

/// What `cargo run --example kata_68` prints. Pids are deterministic: the tree's one allocator
/// numbers every process in start order (a failed start takes a pid too, as on the BEAM).
const KATA_68: &str = r#"== Kata 68: Dynamic Supervisors, on dynsup's threaded runtime

-- The application supervision tree
Supervisor.start_link([{DynamicSupervisor, name: MyApp.WorkerSupervisor, strategy: :one_for_one}], strategy: :one_for_one)
Supervisor.which_children(app) = [{MyApp.WorkerSupervisor, #PID<0.1.0>, :supervisor, [DynamicSupervisor]}]
Process.whereis(MyApp.WorkerSupervisor) = #PID<0.1.0>

-- Starting children dynamically (by name)
start_child(MyApp.WorkerSupervisor, {MyWorker, [id: 1, name: "worker_1"]}) = {:ok, #PID<0.2.0>}
start_child(MyApp.WorkerSupervisor, %{id: MyWorker, start: {MyWorker, :start_link, [[id: 2]]}, restart: :transient}) = {:ok, #PID<0.3.0>}
start_child(MyApp.WorkerSupervisor, %{id: MyWorker, start: {MyWorker, :start_link, [[id: 3]]}, restart: :transient}) = {:ok, #PID<0.4.0>}

-- Inspecting the supervisor
which_children(MyApp.WorkerSupervisor) = [{:undefined, #PID<0.2.0>, :worker, [MyWorker]}, {:undefined, #PID<0.3.0>, :worker, [MyWorker]}, {:undefined, #PID<0.4.0>, :worker, [MyWorker]}]
count_children(MyApp.WorkerSupervisor) = %{active: 3, specs: 3, supervisors: 0, workers: 3}

-- Terminating children
terminate_child(MyApp.WorkerSupervisor, #PID<0.2.0>) = :ok
count_children(MyApp.WorkerSupervisor) = %{active: 2, specs: 2, supervisors: 0, workers: 2}

-- Pitfall 1: not handling {:error, ...}
start_child with an init that stops = {:error, :no_db} (Err(StartChildError::Failed(Other("no_db"))))
dynsup: start_child returns a Result (#[must_use]): the compiler flags an ignored one, and every OTP error is a typed variant (Failed, MaxChildren, Invalid, ThreadLimit, NoProc)

-- Pitfall 2: unbounded children
start_child (3 of max_children: 3) = {:ok, #PID<0.6.0>}
start_child (4 of max_children: 3) = {:error, :max_children}
dynsup: Options::max_children caps the children (restarting ones count); past it, Err(StartChildError::MaxChildren); the threaded runtime also refuses a thread past its thread limit

-- Pitfall 3: forgetting to track PIDs
the pid was dropped; which_children(MyApp.WorkerSupervisor) finds it again: #PID<0.6.0>
terminate_child(MyApp.WorkerSupervisor, #PID<0.6.0>) = :ok, and again = {:error, :not_found}
dynsup: the registry reaches a supervisor by name (whereis / lookup), which_children lists its pids, and terminate_child of an unknown pid is Err(NotFound)

-- Pitfall 4: using the wrong supervisor type
DynamicSupervisor.start_link(strategy: :one_for_all) = {:error, ...}: invalid strategy OneForAll: a DynamicSupervisor only supports one_for_one
children known upfront: Supervisor.start_link([cache, web], strategy: :rest_for_one), which_children = [{web, #PID<0.8.0>, :worker, [MyWorker]}, {cache, #PID<0.7.0>, :worker, [MyWorker]}]
dynsup: DynamicSupervisor (one_for_one only, children by pid, started on demand) vs StaticSupervisor (one_for_one, one_for_all, rest_for_one, children by id, started in order)

-- Shutting the tree down
Supervisor.stop(app) = :ok; every thread of the tree has ended: true; Process.whereis(MyApp.WorkerSupervisor) = nil
"#;

#[test]
fn kata_68_prints_the_kata_tree_shapes_and_pitfalls() {
    for _ in 0..3 {
        let mut out = Vec::new();
        kata_68::kata(&mut out).expect("the kata runs");
        assert_eq!(String::from_utf8_lossy(&out), KATA_68);
    }
}
