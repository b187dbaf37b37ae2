//! The calls a step makes to a live supervisor: the static API by child id (`start_child`,
//! `terminate_child`, `restart_child`, `delete_child` with OTP's errors), the dynamic one
//! (`start_child` with `max_children`, `terminate_child` by REF), `count_children` and
//! `which_children`.

use dynsup::Restart;

use super::process::{Entry, Slot};
use super::{TreeModel, TreeModelError};
use crate::transcript::which_result;
use crate::tree::model::TreeOp;

impl TreeModel<'_> {
    /// Step `op` on the live supervisor process `sup`; its result text.
    pub(super) fn call(&mut self, sup: usize, op: &TreeOp) -> Result<String, TreeModelError> {
        if self.is_dynamic(sup) {
            self.dynamic_call(sup, op)
        } else {
            self.static_call(sup, op)
        }
    }

    fn static_call(&mut self, sup: usize, op: &TreeOp) -> Result<String, TreeModelError> {
        let position =
            |model: &mut Self, node: usize| model.children_mut(sup).position_of_node(node);
        Ok(match *op {
            TreeOp::Start(node) => match position(self, node) {
                Some(p) => match self.children_mut(sup).entries[p].slot {
                    Slot::Running(pid) => format!("error already_started {}", self.ref_of(pid)),
                    _ => "error already_present".to_owned(),
                },
                None => match self.start_proc(node, Some(sup))? {
                    Ok(Some(pid)) => {
                        self.children_mut(sup).entries.push(Entry {
                            node,
                            slot: Slot::Running(pid),
                        });
                        format!("ok {}", self.ref_of(pid))
                    }
                    Ok(None) => {
                        if !self.temporary(node) {
                            self.children_mut(sup).entries.push(Entry {
                                node,
                                slot: Slot::Undefined,
                            });
                        }
                        "ok undefined".to_owned()
                    }
                    Err(reason) => format!("error {reason}"),
                },
            },
            TreeOp::TerminateId(node) => match position(self, node) {
                None => "error not_found".to_owned(),
                Some(p) => {
                    if let Slot::Running(pid) = self.children_mut(sup).entries[p].slot {
                        self.now = self.stop_child(pid, self.now, None);
                    }
                    if self.temporary(node) {
                        self.children_mut(sup).entries.remove(p);
                    } else {
                        self.children_mut(sup).entries[p].slot = Slot::Undefined;
                    }
                    "ok".to_owned()
                }
            },
            TreeOp::Restart(node) => match position(self, node) {
                None => "error not_found".to_owned(),
                Some(p) => match self.children_mut(sup).entries[p].slot {
                    Slot::Running(_) => "error running".to_owned(),
                    Slot::Restarting => "error restarting".to_owned(),
                    Slot::Undefined => match self.start_proc(node, Some(sup))? {
                        Ok(Some(pid)) => {
                            self.children_mut(sup).entries[p].slot = Slot::Running(pid);
                            format!("ok {}", self.ref_of(pid))
                        }
                        Ok(None) => "ok undefined".to_owned(),
                        Err(reason) => format!("error {reason}"),
                    },
                },
            },
            TreeOp::Delete(node) => match position(self, node) {
                None => "error not_found".to_owned(),
                Some(p) => match self.children_mut(sup).entries[p].slot {
                    Slot::Running(_) => "error running".to_owned(),
                    Slot::Restarting => "error restarting".to_owned(),
                    Slot::Undefined => {
                        self.children_mut(sup).entries.remove(p);
                        "ok".to_owned()
                    }
                },
            },
            TreeOp::Count => self.count(sup),
            TreeOp::Which => {
                let entries = self.children_mut(sup).entries.clone();
                if entries.is_empty() {
                    return Ok("-".to_owned());
                }
                entries
                    .iter()
                    .rev()
                    .map(|e| {
                        let x = match e.slot {
                            Slot::Running(pid) => self.ref_of(pid),
                            Slot::Restarting => "restarting".to_owned(),
                            Slot::Undefined => "undefined".to_owned(),
                        };
                        format!("{}={x}", self.tree.name(e.node))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            TreeOp::TerminateRef(_) | TreeOp::Stop | TreeOp::Exit(..) | TreeOp::Kill(_) => {
                "error noproc".to_owned()
            }
        })
    }

    fn dynamic_call(&mut self, sup: usize, op: &TreeOp) -> Result<String, TreeModelError> {
        Ok(match op {
            TreeOp::Start(node) => {
                let held = self.children_mut(sup).entries.len() as u64;
                if self.decl(sup).max_children.is_some_and(|max| held >= max) {
                    return Ok("error max_children".to_owned());
                }
                match self.start_proc(*node, Some(sup))? {
                    Ok(Some(pid)) => {
                        self.children_mut(sup).entries.push(Entry {
                            node: *node,
                            slot: Slot::Running(pid),
                        });
                        format!("ok {}", self.ref_of(pid))
                    }
                    Ok(None) => "ignore".to_owned(),
                    Err(reason) => format!("error {reason}"),
                }
            }
            TreeOp::TerminateRef(r) => {
                let entries = self.children_mut(sup).entries.clone();
                let found = entries.iter().position(|e| {
                    matches!(e.slot, Slot::Running(pid)
                        if self.procs[pid].node == r.node && self.procs[pid].attempt == r.attempt)
                });
                match found {
                    Some(p) => {
                        if let Slot::Running(pid) = self.children_mut(sup).entries[p].slot {
                            self.now = self.stop_child(pid, self.now, None);
                        }
                        self.children_mut(sup).entries.remove(p);
                        "ok".to_owned()
                    }
                    None => "error not_found".to_owned(),
                }
            }
            TreeOp::Count => self.count(sup),
            TreeOp::Which => {
                let entries = self.children_mut(sup).entries.clone();
                which_result(
                    entries
                        .iter()
                        .map(|e| match e.slot {
                            Slot::Running(pid) => self.ref_of(pid),
                            _ => "restarting".to_owned(),
                        })
                        .collect(),
                )
            }
            _ => "error noproc".to_owned(),
        })
    }

    /// `count_children`: the specs, the running ones, and the specs by type.
    fn count(&mut self, sup: usize) -> String {
        let entries = self.children_mut(sup).entries.clone();
        let specs = entries.len();
        let active = entries
            .iter()
            .filter(|e| matches!(e.slot, Slot::Running(_)))
            .count();
        let supervisors = entries
            .iter()
            .filter(|e| self.tree.node(e.node).is_some_and(|n| n.sup().is_some()))
            .count();
        format!(
            "active={active} specs={specs} supervisors={supervisors} workers={}",
            specs - supervisors
        )
    }

    /// Whether node `node` is a temporary child.
    fn temporary(&self, node: usize) -> bool {
        self.tree
            .node(node)
            .is_some_and(|n| n.restart == Restart::Temporary)
    }
}
