//! The threaded runtime as a workload: `start_child` and `terminate_child` latency through a
//! real [`Supervisor`] handle, each child a thread of its own.

use dynsup::runtime::{BoxedWorker, Supervisor};
use dynsup::{ChildSpec, ExitReason, Options, Pid, Started};

use super::simulated::IdleWorker;
use super::timing::{median, timed};
use super::BenchError;

/// The latencies of one run, in microseconds per call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThreadFigures {
    /// `start_child` of an idle worker (its thread spawned, `init` run), median call.
    pub start_child_us: f64,
    /// `count_children` with all the children running, median call.
    pub count_children_us: f64,
    /// `terminate_child` of an idle worker (shutdown, its thread ends), median call.
    pub terminate_child_us: f64,
}

fn runtime_error(err: impl std::fmt::Debug) -> BenchError {
    BenchError(format!("threaded runtime: {err:?}"))
}

/// Starts `children` idle workers one call at a time, counts them, then terminates each;
/// returns the median latency of each kind of call.
pub fn measure(children: usize) -> Result<ThreadFigures, BenchError> {
    let spawner = |_: &(), _: &[()]| -> BoxedWorker<()> { Box::new(IdleWorker) };
    let sup = Supervisor::start_link(Options::default(), spawner).map_err(runtime_error)?;
    let mut starts = Vec::with_capacity(children);
    let mut pids: Vec<Pid> = Vec::with_capacity(children);
    for _ in 0..children {
        let (elapsed, started) = timed(|| sup.start_child(ChildSpec::new((), Vec::new())));
        match started.map_err(runtime_error)? {
            Started::Running { pid, .. } => pids.push(pid),
            Started::Ignored => return Err(runtime_error("an idle worker was ignored")),
        }
        starts.push(elapsed.as_secs_f64() * 1e6);
    }
    let mut counts = Vec::with_capacity(100);
    for _ in 0..100 {
        let (elapsed, counted) = timed(|| sup.count_children());
        counted.map_err(runtime_error)?;
        counts.push(elapsed.as_secs_f64() * 1e6);
    }
    let mut terminates = Vec::with_capacity(children);
    for &pid in &pids {
        let (elapsed, terminated) = timed(|| sup.terminate_child(pid));
        terminated.map_err(runtime_error)?;
        terminates.push(elapsed.as_secs_f64() * 1e6);
    }
    sup.stop(ExitReason::Normal, None).map_err(runtime_error)?;
    Ok(ThreadFigures {
        start_child_us: median(&starts),
        count_children_us: median(&counts),
        terminate_child_us: median(&terminates),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_threads_run() {
        let figures = measure(3).unwrap();
        assert!(figures.start_child_us > 0.0);
        assert!(figures.terminate_child_us > 0.0);
    }
}
