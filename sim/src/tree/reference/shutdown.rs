//! How processes end: a child asked to shut down by its supervisor (its own timeout, the
//! supervisor's timer only while the supervisor lives), a killed process (a killed
//! supervisor's children get `killed` through the link), and a supervisor stopping its
//! children (static: one at a time, the last started first; dynamic: all at once).

use dynsup::Shutdown;

use super::process::Slot;
use super::TreeModel;
use crate::tree::model::NodeKind;

impl TreeModel<'_> {
    /// Process `pid` ends at `at` with `reason`: its `down` event (`sup down` for the root),
    /// its name freed.
    pub(super) fn end(&mut self, pid: usize, at: u64, reason: &str) {
        self.procs[pid].alive = false;
        let node = self.procs[pid].node;
        if self.names.get(&node) == Some(&pid) {
            self.names.remove(&node);
            if at > self.now {
                self.held_until.insert(node, (pid, at));
            }
        }
        self.horizon = self.horizon.max(at);
        if Some(pid) == self.root {
            self.events.push(format!("sup down {reason}"));
        } else {
            self.events
                .push(format!("down {} {reason}", self.ref_of(pid)));
        }
    }

    /// Process `pid` is killed at `at` (the exit signal `kill`): a supervisor dies at once
    /// without its shutdown, and its live children get `killed` through their links.
    pub(super) fn kill(&mut self, pid: usize, at: u64) {
        self.end(pid, at, "killed");
        self.signal_orphans(pid, at);
    }

    /// The live children of the killed supervisor `pid` get `killed` through their links at
    /// `at`.
    fn signal_orphans(&mut self, pid: usize, at: u64) {
        let orphans: Vec<usize> = self.procs[pid]
            .sup
            .as_ref()
            .map(|c| {
                c.entries
                    .iter()
                    .filter_map(|e| match e.slot {
                        Slot::Running(c) => Some(c),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for orphan in orphans {
            if self.procs[orphan].alive {
                self.orphan(orphan, at);
            }
        }
    }

    /// The exit signal `killed` reaches `pid` at `at` from its killed supervisor: a worker
    /// that does not trap exits dies; a trapping one spends its `stop_ms` and ends `killed`; a
    /// supervisor stops its own children the ordinary way and ends `killed`.
    fn orphan(&mut self, pid: usize, at: u64) {
        self.procs[pid].parent = None;
        let node = self.procs[pid].node;
        match self.tree.node(node).map(|n| &n.kind) {
            Some(NodeKind::Worker(t)) if t.trap_exit => self.end(pid, at + t.stop_ms, "killed"),
            Some(NodeKind::Sup(_)) => {
                self.orphan_names.insert(node);
                let end = self.terminate_children(pid, at, None);
                self.end(pid, end, "killed");
            }
            _ => self.end(pid, at, "killed"),
        }
    }

    /// Child `pid`, whose stop would be done at `done`, ends `shutdown` then, or `killed` at its
    /// supervisor's kill timer if that fires first (a tie is a kill). Returns when it ends.
    fn stopped_or_killed(&mut self, pid: usize, done: u64, timer: Option<u64>) -> u64 {
        match timer {
            Some(kill_at) if kill_at <= done => {
                self.end(pid, kill_at, "killed");
                kill_at
            }
            _ => {
                self.end(pid, done, "shutdown");
                done
            }
        }
    }

    /// Child `pid` is asked to shut down at `at` by its supervisor, with its own shutdown
    /// (`brutal_kill`, a timeout, `infinity`); the supervisor's timer fires only if the
    /// supervisor is still alive then (`sup_dies`: when its own parent's timer kills it).
    /// Returns when the child ends.
    pub(super) fn stop_child(&mut self, pid: usize, at: u64, sup_dies: Option<u64>) -> u64 {
        let node = self.procs[pid].node;
        let Some(n) = self.tree.node(node) else {
            return at;
        };
        let timer = match n.shutdown {
            Shutdown::BrutalKill => {
                self.kill(pid, at);
                return at;
            }
            Shutdown::Timeout { millis } => Some(at + millis),
            Shutdown::Infinity => None,
        }
        .filter(|&t| sup_dies.is_none_or(|d| t < d));
        match &n.kind {
            NodeKind::Worker(t) if !t.trap_exit => {
                self.end(pid, at, "shutdown");
                at
            }
            NodeKind::Worker(t) => {
                // The end of a trapping worker's stop comes after everything else due at the
                // same instant: a tie with the timer is a kill.
                self.stopped_or_killed(pid, at + t.stop_ms, timer)
            }
            NodeKind::Sup(_) => {
                let done = self.terminate_children(pid, at, timer);
                self.stopped_or_killed(pid, done, timer)
            }
        }
    }

    /// Supervisor `pid` stops its live children from `at` (static: one at a time, the last
    /// started first; dynamic: all at once), each with its own shutdown. When `killed_at` is
    /// given the supervisor is killed then: the child it is waiting for goes on stopping, and
    /// those not yet asked get `killed` through the link. Returns when the last child it waited
    /// for ended (or `killed_at`, if that is earlier). The table is left empty.
    pub(super) fn terminate_children(
        &mut self,
        pid: usize,
        at: u64,
        killed_at: Option<u64>,
    ) -> u64 {
        let dynamic = self.is_dynamic(pid);
        let entries = self.procs[pid]
            .sup
            .as_mut()
            .map(|c| std::mem::take(&mut c.entries))
            .unwrap_or_default();
        let live: Vec<usize> = entries
            .iter()
            .filter_map(|e| match e.slot {
                Slot::Running(c) if self.procs[c].alive => Some(c),
                _ => None,
            })
            .collect();
        let mut t = at;
        if dynamic {
            for child in live {
                let end = self.stop_child(child, at, killed_at);
                t = t.max(end);
            }
        } else {
            for child in live.into_iter().rev() {
                match killed_at {
                    Some(k) if t >= k => self.orphan(child, k),
                    _ => t = self.stop_child(child, t, killed_at),
                }
            }
        }
        match killed_at {
            Some(k) => t.min(k),
            None => t,
        }
    }

    /// Whether supervisor process `pid` is a DynamicSupervisor.
    pub(super) fn is_dynamic(&self, pid: usize) -> bool {
        let node = self.procs[pid].node;
        matches!(self.tree.node(node).map(|n| &n.kind), Some(NodeKind::Sup(d)) if d.dynamic)
    }
}
