//! The trace: everything observable that happened in a simulation, in order, with its time.
//!
//! Besides the outcomes a transcript reports (starts, exits, the supervisor's end), it holds
//! what the simulator saw cross the supervisor's boundary: the specs clients asked it to start,
//! the starts it asked for, the exit signals that reached it and the signals it sent. The
//! invariant checkers rebuild everything they check from these alone.

use dynsup::{CallId, ChildType, ExitReason, Instant, Pid, Restart, Shutdown};

/// What a checker needs of a child spec that a client sent: its restart type, shutdown and
/// type, as the `start_child` call carried them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecSeen {
    /// `:permanent`, `:transient` or `:temporary`.
    pub restart: Restart,
    /// How the child is stopped.
    pub shutdown: Shutdown,
    /// Worker or supervisor.
    pub child_type: ChildType,
}

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
    /// The client's `start_child` call `call` reached the supervisor with a spec.
    StartRequested {
        /// The call.
        call: CallId,
        /// What the spec says.
        spec: SpecSeen,
    },
    /// The supervisor answered the `start_child` call `call` with a running child.
    StartAnswered {
        /// The call.
        call: CallId,
        /// The child it names.
        pid: Pid,
    },
    /// The supervisor asked for start attempt `attempt` as process `pid`: a first start, or a
    /// new start of the entry whose process was `restart_of`.
    Spawned {
        /// The spawn's sequence number.
        attempt: u64,
        /// The pid the process gets if its `init` succeeds.
        pid: Pid,
        /// The pid whose entry this starts again, for a restart.
        restart_of: Option<Pid>,
    },
    /// The exit signal of child `pid` reached the supervisor (its mailbox: a suspended
    /// supervisor handles it only once resumed).
    ExitArrived {
        /// The child.
        pid: Pid,
        /// Its exit reason.
        reason: ExitReason,
    },
    /// The client's `terminate_child` call `call` for `pid` reached the supervisor.
    TerminateRequested {
        /// The call.
        call: CallId,
        /// The pid it names.
        pid: Pid,
    },
    /// The supervisor answered the `terminate_child` call `call` with `:ok`.
    TerminateAnswered {
        /// The call.
        call: CallId,
    },
    /// The parent's exit signal reached the supervisor.
    ParentExitArrived {
        /// Its reason.
        reason: ExitReason,
    },
    /// The supervisor was suspended (`:sys.suspend/1`, docs/races.md).
    Suspended,
    /// The supervisor was resumed (`:sys.resume/1`).
    Resumed,
    /// The supervisor refused the `start_child` call `call` with `max_children`.
    MaxChildrenRefused {
        /// The call.
        call: CallId,
    },
}

impl TraceEvent {
    /// Whether this is an outcome a transcript reports (a start's result, a process's end, the
    /// supervisor's end), rather than a message crossing the supervisor's boundary.
    pub fn is_outcome(&self) -> bool {
        matches!(
            self,
            TraceEvent::Up { .. }
                | TraceEvent::Ignored { .. }
                | TraceEvent::Failed { .. }
                | TraceEvent::Down { .. }
                | TraceEvent::SupervisorDown { .. }
        )
    }
}

/// A trace event with the virtual time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// When.
    pub at: Instant,
    /// What.
    pub event: TraceEvent,
}
