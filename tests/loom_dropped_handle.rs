//! loom model: handles dropped while a reply is in flight: a stop that gives up at once (its reply slot dropped before the supervisor answers) and a clone whose last call races the drop of the other handle; nothing panics, and every thread ends.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_dropped_handle`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use std::time::Duration;

use dynsup::runtime::{BoxedWorker, NoProc, StopError, Supervisor};
use dynsup::{ChildSpec, ExitReason, Init, Next, Options, Started, Worker};

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
