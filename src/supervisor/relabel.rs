//! Renaming pids and start functions, for model checkers: two states that differ only in the
//! numbering of their pids behave alike as long as the renaming keeps the pids' order, and two
//! that differ only in which of two interchangeable start functions each child has behave
//! alike too (symmetry reduction).

use std::collections::BTreeSet;

use crate::child_spec::ValidChildSpec;
use crate::pid::Pid;
use crate::supervisor::mailbox::{Message, Request};
use crate::supervisor::termination::Purpose;
use crate::supervisor::{DynamicSupervisor, PendingStart, Phase};

impl<F, A> DynamicSupervisor<F, A> {
    /// Adds every pid the supervisor's state refers to (its entries, its mailbox, the start or
    /// termination it is blocked in) to `pids`.
    pub fn referenced_pids(&self, pids: &mut BTreeSet<Pid>) {
        self.any_referenced_pid(|pid| {
            pids.insert(pid);
            false
        });
    }

    /// Whether the supervisor's state refers to `pid` (whether it is one of
    /// [`referenced_pids`](Self::referenced_pids)), without gathering them: for a model
    /// checker that asks about one or two pids after each step.
    #[must_use]
    pub fn refers_to(&self, pid: Pid) -> bool {
        self.any_referenced_pid(|referenced| referenced == pid)
    }

    /// Calls `found` with each pid the state refers to (some more than once), until it
    /// returns true; whether it did.
    fn any_referenced_pid(&self, mut found: impl FnMut(Pid) -> bool) -> bool {
        self.children.iter().any(|(pid, _)| found(pid))
            || self.mailbox.iter().filter_map(message_pid).any(&mut found)
            || match &self.phase {
                Phase::Starting(PendingStart::Restart { old }) => found(*old),
                Phase::Terminating(termination) => {
                    termination.awaiting.iter().any(|(pid, _)| found(pid))
                        || matches!(termination.purpose, Purpose::Child { pid, .. } if found(pid))
                }
                Phase::Ready | Phase::Starting(PendingStart::Call { .. }) | Phase::Down(_) => false,
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
                termination.awaiting.relabel(&rename);
                for pid in &mut termination.head_start.0 {
                    *pid = rename(*pid);
                }
                if let Purpose::Child { pid, .. } = &mut termination.purpose {
                    *pid = rename(*pid);
                }
            }
            Phase::Ready | Phase::Starting(PendingStart::Call { .. }) | Phase::Down(_) => {}
        }
    }
}

impl<F, A> DynamicSupervisor<F, A> {
    /// Renames every start function the state refers to (its entries' specs, the specs of
    /// `start_child` calls in its mailbox, the start it is blocked in) with `rename`, as a
    /// model checker's symmetry reduction over interchangeable start functions does: the
    /// supervisor never looks at a start function, it only hands it back in
    /// [`Effect::Start`](crate::Effect::Start). Outputs not yet polled keep their old
    /// functions: drain [`poll_effect`](Self::poll_effect) first.
    pub fn relabel_functions(&mut self, rename: impl Fn(&F) -> F) {
        let mut rename_spec = |spec: &mut ValidChildSpec<F, A>| {
            let function = spec.function_mut();
            *function = rename(function);
        };
        self.children.specs_mut().for_each(&mut rename_spec);
        for message in &mut self.mailbox {
            if let Message::Call {
                request: Request::StartChild(spec),
                ..
            } = message
            {
                rename_spec(spec);
            }
        }
        if let Phase::Starting(PendingStart::Call { spec, .. }) = &mut self.phase {
            rename_spec(spec);
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
