//! Tree files on the tokio runtime (`dynsup-sim run --runtime tokio FILE` with a tree file):
//! the tree built with the runtime's `StaticBuilder`/`Builder`, child supervisors and names,
//! driven by the tree step runner ([`crate::tree::runtime`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use dynsup::runtime::{Report, StaticStartError};
use dynsup::tokio_runtime::{ChildSupervisor, Registry, StaticSupervisor, Supervisor};
use dynsup::{Event, ExitReason, Instant, Pid};
use tokio::runtime::Runtime;

use super::run::{current_thread_runtime, multi_thread_runtime, TokioError, SETTLE_TIMEOUT};
use crate::scripted_worker::ScriptedWorker;
use crate::transcript::Transcript;
use crate::tree::core::{decl_flags, decl_options};
use crate::tree::runtime::{
    run_on, start_up_children, static_child_spec, Answer, ChildId, SupLog, TreeLog, TreeSpawner,
    TreeTarget,
};
use crate::tree::{Request, Tree};

type DynHandle = Supervisor<usize, (), ScriptedWorker>;
type StaticHandle = StaticSupervisor<ChildId, usize, (), ScriptedWorker>;

/// How many rounds of calls the runner makes, waiting for the tree to settle.
const MAX_SETTLE_ROUNDS: usize = 10_000;

/// How many events the runner lets pass while it waits for one step's time before it gives up
/// (a restart retried for ever: on a paused clock the step's time would never come).
const MAX_EVENTS_PER_WAIT: usize = 20_000;

/// A supervisor of the tree, either kind.
#[derive(Clone)]
enum Handle {
    Static(StaticHandle),
    Dynamic(DynHandle),
}

impl Handle {
    fn is_alive(&self) -> bool {
        match self {
            Handle::Static(h) => h.is_alive(),
            Handle::Dynamic(h) => h.is_alive(),
        }
    }

    async fn round_trip(&self) {
        let _ = match self {
            Handle::Static(h) => h.count_children().await,
            Handle::Dynamic(h) => h.count_children().await,
        };
    }

    async fn kill_supervisor(&self) -> bool {
        match self {
            Handle::Static(h) => h.kill_supervisor().await,
            Handle::Dynamic(h) => h.kill_supervisor().await,
        }
    }
}

/// Runs the tree file `tree` on a current-thread tokio runtime (with `paused`, on tokio's
/// paused clock: virtual time) and returns its transcript.
///
/// # Errors
///
/// [`TokioError`] when the runtime cannot be built or the tree does not settle.
pub fn run_tree_tokio(tree: &Tree, paused: bool) -> Result<Transcript, TokioError> {
    run_tree_on(current_thread_runtime(paused)?, tree)
}

/// Runs the tree file `tree` in real time on a multi-threaded tokio runtime of
/// `worker_threads` worker threads (every supervisor's task and every child's task move between
/// them, as in a tokio application) and returns its transcript. Real time is not exact: as on
/// the threaded runtime, a restart stamped near a second boundary may land in the next second.
///
/// # Errors
///
/// [`TokioError`] when the runtime cannot be built or the tree does not settle.
pub fn run_tree_tokio_multi_thread(
    tree: &Tree,
    worker_threads: usize,
) -> Result<Transcript, TokioError> {
    run_tree_on(multi_thread_runtime(worker_threads)?, tree)
}

/// Runs the tree file `tree` on `runtime` (its t = 0 is the root's start).
fn run_tree_on(runtime: Runtime, tree: &Tree) -> Result<Transcript, TokioError> {
    let appended = Arc::new(tokio::sync::Notify::new());
    let notify = Arc::clone(&appended);
    let mut target = TokioTree {
        tree: Arc::new(tree.clone()),
        log: TreeLog::with_hook(Arc::new(move || notify.notify_one())),
        appended,
        runtime,
        root: None,
        registry: Registry::new(),
        began: None,
        handles: BTreeMap::new(),
    };
    run_on(tree, &mut target)
}

/// A tree on tokio, as a [`TreeTarget`].
struct TokioTree {
    tree: Arc<Tree>,
    log: TreeLog,
    /// Told of every event appended to `log`.
    appended: Arc<tokio::sync::Notify>,
    runtime: Runtime,
    root: Option<Handle>,
    registry: Registry,
    /// The root's t = 0 on tokio's clock.
    began: Option<tokio::time::Instant>,
    /// Every supervisor process seen, by pid (`None`: gone before it could be looked up).
    handles: BTreeMap<Pid, Option<Handle>>,
}

/// The builder of supervisor `node`, as the child of another or as the root.
enum AnyBuilder {
    Static(dynsup::tokio_runtime::StaticBuilder<ChildId, usize, (), TreeSpawner>),
    Dynamic(dynsup::tokio_runtime::Builder<usize, (), TreeSpawner>),
}

fn builder(tree: &Arc<Tree>, log: &TreeLog, node: usize, root: bool) -> AnyBuilder {
    let decl = tree
        .node(node)
        .and_then(|n| n.sup().copied())
        .unwrap_or_default();
    let sup_log = SupLog::new(tree, log, root);
    let spawner = TreeSpawner::new(tree, log, false);
    let name = tree.name(node).to_owned();
    let cleanup = |_: Pid, worker: &ScriptedWorker| Some(Duration::from_millis(worker.stop_ms));
    let observer = sup_log.clone();
    let starts = sup_log.clone();
    let supervisors = move |function: &usize, _: &[()]| -> Option<ChildSupervisor> {
        if !starts.starting(*function) {
            return None;
        }
        Some(
            match builder(starts.tree(), starts.tree_log(), *function, false) {
                AnyBuilder::Static(b) => b.child(),
                AnyBuilder::Dynamic(b) => b.child(),
            },
        )
    };
    if decl.dynamic {
        AnyBuilder::Dynamic(
            Supervisor::builder(decl_options(&decl), spawner)
                .name(name)
                .observer(move |report: &Report| {
                    observer.observe(report, |event| match event {
                        Event::SupervisorDown { reason } => Some(reason),
                        _ => None,
                    });
                })
                .cleanup_time(cleanup)
                .supervisors(supervisors),
        )
    } else {
        AnyBuilder::Static(
            StaticSupervisor::builder(decl_flags(&decl), start_up_children(tree, node), spawner)
                .name(name)
                .observer(move |report: &Report<_>| {
                    observer.observe(report, |event| match event {
                        dynsup::driver::StaticReport::Event(
                            dynsup::static_supervisor::Event::SupervisorDown { reason },
                        ) => Some(reason),
                        _ => None,
                    });
                })
                .cleanup_time(cleanup)
                .supervisors(supervisors),
        )
    }
}

impl TokioTree {
    fn lookup(&self, node: usize) -> Option<Handle> {
        let name = self.tree.name(node);
        let decl = self.tree.node(node).and_then(|n| n.sup().copied())?;
        if decl.dynamic {
            self.registry.lookup::<DynHandle>(name).map(Handle::Dynamic)
        } else {
            self.registry
                .lookup::<StaticHandle>(name)
                .map(Handle::Static)
        }
    }

    /// Looks up the supervisors that started since the last look.
    fn capture(&mut self) -> bool {
        let mut new = false;
        for (node, pid) in self.log.supervisors(&self.tree) {
            if self.handles.contains_key(&pid) {
                continue;
            }
            new = true;
            let found = match self.registry.whereis(self.tree.name(node)) {
                Some(holder) if holder == pid => self.lookup(node),
                _ => None,
            };
            self.handles.insert(pid, found);
        }
        new
    }

    fn wait_settled(&mut self, line: usize) -> Result<(), TokioError> {
        for _ in 0..MAX_SETTLE_ROUNDS {
            let new = self.capture();
            let before = self.log.len();
            let alive: Vec<Handle> = self
                .handles
                .values()
                .flatten()
                .filter(|h| h.is_alive())
                .cloned()
                .collect();
            self.runtime.block_on(async {
                for handle in &alive {
                    handle.round_trip().await;
                }
            });
            if !new && self.log.len() == before {
                return Ok(());
            }
        }
        Err(TokioError::Unsettled { line })
    }
}

impl TreeTarget for TokioTree {
    type Error = TokioError;

    fn log(&self) -> &TreeLog {
        &self.log
    }

    fn start_root(&mut self) -> Result<Result<(), ExitReason>, TokioError> {
        let k = self.log.next_attempt(0);
        let registry = self.registry.clone();
        let began = self.runtime.block_on(async { tokio::time::Instant::now() });
        self.began = Some(began);
        let started = match builder(&self.tree, &self.log, 0, true) {
            AnyBuilder::Static(b) => self
                .runtime
                .block_on(b.registry(&registry).start_link())
                .map(Handle::Static)
                .map_err(|e| match e {
                    StaticStartError::FailedToStartChild(failed) => failed.exit_reason(),
                    other => ExitReason::other(other.to_string()),
                }),
            AnyBuilder::Dynamic(b) => self
                .runtime
                .block_on(b.registry(&registry).start_link())
                .map(Handle::Dynamic)
                .map_err(|e| ExitReason::other(e.to_string())),
        };
        Ok(match started {
            Ok(handle) => {
                let pid = match &handle {
                    Handle::Static(h) => h.pid(),
                    Handle::Dynamic(h) => h.pid(),
                };
                if let Some(pid) = pid {
                    self.log.name_pid(pid, 0, k);
                    self.handles.insert(pid, Some(handle.clone()));
                }
                self.root = Some(handle);
                Ok(())
            }
            Err(reason) => Err(reason),
        })
    }

    fn settle(&mut self, at: Instant, line: usize) -> Result<(), TokioError> {
        if let Some(began) = self.began {
            let until = began + Duration::from_millis(at.as_millis());
            let (log, appended) = (self.log.clone(), Arc::clone(&self.appended));
            // Waits without keeping the runtime busy, so the paused clock still advances.
            let too_busy = async move {
                let first = log.len();
                loop {
                    appended.notified().await;
                    if log.len().saturating_sub(first) > MAX_EVENTS_PER_WAIT {
                        return;
                    }
                }
            };
            let reached = self.runtime.block_on(async move {
                tokio::select! {
                    () = tokio::time::sleep_until(until) => true,
                    () = too_busy => false,
                }
            });
            if !reached {
                return Err(TokioError::Unsettled { line });
            }
        }
        self.wait_settled(line)
    }

    fn call(&mut self, sup: usize, request: Request) -> Result<Answer, TokioError> {
        let Some(handle) = self.lookup(sup) else {
            return Ok(Answer::NoProc);
        };
        let tree = Arc::clone(&self.tree);
        Ok(self.runtime.block_on(async move {
            match (handle, request) {
                (Handle::Static(h), Request::Start(node)) => {
                    Answer::StaticStart(h.start_child(static_child_spec(&tree, node)).await)
                }
                (Handle::Static(h), Request::Restart(node)) => {
                    Answer::StaticStart(h.restart_child(ChildId::of(&tree, node)).await)
                }
                (Handle::Static(h), Request::TerminateId(node)) => {
                    Answer::StaticDone(h.terminate_child(ChildId::of(&tree, node)).await)
                }
                (Handle::Static(h), Request::Delete(node)) => {
                    Answer::StaticDone(h.delete_child(ChildId::of(&tree, node)).await)
                }
                (Handle::Static(h), Request::Count) => Answer::Count(h.count_children().await),
                (Handle::Static(h), Request::Which) => {
                    Answer::StaticWhich(h.which_children().await)
                }
                (Handle::Dynamic(h), Request::Start(node)) => Answer::DynamicStart(
                    h.start_child(crate::tree::calls::node_spec(&tree, node, false))
                        .await,
                ),
                (Handle::Dynamic(h), Request::TerminatePid(pid)) => {
                    Answer::DynamicTerminate(h.terminate_child(pid.unwrap_or(Pid(u64::MAX))).await)
                }
                (Handle::Dynamic(h), Request::Count) => Answer::Count(h.count_children().await),
                (Handle::Dynamic(h), Request::Which) => {
                    Answer::DynamicWhich(h.which_children().await)
                }
                // The parser gives each kind only its own calls.
                _ => Answer::NoProc,
            }
        }))
    }

    fn exit(
        &mut self,
        parent: usize,
        pid: Pid,
        reason: ExitReason,
        line: usize,
    ) -> Result<bool, TokioError> {
        let Some(handle) = self.lookup(parent) else {
            return Ok(false);
        };
        let log = self.log.clone();
        self.runtime.block_on(async move {
            let alive = match &handle {
                Handle::Static(h) => h.send(pid, reason).await,
                Handle::Dynamic(h) => h.send(pid, reason).await,
            };
            if !alive {
                return Ok(false);
            }
            // Its exit reaches its supervisor before the next step's calls do.
            let down = async {
                while !log.has_down(pid) {
                    tokio::task::yield_now().await;
                }
            };
            tokio::time::timeout(SETTLE_TIMEOUT, down)
                .await
                .map(|()| true)
                .map_err(|_| TokioError::ExitLost { line })
        })
    }

    fn kill(&mut self, parent: Option<usize>, pid: Pid) -> Result<bool, TokioError> {
        // A supervisor is killed through its own handle (the root has no parent to ask).
        self.capture();
        let own = match self.handles.get(&pid) {
            Some(Some(handle)) => Some(handle.clone()),
            _ if parent.is_none() => self.root.clone(),
            _ => None,
        };
        if let Some(handle) = own {
            return Ok(self
                .runtime
                .block_on(async move { handle.kill_supervisor().await }));
        }
        let Some(parent) = parent else {
            return Ok(false);
        };
        let Some(handle) = self.lookup(parent) else {
            return Ok(false);
        };
        Ok(self.runtime.block_on(async move {
            match &handle {
                Handle::Static(h) => h.kill(pid).await,
                Handle::Dynamic(h) => h.kill(pid).await,
            }
        }))
    }

    fn stop(&mut self) -> Result<bool, TokioError> {
        Ok(match &self.root {
            Some(Handle::Static(h)) => h.exit(ExitReason::Shutdown),
            Some(Handle::Dynamic(h)) => h.exit(ExitReason::Shutdown),
            None => false,
        })
    }

    fn finish(&mut self) -> Result<(), TokioError> {
        self.wait_settled(0)
    }

    fn clean_up(&mut self) {
        let root = self.root.take();
        self.handles.clear();
        if let Some(root) = root {
            let _ = self.runtime.block_on(async move {
                match root {
                    Handle::Static(h) => h.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT)).await,
                    Handle::Dynamic(h) => h.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT)).await,
                }
            });
        }
    }
}
