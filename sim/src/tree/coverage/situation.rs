//! The situations of supervision trees that `explore --trees --coverage` counts, each with a
//! stable name and a one-line description.

use std::fmt;

use crate::coverage::{Corner, AWAITING_INTERLEAVING_HEADING};

/// A situation of a supervision tree that matters: a corner of the rules of trees that a run
/// either reached or did not (docs/coverage.md, "Trees"). Its name and description are its
/// [`Corner::label`] and [`Corner::explain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TreeSituation {
    /// A supervisor gives up right after the exit of a child supervisor that gave up.
    EscalationTwoLevels,
    /// The root gives up: the whole tree stops.
    RootGaveUp,
    /// A child supervisor is restarted by its parent.
    ChildSupRestarted,
    /// A `one_for_all` supervisor restarts the siblings of the child that exited.
    OneForAllSiblingsRestarted,
    /// A `rest_for_one` supervisor restarts the children started after the one that exited.
    RestForOneLaterRestarted,
    /// A failed restart of a static supervisor's child is retried.
    StaticFailedRestartRetried,
    /// A static child's start fails during its supervisor's start-up: the supervisor fails.
    StaticStartupFailure,
    /// A static child's init answers `:ignore` during its supervisor's start-up: its spec is kept.
    StaticStartupIgnored,
    /// A significant child's exit triggers `auto_shutdown`: its supervisor ends `shutdown`.
    SignificantAutoShutdown,
    /// A supervisor stops children of several shutdown kinds, one at a time, in reverse order.
    ShutdownMixedTimeouts,
    /// A child that outlives its shutdown timeout while its supervisor stops is killed.
    ShutdownTimerKill,
    /// A supervisor with live children is killed from outside.
    MidSupervisorKilled,
    /// A static API call on the id of a child without a process: `already_present`.
    StaticAlreadyPresent,
    /// A static API call on the id of a running child: `running`.
    StaticRunning,
    /// A static API call on an id the supervisor does not know: `not_found`.
    StaticNotFound,
    /// `start_child` with the id of a running child: `already_started`.
    StaticAlreadyStarted,
    /// A supervisor started under a name in use: `already_started` with the holder's pid.
    NameAlreadyStarted,
    /// A static API call on the id of a child whose restart is being retried: `restarting`.
    StaticRestarting,
}

impl TreeSituation {
    /// Every tree situation, in table order.
    pub const ALL: [TreeSituation; 18] = [
        TreeSituation::EscalationTwoLevels,
        TreeSituation::RootGaveUp,
        TreeSituation::ChildSupRestarted,
        TreeSituation::OneForAllSiblingsRestarted,
        TreeSituation::RestForOneLaterRestarted,
        TreeSituation::StaticFailedRestartRetried,
        TreeSituation::StaticStartupFailure,
        TreeSituation::StaticStartupIgnored,
        TreeSituation::SignificantAutoShutdown,
        TreeSituation::ShutdownMixedTimeouts,
        TreeSituation::ShutdownTimerKill,
        TreeSituation::MidSupervisorKilled,
        TreeSituation::StaticAlreadyPresent,
        TreeSituation::StaticRunning,
        TreeSituation::StaticNotFound,
        TreeSituation::StaticAlreadyStarted,
        TreeSituation::NameAlreadyStarted,
        TreeSituation::StaticRestarting,
    ];

    /// The situations only a race can produce: a step runs once every supervisor has settled,
    /// so a failed restart's retries are over before any call. The tree world has no
    /// `suspend`/`resume` steps (docs/races.md: only the one-supervisor simulator runs races).
    pub const AWAITING_INTERLEAVING: [TreeSituation; 1] = [TreeSituation::StaticRestarting];

    fn texts(self) -> (&'static str, &'static str) {
        use TreeSituation::*;
        match self {
            EscalationTwoLevels => (
                "escalation-two-levels",
                "a supervisor gives up right after a child supervisor that gave up exits",
            ),
            RootGaveUp => (
                "root-gave-up",
                "the root exceeds its intensity: the whole tree stops",
            ),
            ChildSupRestarted => (
                "child-sup-restarted",
                "a child supervisor is restarted by its parent",
            ),
            OneForAllSiblingsRestarted => (
                "one-for-all-siblings-restarted",
                "one_for_all restarts the siblings of the child that exited",
            ),
            RestForOneLaterRestarted => (
                "rest-for-one-later-restarted",
                "rest_for_one restarts the children started after the one that exited",
            ),
            StaticFailedRestartRetried => (
                "static-failed-restart-retried",
                "a failed restart of a static supervisor's child is retried",
            ),
            StaticStartupFailure => (
                "static-startup-failure",
                "a static child fails to start during start-up: its supervisor fails",
            ),
            StaticStartupIgnored => (
                "static-startup-ignored",
                "a static child's init answers :ignore during start-up: its spec is kept",
            ),
            SignificantAutoShutdown => (
                "significant-auto-shutdown",
                "a significant child's exit triggers auto_shutdown: its supervisor ends shutdown",
            ),
            ShutdownMixedTimeouts => (
                "shutdown-mixed-timeouts",
                "a supervisor stops children of several shutdown kinds, in reverse order",
            ),
            ShutdownTimerKill => (
                "shutdown-timer-kill",
                "a child outlives its shutdown timeout while its supervisor stops: killed",
            ),
            MidSupervisorKilled => (
                "mid-supervisor-killed",
                "a supervisor with live children is killed from outside",
            ),
            StaticAlreadyPresent => (
                "static-already-present",
                "start_child of a known id without a process: already_present",
            ),
            StaticRunning => (
                "static-running",
                "restart_child or delete_child of a running child: running",
            ),
            StaticNotFound => (
                "static-not-found",
                "a static API call on an unknown id: not_found",
            ),
            StaticAlreadyStarted => (
                "static-already-started",
                "start_child with the id of a running child: already_started",
            ),
            NameAlreadyStarted => (
                "name-already-started",
                "a supervisor started under a name in use: already_started",
            ),
            StaticRestarting => (
                "static-restarting",
                "a static API call on a child whose restart is retried: restarting",
            ),
        }
    }
}

impl Corner for TreeSituation {
    const EVERY: &'static [Self] = &TreeSituation::ALL;
    const AWAITING: &'static [Self] = &TreeSituation::AWAITING_INTERLEAVING;
    const AWAITING_HEADING: &'static str = AWAITING_INTERLEAVING_HEADING;

    fn position(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        self.texts().0
    }

    fn explain(self) -> &'static str {
        self.texts().1
    }
}

impl fmt::Display for TreeSituation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_situation_once_in_declaration_order() {
        crate::coverage::corner::assert_well_formed::<TreeSituation>();
    }
}
