//! Workloads on the bare core: a [`DynamicSupervisor`] driven by hand, with no simulator, no
//! processes and no trace; the "start" of a child is only a fresh pid handed back.

use dynsup::{
    CallId, ChildCounts, ChildInfo, ChildSpec, DynamicSupervisor, Effect, ExitReason, Instant,
    Options, Pid, Reply, StartOutcome, Started,
};

use super::BenchError;

/// A supervisor core of `()` start functions and arguments, with the driver's counters.
pub struct BareCore {
    sup: DynamicSupervisor<(), ()>,
    next_pid: u64,
    next_call: u64,
    now: Instant,
}

fn unexpected(what: &str, effect: Option<Effect<(), ()>>) -> BenchError {
    BenchError(format!("bare core: expected {what}, got {effect:?}"))
}

impl BareCore {
    /// A core that allows `max_restarts` restarts per second (the defaults otherwise).
    pub fn new(max_restarts: i64) -> Result<Self, BenchError> {
        let options = Options::default().max_restarts(max_restarts).max_seconds(1);
        let sup = DynamicSupervisor::with_options(options)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        Ok(BareCore {
            sup,
            next_pid: 1,
            next_call: 0,
            now: Instant::ZERO,
        })
    }

    /// The core, for inspection.
    pub fn supervisor(&self) -> &DynamicSupervisor<(), ()> {
        &self.sup
    }

    fn call_id(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    fn reply(&mut self) -> Result<Reply, BenchError> {
        while self.sup.poll_event().is_some() {}
        match self.sup.poll_effect() {
            Some(Effect::Reply { reply, .. }) => Ok(reply),
            other => Err(unexpected("a reply", other)),
        }
    }

    /// Answers the pending start with a fresh pid and returns it.
    fn answer_start(&mut self) -> Result<Pid, BenchError> {
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        let outcome = StartOutcome::Started { pid, info: None };
        self.sup
            .handle_start_result(self.now, outcome)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        Ok(pid)
    }

    /// `start_child` of a permanent worker: the call, the start effect, its result, the reply.
    pub fn start_child(&mut self) -> Result<Pid, BenchError> {
        let call = self.call_id();
        let spec = ChildSpec::new((), Vec::new())
            .validate()
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        self.sup
            .start_child(self.now, call, spec)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.sup.poll_effect() {
            Some(Effect::Start { .. }) => {}
            other => return Err(unexpected("a start", other)),
        }
        let pid = self.answer_start()?;
        match self.reply()? {
            Reply::StartChild(Ok(Started::Running { .. })) => Ok(pid),
            other => Err(BenchError(format!("bare core: start_child gave {other:?}"))),
        }
    }

    /// `count_children`, through the mailbox.
    pub fn count_children(&mut self) -> Result<ChildCounts, BenchError> {
        let call = self.call_id();
        self.sup
            .count_children(self.now, call)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.reply()? {
            Reply::CountChildren(counts) => Ok(counts),
            other => Err(BenchError(format!(
                "bare core: count_children gave {other:?}"
            ))),
        }
    }

    /// `which_children`, through the mailbox.
    pub fn which_children(&mut self) -> Result<Vec<ChildInfo>, BenchError> {
        let call = self.call_id();
        self.sup
            .which_children(self.now, call)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.reply()? {
            Reply::WhichChildren(infos) => Ok(infos),
            other => Err(BenchError(format!(
                "bare core: which_children gave {other:?}"
            ))),
        }
    }

    /// `terminate_child(pid)` of a running worker: the call, the shutdown signal, the child's
    /// exit (at once, as a worker that does not trap exits), the reply.
    pub fn terminate_child(&mut self, pid: Pid) -> Result<(), BenchError> {
        let call = self.call_id();
        self.sup
            .terminate_child(self.now, call, pid)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.sup.poll_effect() {
            Some(Effect::Shutdown { .. }) => {}
            other => return Err(unexpected("a shutdown", other)),
        }
        self.sup
            .handle_child_exit(self.now, pid, ExitReason::Shutdown)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.reply()? {
            Reply::TerminateChild(Ok(())) => Ok(()),
            other => Err(BenchError(format!(
                "bare core: terminate_child gave {other:?}"
            ))),
        }
    }

    /// One crash and restart cycle: the child `pid` is killed, the core asks for a restart,
    /// the restart succeeds; returns the new pid. The clock moves on by `step_ms` first.
    pub fn crash_and_restart(&mut self, pid: Pid, step_ms: u64) -> Result<Pid, BenchError> {
        self.now = self.now.saturating_add_millis(step_ms);
        self.sup
            .handle_child_exit(self.now, pid, ExitReason::Killed)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        match self.sup.poll_effect() {
            Some(Effect::Start { .. }) => {}
            other => return Err(unexpected("a restart", other)),
        }
        let new = self.answer_start()?;
        while self.sup.poll_event().is_some() {}
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_runs() {
        let mut core = BareCore::new(1_000).unwrap();
        let pids: Vec<Pid> = (0..10).map(|_| core.start_child().unwrap()).collect();
        assert_eq!(core.count_children().unwrap().active, 10);
        assert_eq!(core.which_children().unwrap().len(), 10);
        let first = pids.first().copied().unwrap();
        let new = core.crash_and_restart(first, 1).unwrap();
        assert_eq!(new, Pid(11));
        core.terminate_child(new).unwrap();
        assert_eq!(core.supervisor().view().counts().active, 9);
    }
}
