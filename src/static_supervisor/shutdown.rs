//! Whether a child shut down by the static supervisor ended as asked: OTP 25's
//! `supervisor:shutdown/1` (docs/static-supervisor.md §5.3). It differs from the
//! DynamicSupervisor's rule (docs/semantics.md §8.4) for `{:shutdown, _}` and brutal kills.

use crate::child_spec::{Restart, Shutdown};
use crate::exit_reason::ExitReason;

/// `true` when the child's end is not reported as a `shutdown_error`: `killed` after a brutal
/// kill, `shutdown` after a shutdown signal, and for a child that is not permanent also
/// `normal` and `{:shutdown, _}` (and, after a brutal kill, `shutdown`).
pub(crate) fn ended_as_asked(shutdown: Shutdown, restart: Restart, reason: &ExitReason) -> bool {
    let permanent = restart == Restart::Permanent;
    match reason {
        ExitReason::Killed => shutdown == Shutdown::BrutalKill,
        ExitReason::Shutdown => shutdown != Shutdown::BrutalKill || !permanent,
        ExitReason::ShutdownWith(_) | ExitReason::Normal => !permanent,
        ExitReason::NoProc | ExitReason::Other(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clauses of OTP 25's shutdown/1, decompiled from stdlib 4.2's supervisor.beam.
    #[test]
    fn otp_25_shutdown_clauses() {
        let (kill, wait) = (Shutdown::BrutalKill, Shutdown::millis(100));
        let (p, t) = (Restart::Permanent, Restart::Transient);
        let with = ExitReason::ShutdownWith("x".into());
        assert!(ended_as_asked(kill, p, &ExitReason::Killed));
        assert!(!ended_as_asked(kill, p, &ExitReason::Shutdown));
        assert!(ended_as_asked(kill, t, &ExitReason::Shutdown));
        assert!(ended_as_asked(kill, t, &ExitReason::Normal));
        assert!(ended_as_asked(wait, p, &ExitReason::Shutdown));
        assert!(!ended_as_asked(wait, p, &with));
        assert!(ended_as_asked(wait, t, &with));
        assert!(!ended_as_asked(wait, p, &ExitReason::Normal));
        // Killed after the timeout is reported.
        assert!(!ended_as_asked(wait, t, &ExitReason::Killed));
        assert!(!ended_as_asked(
            Shutdown::Infinity,
            t,
            &ExitReason::other("boom")
        ));
    }
}
