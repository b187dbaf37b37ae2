//! The worked example of `docs/testing-your-workers.md`, written as a user writes it, with
//! only the public API: a user-session worker (the seed lesson's `UserSession`, with a cart
//! persisted to a store so that it survives restarts) and a check that runs it over many
//! seeds with faults.
//!
//! The buggy session forgets to persist a removal, so after a restart it reloads the removed
//! item: the bug shows only when a crash lands after a `Remove` and before the next `Add` of
//! that session. The check finds it from seeds, shrinks it and replays it; the fixed session
//! passes (300 seeds here; `DYNSUP_SEEDS=10000` runs 10,000).

use dynsup_sim::check::{Check, FailureKind};

// The worker, its spawner and the check body.
include!("worked_example/session.rs");

#[test]
fn the_forgotten_removal_is_found_shrunk_and_replayed() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("replays");
    let check = || {
        Check::new(config(), sessions(false))
            .name("the_forgotten_removal_is_found_shrunk_and_replayed")
            .seeds(0..1_000)
            .replay_dir(&dir)
    };
    // Found from seeds: within the first 1,000.
    let report = check().run(body).expect_err("the planted bug is found");
    eprintln!("{report}");
    let seed = report.seed.expect("a seed failed");
    assert!(seed < 1_000);
    assert_eq!(report.failure.kind, FailureKind::Assertion);
    assert!(report.failure.message.contains("cart after a restart"));
    assert!(report.to_string().starts_with(&format!("SEED={seed} ")));

    // Shrunk: a handful of operations and a single fault are left of a hundred.
    assert!(report.original.0 >= 50, "{:?}", report.original);
    assert!(
        report.tape.ops.len() <= 8,
        "{} operations",
        report.tape.ops.len()
    );
    assert_eq!(report.tape.fault_count(), 1, "one fault is enough");
    assert!(report.trace.iter().any(|line| line.contains(" fault ")));

    // Replayed: the file alone (no seed, no generator) gives the same failure and the same
    // trace, byte for byte.
    let path = report.replay_file.clone().expect("a replay file");
    assert!(report
        .replay_command()
        .is_some_and(|command| command.starts_with("DYNSUP_REPLAY=")));
    let replayed = check()
        .replay_file(&path, &mut body)
        .expect("the file reads back");
    let failure = replayed.outcome.expect_err("the replay fails too");
    assert_eq!(failure.signature(), report.failure.signature());
    assert_eq!(replayed.trace, report.trace);
}

#[test]
fn the_fixed_session_passes() {
    let passed = Check::new(config(), sessions(true))
        .name("the_fixed_session_passes")
        .seeds(0..300)
        .check(body);
    eprintln!("the fixed session passed {} seeds", passed.seeds);
    assert!(passed.seeds >= 1);
}
