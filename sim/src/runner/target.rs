//! What a scenario runs against: the simulator or a real runtime, behind one trait, so that one
//! step executor and one transcript writer serve both.

use dynsup::{ChildCounts, ChildInfo, ExitReason, Instant, Pid, Started};

pub use crate::simulation::TraceEvent;

/// The child spec of a scenario template (start function: the template's index).
pub type ChildSpecOf = dynsup::ChildSpec<usize, ()>;

/// Something that happened in the system under test, as a transcript reports it: the
/// simulator's trace events, which a runtime's reports are translated into (the executor
/// ignores [`TraceEvent::Signalled`]).
pub type Observation = TraceEvent;

/// The answer to `start_child`, as a scenario prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartAnswer {
    /// It started (or returned `ignore`).
    Started(Started),
    /// `{:error, :max_children}`.
    MaxChildren,
    /// `{:error, reason}`.
    Failed(ExitReason),
    /// The supervisor is gone.
    NoProc,
}

/// The answer to `terminate_child`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminateAnswer {
    /// `:ok`.
    Ok,
    /// `{:error, :not_found}`.
    NotFound,
    /// The supervisor is gone.
    NoProc,
}

/// A call the client makes without waiting for its answer, while the supervisor is suspended
/// (docs/races.md): it waits in the supervisor's mailbox, and its answer comes once the
/// supervisor has handled it ([`Target::answer`]).
#[derive(Clone, Debug)]
pub enum Call {
    /// `start_child(spec)`.
    Start(ChildSpecOf),
    /// `terminate_child(pid)`.
    Terminate(Pid),
    /// `which_children()`.
    Which,
    /// `count_children()`.
    Count,
}

/// The answer to a [`Call`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// To `start_child`.
    Start(StartAnswer),
    /// To `terminate_child`.
    Terminate(TerminateAnswer),
    /// To `which_children`, `None` when the supervisor is gone.
    Which(Option<Vec<ChildInfo>>),
    /// To `count_children`, `None` when the supervisor is gone.
    Count(Option<ChildCounts>),
}

/// A system a scenario runs against. Every method that waits may fail with `Self::Error`
/// (a run that does not settle, a violated invariant, a lost exit).
pub trait Target {
    /// Why a run stops early.
    type Error;

    /// Lets time reach `at`, then lets the supervisor settle (before the step on `line`).
    fn settle(&mut self, at: Instant, line: usize) -> Result<(), Self::Error>;
    /// `start_child(spec)`.
    fn start_child(&mut self, spec: ChildSpecOf) -> Result<StartAnswer, Self::Error>;
    /// `terminate_child(pid)`.
    fn terminate_child(&mut self, pid: Pid) -> Result<TerminateAnswer, Self::Error>;
    /// Process `pid` exits by itself with `reason` (the step on `line`); whether it was alive.
    fn exit(&mut self, pid: Pid, reason: ExitReason, line: usize) -> Result<bool, Self::Error>;
    /// Process `pid` is killed from outside; whether it was alive.
    fn kill(&mut self, pid: Pid) -> Result<bool, Self::Error>;
    /// `count_children()`, `None` when the supervisor is gone.
    fn count(&mut self) -> Result<Option<ChildCounts>, Self::Error>;
    /// `which_children()`, `None` when the supervisor is gone.
    fn which(&mut self) -> Result<Option<Vec<ChildInfo>>, Self::Error>;
    /// The parent stops the supervisor with reason `shutdown`; `false` when it is gone.
    fn stop(&mut self) -> Result<bool, Self::Error>;
    /// Suspends the supervisor (`suspend`, the step on `line`); `false` when it is gone.
    fn suspend(&mut self, line: usize) -> Result<bool, Self::Error>;
    /// Resumes the supervisor (`resume`, the step on `line`); `false` when it is gone.
    fn resume(&mut self, line: usize) -> Result<bool, Self::Error>;
    /// Makes `call` (the step on `line`) without waiting for its answer; the ticket returned
    /// names it for [`Target::answer`].
    fn send(&mut self, call: Call, line: usize) -> Result<u64, Self::Error>;
    /// The answer to the call of `ticket`, once it has come (taken: asked once).
    fn answer(&mut self, ticket: u64) -> Option<Answer>;
    /// Runs until nothing more can happen, after the last step.
    fn finish(&mut self) -> Result<(), Self::Error>;
    /// Appends what happened since the last call, in order.
    fn observe(&mut self, out: &mut Vec<Observation>);
}
