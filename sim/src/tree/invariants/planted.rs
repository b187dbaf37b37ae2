//! A planted, deliberately wrong tree checker, for the harness's own tests (see
//! [`crate::testing::TreeDefect`]): with it, a correct tree fails, and the tree explorer must
//! find, shrink and replay that failure.

use super::{who, Family, TreeRule};
use crate::testing::TreeDefect;
use crate::tree::model::Tree;
use crate::tree::trace::{TreeEntry, TreeEvent};

/// The rule of a planted [`TreeDefect`].
pub struct Planted(pub TreeDefect);

impl TreeRule for Planted {
    fn on_entry(&mut self, tree: &Tree, family: &Family, entry: &TreeEntry) -> Result<(), String> {
        match (self.0, &entry.event) {
            (TreeDefect::EscalationForbidden, TreeEvent::GaveUp { sup })
                if family.members.get(sup).is_some_and(|m| m.parent.is_some()) =>
            {
                Err(format!(
                    "{}: {} gave up under a parent",
                    self.0.check(),
                    who(tree, family, *sup)
                ))
            }
            _ => Ok(()),
        }
    }
}
