//! loom model: start_child racing stop: the start either happens before the stop (and its child is shut down) or finds the supervisor gone; no child thread survives.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test --release -p dynsup --test loom_start_vs_stop`.
//! loom explores every interleaving of the runtime's threads (bounded by the preemptions) and
//! fails on a deadlock or on a thread that never ends, so "no thread left behind" is checked
//! by every model, not only asserted.
#![cfg(loom)]

use dynsup::runtime::{BoxedWorker, StartChildError, Supervisor};
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
