//! Workloads on the bare core: a [`DynamicSupervisor`] driven through the shared driver
//! protocol ([`Host`]) with no simulator, no processes and no trace; the "start" of a child is
//! only the pid the host hands out, answered at once.

use dynsup::driver::{Action, Host, Request};
use dynsup::{
    ChildCounts, ChildInfo, ChildSpec, DriverError, DynamicSupervisor, ExitReason, Init, Instant,
    Options, Pid, Reply, Started,
};

use super::BenchError;

/// A supervisor core of `()` start functions and arguments, in the shared host.
pub struct BareCore {
    host: Host<(), (), ()>,
    now: Instant,
}

fn driver_error(err: DriverError) -> BenchError {
    BenchError(format!("bare core: {err}"))
}

fn unexpected(what: &str, action: Option<Action<(), (), ()>>) -> BenchError {
    BenchError(format!("bare core: expected {what}, got {action:?}"))
}

impl BareCore {
    /// A core that allows `max_restarts` restarts per second (the defaults otherwise).
    pub fn new(max_restarts: i64) -> Result<Self, BenchError> {
        let options = Options::default().max_restarts(max_restarts).max_seconds(1);
        let sup = DynamicSupervisor::with_options(options)
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        Ok(BareCore {
            host: Host::new(sup),
            now: Instant::ZERO,
        })
    }

    /// The core, for inspection.
    pub fn supervisor(&self) -> &DynamicSupervisor<(), ()> {
        self.host.core()
    }

    /// The next action that is not a report event.
    fn next_action(&mut self) -> Option<Action<(), (), ()>> {
        loop {
            match self.host.poll_action()? {
                Action::Event(_) => {}
                action => return Some(action),
            }
        }
    }

    fn reply(&mut self) -> Result<Reply, BenchError> {
        match self.next_action() {
            Some(Action::Reply { reply, .. }) => Ok(reply),
            other => Err(unexpected("a reply", other)),
        }
    }

    /// Answers the start the host asks for, at once, with success; returns its pid.
    fn answer_start(&mut self, what: &str) -> Result<Pid, BenchError> {
        let Some(Action::Start { start, .. }) = self.next_action() else {
            return Err(BenchError(format!("bare core: expected {what}")));
        };
        self.host
            .start_result(self.now, start, Init::Ok)
            .map_err(driver_error)?;
        Ok(start.pid)
    }

    /// `start_child` of a permanent worker: the call, the start, its result, the reply.
    pub fn start_child(&mut self) -> Result<Pid, BenchError> {
        let spec = ChildSpec::new((), Vec::new())
            .validate()
            .map_err(|err| BenchError(format!("bare core: {err}")))?;
        self.host
            .call(self.now, Request::StartChild(spec), ())
            .map_err(driver_error)?;
        let pid = self.answer_start("a start")?;
        match self.reply()? {
            Reply::StartChild(Ok(Started::Running { .. })) => Ok(pid),
            other => Err(BenchError(format!("bare core: start_child gave {other:?}"))),
        }
    }

    /// `count_children`, through the mailbox.
    pub fn count_children(&mut self) -> Result<ChildCounts, BenchError> {
        self.host
            .call(self.now, Request::CountChildren, ())
            .map_err(driver_error)?;
        match self.reply()? {
            Reply::CountChildren(counts) => Ok(counts),
            other => Err(BenchError(format!(
                "bare core: count_children gave {other:?}"
            ))),
        }
    }

    /// `which_children`, through the mailbox.
    pub fn which_children(&mut self) -> Result<Vec<ChildInfo>, BenchError> {
        self.host
            .call(self.now, Request::WhichChildren, ())
            .map_err(driver_error)?;
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
        self.host
            .call(self.now, Request::TerminateChild(pid), ())
            .map_err(driver_error)?;
        match self.next_action() {
            Some(Action::Shutdown { .. }) => {}
            other => return Err(unexpected("a shutdown", other)),
        }
        self.host
            .child_exited(self.now, pid, ExitReason::Shutdown)
            .map_err(driver_error)?;
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
        self.host
            .child_exited(self.now, pid, ExitReason::Killed)
            .map_err(driver_error)?;
        let new = self.answer_start("a restart")?;
        while self.host.poll_action().is_some() {}
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
