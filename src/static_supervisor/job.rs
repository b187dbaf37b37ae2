//! The work in progress of a static supervisor: a sequence of steps (terminate one child,
//! start one child), done one at a time, and what to do once they are done.

use std::collections::VecDeque;

use crate::child_spec::{Restart, Shutdown};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::static_supervisor::spec::ValidStaticSpec;
use crate::supervisor::output::CallId;
use crate::time::Instant;

/// One step of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step<I> {
    /// Terminate the child (if it has a process), then `del_child` it.
    Terminate(I),
    /// Start the child.
    Start(I),
}

/// Why the job runs, and so what a failed start and the end of the job mean.
#[derive(Clone, Debug)]
pub(crate) enum Purpose<I, F, A> {
    /// Start-up: every child in order.
    Init,
    /// Start-up failed at `id`: the started children are being terminated.
    InitAbort { id: I, reason: ExitReason },
    /// A restart under the strategy; a failed start queues a retry.
    Restart,
    /// `start_child`: the spec joins the table only once started (or ignored).
    StartChild {
        call: CallId,
        spec: ValidStaticSpec<I, F, A>,
    },
    /// `restart_child(id)`.
    RestartChild { call: CallId },
    /// `terminate_child(id)`.
    TerminateChild { call: CallId },
    /// The supervisor stops with `reason`, answering `reply_to` for a `stop` call.
    Stop {
        reason: ExitReason,
        reply_to: Option<CallId>,
    },
}

/// What the job waits for.
#[derive(Clone, Debug)]
pub(crate) enum Waiting<I> {
    /// Nothing: the next step can run.
    Nothing,
    /// The outcome of child `id`'s start.
    Start(I),
    /// Child `id`'s process `pid` to go down.
    Down(Stopping<I>),
}

/// A child being shut down: OTP's `shutdown/2`, one child at a time.
#[derive(Clone, Debug)]
pub(crate) struct Stopping<I> {
    pub(crate) id: I,
    pub(crate) pid: Pid,
    pub(crate) shutdown: Shutdown,
    pub(crate) restart: Restart,
    /// When to kill it, for a timeout shutdown not yet escalated.
    pub(crate) kill_at: Option<Instant>,
}

/// A job in progress: the supervisor serves nothing else until it ends.
#[derive(Clone, Debug)]
pub(crate) struct Job<I, F, A> {
    pub(crate) purpose: Purpose<I, F, A>,
    pub(crate) steps: VecDeque<Step<I>>,
    pub(crate) waiting: Waiting<I>,
}

impl<I, F, A> Job<I, F, A> {
    pub(crate) fn new(purpose: Purpose<I, F, A>, steps: impl IntoIterator<Item = Step<I>>) -> Self {
        Job {
            purpose,
            steps: steps.into_iter().collect(),
            waiting: Waiting::Nothing,
        }
    }
}
