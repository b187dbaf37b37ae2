//! Shutdown order: a static supervisor stops its children one at a time (no second shutdown
//! signal while the first child is still alive), and when it stops as a whole (its parent's
//! exit, or giving up) it stops them last started first.

use dynsup::Pid;

use super::{who, Family, PerSup, TreeRule};
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// What one supervisor is doing, as far as stopping goes.
#[derive(Clone, Debug, Default)]
struct Stopping {
    /// The child it signalled last, until it is down.
    awaiting: Option<Pid>,
    /// While it stops as a whole: the child it signalled last, and that child's place in
    /// its children's order then.
    whole: Option<Option<(Pid, Option<usize>)>>,
}

/// The shutdown-order checker.
#[derive(Clone, Debug, Default)]
pub struct ShutdownOrder {
    sups: PerSup<Stopping>,
}

fn is_static(tree: &Tree, family: &Family, sup: Pid) -> bool {
    family
        .members
        .get(&sup)
        .and_then(|m| tree.node(m.node))
        .and_then(|n| n.sup())
        .is_some_and(|d| !d.dynamic)
}

impl TreeRule for ShutdownOrder {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        match &entry.event {
            TreeEvent::ParentExitSeen { sup } | TreeEvent::GaveUp { sup } => {
                self.sups.entry(*sup).or_default().whole = Some(None);
            }
            TreeEvent::Signalled { sup, child, kill } if is_static(tree, family, *sup) => {
                let state = self.sups.entry(*sup).or_default();
                if let Some(waiting) = state.awaiting {
                    if waiting != *child && family.alive(waiting) {
                        return Err(format!(
                            "shutdown order: {} signalled {} while {} is still stopping",
                            who(tree, family, *sup),
                            who(tree, family, *child),
                            who(tree, family, waiting)
                        ));
                    }
                }
                if !kill || state.awaiting != Some(*child) {
                    let place = family
                        .members
                        .get(child)
                        .and_then(|m| family.position(*sup, m.node));
                    if let Some(Some((previous, previous_place))) = state.whole {
                        if place > previous_place {
                            return Err(format!(
                                "shutdown order: {} stopped {} after {}, which started earlier",
                                who(tree, family, *sup),
                                who(tree, family, *child),
                                who(tree, family, previous)
                            ));
                        }
                    }
                    if let Some(whole) = &mut state.whole {
                        *whole = Some((*child, place));
                    }
                }
                state.awaiting = Some(*child);
            }
            TreeEvent::Spawned {
                parent: Some(sup), ..
            } => {
                // A new child starts a new sequence (a restart before the final shutdown).
                if let Some(whole) = self.sups.get_mut(sup).and_then(|s| s.whole.as_mut()) {
                    *whole = None;
                }
            }
            TreeEvent::Down { pid, .. } => {
                for state in self.sups.values_mut() {
                    if state.awaiting == Some(*pid) {
                        state.awaiting = None;
                    }
                }
                self.sups.remove(pid);
            }
            _ => {}
        }
        Ok(())
    }
}
