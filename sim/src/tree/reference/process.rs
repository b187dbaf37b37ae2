//! The reference model's processes: a worker or a supervisor, alive or not, and a supervisor's
//! children table.

use std::collections::BTreeMap;

/// One process: one start attempt `NAME#K` that got as far as running.
#[derive(Clone, Debug)]
pub(super) struct Proc {
    /// Its node in the tree file.
    pub node: usize,
    /// Its attempt number K.
    pub attempt: u64,
    /// Whether it is alive.
    pub alive: bool,
    /// Its supervisor's process (`None`: the root, or an orphan whose supervisor was killed).
    pub parent: Option<usize>,
    /// Its children table, when it is a supervisor.
    pub sup: Option<Children>,
}

/// A supervisor's children table, in start order (a static supervisor's spec list; a dynamic
/// supervisor's children in creation order), and its restart stamps.
#[derive(Clone, Debug, Default)]
pub(super) struct Children {
    /// The entries, in start order.
    pub entries: Vec<Entry>,
    /// Its restart log (OTP's): whole-second stamp -> how many restarts carry it.
    pub stamps: BTreeMap<u64, u64>,
}

/// One child of a supervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    /// The child's node (its id on a static supervisor).
    pub node: usize,
    /// Its process, or why it has none.
    pub slot: Slot,
}

/// Whether a child has a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    /// Running as process `0`.
    Running(usize),
    /// Its restart failed and is being retried.
    Restarting,
    /// A spec without a process (ignored, terminated, or not restarted).
    Undefined,
}

impl Children {
    /// The position of the entry whose process is `pid`.
    pub fn position_of(&self, pid: usize) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.slot == Slot::Running(pid))
    }

    /// The position of the entry of node `node` (static: a child id).
    pub fn position_of_node(&self, node: usize) -> Option<usize> {
        self.entries.iter().position(|e| e.node == node)
    }
}
