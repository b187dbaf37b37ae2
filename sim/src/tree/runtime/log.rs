//! What the supervisors of a tree on a real runtime report, gathered in one log: each
//! supervisor process's observer turns its reports into tree events (`up`, `ignore`, `fail`,
//! `down`, `sup down`) named by `NAME#K`, K counting the starts of a node across the whole tree.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use dynsup::driver::Spawner;
use dynsup::runtime::Report;
use dynsup::{ExitReason, Pid, StartOutcome};

use crate::scenario::InitOutcome;
use crate::scripted_worker::ScriptedWorker;
use crate::tree::model::{NodeKind, Tree};

/// The id of a static child on a runtime: its node, printed by its name (so that
/// `failed_to_start_child:ID:R` names it as the oracle does).
#[derive(Clone)]
pub struct ChildId {
    /// The node's index.
    pub node: usize,
    name: Arc<str>,
}

impl ChildId {
    /// The id of `node` of `tree`.
    pub fn of(tree: &Tree, node: usize) -> Self {
        ChildId {
            node,
            name: Arc::from(tree.name(node)),
        }
    }
}

impl PartialEq for ChildId {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl Eq for ChildId {}

impl fmt::Debug for ChildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// One thing that happened in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeEvent {
    /// Attempt K of a node runs as `pid`.
    Up(usize, u64, Pid),
    /// Attempt K of a worker returned `ignore`.
    Ignore(usize, u64),
    /// Attempt K failed.
    Fail(usize, u64, ExitReason),
    /// A process ended.
    Down(Pid, ExitReason),
    /// The root ended.
    RootDown(ExitReason),
}

#[derive(Debug, Default)]
struct Inner {
    /// Starts of each node so far (its last K).
    counts: Vec<u64>,
    events: Vec<TreeEvent>,
    /// The node and K of every process that ran.
    refs: BTreeMap<Pid, (usize, u64)>,
}

/// Called after every event appended (a runtime's runner waits on it).
pub type Hook = Arc<dyn Fn() + Send + Sync>;

/// The log of one tree run; clones share it.
#[derive(Clone, Default)]
pub struct TreeLog(Arc<Mutex<Inner>>, Option<Hook>);

impl fmt::Debug for TreeLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TreeLog")
            .field(&self.0)
            .finish_non_exhaustive()
    }
}

impl TreeLog {
    /// An empty log that calls `hook` after every event appended.
    pub fn with_hook(hook: Hook) -> Self {
        TreeLog(Arc::default(), Some(hook))
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new start of `node`: its K.
    pub fn next_attempt(&self, node: usize) -> u64 {
        let mut inner = self.inner();
        if inner.counts.len() <= node {
            inner.counts.resize(node + 1, 0);
        }
        let mut k = 0;
        if let Some(count) = inner.counts.get_mut(node) {
            *count += 1;
            k = *count;
        }
        k
    }

    /// The K of the last start of `node`.
    pub fn last_attempt(&self, node: usize) -> u64 {
        self.inner().counts.get(node).copied().unwrap_or(0)
    }

    /// Records that `pid` is attempt K of `node` (the root's own process).
    pub fn name_pid(&self, pid: Pid, node: usize, k: u64) {
        self.inner().refs.insert(pid, (node, k));
    }

    /// Appends an event.
    pub fn push(&self, event: TreeEvent) {
        let mut inner = self.inner();
        if let TreeEvent::Up(node, k, pid) = event {
            inner.refs.insert(pid, (node, k));
        }
        inner.events.push(event);
        drop(inner);
        if let Some(hook) = &self.1 {
            hook();
        }
    }

    /// How many events so far.
    pub fn len(&self) -> usize {
        self.inner().events.len()
    }

    /// Whether nothing happened yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The events from index `from` on.
    pub fn events_from(&self, from: usize) -> Vec<TreeEvent> {
        self.inner().events.get(from..).unwrap_or(&[]).to_vec()
    }

    /// Whether `pid`'s end was reported.
    pub fn has_down(&self, pid: Pid) -> bool {
        self.inner()
            .events
            .iter()
            .any(|e| matches!(e, TreeEvent::Down(p, _) if *p == pid))
    }

    /// The node and K of `pid`.
    pub fn ref_of(&self, pid: Pid) -> Option<(usize, u64)> {
        self.inner().refs.get(&pid).copied()
    }

    /// The process of `NAME#K`.
    pub fn pid_of(&self, node: usize, k: u64) -> Option<Pid> {
        self.inner()
            .refs
            .iter()
            .find(|(_, r)| **r == (node, k))
            .map(|(pid, _)| *pid)
    }

    /// The supervisor processes that ever ran (node, pid), in pid order.
    pub fn supervisors(&self, tree: &Tree) -> Vec<(usize, Pid)> {
        self.inner()
            .refs
            .iter()
            .filter(|(_, (node, _))| tree.node(*node).is_some_and(|n| n.sup().is_some()))
            .map(|(pid, (node, _))| (*node, *pid))
            .collect()
    }

    /// `pid` as a REF (`?` for none).
    pub fn pid_text(&self, tree: &Tree, pid: Pid) -> String {
        match self.ref_of(pid) {
            Some((node, k)) => format!("{}#{k}", tree.name(node)),
            None => "?".to_owned(),
        }
    }

    /// `reason` as text, every pid in it (`<N>`) written as its REF.
    pub fn reason_text(&self, tree: &Tree, reason: &ExitReason) -> String {
        let text = reason.to_string();
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find('<') {
            let (before, from) = rest.split_at(open);
            out.push_str(before);
            let digits = from
                .get(1..)
                .and_then(|s| s.find('>').map(|end| (s.get(..end), end)));
            match digits {
                Some((Some(number), end)) if number.bytes().all(|b| b.is_ascii_digit()) => {
                    match number.parse::<u64>() {
                        Ok(n) => out.push_str(&self.pid_text(tree, Pid(n))),
                        Err(_) => out.push_str(number),
                    }
                    rest = from.get(end + 2..).unwrap_or("");
                }
                _ => {
                    out.push('<');
                    rest = from.get(1..).unwrap_or("");
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// `event` as a transcript line.
    pub fn event_text(&self, tree: &Tree, event: &TreeEvent) -> String {
        match event {
            TreeEvent::Up(node, k, _) => format!("up {}#{k}", tree.name(*node)),
            TreeEvent::Ignore(node, k) => format!("ignore {}#{k}", tree.name(*node)),
            TreeEvent::Fail(node, k, reason) => format!(
                "fail {}#{k} {}",
                tree.name(*node),
                self.reason_text(tree, reason)
            ),
            TreeEvent::Down(pid, reason) => format!(
                "down {} {}",
                self.pid_text(tree, *pid),
                self.reason_text(tree, reason)
            ),
            TreeEvent::RootDown(reason) => format!("sup down {}", self.reason_text(tree, reason)),
        }
    }
}

/// One supervisor process of the tree: which node and K each of its start attempts was
/// (attempts are numbered per supervisor, in order), and where its reports go.
#[derive(Clone, Debug)]
pub struct SupLog {
    tree: Arc<Tree>,
    log: TreeLog,
    attempts: Arc<Mutex<Vec<(usize, u64)>>>,
    root: bool,
}

impl SupLog {
    /// The log of a new supervisor process (`root`: the tree's root).
    pub fn new(tree: &Arc<Tree>, log: &TreeLog, root: bool) -> Self {
        SupLog {
            tree: Arc::clone(tree),
            log: log.clone(),
            attempts: Arc::default(),
            root,
        }
    }

    /// The tree.
    pub fn tree(&self) -> &Arc<Tree> {
        &self.tree
    }

    /// The tree's log.
    pub fn tree_log(&self) -> &TreeLog {
        &self.log
    }

    /// A start of `node` begins (asked first for every start): counts its K; whether the node
    /// is a supervisor.
    pub fn starting(&self, node: usize) -> bool {
        let k = self.log.next_attempt(node);
        self.attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((node, k));
        self.tree.node(node).is_some_and(|n| n.sup().is_some())
    }

    /// Takes one report of this supervisor; `down` picks its own end out of its events.
    pub fn observe<E>(&self, report: &Report<E>, down: impl Fn(&E) -> Option<&ExitReason>) {
        match report {
            Report::StartAttempt { attempt, outcome } => {
                let found = usize::try_from(*attempt).ok().and_then(|a| {
                    self.attempts
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get(a)
                        .copied()
                });
                let Some((node, k)) = found else { return };
                self.log.push(match outcome {
                    StartOutcome::Started { pid, .. } => TreeEvent::Up(node, k, *pid),
                    StartOutcome::Ignore => TreeEvent::Ignore(node, k),
                    StartOutcome::Failed(reason) => TreeEvent::Fail(node, k, reason.clone()),
                });
            }
            Report::ChildDown { pid, reason } => {
                self.log.push(TreeEvent::Down(*pid, reason.clone()));
            }
            Report::Supervisor(event) if self.root => {
                if let Some(reason) = down(event) {
                    self.log.push(TreeEvent::RootDown(reason.clone()));
                }
            }
            _ => {}
        }
    }
}

/// Makes the scripted worker of each start of a worker node, with K counted across the tree
/// (the [`SupLog`] of the supervisor that starts it counted the start just before).
#[derive(Clone, Debug)]
pub struct TreeSpawner {
    tree: Arc<Tree>,
    log: TreeLog,
    real_time: bool,
}

impl TreeSpawner {
    /// A spawner for `tree`'s workers; `real_time` as [`ScriptedWorker::real_time`].
    pub fn new(tree: &Arc<Tree>, log: &TreeLog, real_time: bool) -> Self {
        TreeSpawner {
            tree: Arc::clone(tree),
            log: log.clone(),
            real_time,
        }
    }
}

impl Spawner<usize, ()> for TreeSpawner {
    type Worker = ScriptedWorker;

    fn spawn(&mut self, function: &usize, _args: &[()]) -> Box<ScriptedWorker> {
        let k = self.log.last_attempt(*function);
        match self.tree.node(*function).map(|n| &n.kind) {
            Some(NodeKind::Worker(template)) => Box::new(ScriptedWorker {
                outcome: template.outcome(k).clone(),
                trap_exit: template.trap_exit,
                stop_ms: template.stop_ms,
                real_time: self.real_time,
            }),
            // Supervisor nodes are started by the `supervisors` function, never here.
            _ => Box::new(ScriptedWorker {
                outcome: InitOutcome::Stop("undefined".into()),
                trap_exit: false,
                stop_ms: 0,
                real_time: false,
            }),
        }
    }
}

/// The children a static supervisor `node` starts at start-up (those not `later`), with
/// runtime ids.
pub fn start_up_children(
    tree: &Tree,
    node: usize,
) -> Vec<dynsup::static_supervisor::StaticChildSpec<ChildId, usize, ()>> {
    tree.children_of(node)
        .into_iter()
        .filter(|&child| tree.node(child).is_some_and(|n| !n.later))
        .map(|child| static_child_spec(tree, child))
        .collect()
}

/// The static child spec of `node`, with its runtime id.
pub fn static_child_spec(
    tree: &Tree,
    node: usize,
) -> dynsup::static_supervisor::StaticChildSpec<ChildId, usize, ()> {
    dynsup::static_supervisor::StaticChildSpec::new(
        ChildId::of(tree, node),
        crate::tree::calls::node_spec(tree, node, true),
    )
}
