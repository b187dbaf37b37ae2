//! The trace: everything observable that happened in a simulation, in order, with its time.

use dynsup::{ExitReason, Instant, Pid};

/// One observable happening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// Start attempt `attempt` (the sequence number of the spawn) started process `pid`.
    Up {
        /// The spawn's sequence number (0, 1, 2, ... in the order starts were run).
        attempt: u64,
        /// The new process.
        pid: Pid,
    },
    /// Start attempt `attempt` returned `:ignore`.
    Ignored {
        /// The spawn's sequence number.
        attempt: u64,
    },
    /// Start attempt `attempt` returned `{:stop, reason}`.
    Failed {
        /// The spawn's sequence number.
        attempt: u64,
        /// The reason.
        reason: ExitReason,
    },
    /// A child process ended, as a monitor sees it.
    Down {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: ExitReason,
    },
    /// The supervisor sent a child the exit signal `shutdown` (`kill: false`) or `kill`.
    Signalled {
        /// The child.
        pid: Pid,
        /// Whether it was a kill.
        kill: bool,
    },
    /// The supervisor ended.
    SupervisorDown {
        /// Its exit reason.
        reason: ExitReason,
    },
}

/// A trace event with the virtual time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// When.
    pub at: Instant,
    /// What.
    pub event: TraceEvent,
}
