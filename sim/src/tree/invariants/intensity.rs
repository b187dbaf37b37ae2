//! Restart intensity per supervisor: counting the restarts each supervisor stamps, it gives up
//! exactly when more than `max_restarts` stamps fall within `max_seconds` (OTP's
//! `add_restart`, docs/scenarios.md), and never restarts beyond that.

use std::collections::VecDeque;

use dynsup::Pid;

use super::{who, Family, PerSup, TreeRule};
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// One supervisor's stamps, newest last, as (second, how many).
#[derive(Clone, Debug, Default)]
struct Log {
    stamps: VecDeque<(u64, u64)>,
    total: u64,
    exceeded: bool,
}

/// The intensity checker.
#[derive(Clone, Debug, Default)]
pub struct IntensityPerSup {
    sups: PerSup<Log>,
}

fn limits(tree: &Tree, family: &Family, sup: Pid) -> Option<(u64, u64)> {
    let decl = family
        .members
        .get(&sup)
        .and_then(|m| tree.node(m.node))?
        .sup()?;
    Some((decl.max_restarts, decl.max_seconds))
}

impl TreeRule for IntensityPerSup {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        match &entry.event {
            TreeEvent::RestartCounted { sup, second, .. } => {
                let Some((max_restarts, max_seconds)) = limits(tree, family, *sup) else {
                    return Ok(());
                };
                let log = self.sups.entry(*sup).or_default();
                while let Some(&(old, count)) = log.stamps.front() {
                    if second.saturating_sub(old) <= max_seconds {
                        break;
                    }
                    log.stamps.pop_front();
                    log.total -= count;
                }
                match log.stamps.back_mut() {
                    Some((last, count)) if last == second => *count += 1,
                    _ => log.stamps.push_back((*second, 1)),
                }
                log.total += 1;
                log.exceeded = log.total > max_restarts;
            }
            TreeEvent::GaveUp { sup } if !self.sups.get(sup).is_some_and(|l| l.exceeded) => {
                return Err(format!(
                    "intensity: {} gave up within its restart intensity",
                    who(tree, family, *sup)
                ));
            }
            TreeEvent::Spawned {
                parent: Some(sup), ..
            } if self.sups.get(sup).is_some_and(|l| l.exceeded) => {
                return Err(format!(
                    "intensity: {} restarted a child beyond its restart intensity",
                    who(tree, family, *sup)
                ));
            }
            TreeEvent::Down { pid, .. } => {
                self.sups.remove(pid);
            }
            _ => {}
        }
        Ok(())
    }
}
