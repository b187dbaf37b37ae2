//! loom model: stop racing a child's restart: whether the stop comes before the crash is handled, during the restart's init, or after it, every child thread ends (no orphan) and the supervisor exits with the stop's reason.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_stop_vs_restart`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::{ExitReason, Options, Started};

mod loom_support;
use loom_support::*;

#[test]
fn stop_racing_a_restart() {
    loom::model(|| {
        let sup = start(Options::default());
        let Ok(Started::Running { pid, .. }) = sup.start_child(worker_spec()) else {
            panic!("the child did not start")
        };
        // The child crashes (a permanent child: restarted) while the stop is on its way.
        assert!(sup.send(pid, ExitReason::other("crash")));
        assert_eq!(sup.stop(ExitReason::Normal, None), Ok(()));
        assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
        // No orphan: loom fails the model if any child thread (the crashed one, or the one
        // its restart started) never ends.
        drop(sup);
    });
}
