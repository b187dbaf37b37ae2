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
    use dynsup::{
        CallId, ChildSpec, DynamicSupervisor, ExitReason, Options, Pid, Restart, StartOutcome,
    };
    use std::collections::BTreeMap;

    type Core = DynamicSupervisor<&'static str, ()>;

    /// Asks `core` to start a child (call `call`); the core then waits for the start's outcome.
    fn ask_start(core: &mut Core, call: u64) {
        let spec = ChildSpec::new("worker", Vec::new())
            .validate()
            .expect("a valid spec");
        core.start_child(Instant::ZERO, CallId(call), spec)
            .expect("time moves forward");
    }

    /// A core whose one child, `Pid(1)`, runs.
    fn one_running() -> Core {
        let mut core = Core::with_options(Options::default()).expect("default options");
        ask_start(&mut core, 1);
        let started = StartOutcome::Started {
            pid: Pid(1),
            info: None,
        };
        core.handle_start_result(Instant::ZERO, started)
            .expect("a start is pending");
        core
    }

    /// `check_at_rest` on `core`, with the processes `live` alive.
    fn at_rest(core: &Core, live: &[u64]) -> Result<(), Violation> {
        let live: BTreeMap<Pid, ()> = live.iter().map(|&pid| (Pid(pid), ())).collect();
        check_at_rest(&View {
            now: Instant::ZERO,
            supervisor: core,
            trace: &[],
            events: &[],
            live: &live,
            at_rest: true,
        })
    }

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

    #[test]
    fn at_rest_every_entry_runs_in_a_live_process_and_no_other_lives() {
        let core = one_running();
        assert_eq!(at_rest(&core, &[1]), Ok(()));
        let dead = at_rest(&core, &[]).unwrap_err();
        assert_eq!(dead.invariant, "liveness");
        assert!(
            dead.detail.contains("its process is dead"),
            "{}",
            dead.detail
        );
        let extra = at_rest(&core, &[1, 2]).unwrap_err();
        assert!(
            extra.detail.contains("2 live processes"),
            "{}",
            extra.detail
        );
    }

    #[test]
    fn at_rest_a_blocked_supervisor_has_work_left_even_with_an_empty_mailbox() {
        let mut core = one_running();
        ask_start(&mut core, 2);
        assert_eq!(core.view().mailbox_len(), 0);
        let blocked = at_rest(&core, &[1]).unwrap_err();
        assert!(blocked.detail.contains("work left"), "{}", blocked.detail);
    }

    #[test]
    fn at_rest_a_suspended_supervisor_with_mail_has_work_left() {
        // A suspended supervisor is ready but serves nothing: its waiting mail is work left.
        let mut core = one_running();
        assert!(core.suspend());
        core.count_children(Instant::ZERO, CallId(2))
            .expect("time moves forward");
        assert!(!core.view().is_blocked());
        assert_eq!(core.view().mailbox_len(), 1);
        let waiting = at_rest(&core, &[1]).unwrap_err();
        assert!(waiting.detail.contains("work left"), "{}", waiting.detail);
    }

    #[test]
    fn a_supervisor_that_is_down_is_not_judged_at_rest() {
        let mut core = one_running();
        core.stop(Instant::ZERO, CallId(2), ExitReason::Normal)
            .expect("time moves forward");
        core.handle_child_exit(Instant::ZERO, Pid(1), ExitReason::Shutdown)
            .expect("time moves forward");
        assert!(!core.view().is_alive());
        // A process left alive is `no-orphans`'s to report, not this check's.
        assert_eq!(at_rest(&core, &[1]), Ok(()));
    }
}
