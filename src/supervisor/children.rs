//! The children table: entries in pid order, with counters maintained on every change.

use std::collections::BTreeMap;

use crate::child_spec::{ChildType, ValidChildSpec};
use crate::pid::Pid;
use crate::supervisor::output::{ChildCounts, ChildInfo};

/// The state of one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChildState {
    /// A process runs (or died and its exit is not processed yet).
    Running,
    /// The process is dead and its restart is being retried; the key is the old pid.
    Restarting,
}

/// One entry: the stored spec and its state.
#[derive(Clone, Debug)]
pub(crate) struct Child<F, A> {
    pub(crate) spec: ValidChildSpec<F, A>,
    pub(crate) state: ChildState,
}

/// All entries keyed by pid (creation order), with O(1) counts.
#[derive(Clone, Debug)]
pub(crate) struct Children<F, A> {
    entries: BTreeMap<Pid, Child<F, A>>,
    counts: ChildCounts,
}

impl<F, A> Children<F, A> {
    pub(crate) fn new() -> Self {
        Children {
            entries: BTreeMap::new(),
            counts: ChildCounts::default(),
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.counts.specs
    }

    pub(crate) fn counts(&self) -> ChildCounts {
        self.counts
    }

    pub(crate) fn get(&self, pid: Pid) -> Option<&Child<F, A>> {
        self.entries.get(&pid)
    }

    pub(crate) fn contains(&self, pid: Pid) -> bool {
        self.entries.contains_key(&pid)
    }

    fn type_counter(&mut self, child_type: ChildType) -> &mut u64 {
        match child_type {
            ChildType::Worker => &mut self.counts.workers,
            ChildType::Supervisor => &mut self.counts.supervisors,
        }
    }

    /// Stores a running child. The caller has checked that `pid` is new.
    pub(crate) fn insert_running(&mut self, pid: Pid, spec: ValidChildSpec<F, A>) {
        *self.type_counter(spec.child_type()) += 1;
        self.counts.specs += 1;
        self.counts.active += 1;
        let child = Child {
            spec: spec.into_stored(),
            state: ChildState::Running,
        };
        self.entries.insert(pid, child);
    }

    pub(crate) fn remove(&mut self, pid: Pid) -> Option<Child<F, A>> {
        let child = self.entries.remove(&pid)?;
        *self.type_counter(child.spec.child_type()) -= 1;
        self.counts.specs -= 1;
        if child.state == ChildState::Running {
            self.counts.active -= 1;
        }
        Some(child)
    }

    /// Marks a running entry as restarting (its restart failed).
    pub(crate) fn set_restarting(&mut self, pid: Pid) {
        if let Some(child) = self.entries.get_mut(&pid) {
            if child.state == ChildState::Running {
                child.state = ChildState::Restarting;
                self.counts.active -= 1;
            }
        }
    }

    /// The pids of running entries, in table order.
    pub(crate) fn running_pids(&self) -> Vec<Pid> {
        self.entries
            .iter()
            .filter(|(_, child)| child.state == ChildState::Running)
            .map(|(&pid, _)| pid)
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.counts = ChildCounts::default();
    }

    pub(crate) fn infos(&self) -> Vec<ChildInfo> {
        self.entries
            .iter()
            .map(|(&pid, child)| ChildInfo {
                pid: (child.state == ChildState::Running).then_some(pid),
                child_type: child.spec.child_type(),
                modules: child.spec.modules().clone(),
            })
            .collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Pid, &Child<F, A>)> {
        self.entries.iter().map(|(&pid, child)| (pid, child))
    }
}
