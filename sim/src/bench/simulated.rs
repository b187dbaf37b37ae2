//! Workloads through the simulator: a [`Simulation`] of a supervisor whose children are
//! trivial workers (init succeeds, no messages, no exit trapping), driven by the client's calls
//! and waiting for each reply, in no-history mode (the trace and events are dropped as they
//! are made, as in bulk runs).

use dynsup::{
    ChildCounts, ChildInfo, ChildSpec, Context, Init, Options, Pid, Reply, Spawner, Started, Worker,
};

use super::BenchError;
use crate::simulation::{History, Simulation};

/// A worker that starts and then does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdleWorker;

impl Worker for IdleWorker {
    type Message = ();
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        Init::Ok
    }
}

/// The trivial spawner: every start attempt is an [`IdleWorker`] (a zero-sized box, so a start
/// allocates nothing for the worker itself).
#[derive(Clone, Copy, Debug, Default)]
pub struct IdleSpawner;

impl Spawner<(), ()> for IdleSpawner {
    type Worker = IdleWorker;

    fn spawn(&mut self, _function: &(), _args: &[()]) -> Box<IdleWorker> {
        Box::new(IdleWorker)
    }
}

/// The simulation the workloads run in.
pub type BenchSimulation = Simulation<(), (), IdleSpawner>;

fn sim_error(err: impl std::fmt::Display) -> BenchError {
    BenchError(format!("simulator: {err}"))
}

/// A simulation of a supervisor allowing `max_restarts` restarts per second.
pub fn new_simulation(max_restarts: i64) -> Result<BenchSimulation, BenchError> {
    let config = Options::default()
        .max_restarts(max_restarts)
        .max_seconds(1)
        .validate()
        .map_err(sim_error)?;
    let mut sim = Simulation::new(config, IdleSpawner);
    sim.set_history(History::Drop);
    Ok(sim)
}

/// `start_child` of a permanent worker, waiting for the reply; returns the child's pid.
pub fn start_child(sim: &mut BenchSimulation) -> Result<Pid, BenchError> {
    let call = sim
        .start_child(ChildSpec::new((), Vec::new()))
        .map_err(sim_error)?;
    match sim.wait_reply(call).map_err(sim_error)? {
        Reply::StartChild(Ok(Started::Running { pid, .. })) => Ok(pid),
        other => Err(sim_error(format!("start_child gave {other:?}"))),
    }
}

/// `count_children`, waiting for the reply.
pub fn count_children(sim: &mut BenchSimulation) -> Result<ChildCounts, BenchError> {
    let call = sim.count_children();
    match sim.wait_reply(call).map_err(sim_error)? {
        Reply::CountChildren(counts) => Ok(counts),
        other => Err(sim_error(format!("count_children gave {other:?}"))),
    }
}

/// `which_children`, waiting for the reply.
pub fn which_children(sim: &mut BenchSimulation) -> Result<Vec<ChildInfo>, BenchError> {
    let call = sim.which_children();
    match sim.wait_reply(call).map_err(sim_error)? {
        Reply::WhichChildren(infos) => Ok(infos),
        other => Err(sim_error(format!("which_children gave {other:?}"))),
    }
}

/// `terminate_child(pid)`, waiting for the reply.
pub fn terminate_child(sim: &mut BenchSimulation, pid: Pid) -> Result<(), BenchError> {
    let call = sim.terminate_child(pid);
    match sim.wait_reply(call).map_err(sim_error)? {
        Reply::TerminateChild(Ok(())) => Ok(()),
        other => Err(sim_error(format!("terminate_child gave {other:?}"))),
    }
}

/// One crash and restart cycle: the clock moves on by `step_ms`, the child `pid` is killed,
/// and everything due is delivered (its exit reaches the supervisor, which restarts it).
/// Returns the new pid.
pub fn crash_and_restart(
    sim: &mut BenchSimulation,
    pid: Pid,
    step_ms: u64,
) -> Result<Pid, BenchError> {
    let at = sim.now().saturating_add_millis(step_ms);
    sim.run_until(at).map_err(sim_error)?;
    if !sim.kill_child(pid) {
        return Err(sim_error(format!("child {pid} was not alive")));
    }
    sim.run_until(at).map_err(sim_error)?;
    match sim.newest_child() {
        Some(new) if new > pid => Ok(new),
        other => Err(sim_error(format!("expected a restart, got {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_runs() {
        let mut sim = new_simulation(1_000).unwrap();
        let pids: Vec<Pid> = (0..10).map(|_| start_child(&mut sim).unwrap()).collect();
        assert_eq!(count_children(&mut sim).unwrap().active, 10);
        assert_eq!(which_children(&mut sim).unwrap().len(), 10);
        let first = pids.first().copied().unwrap();
        let new = crash_and_restart(&mut sim, first, 1).unwrap();
        assert_eq!(new, Pid(11));
        terminate_child(&mut sim, new).unwrap();
        assert_eq!(sim.supervisor().view().counts().active, 9);
    }
}
