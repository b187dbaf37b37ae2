//! Tree files on the threaded runtime (`dynsup-sim run --runtime threads FILE` with a tree
//! file), in real time: the tree built with the runtime's `StaticBuilder`/`Builder`, child
//! supervisors and names, driven by the tree step runner ([`crate::tree::runtime`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use dynsup::runtime::{
    ChildSupervisor, Registry, Report, StaticStartError, StaticSupervisor, Supervisor,
};
use dynsup::{Event, ExitReason, Instant, Pid};

use super::run::{ThreadsError, SETTLE_TIMEOUT};
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

    fn round_trip(&self) {
        let _ = match self {
            Handle::Static(h) => h.count_children(),
            Handle::Dynamic(h) => h.count_children(),
        };
    }

    fn now(&self) -> Instant {
        match self {
            Handle::Static(h) => h.now(),
            Handle::Dynamic(h) => h.now(),
        }
    }

    fn kill_supervisor(&self) -> bool {
        match self {
            Handle::Static(h) => h.kill_supervisor(),
            Handle::Dynamic(h) => h.kill_supervisor(),
        }
    }
}

/// Runs the tree file `tree` on the threaded runtime in real time (its t = 0 is the root's
/// start) and returns its transcript.
///
/// # Errors
///
/// [`ThreadsError`] when the tree does not settle, or a worker told to exit does not end.
pub fn run_tree_threads(tree: &Tree) -> Result<Transcript, ThreadsError> {
    let mut target = ThreadsTree {
        tree: Arc::new(tree.clone()),
        log: TreeLog::default(),
        root: None,
        registry: Registry::new(),
        began: std::time::Instant::now(),
        handles: BTreeMap::new(),
    };
    run_on(tree, &mut target)
}

/// A tree on threads, as a [`TreeTarget`].
struct ThreadsTree {
    tree: Arc<Tree>,
    log: TreeLog,
    root: Option<Handle>,
    registry: Registry,
    /// When the root's start began (its clock, once it runs, is read from it).
    began: std::time::Instant,
    /// Every supervisor process seen, by pid (`None`: gone before it could be looked up).
    handles: BTreeMap<Pid, Option<Handle>>,
}

/// The builder of supervisor `node`, as the child of another or as the root.
enum AnyBuilder {
    Static(dynsup::runtime::StaticBuilder<ChildId, usize, (), TreeSpawner>),
    Dynamic(dynsup::runtime::Builder<usize, (), TreeSpawner>),
}

fn builder(tree: &Arc<Tree>, log: &TreeLog, node: usize, root: bool) -> AnyBuilder {
    let decl = tree
        .node(node)
        .and_then(|n| n.sup().copied())
        .unwrap_or_default();
    let sup_log = SupLog::new(tree, log, root);
    // A trapping worker's `terminate` really takes its `stop_ms`.
    let spawner = TreeSpawner::new(tree, log, true);
    let name = tree.name(node).to_owned();
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
                .supervisors(supervisors),
        )
    }
}

impl ThreadsTree {
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

    /// Waits until a round of calls to every live supervisor of the tree (each answered once
    /// what it is in the middle of is over) sees nothing new reported.
    fn wait_settled(&mut self, line: usize) -> Result<(), ThreadsError> {
        let begun = std::time::Instant::now();
        loop {
            let new = self.capture();
            let before = self.log.len();
            for handle in self.handles.values().flatten() {
                if handle.is_alive() {
                    handle.round_trip();
                }
            }
            if !new && self.log.len() == before {
                return Ok(());
            }
            if begun.elapsed() > SETTLE_TIMEOUT {
                return Err(ThreadsError::Unsettled { line });
            }
        }
    }

    /// The root's clock (from the start of its start when it is gone).
    fn now(&self) -> Instant {
        match &self.root {
            Some(root) if root.is_alive() => root.now(),
            _ => Instant::from_millis(
                u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX),
            ),
        }
    }
}

impl TreeTarget for ThreadsTree {
    type Error = ThreadsError;

    fn log(&self) -> &TreeLog {
        &self.log
    }

    fn start_root(&mut self) -> Result<Result<(), ExitReason>, ThreadsError> {
        let k = self.log.next_attempt(0);
        let registry = self.registry.clone();
        self.began = std::time::Instant::now();
        let started = match builder(&self.tree, &self.log, 0, true) {
            AnyBuilder::Static(b) => b
                .registry(&registry)
                .start_link()
                .map(Handle::Static)
                .map_err(|e| match e {
                    StaticStartError::FailedToStartChild(failed) => failed.exit_reason(),
                    other => ExitReason::other(other.to_string()),
                }),
            AnyBuilder::Dynamic(b) => b
                .registry(&registry)
                .start_link()
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

    fn settle(&mut self, at: Instant, line: usize) -> Result<(), ThreadsError> {
        loop {
            let now = self.now();
            if now >= at {
                break;
            }
            std::thread::sleep(Duration::from_millis(at.as_millis() - now.as_millis()));
        }
        self.wait_settled(line)
    }

    fn call(&mut self, sup: usize, request: Request) -> Result<Answer, ThreadsError> {
        let Some(handle) = self.lookup(sup) else {
            return Ok(Answer::NoProc);
        };
        let tree = &self.tree;
        Ok(match (handle, request) {
            (Handle::Static(h), Request::Start(node)) => {
                Answer::StaticStart(h.start_child(static_child_spec(tree, node)))
            }
            (Handle::Static(h), Request::Restart(node)) => {
                Answer::StaticStart(h.restart_child(ChildId::of(tree, node)))
            }
            (Handle::Static(h), Request::TerminateId(node)) => {
                Answer::StaticDone(h.terminate_child(ChildId::of(tree, node)))
            }
            (Handle::Static(h), Request::Delete(node)) => {
                Answer::StaticDone(h.delete_child(ChildId::of(tree, node)))
            }
            (Handle::Static(h), Request::Count) => Answer::Count(h.count_children()),
            (Handle::Static(h), Request::Which) => Answer::StaticWhich(h.which_children()),
            (Handle::Dynamic(h), Request::Start(node)) => Answer::DynamicStart(
                h.start_child(crate::tree::calls::node_spec(tree, node, false)),
            ),
            (Handle::Dynamic(h), Request::TerminatePid(pid)) => {
                Answer::DynamicTerminate(h.terminate_child(pid.unwrap_or(Pid(u64::MAX))))
            }
            (Handle::Dynamic(h), Request::Count) => Answer::Count(h.count_children()),
            (Handle::Dynamic(h), Request::Which) => Answer::DynamicWhich(h.which_children()),
            // The parser gives each kind only its own calls.
            _ => Answer::NoProc,
        })
    }

    fn exit(
        &mut self,
        parent: usize,
        pid: Pid,
        reason: ExitReason,
        line: usize,
    ) -> Result<bool, ThreadsError> {
        let Some(handle) = self.lookup(parent) else {
            return Ok(false);
        };
        let alive = match &handle {
            Handle::Static(h) => h.send(pid, reason),
            Handle::Dynamic(h) => h.send(pid, reason),
        };
        if !alive {
            return Ok(false);
        }
        // Its exit reaches its supervisor before the next step's calls do.
        let begun = std::time::Instant::now();
        while !self.log.has_down(pid) {
            if begun.elapsed() > SETTLE_TIMEOUT {
                return Err(ThreadsError::ExitLost { line });
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(true)
    }

    fn kill(&mut self, parent: Option<usize>, pid: Pid) -> Result<bool, ThreadsError> {
        // A supervisor is killed through its own handle (the root has no parent to ask).
        self.capture();
        if let Some(Some(handle)) = self.handles.get(&pid) {
            return Ok(handle.kill_supervisor());
        }
        let Some(parent) = parent else {
            return Ok(self.root.as_ref().is_some_and(Handle::kill_supervisor));
        };
        Ok(match self.lookup(parent) {
            Some(Handle::Static(h)) => h.kill(pid),
            Some(Handle::Dynamic(h)) => h.kill(pid),
            None => false,
        })
    }

    fn stop(&mut self) -> Result<bool, ThreadsError> {
        Ok(match &self.root {
            Some(Handle::Static(h)) => h.exit(ExitReason::Shutdown),
            Some(Handle::Dynamic(h)) => h.exit(ExitReason::Shutdown),
            None => false,
        })
    }

    fn finish(&mut self) -> Result<(), ThreadsError> {
        self.wait_settled(0)
    }

    fn clean_up(&mut self) {
        self.handles.clear();
        match self.root.take() {
            Some(Handle::Static(h)) => {
                let _ = h.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT));
                let _ = h.wait_threads(Some(SETTLE_TIMEOUT));
            }
            Some(Handle::Dynamic(h)) => {
                let _ = h.stop(ExitReason::Shutdown, Some(SETTLE_TIMEOUT));
                let _ = h.wait_threads(Some(SETTLE_TIMEOUT));
            }
            None => {}
        }
    }
}
