//! loom model: handles dropped while a reply is in flight: a stop that gives up at once (its reply slot dropped before the supervisor answers) and a clone whose last call races the drop of the other handle; nothing panics, and every thread ends.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_dropped_handle`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use std::time::Duration;

use dynsup::runtime::{NoProc, StopError};
use dynsup::{ExitReason, Options, Started};

mod loom_support;
use loom_support::*;

#[test]
fn handle_dropped_while_a_reply_is_in_flight() {
    loom::model(|| {
        let sup = start(Options::default());
        let Ok(Started::Running { .. }) = sup.start_child(worker_spec()) else {
            panic!("the child did not start")
        };
        let caller = sup.clone();
        let counter = loom::thread::spawn(move || {
            let counted = caller.count_children();
            assert!(counted.is_ok() || counted == Err(NoProc), "{counted:?}");
            // Possibly the last handle: its drop is the parent's exit.
        });
        // Sends the stop and gives up at once: the reply arrives at a dropped slot.
        let stopped = sup.stop(ExitReason::Normal, Some(Duration::ZERO));
        assert!(
            matches!(stopped, Ok(()) | Err(StopError::Timeout)),
            "{stopped:?}"
        );
        let watcher = sup.clone();
        drop(sup);
        counter.join().expect("the caller does not panic");
        assert_eq!(watcher.wait_exit(None), Some(ExitReason::Normal));
        assert!(watcher.wait_threads(None));
    });
}
