//! The tree checkers, run after every delivery and every step of every tree run, each computed
//! from the trace: no orphan at any depth, shutdown order, strategy semantics, intensity per
//! supervisor, and escalation.

mod escalation;
mod family;
mod intensity;
mod orphans;
mod planted;
mod shutdown_order;
mod strategy;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use dynsup::Pid;

pub use escalation::Escalation;
pub use family::{Family, Member};
pub use intensity::IntensityPerSup;
pub use orphans::NoOrphans;
pub use shutdown_order::ShutdownOrder;
pub use strategy::StrategySemantics;

use super::model::Tree;
use super::trace::TreeEntry;
use super::world::TreeChecker;
use crate::testing::TreeDefect;

/// One tree checker: it sees each trace entry (before the family is updated with it) and the
/// end of each batch.
pub trait TreeRule {
    /// An entry of the trace; `family` is the tree as it was just before it.
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String>;
    /// The end of a batch; `at_rest` when nothing is in flight.
    fn after(&mut self, tree: &Tree, family: &Family, at_rest: bool) -> Result<(), String> {
        let _ = (tree, family, at_rest);
        Ok(())
    }
}

/// The names of the five tree checkers, as a failure's `check` names them (the start of each
/// violation's message) and `explore --trees --json` lists them.
pub const CHECKS: [&str; 5] = [
    "orphan",
    "shutdown order",
    "strategy",
    "intensity",
    "escalation",
];

/// Every tree checker at once.
pub struct TreeInvariants {
    family: Family,
    rules: Vec<Box<dyn TreeRule>>,
}

impl TreeInvariants {
    /// All five checkers.
    pub fn new() -> Self {
        TreeInvariants {
            family: Family::default(),
            rules: vec![
                Box::new(NoOrphans),
                Box::new(ShutdownOrder::default()),
                Box::new(StrategySemantics::default()),
                Box::new(IntensityPerSup::default()),
                Box::new(Escalation::default()),
            ],
        }
    }
}

impl TreeInvariants {
    /// All five checkers, and the planted, wrong checker of `defect` when there is one (for
    /// the harness's own tests: [`TreeDefect`]).
    pub fn with_defect(defect: Option<TreeDefect>) -> Self {
        let mut invariants = Self::new();
        if let Some(defect) = defect {
            invariants.rules.push(Box::new(planted::Planted(defect)));
        }
        invariants
    }
}

impl Default for TreeInvariants {
    fn default() -> Self {
        Self::new()
    }
}

impl TreeChecker for TreeInvariants {
    fn check(&mut self, tree: &Tree, new: &[TreeEntry], at_rest: bool) -> Result<(), String> {
        for entry in new {
            for rule in &mut self.rules {
                rule.on_entry(tree, &self.family, entry)?;
            }
            self.family.apply(tree, entry);
        }
        for rule in &mut self.rules {
            rule.after(tree, &self.family, at_rest)?;
        }
        Ok(())
    }
}

/// `NAME#K` of a member, for messages.
pub(crate) fn who(tree: &Tree, family: &Family, pid: Pid) -> String {
    family.members.get(&pid).map_or_else(
        || format!("{pid}"),
        |m| format!("{}#{}", tree.name(m.node), m.attempt),
    )
}

/// Per-supervisor state of a checker.
pub(crate) type PerSup<T> = BTreeMap<Pid, T>;
