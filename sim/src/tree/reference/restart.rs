//! A supervisor's reaction to a child's exit: the restart type, significant children and
//! `auto_shutdown`, restart intensity (whole-second stamps in a window of `max_seconds`), the
//! three strategies, failed restarts retried at once (each retry counted), and giving up:
//! the supervisor stops its children and exits `shutdown`, which its parent handles in turn.

use dynsup::{AutoShutdown, Restart, Strategy};

use super::process::{Entry, Slot};
use super::{TreeModel, TreeModelError, FAILED_RESTARTS_MAX};
use crate::tree::model::{NodeKind, SupDecl};

impl TreeModel<'_> {
    /// Process `pid` has ended with `reason`: its supervisor, if alive, handles the exit.
    pub(super) fn exited(&mut self, pid: usize, reason: &str) -> Result<(), TreeModelError> {
        let Some(sup) = self.procs[pid].parent else {
            return Ok(());
        };
        if !self.procs[sup].alive {
            return Ok(());
        }
        let Some(position) = self.procs[sup]
            .sup
            .as_ref()
            .and_then(|c| c.position_of(pid))
        else {
            return Ok(());
        };
        let node = self.procs[pid].node;
        let Some(n) = self.tree.node(node) else {
            return Ok(());
        };
        let clean = reason == "normal" || reason == "shutdown" || reason.starts_with("shutdown:");
        let restart = match n.restart {
            Restart::Permanent => true,
            Restart::Transient => !clean,
            Restart::Temporary => false,
        };
        let decl = self.decl(sup);
        if restart {
            self.children_mut(sup).entries[position].slot = Slot::Restarting;
            return self.restart(sup, node);
        }
        let temporary = n.restart == Restart::Temporary;
        if decl.dynamic || temporary {
            self.children_mut(sup).entries.remove(position);
        } else {
            self.children_mut(sup).entries[position].slot = Slot::Undefined;
        }
        if decl.dynamic || !n.significant {
            return Ok(());
        }
        let shut_down = match decl.auto_shutdown {
            AutoShutdown::Never => false,
            AutoShutdown::AnySignificant => true,
            AutoShutdown::AllSignificant => !self.procs[sup].sup.as_ref().is_some_and(|c| {
                c.entries.iter().any(|e| {
                    e.slot != Slot::Undefined
                        && self.tree.node(e.node).is_some_and(|n| n.significant)
                })
            }),
        };
        if shut_down {
            self.give_up(sup)?;
        }
        Ok(())
    }

    /// Restarts the child of node `node` of supervisor `sup` (its entry is `Restarting`), by
    /// the supervisor's strategy, retried at once while it fails.
    fn restart(&mut self, sup: usize, node: usize) -> Result<(), TreeModelError> {
        let decl = self.decl(sup);
        // The child whose (re)start is retried: OTP's `try_again_restart` names the child that
        // failed to start, which under one_for_all and rest_for_one may be a later sibling.
        let mut node = node;
        let mut failed = 0u64;
        loop {
            if self.intensity_exceeded(sup, &decl) {
                if let Some(p) = self.procs[sup].sup.as_ref().and_then(|c| {
                    c.entries
                        .iter()
                        .position(|e| e.node == node && e.slot == Slot::Restarting)
                }) {
                    self.children_mut(sup).entries.remove(p);
                }
                return self.give_up(sup);
            }
            let strategy = if decl.dynamic {
                Strategy::OneForOne
            } else {
                decl.strategy
            };
            let Some(position) = self.procs[sup].sup.as_ref().and_then(|c| {
                c.entries
                    .iter()
                    .position(|e| e.node == node && e.slot == Slot::Restarting)
            }) else {
                return Ok(());
            };
            let failed_node = match strategy {
                Strategy::OneForOne => self.restart_one(sup, position, decl.dynamic)?,
                Strategy::OneForAll => self.restart_from(sup, position, true)?,
                Strategy::RestForOne => self.restart_from(sup, position, false)?,
            };
            let Some(failed_node) = failed_node else {
                return Ok(());
            };
            node = failed_node;
            failed += 1;
            if failed > FAILED_RESTARTS_MAX {
                return Err(TreeModelError::RestartLoop {
                    child: format!("{}#{}", self.tree.name(node), self.attempts[node]),
                });
            }
        }
    }

    /// one_for_one (and a DynamicSupervisor): start the one child again. The node whose start
    /// failed, if one did.
    fn restart_one(
        &mut self,
        sup: usize,
        position: usize,
        dynamic: bool,
    ) -> Result<Option<usize>, TreeModelError> {
        let node = self.children_mut(sup).entries[position].node;
        match self.start_proc(node, Some(sup))? {
            Ok(Some(pid)) => {
                self.children_mut(sup).entries[position].slot = Slot::Running(pid);
            }
            Ok(None) if dynamic => {
                self.children_mut(sup).entries.remove(position);
            }
            Ok(None) => {
                self.children_mut(sup).entries[position].slot = Slot::Undefined;
            }
            Err(_) => return Ok(Some(node)),
        }
        Ok(None)
    }

    /// one_for_all (`all`) or rest_for_one: stop the other children (all of them, or those
    /// started after the restarting one), the last started first, forget the temporary ones,
    /// then start them all again in order from the first (or from the restarting one). The
    /// node whose start failed, if one did (the rest are left unstarted).
    fn restart_from(
        &mut self,
        sup: usize,
        position: usize,
        all: bool,
    ) -> Result<Option<usize>, TreeModelError> {
        let from = if all { 0 } else { position };
        let entries: Vec<Entry> = self.children_mut(sup).entries.clone();
        let restarting_node = entries[position].node;
        let mut t = self.now;
        for entry in entries.iter().skip(from).rev() {
            if let Slot::Running(c) = entry.slot {
                if self.procs[c].alive {
                    t = self.stop_child(c, t, None);
                }
            }
        }
        self.now = t;
        let mut kept = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let temporary = self
                .tree
                .node(entry.node)
                .is_some_and(|n| n.restart == Restart::Temporary);
            if i >= from && temporary && entry.node != restarting_node {
                continue;
            }
            let mut entry = *entry;
            if i >= from && entry.slot != Slot::Restarting {
                entry.slot = Slot::Undefined;
            }
            kept.push(entry);
        }
        self.children_mut(sup).entries = kept;
        let mut i = from;
        while i < self.children_mut(sup).entries.len() {
            let node = self.children_mut(sup).entries[i].node;
            match self.start_proc(node, Some(sup))? {
                Ok(Some(pid)) => self.children_mut(sup).entries[i].slot = Slot::Running(pid),
                Ok(None) => {
                    let temporary = self
                        .tree
                        .node(node)
                        .is_some_and(|n| n.restart == Restart::Temporary);
                    if temporary {
                        self.children_mut(sup).entries.remove(i);
                        continue;
                    }
                    self.children_mut(sup).entries[i].slot = Slot::Undefined;
                }
                Err(_) => {
                    self.children_mut(sup).entries[i].slot = Slot::Restarting;
                    return Ok(Some(node));
                }
            }
            i += 1;
        }
        Ok(None)
    }

    /// Adds a restart stamp to supervisor `sup` (the whole second of now) and says whether
    /// more than `max_restarts` stamps lie within `max_seconds` of it.
    fn intensity_exceeded(&mut self, sup: usize, decl: &SupDecl) -> bool {
        let now = self.now / 1000;
        let stamps = &mut self.children_mut(sup).stamps;
        stamps.retain(|&s, _| now - s <= decl.max_seconds);
        *stamps.entry(now).or_insert(0) += 1;
        stamps.values().sum::<u64>() > decl.max_restarts
    }

    /// Supervisor `sup` gives up (or shuts itself down for a significant child): it stops its
    /// children and exits `shutdown`, and its parent handles that exit.
    fn give_up(&mut self, sup: usize) -> Result<(), TreeModelError> {
        let end = self.terminate_children(sup, self.now, None);
        self.now = end;
        self.end(sup, end, "shutdown");
        self.exited(sup, "shutdown")
    }

    /// The settings of supervisor process `pid`.
    pub(super) fn decl(&self, pid: usize) -> SupDecl {
        match self.tree.node(self.procs[pid].node).map(|n| &n.kind) {
            Some(NodeKind::Sup(decl)) => *decl,
            _ => SupDecl::default(),
        }
    }
}
