//! loom model: two start_child calls racing at the max_children limit: exactly one starts, the other is refused, and the supervisor never holds more than the limit.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_max_children_race`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::runtime::{BoxedWorker, StartChildError, Supervisor};
use dynsup::{ChildSpec, ExitReason, Init, MaxChildren, Next, Options, Started, Worker};

/// A worker for the models: runs until told to exit with a reason.
struct Model;

impl Worker for Model {
    type Message = ExitReason;

    fn init(&mut self) -> Init {
        Init::Ok
    }

    fn handle_message(&mut self, reason: ExitReason) -> Next {
        Next::Stop(reason)
    }
}

type Sup = Supervisor<&'static str, (), ExitReason>;

fn spawner(_: &&'static str, _: &[()]) -> BoxedWorker<ExitReason> {
    Box::new(Model)
}

fn start(options: Options<()>) -> Sup {
    Supervisor::start_link(options, spawner).expect("valid options")
}

fn worker_spec() -> ChildSpec<&'static str, ()> {
    ChildSpec::new("model", Vec::new())
}

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
