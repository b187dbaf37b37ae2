//! Transcripts as data: what each step returned and the events it caused, with processes named
//! by (template, attempt) numbers. The simulator's runner, the runtimes' runners and the
//! reference model all produce these; the explorer compares them without printing anything.

use dynsup::{ChildCounts, ExitReason, Pid};

/// A process as a transcript names it: attempt `attempt` (from 1) of the template at index
/// `template` of the scenario (`NAME#K`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefId {
    /// The template's index in the scenario.
    pub template: usize,
    /// The attempt number K, from 1.
    pub attempt: u64,
}

/// What a step returned (docs/scenarios.md, "Output").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// `start`: `ok NAME#K`.
    Started(RefId),
    /// `start`: `ok` with a process of no REF (printed as its pid; never in a scenario run).
    StartedUnnamed(Pid),
    /// `start`: `ignore`.
    Ignore,
    /// `start`: `error max_children`.
    MaxChildren,
    /// `start`: `error REASON` (init returned `stop:WORD`, or a spec error).
    StartFailed(ExitReason),
    /// `start` of a template the scenario does not define: `error undefined`.
    Undefined,
    /// `terminate`, `exit`, `kill`, `stop`: `ok`.
    Ok,
    /// `terminate`: `error not_found`.
    NotFound,
    /// Any call once the supervisor is gone: `error noproc`.
    NoProc,
    /// `exit`, `kill` of a process that was not alive: `dead`.
    Dead,
    /// `count`.
    Counts(ChildCounts),
    /// `which`: one entry per child, `None` for a restarting one (compared and printed in
    /// name order, whatever the order here).
    Which(Vec<Option<Process>>),
}

/// A process named by its REF, or by its pid when it has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Process {
    /// `NAME#K`.
    Named(RefId),
    /// A process of no REF.
    Pid(Pid),
}

/// One event of a step (docs/scenarios.md, "Output").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventRecord {
    /// `up NAME#K`.
    Up(Attempt),
    /// `ignore NAME#K`.
    Ignore(Attempt),
    /// `fail NAME#K WORD`.
    Fail(Attempt, ExitReason),
    /// `down NAME#K REASON`.
    Down(Process, ExitReason),
    /// `sup down REASON`.
    SupervisorDown(ExitReason),
}

/// A start attempt, named by its REF, or by its sequence number when the attempt log does not
/// know it (never in a scenario run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attempt {
    /// `NAME#K`.
    Named(RefId),
    /// `#N`: the N-th start attempt of the run.
    Number(u64),
}

/// One step's result and events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// What it returned.
    pub result: StepResult,
    /// What happened from its beginning to the next step's, in any order.
    pub events: Vec<EventRecord>,
}

impl Record {
    /// Whether `self` and `other` print the same text: the same result (a `which` in any
    /// order) and the same events in any order. Sorts both in place.
    pub fn same_as(&mut self, other: &mut Record) -> bool {
        if let (StepResult::Which(a), StepResult::Which(b)) = (&mut self.result, &mut other.result)
        {
            a.sort_unstable();
            b.sort_unstable();
        }
        if self.result != other.result || self.events.len() != other.events.len() {
            return false;
        }
        self.events.sort_unstable();
        other.events.sort_unstable();
        self.events == other.events
    }
}

/// A whole run as data: one [`Record`] per step of the scenario, in order.
pub type Records = Vec<Record>;
