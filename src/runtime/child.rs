//! A child process: one thread running one worker, from its `init` to its end.
//!
//! The thread runs `init` (the supervisor waits for the answer), then serves its control queue
//! and its timers: messages and due timers go to `handle_message`, calls to `handle_call`; a
//! shutdown request ends a worker that does not trap exits at once with `shutdown`, and runs
//! `terminate` on one that does, which then exits with `shutdown`; the exit signal `killed`
//! of a killed supervisor (through the broken link) does the same with `killed`; a kill ends
//! it without running anything more. Every callback goes through [`Process`], so a panic in
//! any of them is an exit with reason `panic`, as in the simulator.
//!
//! A thread cannot be killed from outside. When the supervisor kills a child, the driver
//! reports it `killed` at once and sends a kill on its control queue; the thread ends as soon
//! as it next looks at that queue, between two callbacks. A callback that never returns keeps
//! its thread for ever.

use crate::call_error::CallError;
use crate::driver::{Process, ShutdownOutcome};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::channel::{channel, Receiver, Recv, Sender};
use crate::runtime::clock::Clock;
use crate::runtime::driver::CallReply;
use crate::runtime::send_worker::SendWorker;
use crate::runtime::watch::ThreadToken;
use crate::sync::thread::Builder;
use crate::worker::{Init, Worker};

/// What the driver tells a child thread.
pub(crate) enum Control<W: Worker + ?Sized> {
    /// A message for `handle_message`.
    Message(W::Message),
    /// A call for `handle_call`, answered on its slot.
    Call(W::Call, CallReply<W>),
    /// An exit signal: `shutdown` from its supervisor, or `killed` through the link of a
    /// supervisor that was killed.
    Exit(ExitReason),
    /// The kill: the driver has already reported the child `killed`; the thread just ends.
    Kill,
}

/// What a child thread tells the driver.
pub(crate) enum ChildNote {
    /// `init` finished with this outcome.
    Started { pid: Pid, init: Init },
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

/// Spawns the thread of `process`; notes go to the driver through `notify`. Returns the
/// child's control queue, or why no thread could be made.
pub(crate) fn spawn<W: SendWorker + ?Sized>(
    process: Process<W>,
    clock: Clock,
    notify: impl Fn(ChildNote) + Send + 'static,
    token: ThreadToken,
) -> Result<Sender<Control<W>>, String> {
    let (control, queue) = channel();
    Builder::new()
        .name(format!("dynsup-child-{}", process.pid().0))
        .spawn(move || {
            let _token = token;
            run(process, clock, &queue, &notify);
        })
        .map(|_detached| control)
        .map_err(|err| err.to_string())
}

/// The whole life of the child.
fn run<W: Worker + ?Sized>(
    mut process: Process<W>,
    clock: Clock,
    queue: &Receiver<Control<W>>,
    notify: &impl Fn(ChildNote),
) {
    let pid = process.pid();
    let init = process.init(clock.now());
    if init != Init::Ok {
        process.dispose();
        notify(ChildNote::Started { pid, init });
        return;
    }
    notify(ChildNote::Started { pid, init });
    let end = serve(&mut process, clock, queue);
    process.dispose();
    if let End::Exit(reason) = end {
        refuse_calls(queue, &reason);
        notify(ChildNote::Exited { pid, reason });
    }
}

/// Serves the control queue and the timers until the worker ends.
fn serve<W: Worker + ?Sized>(
    process: &mut Process<W>,
    clock: Clock,
    queue: &Receiver<Control<W>>,
) -> End {
    loop {
        let received = match process.next_timer() {
            None => queue.recv(),
            Some(deadline) => {
                let left = clock.until(deadline);
                if left.is_zero() {
                    if let Some(reason) = process.fire_timers(clock.now().max(deadline)) {
                        return End::Exit(reason);
                    }
                    continue;
                }
                queue.recv_timeout(left)
            }
        };
        let now = clock.now();
        match received {
            Recv::Message(Control::Message(message)) => {
                if let Some(reason) = process.handle_message(now, message) {
                    return End::Exit(reason);
                }
            }
            Recv::Message(Control::Call(request, reply)) => {
                let (answer, ended) = process.handle_call(now, request);
                let _ = reply.send(match (answer, &ended) {
                    (Some(answer), _) => Ok(answer),
                    (None, Some(reason)) => Err(CallError::Exited(reason.clone())),
                    (None, None) => Err(CallError::Exited(ExitReason::Normal)),
                });
                if let Some(reason) = ended {
                    return End::Exit(reason);
                }
            }
            Recv::Message(Control::Exit(reason)) => {
                match process.shutdown(now, &reason) {
                    ShutdownOutcome::Exits(reason) => return End::Exit(reason),
                    // Its cleanup took the time it took: it exits now, with the signal's reason.
                    ShutdownOutcome::Terminated => return End::Exit(reason),
                    ShutdownOutcome::AlreadyStopping => {}
                }
            }
            Recv::Message(Control::Kill) | Recv::Closed => return End::Killed,
            Recv::Empty => {}
        }
    }
}

/// The process has exited with `reason`: calls still queued get that as their answer.
fn refuse_calls<W: Worker + ?Sized>(queue: &Receiver<Control<W>>, reason: &ExitReason) {
    while let Recv::Message(control) = queue.recv_timeout(std::time::Duration::ZERO) {
        if let Control::Call(_, reply) = control {
            let _ = reply.send(Err(CallError::Exited(reason.clone())));
        }
    }
}
