//! No orphan at any depth: once the tree is at rest, every live process's supervisor is
//! alive, and nothing is alive once the root is down; and a supervisor that ends by itself
//! (not killed) has no child left alive.

use dynsup::ExitReason;

use super::{who, Family, TreeRule};
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// The no-orphan checker.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoOrphans;

impl TreeRule for NoOrphans {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        if let TreeEvent::Down { pid, reason } = &entry.event {
            let supervisor = family.members.get(pid).is_some_and(|m| m.supervisor);
            if supervisor && *reason != ExitReason::Killed {
                if let Some(&child) = family.live_children(*pid).first() {
                    return Err(format!(
                        "orphan: {} ended ({reason}) while its child {} is alive",
                        who(tree, family, *pid),
                        who(tree, family, child)
                    ));
                }
            }
        }
        Ok(())
    }

    fn after(&mut self, tree: &Tree, family: &Family, at_rest: bool) -> Result<(), String> {
        if !at_rest {
            return Ok(());
        }
        for (&pid, member) in &family.members {
            let Some(parent) = member.parent else {
                continue;
            };
            if member.alive && !family.alive(parent) {
                return Err(format!(
                    "orphan: {} is alive at rest but its supervisor {} is down",
                    who(tree, family, pid),
                    who(tree, family, parent)
                ));
            }
        }
        Ok(())
    }
}
