//! The static supervisor's children: entries in start order, each with its id, spec and
//! process slot.

use crate::child_spec::{ChildType, Restart, ValidChildSpec};
use crate::pid::Pid;
use crate::static_supervisor::output::{ChildPid, ChildRow};
use crate::supervisor::output::ChildCounts;

/// One child: its id, spec, significance and process.
#[derive(Clone, Debug)]
pub(crate) struct Child<I, F, A> {
    pub(crate) id: I,
    pub(crate) spec: ValidChildSpec<F, A>,
    pub(crate) significant: bool,
    pub(crate) pid: ChildPid,
}

/// The children in start order (the first started first); OTP lists them the other way round.
#[derive(Clone, Debug)]
pub(crate) struct Children<I, F, A> {
    entries: Vec<Child<I, F, A>>,
}

impl<I: Eq + Clone, F, A> Children<I, F, A> {
    pub(crate) fn new() -> Self {
        Children {
            entries: Vec::new(),
        }
    }

    /// Adds a child after every other (the last started).
    pub(crate) fn push(&mut self, child: Child<I, F, A>) {
        self.entries.push(child);
    }

    pub(crate) fn position(&self, id: &I) -> Option<usize> {
        self.entries.iter().position(|c| c.id == *id)
    }

    pub(crate) fn get(&self, id: &I) -> Option<&Child<I, F, A>> {
        self.entries.iter().find(|c| c.id == *id)
    }

    pub(crate) fn get_mut(&mut self, id: &I) -> Option<&mut Child<I, F, A>> {
        self.entries.iter_mut().find(|c| c.id == *id)
    }

    /// The id of the child running as `pid`.
    pub(crate) fn id_of(&self, pid: Pid) -> Option<I> {
        self.entries
            .iter()
            .find(|c| c.pid == ChildPid::Running(pid))
            .map(|c| c.id.clone())
    }

    pub(crate) fn set_pid(&mut self, id: &I, pid: ChildPid) {
        if let Some(child) = self.get_mut(id) {
            child.pid = pid;
        }
    }

    pub(crate) fn remove(&mut self, id: &I) {
        self.entries.retain(|c| c.id != *id);
    }

    /// OTP's `del_child`: a temporary child is forgotten, any other keeps its spec without a
    /// process (docs/static-supervisor.md §2.4).
    pub(crate) fn del_child(&mut self, id: &I) {
        match self.get(id).map(|c| c.spec.restart()) {
            Some(Restart::Temporary) => self.remove(id),
            Some(_) => self.set_pid(id, ChildPid::Undefined),
            None => {}
        }
    }

    /// Ids in start order, from index `from` on.
    pub(crate) fn ids_from(&self, from: usize) -> Vec<I> {
        self.entries
            .iter()
            .skip(from)
            .map(|c| c.id.clone())
            .collect()
    }

    /// Ids of the children that have a process, in start order.
    pub(crate) fn running_ids(&self) -> Vec<I> {
        self.entries
            .iter()
            .filter(|c| matches!(c.pid, ChildPid::Running(_)))
            .map(|c| c.id.clone())
            .collect()
    }

    /// Whether a significant child still has a process (running or restarting), the test of
    /// `all_significant`.
    pub(crate) fn any_significant_alive(&self) -> bool {
        self.entries
            .iter()
            .any(|c| c.significant && c.pid != ChildPid::Undefined)
    }

    /// `which_children`: OTP's rows, the last started first.
    pub(crate) fn rows(&self) -> Vec<ChildRow<I>> {
        self.entries
            .iter()
            .rev()
            .map(|c| ChildRow {
                id: c.id.clone(),
                pid: c.pid,
                child_type: c.spec.child_type(),
                modules: c.spec.modules().clone(),
            })
            .collect()
    }

    /// `count_children`: `active` counts the children with a process (not those restarting).
    pub(crate) fn counts(&self) -> ChildCounts {
        let mut counts = ChildCounts::default();
        for child in &self.entries {
            counts.specs += 1;
            if matches!(child.pid, ChildPid::Running(_)) {
                counts.active += 1;
            }
            match child.spec.child_type() {
                ChildType::Worker => counts.workers += 1,
                ChildType::Supervisor => counts.supervisors += 1,
            }
        }
        counts
    }

    /// The children in start order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Child<I, F, A>> {
        self.entries.iter()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
