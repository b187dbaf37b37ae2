//! The simulator as a scenario [`Target`]: the client's calls wait in virtual time.

use dynsup::{ExitReason, Instant, Pid, Reply, StartError, TerminateError};

use crate::runner::target::{ChildSpecOf, Observation, StartAnswer, Target, TerminateAnswer};
use crate::scripted_worker::ScenarioSpawner;
use crate::simulation::{SimError, Simulation};

/// The simulation type a scenario runs in.
pub type ScenarioSimulation = Simulation<usize, (), ScenarioSpawner>;

/// A scenario's simulation, and how much of its trace has been observed.
pub struct SimTarget {
    sim: ScenarioSimulation,
    trace_seen: usize,
}

impl SimTarget {
    /// Wraps `sim`.
    pub fn new(sim: ScenarioSimulation) -> Self {
        SimTarget { sim, trace_seen: 0 }
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
        Ok(match self.sim.wait_reply(call)? {
            Reply::StartChild(Ok(started)) => StartAnswer::Started(started),
            Reply::StartChild(Err(StartError::MaxChildren)) => StartAnswer::MaxChildren,
            Reply::StartChild(Err(StartError::Failed(reason))) => StartAnswer::Failed(reason),
            _ => StartAnswer::NoProc,
        })
    }

    fn terminate_child(&mut self, pid: Pid) -> Result<TerminateAnswer, SimError> {
        let call = self.sim.terminate_child(pid);
        Ok(match self.sim.wait_reply(call)? {
            Reply::TerminateChild(Ok(())) => TerminateAnswer::Ok,
            Reply::TerminateChild(Err(TerminateError::NotFound)) => TerminateAnswer::NotFound,
            _ => TerminateAnswer::NoProc,
        })
    }

    fn exit(&mut self, pid: Pid, reason: ExitReason, _line: usize) -> Result<bool, SimError> {
        Ok(self.sim.exit_child(pid, reason))
    }

    fn kill(&mut self, pid: Pid) -> Result<bool, SimError> {
        Ok(self.sim.kill_child(pid))
    }

    fn count(&mut self) -> Result<Option<dynsup::ChildCounts>, SimError> {
        let call = self.sim.count_children();
        Ok(match self.sim.wait_reply(call)? {
            Reply::CountChildren(counts) => Some(counts),
            _ => None,
        })
    }

    fn which(&mut self) -> Result<Option<Vec<dynsup::ChildInfo>>, SimError> {
        let call = self.sim.which_children();
        Ok(match self.sim.wait_reply(call)? {
            Reply::WhichChildren(infos) => Some(infos),
            _ => None,
        })
    }

    fn stop(&mut self) -> Result<bool, SimError> {
        if self.sim.supervisor().view().is_alive() {
            self.sim.parent_exit(ExitReason::Shutdown);
            Ok(true)
        } else {
            Ok(false)
        }
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
