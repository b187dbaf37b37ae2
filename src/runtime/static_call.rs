//! The calls of a static supervisor's handle, shared by the threaded and the tokio runtimes:
//! each builds its request and decodes the supervisor's reply into what the handle returns.

use crate::driver::StaticRequest;
use crate::runtime::error::NoProc;
use crate::runtime::mailbox_call::{Decode, MailboxCall};
use crate::runtime::static_error::StaticChildError;
use crate::static_supervisor::{ChildError, ChildRow, Reply, StaticChildSpec};
use crate::supervisor::output::{ChildCounts, Started};

/// A request to a static supervisor and how to read its reply as a `T`.
pub(crate) type StaticCall<I, F, A, T> = MailboxCall<StaticRequest<I, F, A>, Reply<I>, T>;

/// A call whose answer is OTP's child error or a `T`.
type ChildCall<I, F, A, T> = StaticCall<I, F, A, Result<T, ChildError>>;

/// What a call by child id answers: its payload, OTP's error as [`StaticChildError`] (with
/// the tree's `thread_limit` for a start refused by it), or [`StaticChildError::NoProc`].
pub(crate) fn child_answer<T>(
    answer: Result<Result<T, ChildError>, NoProc>,
    thread_limit: usize,
) -> Result<T, StaticChildError> {
    match answer {
        Ok(result) => result.map_err(|error| StaticChildError::from_core(error, thread_limit)),
        Err(NoProc) => Err(StaticChildError::NoProc),
    }
}

/// `start_child(spec)`.
pub(crate) fn start_child<I, F, A>(spec: StaticChildSpec<I, F, A>) -> ChildCall<I, F, A, Started> {
    MailboxCall {
        request: StaticRequest::StartChild(spec),
        decode: Decode(|reply| match reply {
            Reply::StartChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `restart_child(id)`.
pub(crate) fn restart_child<I, F, A>(id: I) -> ChildCall<I, F, A, Started> {
    MailboxCall {
        request: StaticRequest::RestartChild(id),
        decode: Decode(|reply| match reply {
            Reply::RestartChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `terminate_child(id)`.
pub(crate) fn terminate_child<I, F, A>(id: I) -> ChildCall<I, F, A, ()> {
    MailboxCall {
        request: StaticRequest::TerminateChild(id),
        decode: Decode(|reply| match reply {
            Reply::TerminateChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `delete_child(id)`.
pub(crate) fn delete_child<I, F, A>(id: I) -> ChildCall<I, F, A, ()> {
    MailboxCall {
        request: StaticRequest::DeleteChild(id),
        decode: Decode(|reply| match reply {
            Reply::DeleteChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `which_children()`.
pub(crate) fn which_children<I, F, A>() -> StaticCall<I, F, A, Vec<ChildRow<I>>> {
    MailboxCall {
        request: StaticRequest::WhichChildren,
        decode: Decode(|reply| match reply {
            Reply::WhichChildren(rows) => Some(rows),
            _ => None,
        }),
    }
}

/// `count_children()`.
pub(crate) fn count_children<I, F, A>() -> StaticCall<I, F, A, ChildCounts> {
    MailboxCall {
        request: StaticRequest::CountChildren,
        decode: Decode(|reply| match reply {
            Reply::CountChildren(counts) => Some(counts),
            _ => None,
        }),
    }
}
