//! A seeded choice among deliveries due at the same instant, within the BEAM's one ordering
//! guarantee: between one sender and one receiver, messages arrive in the order they were
//! sent. Off unless [`Simulation::set_same_instant_order`] was called.

use std::collections::BTreeSet;

use dynsup::driver::Spawner;
use dynsup::{Instant, Pid};

use super::{Delivery, Simulation, Tie};

/// Who sends or receives a delivery, for the per-pair FIFO rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Endpoint {
    /// The test's client (calls, messages, kills from outside).
    Client,
    /// The client's own call timers.
    ClientTimer,
    /// The supervisor's parent.
    Parent,
    /// The supervisor.
    Supervisor,
    /// The supervisor's kill timer.
    SupervisorTimer,
    /// A child process.
    Child(Pid),
    /// A child's own timers.
    ChildTimer(Pid),
}

impl<F, A, W: dynsup::Worker + ?Sized> Delivery<F, A, W> {
    /// The (sender, receiver) pair whose FIFO order this delivery must keep.
    fn channel(&self) -> (Endpoint, Endpoint) {
        match self {
            Delivery::Call(..) => (Endpoint::Client, Endpoint::Supervisor),
            Delivery::ChildExit { pid, .. } => (Endpoint::Child(*pid), Endpoint::Supervisor),
            Delivery::ParentExit { .. } => (Endpoint::Parent, Endpoint::Supervisor),
            Delivery::SupervisorTimeout => (Endpoint::SupervisorTimer, Endpoint::Supervisor),
            Delivery::ChildStops { pid, .. } => (Endpoint::Child(*pid), Endpoint::Child(*pid)),
            Delivery::Message { pid, .. } | Delivery::WorkerCall { pid, .. } => {
                (Endpoint::Client, Endpoint::Child(*pid))
            }
            Delivery::CallTimeout { .. } => (Endpoint::ClientTimer, Endpoint::Client),
            Delivery::Timer { pid } => (Endpoint::ChildTimer(*pid), Endpoint::Child(*pid)),
        }
    }
}

/// A queued delivery under its key.
type Keyed<F, A, W> = ((Instant, Tie, u64), Delivery<F, A, W>);

impl<F: Clone, A: Clone, S: Spawner<F, A>> Simulation<F, A, S> {
    /// Takes the next delivery: the first in key order, or, with a same-instant order set,
    /// the one it picks among the oldest of each sender-receiver pair due at that instant.
    pub(super) fn next_delivery(&mut self) -> Option<Keyed<F, A, S::Worker>> {
        let first = self.queue.pop_first()?;
        let Some(order) = self.same_instant.as_mut() else {
            return Some(first);
        };
        let (at, tie, _) = first.0;
        let mut due = vec![first];
        while self
            .queue
            .first_key()
            .is_some_and(|(next_at, next_tie, _)| next_at == at && next_tie == tie)
        {
            due.extend(self.queue.pop_first());
        }
        let mut pairs = BTreeSet::new();
        let eligible: Vec<usize> = due
            .iter()
            .enumerate()
            .filter(|(_, (_, delivery))| pairs.insert(delivery.channel()))
            .map(|(index, _)| index)
            .collect();
        let pick = if eligible.len() > 1 {
            order(eligible.len()).min(eligible.len() - 1)
        } else {
            0
        };
        let index = eligible.get(pick).copied().unwrap_or(0);
        let chosen = due.remove(index);
        for (key, delivery) in due {
            self.queue.push(key, delivery);
        }
        Some(chosen)
    }
}
