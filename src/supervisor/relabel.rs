//! Renaming pids, for model checkers: two states that differ only in the numbering of their
//! pids behave alike as long as the renaming keeps the pids' order (symmetry reduction).

use std::collections::BTreeSet;

use crate::pid::Pid;
use crate::supervisor::mailbox::{Message, Request};
use crate::supervisor::termination::Purpose;
use crate::supervisor::{DynamicSupervisor, PendingStart, Phase};

impl<F, A> DynamicSupervisor<F, A> {
    /// Adds every pid the supervisor's state refers to (its entries, its mailbox, the start or
    /// termination it is blocked in) to `pids`.
    pub fn referenced_pids(&self, pids: &mut BTreeSet<Pid>) {
        pids.extend(self.children.iter().map(|(pid, _)| pid));
        for message in &self.mailbox {
            if let Some(pid) = message_pid(message) {
                pids.insert(pid);
            }
        }
        match &self.phase {
            Phase::Starting(PendingStart::Restart { old }) => {
                pids.insert(*old);
            }
            Phase::Terminating(termination) => {
                pids.extend(termination.awaiting.keys().copied());
                if let Purpose::Child { pid, .. } = termination.purpose {
                    pids.insert(pid);
                }
            }
            Phase::Ready | Phase::Starting(PendingStart::Call { .. }) | Phase::Down(_) => {}
        }
    }

    /// Renames every pid the state refers to (see
    /// [`referenced_pids`](Self::referenced_pids)) with `rename`, which must keep their order
    /// (`a < b` implies `rename(a) < rename(b)`), as a model checker's symmetry reduction
    /// does. Outputs not yet polled keep their old pids: drain
    /// [`poll_effect`](Self::poll_effect) and [`poll_event`](Self::poll_event) first.
    pub fn relabel_pids(&mut self, rename: impl Fn(Pid) -> Pid) {
        self.children.relabel(&rename);
        for message in &mut self.mailbox {
            match message {
                Message::Exit { pid, .. }
                | Message::Retry { pid }
                | Message::Call {
                    request: Request::TerminateChild(pid),
                    ..
                } => *pid = rename(*pid),
                Message::Call { .. } | Message::ParentExit { .. } => {}
            }
        }
        match &mut self.phase {
            Phase::Starting(PendingStart::Restart { old }) => *old = rename(*old),
            Phase::Terminating(termination) => {
                let awaiting = std::mem::take(&mut termination.awaiting);
                termination.awaiting = awaiting
                    .into_iter()
                    .map(|(pid, kinds)| (rename(pid), kinds))
                    .collect();
                if let Purpose::Child { pid, .. } = &mut termination.purpose {
                    *pid = rename(*pid);
                }
            }
            Phase::Ready | Phase::Starting(PendingStart::Call { .. }) | Phase::Down(_) => {}
        }
    }
}

fn message_pid<F, A>(message: &Message<F, A>) -> Option<Pid> {
    match message {
        Message::Exit { pid, .. }
        | Message::Retry { pid }
        | Message::Call {
            request: Request::TerminateChild(pid),
            ..
        } => Some(*pid),
        Message::Call { .. } | Message::ParentExit { .. } => None,
    }
}
