//! The tokio runtime as a workload (feature `tokio`): the seeds' scale, N live children (one
//! task each) under one supervisor on a multi-threaded tokio runtime, driven through the real
//! async handle. Each operation is timed from a task of the runtime, one call after another.

use std::future::Future;

use dynsup::runtime::Report;
use dynsup::tokio_runtime::{PartitionStarted, PartitionSupervisor, Supervisor};
use dynsup::{ChildSpec, ExitReason, Options, Pid, Restart, StartOutcome, Started};
use tokio::runtime::Runtime;

use super::simulated::{IdleSpawner, IdleWorker};
use super::timing::{ns_per, per_second, timed_async};
use super::BenchError;

/// The figures of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokioFigures {
    /// `start_child` of an idle worker, N calls one after another, µs per child.
    pub start_child_us: f64,
    /// `terminate_child` of each of the N children, one after another, µs per child.
    pub terminate_child_us: f64,
    /// `stop` of the supervisor with its N children, in seconds.
    pub stop_s: f64,
    /// Crash and restart cycles per second (a kill, then the restarted child's start seen).
    pub restarts_per_sec: f64,
    /// Children started per second through a `PartitionSupervisor` of 1 and of 2 partitions,
    /// one starting task per partition.
    pub partition_starts_per_sec: [f64; 2],
}

fn tokio_error(err: impl std::fmt::Debug) -> BenchError {
    BenchError(format!("tokio runtime: {err:?}"))
}

/// The multi-threaded runtime the workloads run on (one worker thread per core).
pub fn runtime() -> Result<Runtime, BenchError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(tokio_error)
}

/// Runs `work` as a task of `runtime` (not on the calling thread, which is not one of its
/// workers) and waits for its result.
fn on<T: Send + 'static>(
    runtime: &Runtime,
    work: impl Future<Output = Result<T, BenchError>> + Send + 'static,
) -> Result<T, BenchError> {
    runtime.block_on(runtime.spawn(work)).map_err(tokio_error)?
}

/// The supervisor the population workloads use.
pub type TokioSupervisor = Supervisor<(), (), IdleWorker>;

/// Starts a supervisor of idle workers allowing `max_restarts` restarts per second.
pub async fn start_supervisor(max_restarts: i64) -> Result<TokioSupervisor, BenchError> {
    Supervisor::start_link(
        Options::default().max_restarts(max_restarts).max_seconds(1),
        IdleSpawner,
    )
    .await
    .map_err(tokio_error)
}

/// Starts `children` idle children under `sup`, one call after another; returns their pids.
pub async fn start_children(sup: &TokioSupervisor, children: u64) -> Result<Vec<Pid>, BenchError> {
    let mut pids = Vec::with_capacity(usize::try_from(children).unwrap_or(0));
    for _ in 0..children {
        match sup.start_child(ChildSpec::new((), Vec::new())).await {
            Ok(Started::Running { pid, .. }) => pids.push(pid),
            other => return Err(tokio_error(other)),
        }
    }
    Ok(pids)
}

/// Starts `children` children through a `PartitionSupervisor` of `partitions` partitions,
/// from one task per partition (each starts the keys `0..children` that route to it); returns
/// children started per second, then stops it.
async fn partition_starts(partitions: usize, children: u64) -> Result<f64, BenchError> {
    let sup = PartitionSupervisor::start_link(partitions, Options::default(), |_| IdleSpawner)
        .await
        .map_err(tokio_error)?;
    let (elapsed, started) = timed_async(async {
        let mut tasks = Vec::with_capacity(partitions);
        for partition in 0..partitions {
            let sup = sup.clone();
            tasks.push(tokio::spawn(async move {
                for key in (0..children).filter(|key| sup.partition_for(key) == partition) {
                    match sup.start_child(&key, ChildSpec::new((), Vec::new())).await {
                        Ok(PartitionStarted::Running { .. }) => {}
                        other => return Err(tokio_error(other)),
                    }
                }
                Ok(())
            }));
        }
        for task in tasks {
            task.await.map_err(tokio_error)??;
        }
        Ok::<(), BenchError>(())
    })
    .await;
    started?;
    let rate = per_second(elapsed, children);
    let counted = sup.count_children().await.map_err(tokio_error)?.active;
    if counted != children {
        return Err(tokio_error(format!("{counted} of {children} children")));
    }
    sup.stop(ExitReason::Shutdown, None)
        .await
        .map_err(tokio_error)?;
    Ok(rate)
}

/// Runs `cycles` crash and restart cycles of one permanent child: kill it, wait for its
/// restart's start (told by the observer); returns cycles per second.
async fn restarts(cycles: u64) -> Result<f64, BenchError> {
    let (tell, mut starts) = tokio::sync::mpsc::unbounded_channel();
    let options = Options::default()
        .max_restarts(i64::try_from(cycles).unwrap_or(i64::MAX).saturating_add(1))
        .max_seconds(1);
    let sup = Supervisor::builder(options, IdleSpawner)
        .observer(move |report: &Report| {
            if let Report::StartAttempt {
                outcome: StartOutcome::Started { pid, .. },
                ..
            } = report
            {
                let _ = tell.send(*pid);
            }
        })
        .start_link()
        .await
        .map_err(tokio_error)?;
    let spec = ChildSpec::new((), Vec::new()).restart(Restart::Permanent);
    let Ok(Started::Running { mut pid, .. }) = sup.start_child(spec).await else {
        return Err(tokio_error("the first child did not start"));
    };
    starts.recv().await;
    let (elapsed, cycled) = timed_async(async {
        for _ in 0..cycles {
            if !sup.kill(pid).await {
                return Err(tokio_error(format!("{pid} was not alive")));
            }
            pid = starts
                .recv()
                .await
                .ok_or_else(|| tokio_error("the supervisor is gone"))?;
        }
        Ok(())
    })
    .await;
    cycled?;
    let rate = per_second(elapsed, cycles);
    sup.stop(ExitReason::Shutdown, None)
        .await
        .map_err(tokio_error)?;
    Ok(rate)
}

/// One run of every workload at `children` children, with `restart_cycles` crash and
/// restart cycles, on a fresh multi-threaded runtime.
pub fn measure(children: u64, restart_cycles: u64) -> Result<TokioFigures, BenchError> {
    let runtime = runtime()?;
    let children = children.max(1);
    on(&runtime, async move {
        // start_child, then terminate_child of each.
        let sup = start_supervisor(3).await?;
        let (elapsed, pids) = timed_async(start_children(&sup, children)).await;
        let pids = pids?;
        let start_child_us = ns_per(elapsed, children) / 1e3;
        let (elapsed, terminated) = timed_async(async {
            for &pid in &pids {
                sup.terminate_child(pid).await.map_err(tokio_error)?;
            }
            Ok::<(), BenchError>(())
        })
        .await;
        terminated?;
        let terminate_child_us = ns_per(elapsed, children) / 1e3;
        drop(pids);
        // stop with every child.
        start_children(&sup, children).await?;
        let (elapsed, stopped) = timed_async(sup.stop(ExitReason::Shutdown, None)).await;
        stopped.map_err(tokio_error)?;
        let stop_s = elapsed.as_secs_f64();
        let partition_starts_per_sec = [
            partition_starts(1, children).await?,
            partition_starts(2, children).await?,
        ];
        Ok(TokioFigures {
            start_child_us,
            terminate_child_us,
            stop_s,
            restarts_per_sec: restarts(restart_cycles.max(1)).await?,
            partition_starts_per_sec,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_measures_every_figure() {
        let figures = measure(50, 20).unwrap();
        assert!(figures.start_child_us > 0.0);
        assert!(figures.terminate_child_us > 0.0);
        assert!(figures.stop_s > 0.0);
        assert!(figures.restarts_per_sec > 0.0);
        assert!(figures
            .partition_starts_per_sec
            .iter()
            .all(|&rate| rate > 0.0));
    }
}
