//! Start attempts: a worker's `init` outcome, and a supervisor's registration and start-up
//! (a static one starts its declared children in order; a failure stops the started ones,
//! last started first, and fails the start with `shutdown:failed_to_start_child:ID:R`).

use dynsup::Restart;

use super::process::{Children, Entry, Proc, Slot};
use super::{TreeModel, TreeModelError};
use crate::scenario::InitOutcome;
use crate::tree::model::NodeKind;

/// The outcome of one start attempt: running as a process, ignored, or failed with a reason.
pub(super) type Started = Result<Option<usize>, String>;

impl TreeModel<'_> {
    /// One start attempt of node `node` under supervisor process `parent` (`None`: the root,
    /// which gets no event), with its `up`, `ignore` or `fail` event.
    pub(super) fn start_proc(
        &mut self,
        node: usize,
        parent: Option<usize>,
    ) -> Result<Started, TreeModelError> {
        let Some(n) = self.tree.node(node) else {
            return Ok(Err("undefined".to_owned()));
        };
        self.attempts[node] += 1;
        let attempt = self.attempts[node];
        let name = format!("{}#{attempt}", n.name);
        let root = parent.is_none();
        let decl = match &n.kind {
            NodeKind::Worker(template) => {
                return Ok(match template.outcome(attempt) {
                    InitOutcome::Ok => {
                        let pid = self.spawn(node, attempt, parent, None);
                        self.events.push(format!("up {name}"));
                        Ok(Some(pid))
                    }
                    InitOutcome::Ignore => {
                        self.events.push(format!("ignore {name}"));
                        Ok(None)
                    }
                    InitOutcome::Stop(word) => {
                        self.events.push(format!("fail {name} {word}"));
                        Err(word.clone())
                    }
                });
            }
            NodeKind::Sup(decl) => *decl,
        };
        // The name is registered before the start-up: one in use fails the attempt.
        if self.orphan_names.contains(&node) {
            return Err(TreeModelError::Unsupported {
                what: format!(
                    "{name} needs the name of an orphan of a killed supervisor in the step \
                     that killed it (the name race)"
                ),
            });
        }
        let ending = self
            .held_until
            .get(&node)
            .filter(|&&(_, until)| until > self.now)
            .map(|&(holder, _)| holder);
        if let Some(holder) = self.names.get(&node).copied().or(ending) {
            let reason = format!("already_started:{}", self.ref_of(holder));
            if !root {
                self.events.push(format!("fail {name} {reason}"));
            }
            return Ok(Err(reason));
        }
        let pid = self.spawn(node, attempt, parent, Some(Children::default()));
        self.names.insert(node, pid);
        if !decl.dynamic {
            for child in self.tree.children_of(node) {
                if self.tree.node(child).is_some_and(|c| c.later) {
                    continue;
                }
                match self.start_proc(child, Some(pid))? {
                    Ok(started) => {
                        let temporary = self
                            .tree
                            .node(child)
                            .is_some_and(|c| c.restart == Restart::Temporary);
                        let slot = match started {
                            Some(c) => Slot::Running(c),
                            None if temporary => continue,
                            None => Slot::Undefined,
                        };
                        self.children_mut(pid)
                            .entries
                            .push(Entry { node: child, slot });
                    }
                    Err(reason) => {
                        let end = self.terminate_children(pid, self.now, None);
                        self.now = end;
                        self.procs[pid].alive = false;
                        self.names.remove(&node);
                        let reason = format!(
                            "shutdown:failed_to_start_child:{}:{reason}",
                            self.tree.name(child)
                        );
                        if !root {
                            self.events.push(format!("fail {name} {reason}"));
                        }
                        return Ok(Err(reason));
                    }
                }
            }
        }
        if !root {
            self.events.push(format!("up {name}"));
        }
        Ok(Ok(Some(pid)))
    }

    /// A new live process.
    fn spawn(
        &mut self,
        node: usize,
        attempt: u64,
        parent: Option<usize>,
        sup: Option<Children>,
    ) -> usize {
        self.procs.push(Proc {
            node,
            attempt,
            alive: true,
            parent,
            sup,
        });
        self.procs.len() - 1
    }

    /// The children table of supervisor process `pid` (an empty one for a worker).
    pub(super) fn children_mut(&mut self, pid: usize) -> &mut Children {
        self.procs[pid].sup.get_or_insert_with(Children::default)
    }
}
