//! Detects the tree situations of a run from what the tree world observed: its trace (spawns,
//! starts, exits, signals, restarts counted, give-ups) and each step's answer. Nothing in the
//! cores counts anything.

use std::collections::{BTreeMap, BTreeSet};

use dynsup::{AutoShutdown, ExitReason, Pid, Restart, Shutdown, Strategy};

use super::situation::TreeSituation;
use crate::coverage::Coverage;
use crate::tree::invariants::Family;
use crate::tree::model::{SupDecl, Tree};
use crate::tree::trace::{TreeEntry, TreeEvent};

/// A restart in progress: the child whose exit caused it, and the children still to start.
#[derive(Debug, Default)]
struct Restarting {
    origin: usize,
    to_start: BTreeSet<usize>,
}

/// What a stopping supervisor did to its children.
#[derive(Debug, Default)]
struct Stopping {
    /// The shutdowns of the children it signalled, each once.
    kinds: Vec<Shutdown>,
    /// The children it sent `shutdown`.
    asked: BTreeSet<Pid>,
}

/// Walks a tree run's trace and step answers and counts the [`TreeSituation`]s they reach.
pub struct TreeObserver<'t> {
    tree: &'t Tree,
    family: Family,
    up: BTreeSet<Pid>,
    failed: BTreeSet<Pid>,
    gave_up: BTreeSet<Pid>,
    parent_exit: BTreeSet<Pid>,
    last_exit: BTreeMap<Pid, Pid>,
    last_pid: BTreeMap<(Pid, usize), Pid>,
    restarting: BTreeMap<Pid, Restarting>,
    stopping: BTreeMap<Pid, Stopping>,
}

impl<'t> TreeObserver<'t> {
    /// An observer of a run of `tree`, nothing seen yet.
    pub fn new(tree: &'t Tree) -> Self {
        TreeObserver {
            tree,
            family: Family::default(),
            up: BTreeSet::new(),
            failed: BTreeSet::new(),
            gave_up: BTreeSet::new(),
            parent_exit: BTreeSet::new(),
            last_exit: BTreeMap::new(),
            last_pid: BTreeMap::new(),
            restarting: BTreeMap::new(),
            stopping: BTreeMap::new(),
        }
    }

    /// Counts the situations `entries` (the trace, in order) reach.
    pub fn observe_trace(&mut self, entries: &[TreeEntry], coverage: &mut Coverage<TreeSituation>) {
        for entry in entries {
            self.entry(&entry.event, coverage);
            self.family.apply(self.tree, entry);
        }
    }

    /// Counts the situations the steps' answers reach: `results[i]` is what step `i` of the
    /// tree answered (as the transcript prints it).
    pub fn observe_answers<'a>(
        &self,
        results: impl IntoIterator<Item = &'a str>,
        coverage: &mut Coverage<TreeSituation>,
    ) {
        for (step, result) in self.tree.steps.iter().zip(results) {
            let on_static = self.decl(step.on).is_some_and(|d| !d.dynamic);
            let situation = match result {
                _ if result.contains("already_started:") => TreeSituation::NameAlreadyStarted,
                "error already_present" if on_static => TreeSituation::StaticAlreadyPresent,
                "error running" if on_static => TreeSituation::StaticRunning,
                "error not_found" if on_static => TreeSituation::StaticNotFound,
                "error restarting" if on_static => TreeSituation::StaticRestarting,
                _ if on_static && result.starts_with("error already_started ") => {
                    TreeSituation::StaticAlreadyStarted
                }
                _ => continue,
            };
            coverage.hit(situation);
        }
    }

    fn decl(&self, node: usize) -> Option<&'t SupDecl> {
        self.tree.node(node).and_then(|n| n.sup())
    }

    /// The settings of supervisor process `pid`.
    fn decl_of(&self, pid: Pid) -> Option<&'t SupDecl> {
        self.decl(self.family.members.get(&pid)?.node)
    }

    fn entry(&mut self, event: &TreeEvent, coverage: &mut Coverage<TreeSituation>) {
        match event {
            TreeEvent::Spawned {
                pid,
                node,
                parent: Some(sup),
                supervisor,
                ..
            } => self.spawned(*pid, *node, *sup, *supervisor, coverage),
            TreeEvent::Up { pid } => {
                self.up.insert(*pid);
            }
            TreeEvent::Failed { pid, .. } | TreeEvent::Ignored { pid } => {
                let failed = matches!(event, TreeEvent::Failed { .. });
                if failed {
                    self.failed.insert(*pid);
                }
                let parent = self.family.members.get(pid).and_then(|m| m.parent);
                let starting_static = parent.is_some_and(|sup| {
                    !self.up.contains(&sup) && self.decl_of(sup).is_some_and(|d| !d.dynamic)
                });
                if starting_static {
                    coverage.hit(if failed {
                        TreeSituation::StaticStartupFailure
                    } else {
                        TreeSituation::StaticStartupIgnored
                    });
                }
            }
            TreeEvent::ExitSeen { sup, child, .. } => {
                self.last_exit.insert(*sup, *child);
            }
            TreeEvent::ParentExitSeen { sup } => {
                self.parent_exit.insert(*sup);
                self.stopping.entry(*sup).or_default();
            }
            TreeEvent::GaveUp { sup } => {
                if self
                    .last_exit
                    .get(sup)
                    .is_some_and(|child| self.gave_up.contains(child))
                {
                    coverage.hit(TreeSituation::EscalationTwoLevels);
                }
                self.gave_up.insert(*sup);
                self.stopping.entry(*sup).or_default();
            }
            TreeEvent::RestartCounted { sup, node, .. } => self.restart_counted(*sup, *node),
            TreeEvent::Signalled { sup, child, kill } => {
                let shutdown = self
                    .family
                    .members
                    .get(child)
                    .and_then(|m| self.tree.node(m.node))
                    .map(|n| n.shutdown);
                let Some(stopping) = self.stopping.get_mut(sup) else {
                    return;
                };
                if let Some(shutdown) = shutdown.filter(|s| !stopping.kinds.contains(s)) {
                    stopping.kinds.push(shutdown);
                }
                if !*kill {
                    stopping.asked.insert(*child);
                } else if stopping.asked.contains(child) {
                    coverage.hit(TreeSituation::ShutdownTimerKill);
                }
            }
            TreeEvent::Down { pid, reason } => self.down(*pid, reason, coverage),
            _ => {}
        }
    }

    fn spawned(
        &mut self,
        pid: Pid,
        node: usize,
        sup: Pid,
        supervisor: bool,
        coverage: &mut Coverage<TreeSituation>,
    ) {
        let previous = self.last_pid.insert((sup, node), pid);
        let Some(restart) = self.restarting.get_mut(&sup) else {
            return;
        };
        if !restart.to_start.remove(&node) {
            return;
        }
        let origin = restart.origin;
        if supervisor {
            coverage.hit(TreeSituation::ChildSupRestarted);
        }
        let Some(decl) = self.decl_of(sup).filter(|d| !d.dynamic) else {
            return;
        };
        if node != origin {
            match decl.strategy {
                Strategy::OneForAll => coverage.hit(TreeSituation::OneForAllSiblingsRestarted),
                Strategy::RestForOne => coverage.hit(TreeSituation::RestForOneLaterRestarted),
                _ => {}
            }
        }
        if previous.is_some_and(|p| self.failed.contains(&p)) {
            coverage.hit(TreeSituation::StaticFailedRestartRetried);
        }
    }

    /// Supervisor `sup` counted a restart (of static child `node`, or of the child whose exit
    /// it saw last): the children it is to start again.
    fn restart_counted(&mut self, sup: Pid, node: Option<usize>) {
        let origin = node.or_else(|| {
            let child = self.last_exit.get(&sup)?;
            Some(self.family.members.get(child)?.node)
        });
        let Some(origin) = origin else {
            return;
        };
        let order = self.family.orders.get(&sup).map_or(&[][..], Vec::as_slice);
        let from = match self.decl_of(sup).map(|d| (d.dynamic, d.strategy)) {
            Some((false, Strategy::OneForAll)) => Some(0),
            Some((false, Strategy::RestForOne)) => order.iter().position(|&n| n == origin),
            _ => None,
        };
        let tree = self.tree;
        let mut to_start: BTreeSet<usize> = from
            .map(|from| {
                order
                    .iter()
                    .skip(from)
                    .copied()
                    .filter(|&n| {
                        tree.node(n)
                            .is_some_and(|n| n.restart != Restart::Temporary)
                    })
                    .collect()
            })
            .unwrap_or_default();
        to_start.insert(origin);
        self.restarting.insert(sup, Restarting { origin, to_start });
    }

    fn down(&mut self, pid: Pid, reason: &ExitReason, coverage: &mut Coverage<TreeSituation>) {
        if let Some(stopping) = self.stopping.remove(&pid) {
            if stopping.kinds.len() >= 2 {
                coverage.hit(TreeSituation::ShutdownMixedTimeouts);
            }
        }
        let Some(member) = self.family.members.get(&pid) else {
            return;
        };
        if !member.supervisor {
            return;
        }
        let gave_up = self.gave_up.contains(&pid);
        if gave_up && member.parent.is_none() {
            coverage.hit(TreeSituation::RootGaveUp);
        }
        let auto_shutdown = self
            .decl(member.node)
            .is_some_and(|d| !d.dynamic && d.auto_shutdown != AutoShutdown::Never);
        if auto_shutdown
            && *reason == ExitReason::Shutdown
            && !gave_up
            && !self.parent_exit.contains(&pid)
        {
            coverage.hit(TreeSituation::SignificantAutoShutdown);
        }
        if *reason == ExitReason::Killed
            && member.parent.is_some()
            && !self.family.live_children(pid).is_empty()
        {
            coverage.hit(TreeSituation::MidSupervisorKilled);
        }
    }
}
