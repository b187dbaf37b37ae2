//! The calls by child id of a static supervisor's handle, shared by the threaded and the tokio
//! runtimes: each builds its request and decodes the supervisor's reply into what the handle
//! returns; a handle only sends the request, and awaits the reply or blocks on it.

use crate::driver::StaticRequest;
use crate::runtime::call_failure::CallFailure;
use crate::runtime::error::NoProc;
use crate::runtime::static_error::StaticChildError;
use crate::static_supervisor::{ChildError, ChildRow, Reply, StaticChildSpec};
use crate::supervisor::output::{ChildCounts, Started};

/// A request to a static supervisor and how to read its reply as a `T`.
pub(crate) struct StaticCall<I, F, A, T> {
    /// What the handle sends.
    pub(crate) request: StaticRequest<I, F, A>,
    /// How to read the reply.
    pub(crate) decode: Decode<I, T>,
}

/// Reads a static supervisor's reply as a `T`: the reply's payload, if the reply is the one
/// its request expects.
pub(crate) struct Decode<I, T>(fn(Reply<I>) -> Option<T>);

impl<I, T> Decode<I, T> {
    /// What the handle answers for `reply`: its payload, or [`NoProc`] when the supervisor
    /// gave none (it was not alive, or exited first).
    pub(crate) fn answer(self, reply: Result<Reply<I>, CallFailure>) -> Result<T, NoProc> {
        reply.ok().and_then(self.0).ok_or(NoProc)
    }
}

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
    StaticCall {
        request: StaticRequest::StartChild(spec),
        decode: Decode(|reply| match reply {
            Reply::StartChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `restart_child(id)`.
pub(crate) fn restart_child<I, F, A>(id: I) -> ChildCall<I, F, A, Started> {
    StaticCall {
        request: StaticRequest::RestartChild(id),
        decode: Decode(|reply| match reply {
            Reply::RestartChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `terminate_child(id)`.
pub(crate) fn terminate_child<I, F, A>(id: I) -> ChildCall<I, F, A, ()> {
    StaticCall {
        request: StaticRequest::TerminateChild(id),
        decode: Decode(|reply| match reply {
            Reply::TerminateChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `delete_child(id)`.
pub(crate) fn delete_child<I, F, A>(id: I) -> ChildCall<I, F, A, ()> {
    StaticCall {
        request: StaticRequest::DeleteChild(id),
        decode: Decode(|reply| match reply {
            Reply::DeleteChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// `which_children()`.
pub(crate) fn which_children<I, F, A>() -> StaticCall<I, F, A, Vec<ChildRow<I>>> {
    StaticCall {
        request: StaticRequest::WhichChildren,
        decode: Decode(|reply| match reply {
            Reply::WhichChildren(rows) => Some(rows),
            _ => None,
        }),
    }
}

/// `count_children()`.
pub(crate) fn count_children<I, F, A>() -> StaticCall<I, F, A, ChildCounts> {
    StaticCall {
        request: StaticRequest::CountChildren,
        decode: Decode(|reply| match reply {
            Reply::CountChildren(counts) => Some(counts),
            _ => None,
        }),
    }
}
