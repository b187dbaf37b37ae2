//! The tree world's trace: what happened to which process, in order, for the transcript and
//! the tree checkers.

use dynsup::{ExitReason, Instant, Pid};

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeEvent {
    /// A process was created for attempt `attempt` of `node` (before its init ran).
    Spawned {
        /// The new process.
        pid: Pid,
        /// Its node.
        node: usize,
        /// Its attempt number.
        attempt: u64,
        /// Its supervisor (`None` for the root).
        parent: Option<Pid>,
        /// Whether it is a supervisor.
        supervisor: bool,
    },
    /// The process is running (a supervisor: it has started its children).
    Up {
        /// The process.
        pid: Pid,
    },
    /// Its init returned `:ignore`; it never ran.
    Ignored {
        /// The process.
        pid: Pid,
    },
    /// Its start failed; it never ran.
    Failed {
        /// The process.
        pid: Pid,
        /// Why.
        reason: ExitReason,
    },
    /// The process ended.
    Down {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: ExitReason,
    },
    /// Supervisor `sup` asked its child to stop (`kill`: at once).
    Signalled {
        /// The supervisor.
        sup: Pid,
        /// The child.
        child: Pid,
        /// A kill rather than `shutdown`.
        kill: bool,
    },
    /// A child's exit reached its live supervisor.
    ExitSeen {
        /// The supervisor.
        sup: Pid,
        /// The child.
        child: Pid,
        /// The child's exit reason.
        reason: ExitReason,
    },
    /// The parent's exit (or a shutdown request) reached a supervisor.
    ParentExitSeen {
        /// The supervisor.
        sup: Pid,
    },
    /// A supervisor counted a restart stamped `second` (of static child `node` when known).
    RestartCounted {
        /// The supervisor.
        sup: Pid,
        /// The static child's node.
        node: Option<usize>,
        /// The stamp.
        second: u64,
    },
    /// A supervisor exceeded its restart intensity.
    GaveUp {
        /// The supervisor.
        sup: Pid,
    },
    /// A static supervisor forgot child `node` (`delete_child`).
    Deleted {
        /// The supervisor.
        sup: Pid,
        /// The child's node.
        node: usize,
    },
}

/// A trace entry: when, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// The virtual time.
    pub at: Instant,
    /// What happened.
    pub event: TreeEvent,
}
