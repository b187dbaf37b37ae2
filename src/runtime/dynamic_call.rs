//! The calls of a DynamicSupervisor's handle, shared by the threaded and the tokio runtimes:
//! each builds its request and decodes the supervisor's reply into what the handle returns.

use crate::child_spec::ChildSpec;
use crate::driver::Request;
use crate::error::{StartError, TerminateError};
use crate::exit_reason::ExitReason;
use crate::pid::Pid;
use crate::runtime::error::{NoProc, StartChildError, TerminateChildError};
use crate::runtime::mailbox_call::{Decode, MailboxCall};
use crate::runtime::thread_limit::THREAD_LIMIT;
use crate::supervisor::output::{ChildCounts, ChildInfo, Reply, Started};

/// A request to a DynamicSupervisor and how to read its reply as a `T`.
pub(crate) type DynamicCall<F, A, T> = MailboxCall<Request<F, A>, Reply, T>;

/// `start_child(spec)`, the spec validated here in the caller (as OTP does): an invalid one
/// is the error, without contacting the supervisor.
pub(crate) fn start_child<F, A>(
    spec: ChildSpec<F, A>,
) -> Result<DynamicCall<F, A, Result<Started, StartError>>, StartChildError> {
    let spec = spec.validate().map_err(StartChildError::Invalid)?;
    Ok(MailboxCall {
        request: Request::StartChild(spec),
        decode: Decode(|reply| match reply {
            Reply::StartChild(result) => Some(result),
            _ => None,
        }),
    })
}

/// What `start_child` answers; `thread_limit` is the tree's limit where there is one (a start
/// it refused failed with the reason `thread_limit`).
pub(crate) fn start_child_answer(
    answer: Result<Result<Started, StartError>, NoProc>,
    thread_limit: Option<usize>,
) -> Result<Started, StartChildError> {
    match answer {
        Ok(Ok(started)) => Ok(started),
        Ok(Err(StartError::MaxChildren)) => Err(StartChildError::MaxChildren),
        Ok(Err(StartError::Failed(reason))) => match thread_limit {
            Some(limit) if reason == ExitReason::other(THREAD_LIMIT) => {
                Err(StartChildError::ThreadLimit(limit))
            }
            _ => Err(StartChildError::Failed(reason)),
        },
        Err(NoProc) => Err(StartChildError::NoProc),
    }
}

/// `terminate_child(pid)`.
pub(crate) fn terminate_child<F, A>(pid: Pid) -> DynamicCall<F, A, Result<(), TerminateError>> {
    MailboxCall {
        request: Request::TerminateChild(pid),
        decode: Decode(|reply| match reply {
            Reply::TerminateChild(result) => Some(result),
            _ => None,
        }),
    }
}

/// What `terminate_child` answers.
pub(crate) fn terminate_child_answer(
    answer: Result<Result<(), TerminateError>, NoProc>,
) -> Result<(), TerminateChildError> {
    match answer {
        Ok(Ok(())) => Ok(()),
        Ok(Err(TerminateError::NotFound)) => Err(TerminateChildError::NotFound),
        Err(NoProc) => Err(TerminateChildError::NoProc),
    }
}

/// `which_children()`.
pub(crate) fn which_children<F, A>() -> DynamicCall<F, A, Vec<ChildInfo>> {
    MailboxCall {
        request: Request::WhichChildren,
        decode: Decode(|reply| match reply {
            Reply::WhichChildren(infos) => Some(infos),
            _ => None,
        }),
    }
}

/// `count_children()`.
pub(crate) fn count_children<F, A>() -> DynamicCall<F, A, ChildCounts> {
    MailboxCall {
        request: Request::CountChildren,
        decode: Decode(|reply| match reply {
            Reply::CountChildren(counts) => Some(counts),
            _ => None,
        }),
    }
}
