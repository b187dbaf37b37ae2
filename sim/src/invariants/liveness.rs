//! Liveness at rest: once nothing is in flight, every child that should run is running (no
//! restart left pending, no entry for a dead process, no live process outside the table), or
//! the supervisor has reported its shutdown.

use dynsup::EntryState;

use super::violation;
use crate::simulation::{View, Violation};

/// Checks the state of a simulation that has come to rest.
pub fn check_at_rest<F, A>(view: &View<'_, F, A>) -> Result<(), Violation> {
    let fail = |detail: String| Err(violation("liveness", view.now, detail));
    if !view.supervisor.view().is_alive() {
        return Ok(());
    }
    if view.supervisor.view().is_blocked() || view.supervisor.view().mailbox_len() > 0 {
        return fail("the supervisor has work left while nothing is in flight".into());
    }
    let mut in_table = 0;
    for entry in view.supervisor.view().entries() {
        let pid = entry.pid;
        if entry.state != EntryState::Running {
            return fail(format!(
                "the restart of child {pid} is still pending at rest"
            ));
        }
        if !view.live.contains(pid) {
            return fail(format!(
                "child {pid} is listed as running but its process is dead"
            ));
        }
        in_table += 1;
    }
    if in_table != view.live.len() {
        return fail(format!(
            "{} live processes but {in_table} running entries",
            view.live.len()
        ));
    }
    Ok(())
}
