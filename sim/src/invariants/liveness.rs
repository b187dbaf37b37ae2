//! Liveness at rest: once nothing is in flight, every child that should run is running (no
//! restart left pending, no entry for a dead process, no live process outside the table), or
//! the supervisor has reported its shutdown.

use super::violation;
use crate::simulation::{View, Violation};

/// Checks the state of a simulation that has come to rest.
pub fn check_at_rest<F, A>(view: &View<'_, F, A>) -> Result<(), Violation> {
    let fail = |detail: String| Err(violation("liveness", view.now, detail));
    if !view.supervisor.is_alive() {
        return Ok(());
    }
    if view.supervisor.is_blocked() || view.supervisor.mailbox_len() > 0 {
        return fail("the supervisor has work left while nothing is in flight".into());
    }
    let mut in_table = 0;
    for (pid, running, _) in view.supervisor.entries() {
        if !running {
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
