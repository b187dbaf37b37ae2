//! Strategy semantics of static supervisors: when a child's restart is counted, one_for_one
//! touches no sibling, one_for_all stops every other running child before starting again,
//! rest_for_one stops exactly those after it in the children's order (and none before it).

use std::collections::BTreeSet;

use dynsup::{Pid, Strategy};

use super::{who, Family, PerSup, TreeRule};
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// One static supervisor's restart in progress: the children it must stop, and those it
/// must not touch.
#[derive(Clone, Debug, Default)]
struct SupState {
    pending: Option<(BTreeSet<Pid>, BTreeSet<Pid>)>,
}

/// The strategy checker.
#[derive(Clone, Debug, Default)]
pub struct StrategySemantics {
    sups: PerSup<SupState>,
}

impl TreeRule for StrategySemantics {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        match &entry.event {
            TreeEvent::Spawned {
                parent: Some(sup), ..
            } => {
                let state = self.sups.entry(*sup).or_default();
                if let Some((stop, _)) = state.pending.take() {
                    if let Some(&alive) = stop.iter().find(|&&p| family.alive(p)) {
                        return Err(format!(
                            "strategy: {} restarts children while {} (which its strategy stops) \
                             is still running",
                            who(tree, family, *sup),
                            who(tree, family, alive)
                        ));
                    }
                }
            }
            TreeEvent::Down { pid, .. } => {
                self.sups.remove(pid);
            }
            TreeEvent::GaveUp { sup } => {
                if let Some(state) = self.sups.get_mut(sup) {
                    state.pending = None;
                }
            }
            TreeEvent::RestartCounted {
                sup,
                node: Some(node),
                ..
            } => {
                let Some(strategy) = family
                    .members
                    .get(sup)
                    .and_then(|m| tree.node(m.node))
                    .and_then(|n| n.sup())
                    .map(|d| d.strategy)
                else {
                    return Ok(());
                };
                let live: Vec<(usize, Pid)> = family
                    .live_children(*sup)
                    .into_iter()
                    .filter_map(|p| family.members.get(&p).map(|m| (m.node, p)))
                    .collect();
                let position = family.position(*sup, *node);
                let (mut stop, mut keep) = (BTreeSet::new(), BTreeSet::new());
                for (child_node, pid) in live {
                    if child_node == *node {
                        continue;
                    }
                    let after = match (position, family.position(*sup, child_node)) {
                        (Some(a), Some(b)) => b > a,
                        _ => false,
                    };
                    let affected = match strategy {
                        Strategy::OneForOne => false,
                        Strategy::OneForAll => true,
                        Strategy::RestForOne => after,
                    };
                    if affected {
                        stop.insert(pid);
                    } else {
                        keep.insert(pid);
                    }
                }
                self.sups.entry(*sup).or_default().pending = Some((stop, keep));
            }
            TreeEvent::Signalled { sup, child, .. } => {
                if let Some((_, keep)) = self.sups.get(sup).and_then(|s| s.pending.as_ref()) {
                    if keep.contains(child) {
                        return Err(format!(
                            "strategy: {} stopped {}, which its strategy leaves alone",
                            who(tree, family, *sup),
                            who(tree, family, *child)
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
