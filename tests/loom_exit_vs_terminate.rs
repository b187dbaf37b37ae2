//! loom model: a child's own exit racing terminate_child: either the child is terminated (its
//! own exit is consumed and never restarted) or its exit is handled first (counted as one
//! restart); its death is reported exactly once either way.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_exit_vs_terminate`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::runtime::{Report, Supervisor, TerminateChildError};
use dynsup::{Event, ExitReason, Options, Pid, Shutdown, Started};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;

mod loom_support;
use loom_support::*;

/// The exit signal `shutdown` races the child's own exit.
#[test]
fn own_exit_racing_terminate_child_with_a_shutdown_timeout() {
    loom::model(|| race(Shutdown::millis(5000)));
}

/// The kill races the child's own exit: the child is reported `killed` at once, and its own
/// exit note, if it was already on its way, must not count a second time.
#[test]
fn own_exit_racing_terminate_child_with_brutal_kill() {
    loom::model(|| race(Shutdown::BrutalKill));
}

fn race(shutdown: Shutdown) {
    {
        let downs = Arc::new(AtomicUsize::new(0));
        let restarts = Arc::new(AtomicUsize::new(0));
        let (seen_downs, seen_restarts) = (downs.clone(), restarts.clone());
        let first = Pid(1);
        // max_restarts = 0: a restart of the child would take the supervisor down at once,
        // so "restarted" is visible without a second child thread (which loom would have to
        // interleave too).
        let options = Options::default().max_restarts(0);
        let sup: Sup = Supervisor::builder(options, spawner)
            .observer(move |report: &Report| match report {
                Report::ChildDown { pid, .. } if *pid == first => {
                    seen_downs.fetch_add(1, Ordering::SeqCst);
                }
                Report::Supervisor(Event::RestartCounted { .. }) => {
                    seen_restarts.fetch_add(1, Ordering::SeqCst);
                }
                _ => {}
            })
            .start_link()
            .expect("valid options");
        let Ok(Started::Running { pid, .. }) = sup.start_child(worker_spec().shutdown(shutdown))
        else {
            panic!("the child did not start")
        };
        assert_eq!(pid, first);
        // Delivered to the child's queue: its own exit now races the terminate below.
        assert!(sup.send(pid, ExitReason::other("boom")));
        let terminated = sup.terminate_child(pid);
        // Either way its death is reported exactly once, before the reply.
        assert_eq!(downs.load(Ordering::SeqCst), 1);
        match terminated {
            // Terminated first: its own exit was consumed, never taken for a crash.
            Ok(()) => {
                assert_eq!(restarts.load(Ordering::SeqCst), 0);
                assert!(sup.is_alive());
            }
            // Its exit was handled first: one restart counted, which exceeded max_restarts.
            Err(TerminateChildError::NoProc) => {
                assert_eq!(restarts.load(Ordering::SeqCst), 1);
                assert_eq!(sup.wait_exit(None), Some(ExitReason::Shutdown));
            }
            Err(other) => panic!("{other:?}"),
        }
        // The last handle's drop is the parent's exit; loom checks that every thread ends.
        drop(sup);
    }
}
