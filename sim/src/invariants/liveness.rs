//! Liveness at rest: once nothing is in flight, every restart the trace shows owed has been
//! made (or refused by the supervisor going down), every child that should run is running (no
//! restart left pending, no entry for a dead process, no live process outside the table), or
//! the supervisor has reported its shutdown.

use dynsup::{EntryState, Instant};

use super::observed::Observed;
use super::violation;
use crate::simulation::{View, Violation};

/// Checks, at rest, that no restart the trace shows owed is still outstanding.
pub fn check_owed(observed: &Observed, at: Instant) -> Result<(), Violation> {
    match observed.owed_restarts().iter().next() {
        None => Ok(()),
        Some((pid, owed)) => Err(violation(
            "liveness",
            at,
            format!(
                "{} child {pid} exited {} and was never restarted",
                owed.spec.restart, owed.reason
            ),
        )),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec};
    use crate::simulation::TraceEvent;
    use dynsup::{ExitReason, Pid, Restart};

    #[test]
    fn a_restart_never_made_fires_and_a_failed_one_stays_owed() {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Permanent)));
        assert!(check_owed(&observed, Instant::ZERO).is_ok());
        let exit = TraceEvent::ExitArrived {
            pid: Pid(1),
            reason: ExitReason::Normal,
        };
        observe(&mut observed, &[entry(10, exit)]);
        assert_eq!(
            check_owed(&observed, Instant::ZERO).unwrap_err().invariant,
            "liveness"
        );
        let restart = TraceEvent::Spawned {
            attempt: 5,
            pid: Pid(2),
            restart_of: Some(Pid(1)),
        };
        let failed = TraceEvent::Failed {
            attempt: 5,
            reason: ExitReason::other("no"),
        };
        observe(&mut observed, &[entry(10, restart), entry(10, failed)]);
        assert!(check_owed(&observed, Instant::ZERO).is_err());
        let retry = TraceEvent::Spawned {
            attempt: 6,
            pid: Pid(3),
            restart_of: Some(Pid(1)),
        };
        let up = TraceEvent::Up {
            attempt: 6,
            pid: Pid(3),
        };
        observe(&mut observed, &[entry(10, retry), entry(10, up)]);
        assert!(check_owed(&observed, Instant::ZERO).is_ok());
    }
}
