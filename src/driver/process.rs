//! One child process as every driver runs it: a worker, its context and timers, and the one
//! place where a panic in user code becomes an exit with reason `panic`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::driver::spawner::Spawner;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::time::Instant;
use crate::worker::{Answer, Context, Init, Next, Worker};

/// The exit reason of a process whose code panicked.
pub const PANIC: &str = "panic";

/// Runs `f`, turning a panic into the exit reason `panic`.
pub(crate) fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, ExitReason> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| ExitReason::other(PANIC))
}

/// What the exit signal `shutdown` did to a process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShutdownOutcome {
    /// The process ends now with this reason (it does not trap exits, or its `terminate`
    /// panicked).
    Exits(ExitReason),
    /// It traps exits and its `terminate` has run: it exits with the shutdown reason once its
    /// cleanup is over (at once on a runtime; after the simulator's cleanup time in the
    /// simulator).
    Terminated,
    /// It was already shutting down: nothing more happens.
    AlreadyStopping,
}

/// A live child process: the worker and its context.
///
/// Every callback goes through here, so every driver catches panics the same way: a panic in
/// the spawner or `init` is a failed start with reason `panic`; later it is the process's exit
/// with reason `panic`.
pub struct Process<W: Worker + ?Sized> {
    worker: Box<W>,
    ctx: Context<W::Message>,
    stopping: bool,
}

impl<W: Worker + ?Sized> Process<W> {
    /// Makes the worker of process `pid` with `spawner`: the spawner's panic is `Err(panic)`.
    pub fn spawn<F, A, S>(
        spawner: &mut S,
        function: &F,
        args: &[A],
        pid: Pid,
        now: Instant,
    ) -> Result<Self, ExitReason>
    where
        S: Spawner<F, A, Worker = W> + ?Sized,
    {
        let worker = guarded(|| spawner.spawn(function, args))?;
        Ok(Self::new(worker, pid, now))
    }

    /// Process `pid` running `worker`.
    pub fn new(worker: Box<W>, pid: Pid, now: Instant) -> Self {
        Process {
            worker,
            ctx: Context::new(pid, now),
            stopping: false,
        }
    }

    /// Its pid.
    pub fn pid(&self) -> Pid {
        self.ctx.pid()
    }

    /// The worker, to look at its state.
    pub fn worker(&self) -> &W {
        &self.worker
    }

    /// Whether it has been asked to shut down and is cleaning up.
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// The earliest pending timer.
    pub fn next_timer(&self) -> Option<Instant> {
        self.ctx.timers().next_deadline()
    }

    /// Runs `init` at `now` (a panic is `Init::Stop(panic)`).
    pub fn init(&mut self, now: Instant) -> Init {
        self.ctx.set_now(now);
        let (worker, ctx) = (&mut self.worker, &mut self.ctx);
        guarded(|| worker.init(ctx)).unwrap_or_else(Init::Stop)
    }

    /// Handles one message; `Some(reason)` when the process ends.
    pub fn handle_message(&mut self, now: Instant, message: W::Message) -> Option<ExitReason> {
        self.ctx.set_now(now);
        let (worker, ctx) = (&mut self.worker, &mut self.ctx);
        match guarded(|| worker.handle_message(message, ctx)) {
            Ok(Next::Continue) => None,
            Ok(Next::Stop(reason)) | Err(reason) => Some(reason),
        }
    }

    /// Answers one call: the reply, if any, and `Some(reason)` when the process ends.
    pub fn handle_call(
        &mut self,
        now: Instant,
        request: W::Call,
    ) -> (Option<W::Reply>, Option<ExitReason>) {
        self.ctx.set_now(now);
        let (worker, ctx) = (&mut self.worker, &mut self.ctx);
        match guarded(|| worker.handle_call(request, ctx)) {
            Ok(Answer::Reply(reply)) => (Some(reply), None),
            Ok(Answer::ReplyAndStop(reply, reason)) => (Some(reply), Some(reason)),
            Ok(Answer::Stop(reason)) | Err(reason) => (None, Some(reason)),
        }
    }

    /// Delivers every timer due at `now`, in order, until one ends the process.
    pub fn fire_timers(&mut self, now: Instant) -> Option<ExitReason> {
        if self.stopping {
            return None;
        }
        while let Some(message) = self.ctx.timers_mut().pop_due(now) {
            if let Some(reason) = self.handle_message(now, message) {
                return Some(reason);
            }
        }
        None
    }

    /// The exit signal `reason` from the supervisor arrives at `now`.
    pub fn shutdown(&mut self, now: Instant, reason: &ExitReason) -> ShutdownOutcome {
        if self.stopping {
            return ShutdownOutcome::AlreadyStopping;
        }
        match guarded(|| self.worker.traps_exits()) {
            Ok(false) => return ShutdownOutcome::Exits(reason.clone()),
            Ok(true) => {}
            Err(panic) => return ShutdownOutcome::Exits(panic),
        }
        self.stopping = true;
        self.ctx.set_now(now);
        let (worker, ctx) = (&mut self.worker, &mut self.ctx);
        let outcome = guarded(|| worker.terminate(reason, ctx));
        // Timers set by or before a terminating worker never fire.
        self.ctx.timers_mut().clear();
        match outcome {
            Ok(()) => ShutdownOutcome::Terminated,
            Err(panic) => ShutdownOutcome::Exits(panic),
        }
    }

    /// Ends the process: drops the worker, ignoring a panic in its `Drop` (user code too).
    pub fn dispose(self) {
        let Process { worker, .. } = self;
        let _ = guarded(move || drop(worker));
    }
}
