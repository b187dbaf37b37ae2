//! The static supervisor's mailbox: messages handled one at a time, in arrival order.

use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::static_supervisor::spec::StaticChildSpec;
use crate::supervisor::output::CallId;

/// A call a client made.
#[derive(Clone, Debug)]
pub(crate) enum Request<I, F, A> {
    StartChild(StaticChildSpec<I, F, A>),
    RestartChild(I),
    TerminateChild(I),
    DeleteChild(I),
    WhichChildren,
    CountChildren,
    Stop(ExitReason),
}

/// One message in the FIFO mailbox.
#[derive(Clone, Debug)]
pub(crate) enum Message<I, F, A> {
    /// A `GenServer.call`.
    Call {
        call: CallId,
        request: Request<I, F, A>,
    },
    /// `{:EXIT, pid, reason}` from a linked child.
    Exit { pid: Pid, reason: ExitReason },
    /// `{:try_again_restart, id}`: the self-sent retry of a failed restart.
    Retry { id: I },
    /// `{:EXIT, parent, reason}`.
    ParentExit { reason: ExitReason },
}
