//! Hand-made observations for the checkers' unit tests.

use dynsup::{CallId, ChildType, Instant, Pid, Restart, Shutdown};

use super::observed::Observed;
use crate::simulation::{SpecSeen, TraceEntry, TraceEvent};

/// A worker spec with `restart` and a 500 ms shutdown.
pub fn spec(restart: Restart) -> SpecSeen {
    spec_with(restart, Shutdown::Timeout { millis: 500 })
}

/// A worker spec with `restart` and `shutdown`.
pub fn spec_with(restart: Restart, shutdown: Shutdown) -> SpecSeen {
    SpecSeen {
        restart,
        shutdown,
        child_type: ChildType::Worker,
    }
}

/// A trace entry at `millis`.
pub fn entry(millis: u64, event: TraceEvent) -> TraceEntry {
    TraceEntry {
        at: Instant::from_millis(millis),
        event,
    }
}

/// The trace of a `start_child` call (call id = pid = `pid`) that starts child `pid` at 0.
pub fn permanent_up(pid: u64, spec: SpecSeen) -> Vec<TraceEntry> {
    let call = CallId(pid);
    let (attempt, pid) = (pid + 1_000, Pid(pid));
    vec![
        entry(0, TraceEvent::StartRequested { call, spec }),
        entry(
            0,
            TraceEvent::Spawned {
                attempt,
                pid,
                restart_of: None,
            },
        ),
        entry(0, TraceEvent::Up { attempt, pid }),
        entry(0, TraceEvent::StartAnswered { call, pid }),
    ]
}

/// Applies `entries` to `observed`.
pub fn observe(observed: &mut Observed, entries: &[TraceEntry]) {
    for entry in entries {
        observed.apply(entry);
    }
}
