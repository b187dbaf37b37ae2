//! loom model: two start_child calls racing at the max_children limit: exactly one starts, the other is refused, and the supervisor never holds more than the limit.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_max_children_race`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::runtime::StartChildError;
use dynsup::{MaxChildren, Options, Started};

mod loom_support;
use loom_support::*;

#[test]
fn two_starts_racing_at_the_limit() {
    loom::model(|| {
        let sup = start(Options::default().max_children(MaxChildren::Limit(1)));
        let caller = sup.clone();
        let other = loom::thread::spawn(move || caller.start_child(worker_spec()));
        let mine = sup.start_child(worker_spec());
        let theirs = other.join().expect("the caller does not panic");
        let started = [&mine, &theirs]
            .iter()
            .filter(|r| matches!(r, Ok(Started::Running { .. })))
            .count();
        let refused = [&mine, &theirs]
            .iter()
            .filter(|r| matches!(r, Err(StartChildError::MaxChildren)))
            .count();
        assert_eq!((started, refused), (1, 1), "{mine:?} {theirs:?}");
        // The last handle's drop is the parent's exit; loom checks that every thread ends.
        drop(sup);
    });
}
