//! A call through a supervisor's mailbox as both runtimes' handles make it: the request to
//! send and how to read the reply; a handle only sends the request, and awaits the reply or
//! blocks on it.

use crate::runtime::call_failure::CallFailure;
use crate::runtime::error::NoProc;

/// A request `Q` to a supervisor and how to read its reply `R` as a `T`.
pub(crate) struct MailboxCall<Q, R, T> {
    /// What the handle sends.
    pub(crate) request: Q,
    /// How to read the reply.
    pub(crate) decode: Decode<R, T>,
}

/// Reads a supervisor's reply `R` as a `T`: the reply's payload, if the reply is the one its
/// request expects.
pub(crate) struct Decode<R, T>(pub(crate) fn(R) -> Option<T>);

impl<R, T> Decode<R, T> {
    /// What the handle answers for `reply`: its payload, or [`NoProc`] when the supervisor
    /// gave none (it was not alive, or exited first).
    pub(crate) fn answer(self, reply: Result<R, CallFailure>) -> Result<T, NoProc> {
        reply.ok().and_then(self.0).ok_or(NoProc)
    }
}
