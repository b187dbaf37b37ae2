//! Counting, from the trace alone, at rest (nothing in flight, the supervisor alive): the
//! supervisor's `count_children` figures must match the children the trace shows it holds,
//! and as many must be alive (which ones is `liveness`'s part: each entry of the table is a
//! live process). `specs` counts every entry (a process that came up and
//! whose exit has not reached the supervisor, plus each restart still owed), `workers` and
//! `supervisors` split them by the type of the spec the client sent, `active` counts the
//! running ones, and `specs` never exceeds `max_children`.
//!
//! Only at rest: in the middle of a `terminate_child` or of its own shutdown the supervisor
//! handles exits later than they arrive (or not at all), so its figures legitimately lag the
//! trace; at rest every exit has been handled, and a counter that drifted stays wrong.

use dynsup::{ChildCounts, Instant};

use super::observed::Observed;
use super::restart_policy::unclassified;
use super::violation;
use crate::simulation::{LiveChildren, Violation};

/// Compares the supervisor's figures `counts` with what the trace shows and with the live
/// processes `live`; call it at rest only.
pub fn check_counts(
    counts: ChildCounts,
    max_children: Option<u64>,
    observed: &Observed,
    live: &dyn LiveChildren,
    at: Instant,
) -> Result<(), Violation> {
    if observed.supervisor_down() {
        return Ok(());
    }
    let fail = |detail: String| Err(violation("child-counts", at, detail));
    if let Some(pid) = observed.unclassified() {
        return Err(unclassified(pid, at));
    }
    let expected = observed.expected_counts();
    if expected.active != live.len() as u64 {
        return fail(format!(
            "the trace shows {} children running, but {} processes are alive: {:?}",
            expected.active,
            live.len(),
            live.pids()
        ));
    }
    if counts != expected {
        return fail(format!(
            "counters {counts:?}, but the trace shows {expected:?}"
        ));
    }
    if let Some(max) = max_children {
        if expected.specs > max {
            return fail(format!(
                "{} children exceed max_children {max}",
                expected.specs
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec};
    use crate::simulation::TraceEvent;
    use dynsup::{ExitReason, Pid, Restart};
    use std::collections::BTreeMap;

    fn one_temporary_child_gone() -> Observed {
        let mut observed = Observed::default();
        observe(&mut observed, &permanent_up(1, spec(Restart::Temporary)));
        observe(&mut observed, &permanent_up(2, spec(Restart::Permanent)));
        let exit = TraceEvent::ExitArrived {
            pid: Pid(1),
            reason: ExitReason::other("boom"),
        };
        observe(&mut observed, &[entry(10, exit)]);
        observed
    }

    fn counts(specs: u64, active: u64) -> ChildCounts {
        ChildCounts {
            specs,
            active,
            workers: specs,
            supervisors: 0,
        }
    }

    fn check(counts: ChildCounts, max: Option<u64>, live: &[u64]) -> Result<(), Violation> {
        let observed = one_temporary_child_gone();
        let live: BTreeMap<Pid, ()> = live.iter().map(|&pid| (Pid(pid), ())).collect();
        check_counts(counts, max, &observed, &live, Instant::ZERO)
    }

    #[test]
    fn figures_that_match_the_trace_pass() {
        assert!(check(counts(1, 1), None, &[2]).is_ok());
        // A full max_children is within it.
        assert!(check(counts(1, 1), Some(1), &[2]).is_ok());
    }

    #[test]
    fn a_drifting_active_counter_fires() {
        let violation = check(counts(1, 2), None, &[2]).unwrap_err();
        assert_eq!(violation.invariant, "child-counts");
    }

    #[test]
    fn an_entry_kept_for_a_gone_child_fires() {
        assert!(check(counts(2, 1), None, &[2]).is_err());
    }

    #[test]
    fn a_live_process_the_trace_does_not_show_running_fires() {
        assert!(check(counts(1, 1), None, &[2, 3]).is_err());
        assert!(check(counts(1, 1), None, &[]).is_err());
    }

    #[test]
    fn exceeding_max_children_fires() {
        assert!(check(counts(1, 1), Some(0), &[2]).is_err());
    }
}
