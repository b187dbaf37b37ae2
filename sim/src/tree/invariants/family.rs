//! Who is who in the trace: every process's node, attempt, supervisor and liveness.

use std::collections::{BTreeMap, BTreeSet};

use dynsup::{ExitReason, Pid};

use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// A process as the trace shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its node.
    pub node: usize,
    /// Its attempt number.
    pub attempt: u64,
    /// Its supervisor.
    pub parent: Option<Pid>,
    /// Whether it is a supervisor.
    pub supervisor: bool,
    /// Whether it is running (up and not down).
    pub alive: bool,
    /// Its exit reason, once down.
    pub down: Option<ExitReason>,
    /// Whether its spawn added its node to its supervisor's order (a first start).
    pub fresh: bool,
}

/// Every process of the trace so far.
#[derive(Clone, Debug, Default)]
pub struct Family {
    /// By pid.
    pub members: BTreeMap<Pid, Member>,
    /// Each supervisor's child nodes in its children's order (start order, `start_child`
    /// adding last; a deleted or forgotten child leaves it).
    pub orders: BTreeMap<Pid, Vec<usize>>,
    /// Each supervisor's running children.
    running: BTreeMap<Pid, BTreeSet<Pid>>,
}

impl Family {
    /// Whether `pid` is running.
    pub fn alive(&self, pid: Pid) -> bool {
        self.members.get(&pid).is_some_and(|m| m.alive)
    }

    /// The running children of `sup`, in ascending pid (start) order.
    pub fn live_children(&self, sup: Pid) -> Vec<Pid> {
        self.running
            .get(&sup)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The position of child `node` in supervisor `sup`'s order.
    pub fn position(&self, sup: Pid, node: usize) -> Option<usize> {
        self.orders.get(&sup)?.iter().position(|&n| n == node)
    }

    fn set_alive(&mut self, pid: Pid, alive: bool) {
        let Some(m) = self.members.get_mut(&pid) else {
            return;
        };
        m.alive = alive;
        if let Some(sup) = m.parent {
            let set = self.running.entry(sup).or_default();
            if alive {
                set.insert(pid);
            } else {
                set.remove(&pid);
            }
        }
    }

    fn forget(&mut self, sup: Option<Pid>, node: usize) {
        if let Some(order) = sup.and_then(|sup| self.orders.get_mut(&sup)) {
            order.retain(|&n| n != node);
        }
    }

    /// Takes `entry` into account.
    pub fn apply(&mut self, tree: &Tree, entry: &TreeEntry) {
        let temporary = |node: usize| {
            tree.node(node)
                .is_some_and(|n| n.restart == dynsup::Restart::Temporary)
        };
        match &entry.event {
            TreeEvent::Deleted { sup, node } => self.forget(Some(*sup), *node),
            TreeEvent::Spawned {
                pid,
                node,
                attempt,
                parent,
                supervisor,
            } => {
                let mut fresh = false;
                if let Some(sup) = parent {
                    let order = self.orders.entry(*sup).or_default();
                    if !order.contains(node) {
                        order.push(*node);
                        fresh = true;
                    }
                }
                self.members.insert(
                    *pid,
                    Member {
                        node: *node,
                        attempt: *attempt,
                        parent: *parent,
                        supervisor: *supervisor,
                        alive: false,
                        down: None,
                        fresh,
                    },
                );
                if *supervisor {
                    self.set_alive(*pid, true);
                }
            }
            TreeEvent::Up { pid } => self.set_alive(*pid, true),
            TreeEvent::Failed { pid, .. } | TreeEvent::Ignored { pid } => {
                let failed = matches!(entry.event, TreeEvent::Failed { .. });
                self.set_alive(*pid, false);
                let Some(m) = self.members.get(pid) else {
                    return;
                };
                let (node, parent) = (m.node, m.parent);
                if temporary(node) || (failed && m.fresh) {
                    self.forget(parent, node);
                }
            }
            TreeEvent::Down { pid, reason } => {
                self.orders.remove(pid);
                self.running.remove(pid);
                self.set_alive(*pid, false);
                let Some(m) = self.members.get_mut(pid) else {
                    return;
                };
                m.down = Some(reason.clone());
                let (node, parent) = (m.node, m.parent);
                if temporary(node) {
                    self.forget(parent, node);
                }
            }
            _ => {}
        }
    }
}
