//! Shutdown: no child outlives its supervisor (no orphans), a child killed after its timeout
//! was given exactly its shutdown time, and `infinity` children are never killed by a timer.

use std::collections::BTreeMap;

use dynsup::{Instant, Pid, Shutdown};

use super::observed::Observed;
use super::restart_policy::unclassified;
use super::violation;
use crate::simulation::{LiveChildren, TraceEntry, TraceEvent, Violation};

/// Checks the signals the supervisor sends against each child's shutdown.
#[derive(Debug, Default)]
pub struct ShutdownChecker {
    /// When each child was sent `shutdown`.
    asked: BTreeMap<Pid, Instant>,
}

impl ShutdownChecker {
    /// Checks one trace entry; `live` is the set of live children after the delivery.
    pub fn check(
        &mut self,
        observed: &Observed,
        entry: &TraceEntry,
        live: &dyn LiveChildren,
    ) -> Result<(), Violation> {
        let at = entry.at;
        match entry.event {
            TraceEvent::Signalled { pid, kill: false } => {
                self.asked.insert(pid, at);
            }
            TraceEvent::Signalled { pid, kill: true } => {
                let Some(shutdown) = observed.spec(pid).map(|spec| spec.shutdown) else {
                    return Err(unclassified(pid, at));
                };
                let asked = self.asked.get(&pid).copied();
                let fail = |detail| Err(violation("shutdown-timing", at, detail));
                match (shutdown, asked) {
                    (Shutdown::BrutalKill, None) => {}
                    (Shutdown::BrutalKill, Some(_)) => {
                        return fail(format!("brutal_kill child {pid} was sent shutdown"))
                    }
                    (Shutdown::Infinity, _) => {
                        return fail(format!("infinity child {pid} was killed"))
                    }
                    (Shutdown::Timeout { millis }, Some(asked)) => {
                        let given = at.as_millis().saturating_sub(asked.as_millis());
                        if given != millis {
                            return fail(format!(
                                "child {pid} with shutdown {millis} ms was killed after {given} ms"
                            ));
                        }
                    }
                    (Shutdown::Timeout { .. }, None) => {
                        return fail(format!("child {pid} killed without a shutdown first"))
                    }
                }
            }
            TraceEvent::SupervisorDown { .. } if !live.is_empty() => {
                return Err(violation(
                    "no-orphans",
                    at,
                    format!("children {:?} outlive their supervisor", live.pids()),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks that no child is alive once the trace shows the supervisor gone.
    pub fn check_orphans(
        observed: &Observed,
        live: &dyn LiveChildren,
        at: Instant,
    ) -> Result<(), Violation> {
        if observed.supervisor_down() && !live.is_empty() {
            return Err(violation(
                "no-orphans",
                at,
                format!("children {:?} outlive their supervisor", live.pids()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::testing::{entry, observe, permanent_up, spec_with};
    use dynsup::{ExitReason, Restart};

    fn one_child(shutdown: Shutdown) -> Observed {
        let mut observed = Observed::default();
        observe(
            &mut observed,
            &permanent_up(1, spec_with(Restart::Permanent, shutdown)),
        );
        observed
    }

    fn signal(millis: u64, kill: bool) -> TraceEntry {
        entry(millis, TraceEvent::Signalled { pid: Pid(1), kill })
    }

    #[test]
    fn a_kill_before_the_timeout_fires_and_at_it_does_not() {
        let observed = one_child(Shutdown::Timeout { millis: 500 });
        let live: BTreeMap<Pid, ()> = BTreeMap::new();
        let mut checker = ShutdownChecker::default();
        assert!(checker.check(&observed, &signal(100, false), &live).is_ok());
        let early = checker.check(&observed, &signal(350, true), &live);
        assert_eq!(early.unwrap_err().invariant, "shutdown-timing");
        assert!(checker.check(&observed, &signal(600, true), &live).is_ok());
    }

    #[test]
    fn killing_an_infinity_child_or_signalling_a_brutal_one_fires() {
        let live: BTreeMap<Pid, ()> = BTreeMap::new();
        let observed = one_child(Shutdown::Infinity);
        let mut checker = ShutdownChecker::default();
        assert!(checker.check(&observed, &signal(0, true), &live).is_err());
        let observed = one_child(Shutdown::BrutalKill);
        let mut checker = ShutdownChecker::default();
        assert!(checker.check(&observed, &signal(0, true), &live).is_ok());
        let mut checker = ShutdownChecker::default();
        assert!(checker.check(&observed, &signal(0, false), &live).is_ok());
        assert!(checker.check(&observed, &signal(0, true), &live).is_err());
    }

    #[test]
    fn a_child_alive_after_its_supervisor_fires() {
        let mut observed = one_child(Shutdown::BrutalKill);
        let live: BTreeMap<Pid, ()> = [(Pid(1), ())].into_iter().collect();
        let down = entry(
            0,
            TraceEvent::SupervisorDown {
                reason: ExitReason::Shutdown,
            },
        );
        let mut checker = ShutdownChecker::default();
        // Children alive under a running supervisor are no orphans.
        assert_eq!(
            ShutdownChecker::check_orphans(&observed, &live, Instant::ZERO),
            Ok(())
        );
        // A supervisor going down with every child gone leaves none.
        let none: BTreeMap<Pid, ()> = BTreeMap::new();
        assert_eq!(checker.check(&observed, &down, &none), Ok(()));
        assert_eq!(
            checker
                .check(&observed, &down, &live)
                .unwrap_err()
                .invariant,
            "no-orphans"
        );
        observed.apply(&down);
        let orphans = ShutdownChecker::check_orphans(&observed, &live, Instant::ZERO);
        assert_eq!(orphans.unwrap_err().invariant, "no-orphans");
        assert_eq!(
            ShutdownChecker::check_orphans(&observed, &none, Instant::ZERO),
            Ok(())
        );
    }
}
