//! The supervisor situations a run can reach, each with a stable name and a one-line
//! description.

use std::fmt;

use super::corner::Corner;

/// A situation of the supervisor that matters: a corner of its rules that a run either reached
/// or did not ("sometimes" properties: a clean run proves little about a corner it never
/// visited).
///
/// [`Situation::ALL`] lists every one, in table order. The last six need a race (messages
/// waiting together in the supervisor's mailbox), which only the `suspend`/`resume` steps of
/// docs/races.md write: the explorer writes such windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Situation {
    /// `start_child` whose init answers `:ignore`.
    StartIgnored,
    /// `start_child` whose init answers `{:stop, reason}`.
    StartFailed,
    /// `start_child` refused with `max_children`.
    MaxChildrenRefused,
    /// A start accepted after a refusal at `max_children`, once a child went away.
    MaxChildrenSlotFreed,
    /// A restart while the table is full.
    RestartAtMaxChildren,
    /// A permanent child that exits `normal` is restarted.
    PermanentNormalRestarted,
    /// A transient child that exits `normal` or `shutdown` is removed.
    TransientCleanRemoved,
    /// A transient child that exits `{:shutdown, term}` is removed.
    TransientShutdownTermRemoved,
    /// A transient child that exits abnormally is restarted.
    TransientAbnormalRestarted,
    /// A temporary child that exits abnormally is removed.
    TemporaryCrashRemoved,
    /// A child killed from outside (`killed`) is restarted.
    KilledRestarted,
    /// A restart that failed is retried.
    FailedRestartRetried,
    /// A chain of failed restarts ends with the child running.
    FailedRestartRecovers,
    /// A restart's init answers `:ignore`: the child is removed.
    RestartIgnored,
    /// With `max_restarts=0`, the first restart shuts the supervisor down.
    IntensityFirstRestart,
    /// Intensity exceeded by the retries of one failing restart chain.
    IntensityFailingChain,
    /// Intensity exceeded by separate exits.
    IntensityExits,
    /// Intensity exceeded while other children run: they are shut down.
    IntensityStopsOthers,
    /// More restarts than `max_restarts` in one run, spread so that none exceeds.
    RestartsOutlastWindow,
    /// A restart stamped exactly `max_seconds` after one still in the window.
    WindowEdge,
    /// `terminate_child` of a pid that is not a child.
    TerminateNotFound,
    /// `terminate_child` of a `brutal_kill` child.
    TerminateBrutalKill,
    /// `terminate_child` of a child that ends at once on the shutdown signal.
    TerminateAtOnce,
    /// `terminate_child` of a trapping child that cleans up within its timeout.
    TerminateCleanupInTime,
    /// A kill timer fires: a child that outlived its shutdown timeout is killed.
    KillTimerFired,
    /// A cleanup that takes exactly the shutdown timeout: the kill wins the tie.
    KillTimerTie,
    /// A cleanup that takes exactly the shutdown timeout ends in time: the child got a head
    /// start (it was signalled before the shutdown's pass took a gone child's queued exit).
    HeadStartTie,
    /// A `shutdown: :infinity` child's long cleanup is waited out.
    InfinityWaitedOut,
    /// The supervisor stops with no children.
    StopEmpty,
    /// The supervisor stops children of several shutdown kinds at once.
    StopSeveralTimeouts,
    /// A stop where one child is killed by its timer and another cleans up in time.
    StopMixedOutcomes,
    /// A call after the supervisor went down answers `noproc`.
    CallAfterDown,
    /// A call answered while a child is restarting.
    CallFindsRestarting,
    /// `start_child` refused at `max_children` while a child is restarting.
    MaxChildrenWhileRestarting,
    /// `terminate_child` of a restarting child.
    TerminateRestarting,
    /// The supervisor stops while a restart is pending.
    StopWhileRestartPending,
    /// A child's queued exit consumed by a termination that began after it died.
    ExitConsumedByTermination,
    /// A message queued while the supervisor is blocked in a start or a termination.
    QueuedBehindBlocked,
}

impl Situation {
    /// Every situation, in table order.
    pub const ALL: [Situation; 38] = [
        Situation::StartIgnored,
        Situation::StartFailed,
        Situation::MaxChildrenRefused,
        Situation::MaxChildrenSlotFreed,
        Situation::RestartAtMaxChildren,
        Situation::PermanentNormalRestarted,
        Situation::TransientCleanRemoved,
        Situation::TransientShutdownTermRemoved,
        Situation::TransientAbnormalRestarted,
        Situation::TemporaryCrashRemoved,
        Situation::KilledRestarted,
        Situation::FailedRestartRetried,
        Situation::FailedRestartRecovers,
        Situation::RestartIgnored,
        Situation::IntensityFirstRestart,
        Situation::IntensityFailingChain,
        Situation::IntensityExits,
        Situation::IntensityStopsOthers,
        Situation::RestartsOutlastWindow,
        Situation::WindowEdge,
        Situation::TerminateNotFound,
        Situation::TerminateBrutalKill,
        Situation::TerminateAtOnce,
        Situation::TerminateCleanupInTime,
        Situation::KillTimerFired,
        Situation::KillTimerTie,
        Situation::HeadStartTie,
        Situation::InfinityWaitedOut,
        Situation::StopEmpty,
        Situation::StopSeveralTimeouts,
        Situation::StopMixedOutcomes,
        Situation::CallAfterDown,
        Situation::CallFindsRestarting,
        Situation::MaxChildrenWhileRestarting,
        Situation::TerminateRestarting,
        Situation::StopWhileRestartPending,
        Situation::ExitConsumedByTermination,
        Situation::QueuedBehindBlocked,
    ];

    /// Its position in [`Situation::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Its stable name (kebab-case), as the table and the JSON summary print it.
    pub fn name(self) -> &'static str {
        self.texts().0
    }

    /// What it is, in one line.
    pub fn description(self) -> &'static str {
        self.texts().1
    }

    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Situation::StartIgnored => ("start-ignored", "start_child whose init answers :ignore: nothing is added"),
            Situation::StartFailed => ("start-failed", "start_child whose init answers {:stop, reason}: an error, nothing is added"),
            Situation::MaxChildrenRefused => ("max-children-refused", "start_child refused with max_children"),
            Situation::MaxChildrenSlotFreed => ("max-children-slot-freed", "a start accepted after a refusal at max_children, once a child went away"),
            Situation::RestartAtMaxChildren => ("restart-at-max-children", "a restart while the table is full (restarts never check max_children)"),
            Situation::PermanentNormalRestarted => ("permanent-normal-restarted", "a permanent child that exits normal is restarted"),
            Situation::TransientCleanRemoved => ("transient-clean-removed", "a transient child that exits normal or shutdown is removed"),
            Situation::TransientShutdownTermRemoved => ("transient-shutdown-term-removed", "a transient child that exits {:shutdown, term} is removed"),
            Situation::TransientAbnormalRestarted => ("transient-abnormal-restarted", "a transient child that exits abnormally is restarted"),
            Situation::TemporaryCrashRemoved => ("temporary-crash-removed", "a temporary child that exits abnormally is removed, never restarted"),
            Situation::KilledRestarted => ("killed-restarted", "a child killed from outside (killed) is restarted"),
            Situation::FailedRestartRetried => ("failed-restart-retried", "a restart that failed is retried (and counted again)"),
            Situation::FailedRestartRecovers => ("failed-restart-recovers", "a chain of failed restarts ends with the child running"),
            Situation::RestartIgnored => ("restart-ignored", "a restart whose init answers :ignore: the child is removed"),
            Situation::IntensityFirstRestart => ("intensity-first-restart", "with max_restarts=0 the first restart shuts the supervisor down"),
            Situation::IntensityFailingChain => ("intensity-failing-chain", "intensity exceeded by the retries of one failing restart chain"),
            Situation::IntensityExits => ("intensity-exits", "intensity exceeded by separate exits (max_restarts > 0)"),
            Situation::IntensityStopsOthers => ("intensity-stops-others", "intensity exceeded while other children run: they are shut down"),
            Situation::RestartsOutlastWindow => ("restarts-outlast-window", "more restarts than max_restarts in one life, old stamps leaving the window"),
            Situation::WindowEdge => ("window-edge", "a restart stamped exactly max_seconds after one still in the window"),
            Situation::TerminateNotFound => ("terminate-not-found", "terminate_child of a pid that is not a child: not_found"),
            Situation::TerminateBrutalKill => ("terminate-brutal-kill", "terminate_child of a brutal_kill child: killed at once"),
            Situation::TerminateAtOnce => ("terminate-at-once", "terminate_child of a child that ends at once on the shutdown signal"),
            Situation::TerminateCleanupInTime => ("terminate-cleanup-in-time", "terminate_child of a trapping child that cleans up within its timeout"),
            Situation::KillTimerFired => ("kill-timer-fired", "a kill timer fires: a child that outlived its shutdown timeout is killed"),
            Situation::KillTimerTie => ("kill-timer-tie", "a cleanup that takes exactly the shutdown timeout: the kill wins the tie"),
            Situation::HeadStartTie => ("head-start-tie", "a cleanup that takes exactly the shutdown timeout ends in time: it began before the pass took a gone child's queued exit"),
            Situation::InfinityWaitedOut => ("infinity-waited-out", "a shutdown: :infinity child's cleanup is waited out, however long"),
            Situation::StopEmpty => ("stop-empty", "the supervisor stops with no children"),
            Situation::StopSeveralTimeouts => ("stop-several-timeouts", "the supervisor stops children of several shutdown kinds at once"),
            Situation::StopMixedOutcomes => ("stop-mixed-outcomes", "a stop where one child is killed by its timer and another cleans up in time"),
            Situation::CallAfterDown => ("call-after-down", "a call after the supervisor went down answers noproc"),
            Situation::CallFindsRestarting => ("call-finds-restarting", "a call answered while a child is restarting (which lists it :restarting)"),
            Situation::MaxChildrenWhileRestarting => ("max-children-while-restarting", "start_child refused at max_children while a child is restarting"),
            Situation::TerminateRestarting => ("terminate-restarting", "terminate_child of a restarting child: removed, no signal"),
            Situation::StopWhileRestartPending => ("stop-while-restart-pending", "the supervisor stops while a restart is pending"),
            Situation::ExitConsumedByTermination => ("exit-consumed-by-termination", "a child's queued exit consumed by a termination that began after it died"),
            Situation::QueuedBehindBlocked => ("queued-behind-blocked", "a message waits in the mailbox while the supervisor is blocked in a start or a termination"),
        }
    }
}

impl Corner for Situation {
    // None awaits: the race situations are written by `suspend`/`resume` windows.
    const EVERY: &'static [Self] = &Situation::ALL;

    fn position(self) -> usize {
        self.index()
    }

    fn label(self) -> &'static str {
        self.name()
    }

    fn explain(self) -> &'static str {
        self.description()
    }
}

impl fmt::Display for Situation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_situation_once_in_declaration_order() {
        crate::coverage::corner::assert_well_formed::<Situation>();
    }

    #[test]
    fn at_least_25_situations_are_named() {
        assert!(Situation::ALL.len() >= 25, "{}", Situation::ALL.len());
    }
}
