//! Why a call to a worker got no reply.

use std::fmt;

use crate::exit_reason::ExitReason;

/// Why a call to a worker ([`Worker::handle_call`](crate::Worker::handle_call)) got no reply,
/// as GenServer's `call` exits: the same in the simulator and on every runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// `:noproc`: no live process had that pid when the call arrived.
    NoProc,
    /// `:timeout`: no reply within the caller's timeout (the worker may still answer later;
    /// the late reply is dropped).
    Timeout,
    /// The process exited with this reason before replying.
    Exited(ExitReason),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoProc => f.write_str("noproc: no such process"),
            CallError::Timeout => f.write_str("timeout: no reply in time"),
            CallError::Exited(reason) => write!(f, "the process exited with {reason}"),
        }
    }
}

impl std::error::Error for CallError {}
