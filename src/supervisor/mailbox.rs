//! The supervisor's mailbox: messages handled one at a time, in arrival order.

use crate::child_spec::ValidChildSpec;
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::supervisor::output::CallId;

/// A call a client made.
#[derive(Clone, Debug, Hash)]
pub(crate) enum Request<F, A> {
    StartChild(ValidChildSpec<F, A>),
    TerminateChild(Pid),
    WhichChildren,
    CountChildren,
    Stop(ExitReason),
}

/// One message in the supervisor's FIFO mailbox.
#[derive(Clone, Debug, Hash)]
pub(crate) enum Message<F, A> {
    /// A `GenServer.call`.
    Call {
        call: CallId,
        request: Request<F, A>,
    },
    /// `{:EXIT, pid, reason}` from a linked child.
    Exit { pid: Pid, reason: ExitReason },
    /// `{:"$gen_restart", pid}`: a self-sent retry of a failed restart.
    Retry { pid: Pid },
    /// `{:EXIT, parent, reason}`: the parent ended or asked the supervisor to stop.
    ParentExit { reason: ExitReason },
}
