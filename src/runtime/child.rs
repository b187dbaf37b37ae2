//! A child process: one thread running one worker, from its `init` to its end.
//!
//! The thread runs `init` (the supervisor waits for the answer), then serves its control
//! queue: messages go to `handle_message`; a shutdown request ends a worker that does not trap
//! exits at once with `shutdown`, and runs `terminate` on one that does; a kill ends it without
//! running anything more. A panic in any callback is an exit with reason `panic`.
//!
//! A thread cannot be killed from outside. When the supervisor kills a child, the driver
//! reports it `killed` at once and sends a kill on its control queue; the thread ends as soon
//! as it next looks at that queue: between two messages, or during a trapping worker's
//! [`Termination::ExitAfter`] or [`Termination::Hang`] wait. A callback that never returns
//! keeps its thread for ever.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::{channel, Receiver, Recv, Sender};
use crate::runtime::clock::Clock;
use crate::runtime::spawner::BoxedWorker;
use crate::runtime::watch::ThreadToken;
use crate::supervisor::output::StartOutcome;
use crate::sync::thread::Builder;
use crate::time::Instant;
use crate::worker::{Init, Next, Termination, Worker};

/// What the driver tells a child thread.
pub(crate) enum Control<M> {
    /// A message for `handle_message`.
    Message(M),
    /// The exit signal `shutdown`.
    Shutdown,
    /// The kill: the driver has already reported the child `killed`; the thread just ends.
    Kill,
}

/// What a child thread tells the driver.
pub(crate) enum ChildNote {
    /// `init` finished with this outcome.
    Started { pid: Pid, outcome: StartOutcome },
    /// The process ended by itself, or as its shutdown asked.
    Exited { pid: Pid, reason: ExitReason },
}

/// How the child's service loop ended.
enum End {
    /// It exits with this reason (reported to the driver).
    Exit(ExitReason),
    /// It was killed (already reported by the driver), or the driver is gone.
    Killed,
}

/// Spawns the thread of child `pid` running `worker`; notes go to the driver through
/// `notify`. Returns the child's control queue, or the worker back when no thread could be
/// made.
pub(crate) fn spawn<M: Send + 'static>(
    pid: Pid,
    worker: BoxedWorker<M>,
    clock: Clock,
    notify: impl Fn(ChildNote) + Send + 'static,
    token: ThreadToken,
) -> Result<Sender<Control<M>>, String> {
    let (control, queue) = channel();
    Builder::new()
        .name(format!("dynsup-child-{}", pid.0))
        .spawn(move || {
            let _token = token;
            run(pid, worker, clock, &queue, &notify);
        })
        .map(|_detached| control)
        .map_err(|err| err.to_string())
}

/// Runs `f`, turning a panic into the exit reason `panic`.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, ExitReason> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| ExitReason::other("panic"))
}

/// Drops the worker (its `Drop` is user code too: a panic there is ignored).
fn dispose<M>(worker: BoxedWorker<M>) {
    let _ = guarded(move || drop(worker));
}

/// The whole life of the child.
fn run<M>(
    pid: Pid,
    mut worker: BoxedWorker<M>,
    clock: Clock,
    queue: &Receiver<Control<M>>,
    notify: &impl Fn(ChildNote),
) {
    let outcome = match guarded(|| worker.init()) {
        Ok(Init::Ok) => StartOutcome::Started { pid, info: None },
        Ok(Init::Ignore) => StartOutcome::Ignore,
        Ok(Init::Stop(reason)) | Err(reason) => StartOutcome::Failed(reason),
    };
    if !matches!(outcome, StartOutcome::Started { .. }) {
        dispose(worker);
        notify(ChildNote::Started { pid, outcome });
        return;
    }
    notify(ChildNote::Started { pid, outcome });
    let end = serve(&mut *worker, clock, queue);
    dispose(worker);
    if let End::Exit(reason) = end {
        notify(ChildNote::Exited { pid, reason });
    }
}

/// Serves the control queue until the worker ends.
fn serve<M>(
    worker: &mut dyn Worker<Message = M>,
    clock: Clock,
    queue: &Receiver<Control<M>>,
) -> End {
    loop {
        match queue.recv() {
            Recv::Message(Control::Message(message)) => {
                if let Some(end) = handle(worker, message) {
                    return end;
                }
            }
            Recv::Message(Control::Shutdown) => return shut_down(worker, clock, queue),
            Recv::Message(Control::Kill) | Recv::Closed => return End::Killed,
            Recv::Empty => {}
        }
    }
}

/// One message; `Some` when the worker ends.
fn handle<M>(worker: &mut dyn Worker<Message = M>, message: M) -> Option<End> {
    match guarded(|| worker.handle_message(message)) {
        Ok(Next::Continue) => None,
        Ok(Next::Stop(reason)) | Err(reason) => Some(End::Exit(reason)),
    }
}

/// The exit signal `shutdown` arrived.
fn shut_down<M>(
    worker: &mut dyn Worker<Message = M>,
    clock: Clock,
    queue: &Receiver<Control<M>>,
) -> End {
    match guarded(|| worker.traps_exits()) {
        Ok(false) => return End::Exit(ExitReason::Shutdown),
        Ok(true) => {}
        Err(reason) => return End::Exit(reason),
    }
    match guarded(|| worker.terminate(&ExitReason::Shutdown)) {
        Ok(Termination::Exit(reason)) | Err(reason) => End::Exit(reason),
        // Under loom time does not pass: a cleanup that takes time ends at once.
        Ok(Termination::ExitAfter { reason, .. }) if cfg!(loom) => End::Exit(reason),
        Ok(Termination::ExitAfter { millis, reason }) => {
            let until = clock.now().saturating_add_millis(millis);
            linger(worker, clock, queue, Some((until, reason)))
        }
        Ok(Termination::Hang) => linger(worker, clock, queue, None),
    }
}

/// A trapping worker is stopping: it ends with `reason` at `until` (never for `None`) unless
/// a kill comes first. Messages that arrive meanwhile are still handled, as the simulator
/// does; a second shutdown request changes nothing.
fn linger<M>(
    worker: &mut dyn Worker<Message = M>,
    clock: Clock,
    queue: &Receiver<Control<M>>,
    end: Option<(Instant, ExitReason)>,
) -> End {
    loop {
        let received = match &end {
            None => queue.recv(),
            Some((until, reason)) => {
                let left = clock.until(*until);
                if left.is_zero() {
                    return End::Exit(reason.clone());
                }
                queue.recv_timeout(left)
            }
        };
        match received {
            Recv::Message(Control::Message(message)) => {
                if let Some(end) = handle(worker, message) {
                    return end;
                }
            }
            Recv::Message(Control::Shutdown) | Recv::Empty => {}
            Recv::Message(Control::Kill) | Recv::Closed => return End::Killed,
        }
    }
}
