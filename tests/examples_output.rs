//! The examples print exactly their expected output: `examples/user_sessions.rs` (the lesson)
//! and `examples/workers.rs` (the API tour); `examples/sessions_at_scale.rs` starts its sessions
//! and reports the thread limit as an error instead of aborting; `examples/dynamic_supervisors.rs`
//! prints the seed lesson's expected output byte for byte. Each example's body is compiled into this test and
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
