//! Escalation: a supervisor that gave up ends with `shutdown`, and its parent, if still alive,
//! sees that exit.

use std::collections::BTreeSet;

use dynsup::{ExitReason, Pid};

use super::{who, Family, TreeRule};
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// The escalation checker.
#[derive(Clone, Debug, Default)]
pub struct Escalation {
    /// Supervisors that gave up and whose exit their parent has not seen yet.
    gave_up: BTreeSet<Pid>,
}

impl TreeRule for Escalation {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        match &entry.event {
            TreeEvent::GaveUp { sup } => {
                self.gave_up.insert(*sup);
            }
            TreeEvent::Down { pid, reason } if self.gave_up.contains(pid) => {
                if *reason != ExitReason::Shutdown && *reason != ExitReason::Killed {
                    return Err(format!(
                        "escalation: {} gave up but ended with {reason}, not shutdown",
                        who(tree, family, *pid)
                    ));
                }
                let root = family.members.get(pid).is_some_and(|m| m.parent.is_none());
                if root {
                    self.gave_up.remove(pid);
                }
            }
            TreeEvent::ExitSeen { child, .. } => {
                self.gave_up.remove(child);
            }
            _ => {}
        }
        Ok(())
    }

    fn after(&mut self, tree: &Tree, family: &Family, at_rest: bool) -> Result<(), String> {
        if !at_rest {
            return Ok(());
        }
        for &sup in &self.gave_up {
            let parent = family.members.get(&sup).and_then(|m| m.parent);
            let parent_alive = parent.is_some_and(|p| family.alive(p));
            if parent_alive && !family.alive(sup) {
                return Err(format!(
                    "escalation: {} gave up but its supervisor never saw its exit",
                    who(tree, family, sup)
                ));
            }
        }
        Ok(())
    }
}
