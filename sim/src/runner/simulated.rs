//! The simulator as a scenario [`Target`]: the client's calls wait in virtual time.

use dynsup::{CallId, ExitReason, Instant, Pid, Reply, StartError, TerminateError};

use crate::runner::target::{
    Answer, Call, ChildSpecOf, Observation, StartAnswer, Target, TerminateAnswer,
};
use crate::scripted_worker::ScenarioSpawner;
use crate::simulation::{SimError, Simulation};

/// The simulation type a scenario runs in.
pub type ScenarioSimulation = Simulation<usize, (), ScenarioSpawner>;

/// A call made without waiting ([`Target::send`]), by ticket.
enum Sent {
    /// Its answer is awaited under this call id.
    Waiting(CallId, CallKind),
    /// Answered at once (a spec the simulator refused before sending).
    Answered(Answer),
    /// Its answer was taken.
    Taken,
}

/// Which call an answer is for.
#[derive(Clone, Copy)]
enum CallKind {
    Start,
    Terminate,
    Which,
    Count,
}

/// A scenario's simulation, and how much of its trace has been observed.
pub struct SimTarget {
    sim: ScenarioSimulation,
    trace_seen: usize,
    /// The calls made without waiting, by ticket.
    sent: Vec<Sent>,
}

impl SimTarget {
    /// Wraps `sim`.
    pub fn new(sim: ScenarioSimulation) -> Self {
        SimTarget {
            sim,
            trace_seen: 0,
            sent: Vec::new(),
        }
    }

    /// The simulation.
    pub fn simulation(&self) -> &ScenarioSimulation {
        &self.sim
    }
}

impl Target for SimTarget {
    type Error = SimError;

    fn settle(&mut self, at: Instant, _line: usize) -> Result<(), SimError> {
        self.sim.settle(at)
    }

    fn start_child(&mut self, spec: ChildSpecOf) -> Result<StartAnswer, SimError> {
        let call = match self.sim.start_child(spec) {
            Ok(call) => call,
            Err(err) => return Ok(StartAnswer::Failed(ExitReason::other(err.to_string()))),
        };
        Ok(start_answer(self.sim.wait_reply(call)?))
    }

    fn terminate_child(&mut self, pid: Pid) -> Result<TerminateAnswer, SimError> {
        let call = self.sim.terminate_child(pid);
        Ok(terminate_answer(self.sim.wait_reply(call)?))
    }

    fn exit(&mut self, pid: Pid, reason: ExitReason, _line: usize) -> Result<bool, SimError> {
        Ok(self.sim.exit_child(pid, reason))
    }

    fn kill(&mut self, pid: Pid) -> Result<bool, SimError> {
        Ok(self.sim.kill_child(pid))
    }

    fn count(&mut self) -> Result<Option<dynsup::ChildCounts>, SimError> {
        let call = self.sim.count_children();
        Ok(count_answer(self.sim.wait_reply(call)?))
    }

    fn which(&mut self) -> Result<Option<Vec<dynsup::ChildInfo>>, SimError> {
        let call = self.sim.which_children();
        Ok(which_answer(self.sim.wait_reply(call)?))
    }

    fn stop(&mut self) -> Result<bool, SimError> {
        if self.sim.supervisor().view().is_alive() {
            self.sim.parent_exit(ExitReason::Shutdown);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn suspend(&mut self, _line: usize) -> Result<bool, SimError> {
        Ok(self.sim.suspend())
    }

    fn resume(&mut self, _line: usize) -> Result<bool, SimError> {
        self.sim.resume()
    }

    fn send(&mut self, call: Call, _line: usize) -> Result<u64, SimError> {
        let sent = match call {
            Call::Start(spec) => match self.sim.start_child(spec) {
                Ok(call) => Sent::Waiting(call, CallKind::Start),
                Err(err) => Sent::Answered(Answer::Start(StartAnswer::Failed(ExitReason::other(
                    err.to_string(),
                )))),
            },
            Call::Terminate(pid) => {
                Sent::Waiting(self.sim.terminate_child(pid), CallKind::Terminate)
            }
            Call::Which => Sent::Waiting(self.sim.which_children(), CallKind::Which),
            Call::Count => Sent::Waiting(self.sim.count_children(), CallKind::Count),
        };
        self.sent.push(sent);
        Ok(u64::try_from(self.sent.len() - 1).unwrap_or(u64::MAX))
    }

    fn answer(&mut self, ticket: u64) -> Option<Answer> {
        let sent = self.sent.get_mut(usize::try_from(ticket).ok()?)?;
        let answer = match sent {
            Sent::Waiting(call, kind) => {
                let kind = *kind;
                let reply = self.sim.take_reply(*call)?;
                match kind {
                    CallKind::Start => Answer::Start(start_answer(reply)),
                    CallKind::Terminate => Answer::Terminate(terminate_answer(reply)),
                    CallKind::Which => Answer::Which(which_answer(reply)),
                    CallKind::Count => Answer::Count(count_answer(reply)),
                }
            }
            Sent::Answered(answer) => answer.clone(),
            Sent::Taken => return None,
        };
        *sent = Sent::Taken;
        Some(answer)
    }

    fn finish(&mut self) -> Result<(), SimError> {
        self.sim.run_to_quiescence()
    }

    fn observe(&mut self, out: &mut Vec<Observation>) {
        let trace = self.sim.trace();
        if trace.len() == self.trace_seen {
            return;
        }
        let new = trace.get(self.trace_seen..).unwrap_or(&[]);
        out.extend(
            new.iter()
                .filter(|entry| entry.event.is_outcome())
                .map(|entry| entry.event.clone()),
        );
        self.trace_seen = trace.len();
    }
}

/// `start_child`'s reply as a scenario prints it.
fn start_answer(reply: Reply) -> StartAnswer {
    match reply {
        Reply::StartChild(Ok(started)) => StartAnswer::Started(started),
        Reply::StartChild(Err(StartError::MaxChildren)) => StartAnswer::MaxChildren,
        Reply::StartChild(Err(StartError::Failed(reason))) => StartAnswer::Failed(reason),
        _ => StartAnswer::NoProc,
    }
}

/// `terminate_child`'s reply as a scenario prints it.
fn terminate_answer(reply: Reply) -> TerminateAnswer {
    match reply {
        Reply::TerminateChild(Ok(())) => TerminateAnswer::Ok,
        Reply::TerminateChild(Err(TerminateError::NotFound)) => TerminateAnswer::NotFound,
        _ => TerminateAnswer::NoProc,
    }
}

/// `which_children`'s reply, `None` when the supervisor is gone.
fn which_answer(reply: Reply) -> Option<Vec<dynsup::ChildInfo>> {
    match reply {
        Reply::WhichChildren(infos) => Some(infos),
        _ => None,
    }
}

/// `count_children`'s reply, `None` when the supervisor is gone.
fn count_answer(reply: Reply) -> Option<dynsup::ChildCounts> {
    match reply {
        Reply::CountChildren(counts) => Some(counts),
        _ => None,
    }
}
