//! A child process's task: one tokio task running one worker, after its `init`, to its end.
//!
//! `init` runs on the supervisor's task, which waits for it anyway; a worker gets a task only
//! once it has something to do (see the driver's module docs). The task serves its control
//! channel and its timers (`tokio::time::sleep_until` the process's next timer, on tokio's clock):
//! messages and due timers go to `handle_message`, calls to `handle_call`; a shutdown request
//! ends a worker that does not trap exits at once with `shutdown`, and runs `terminate` on one
//! that does, which then exits with `shutdown` once its cleanup time (the runtime's
//! [`cleanup_time`](crate::tokio_runtime::Builder::cleanup_time) setting, zero by default)
//! has passed; the exit signal `killed` of a killed supervisor (through the broken link) does
//! the same with `killed`. Every callback goes through [`Process`], so a panic in any of them is an exit
//! with reason `panic`.
//!
//! A kill aborts the task (`JoinHandle::abort`): the task is dropped at its next await point.
//! A synchronous callback that is running when the abort comes runs to its end; nothing of the
//! worker runs after it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::call_error::CallError;
use crate::driver::{Process, ShutdownOutcome};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::tokio_runtime::clock::Clock;
use crate::tokio_runtime::mailbox::Receiver;
use crate::worker::{Init, Worker};

/// The answer slot of a call to a worker.
pub(crate) type CallReply<W> = oneshot::Sender<Result<<W as Worker>::Reply, CallError>>;

/// How long a trapping worker's cleanup takes once its `terminate` has returned: `None` means
/// it never exits by itself (only a kill ends it).
pub(crate) type CleanupTime<W> = Arc<dyn Fn(Pid, &W) -> Option<Duration> + Send + Sync>;

/// What the supervisor tells a child task.
pub(crate) enum Control<W: Worker + ?Sized> {
    /// A message for `handle_message`.
    Message(W::Message),
    /// A call for `handle_call`, answered on its slot.
    Call(W::Call, CallReply<W>),
    /// An exit signal: `shutdown` from its supervisor, or `killed` through the link of a
    /// supervisor that was killed.
    Exit(ExitReason),
}

/// What a child tells the supervisor.
pub(crate) enum ChildNote {
    /// A child supervisor's start-up finished with this outcome.
    Started { pid: Pid, init: Init },
    /// The process ended by itself, or as its shutdown asked.
    Exited { pid: Pid, reason: ExitReason },
}

/// The life of the child after its successful `init`.
///
/// A plain function returning an `async move` block rather than an `async fn`: an `async fn`
/// keeps its arguments twice in its future (as passed, then as locals), and this future is
/// the bulk of each child's task, a million of them at the seeds' scale.
#[allow(clippy::manual_async_fn)]
pub(crate) fn run<W: Worker + ?Sized>(
    mut process: Process<W>,
    clock: Clock,
    mut queue: Receiver<Control<W>>,
    notify: impl Fn(ChildNote),
    cleanup: Option<CleanupTime<W>>,
) -> impl std::future::Future<Output = ()> {
    async move {
        let pid = process.pid();
        let end = serve(&mut process, clock, &mut queue, cleanup.as_ref()).await;
        process.dispose();
        if let Some(reason) = end {
            refuse_calls(&mut queue, &reason);
            notify(ChildNote::Exited { pid, reason });
        }
    }
}

/// Serves the control channel and the timers until the worker ends: `Some(reason)` when it
/// exits, `None` when the supervisor is gone.
async fn serve<W: Worker + ?Sized>(
    process: &mut Process<W>,
    clock: Clock,
    queue: &mut Receiver<Control<W>>,
    cleanup: Option<&CleanupTime<W>>,
) -> Option<ExitReason> {
    loop {
        let received = match process.next_timer() {
            None => queue.recv().await,
            Some(deadline) => {
                if clock.now() >= deadline {
                    if let Some(reason) = process.fire_timers(clock.now().max(deadline)) {
                        return Some(reason);
                    }
                    continue;
                }
                // A message first, else the timer when it is due. Boxed: it is made only
                // while a timer is set, and the task's future (a million of them at the
                // seeds' scale) stays small without one.
                match Box::pin(tokio::time::timeout_at(clock.at(deadline), queue.recv())).await {
                    Ok(received) => received,
                    Err(_) => continue,
                }
            }
        };
        let now = clock.now();
        match received? {
            Control::Message(message) => {
                if let Some(reason) = process.handle_message(now, message) {
                    return Some(reason);
                }
            }
            Control::Call(request, reply) => {
                let (answer, ended) = process.handle_call(now, request);
                let _ = reply.send(match (answer, &ended) {
                    (Some(answer), _) => Ok(answer),
                    (None, Some(reason)) => Err(CallError::Exited(reason.clone())),
                    (None, None) => Err(CallError::Exited(ExitReason::Normal)),
                });
                if ended.is_some() {
                    return ended;
                }
            }
            Control::Exit(reason) => match process.shutdown(now, &reason) {
                ShutdownOutcome::Exits(reason) => return Some(reason),
                ShutdownOutcome::Terminated => {
                    // Its cleanup takes the time the runtime's setting says, on tokio's clock;
                    // a kill (an abort) ends the wait.
                    match cleanup.map_or(Some(Duration::ZERO), |time| {
                        time(process.pid(), process.worker())
                    }) {
                        Some(time) if time.is_zero() => {}
                        Some(time) => Box::pin(tokio::time::sleep(time)).await,
                        None => std::future::pending::<()>().await,
                    }
                    return Some(reason);
                }
                ShutdownOutcome::AlreadyStopping => {}
            },
        }
    }
}

/// The process has exited with `reason`: calls still queued get that as their answer.
fn refuse_calls<W: Worker + ?Sized>(queue: &mut Receiver<Control<W>>, reason: &ExitReason) {
    for control in queue.close() {
        if let Control::Call(_, reply) = control {
            let _ = reply.send(Err(CallError::Exited(reason.clone())));
        }
    }
}
