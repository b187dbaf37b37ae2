//! Why a call through a supervisor's mailbox got no answer, shared by the threaded and the
//! tokio runtimes' links, and what each handle answers for it.

use crate::call_error::CallError;
use crate::runtime::error::StopError;

/// Why a call got no answer.
pub(crate) enum CallFailure {
    /// The supervisor (or the process called) was not alive, or exited before answering.
    NoProc,
    /// The deadline passed first.
    Timeout,
}

impl From<CallFailure> for StopError {
    fn from(failure: CallFailure) -> Self {
        match failure {
            CallFailure::NoProc => StopError::NoProc,
            CallFailure::Timeout => StopError::Timeout,
        }
    }
}

impl From<CallFailure> for CallError {
    fn from(failure: CallFailure) -> Self {
        match failure {
            CallFailure::NoProc => CallError::NoProc,
            CallFailure::Timeout => CallError::Timeout,
        }
    }
}
