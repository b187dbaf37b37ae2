//! Counting invariants: specs = workers + supervisors, active <= specs, specs <= max_children,
//! and the maintained counters agree with a recount of the table.

use dynsup::{ChildCounts, ChildType, EntryState};

use super::violation;
use crate::simulation::{View, Violation};

/// Checks the counters of the supervisor against each other, the cap and a recount.
pub fn check_counts<F, A>(view: &View<'_, F, A>) -> Result<(), Violation> {
    let counts = view.supervisor.view().counts();
    let fail = |detail: String| Err(violation("child-counts", view.now, detail));
    if counts.specs != counts.workers + counts.supervisors {
        return fail(format!("specs != workers + supervisors in {counts:?}"));
    }
    if counts.active > counts.specs {
        return fail(format!("active > specs in {counts:?}"));
    }
    if let Some(max) = view.supervisor.view().config().max_children() {
        if counts.specs > max {
            return fail(format!(
                "{} children exceed max_children {max}",
                counts.specs
            ));
        }
    }
    let mut recount = ChildCounts::default();
    for entry in view.supervisor.view().entries() {
        recount.specs += 1;
        recount.active += u64::from(entry.state == EntryState::Running);
        match entry.spec.child_type() {
            ChildType::Worker => recount.workers += 1,
            ChildType::Supervisor => recount.supervisors += 1,
        }
    }
    if recount != counts {
        return fail(format!(
            "counters {counts:?} but the table holds {recount:?}"
        ));
    }
    Ok(())
}
