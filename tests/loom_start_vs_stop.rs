//! loom model: start_child racing stop: the start either happens before the stop (and its child is shut down) or finds the supervisor gone; no child thread survives.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_start_vs_stop`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::runtime::StartChildError;
use dynsup::{ExitReason, Options, Started};

mod loom_support;
use loom_support::*;

#[test]
fn start_child_racing_stop() {
    loom::model(|| {
        let sup = start(Options::default());
        let caller = sup.clone();
        let starter = loom::thread::spawn(move || caller.start_child(worker_spec()));
        assert_eq!(sup.stop(ExitReason::Normal, None), Ok(()));
        let started = starter.join().expect("the caller does not panic");
        assert!(
            matches!(
                started,
                Ok(Started::Running { .. }) | Err(StartChildError::NoProc)
            ),
            "{started:?}"
        );
        assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
        assert!(sup.wait_threads(None));
        assert_eq!(sup.live_threads(), 0);
    });
}
