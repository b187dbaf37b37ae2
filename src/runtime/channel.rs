//! A FIFO channel (many senders, one receiver) on a mutex and a condition variable, with timed
//! receives: the driver's mailbox and each child's control queue.
//!
//! It is built on [`crate::sync`] rather than `std::sync::mpsc` so that loom can explore it
//! (loom's `mpsc` has no timed receive). Both ends notice when the other is gone: a send to a
//! dropped receiver gives the message back, and a receive with no message and no sender left
//! reports [`Recv::Closed`]. Dropping the receiver drops every message still queued (so the
//! reply slots inside them close, and their callers learn the supervisor is gone). The receiver
//! is only notified when it waits: under loom every notification is a scheduling point.

use std::collections::VecDeque;
use std::time::Duration;

use crate::sync::{lock, wait, wait_timeout, Arc, Condvar, Mutex};

/// The shared state of one channel.
struct Shared<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    receiver_alive: bool,
    /// The receiver is waiting on the condition variable (only then is it notified).
    waiting: bool,
}

/// What a receive found.
#[derive(Debug)]
pub(crate) enum Recv<T> {
    /// The oldest message.
    Message(T),
    /// Nothing yet (the wait timed out, or woke spuriously).
    Empty,
    /// Nothing, and no sender is left: nothing will ever come.
    Closed,
}

/// The sending end; clones share the channel.
pub(crate) struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving end (one per channel).
pub(crate) struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// A new channel.
pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            senders: 1,
            receiver_alive: true,
            waiting: false,
        }),
        ready: Condvar::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// A sending end that does not keep the channel open: for child threads writing to the
/// driver's mailbox, which the driver keeps open itself while it runs. (Cheaper than a
/// [`Sender`]: making and dropping one does not take the lock.)
pub(crate) struct Notifier<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Notifier<T> {
    /// Queues `message`; gives it back when the receiver is gone.
    pub(crate) fn send(&self, message: T) -> Result<(), T> {
        push(&self.shared, message)
    }
}

impl<T> Sender<T> {
    /// Queues `message`; gives it back when the receiver is gone.
    pub(crate) fn send(&self, message: T) -> Result<(), T> {
        push(&self.shared, message)
    }

    /// A [`Notifier`] on the same channel.
    pub(crate) fn notifier(&self) -> Notifier<T> {
        Notifier {
            shared: self.shared.clone(),
        }
    }
}

fn push<T>(shared: &Shared<T>, message: T) -> Result<(), T> {
    let mut state = lock(&shared.state);
    if !state.receiver_alive {
        return Err(message);
    }
    state.queue.push_back(message);
    let waiting = state.waiting;
    drop(state);
    if waiting {
        shared.ready.notify_one();
    }
    Ok(())
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        lock(&self.shared.state).senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.shared.state);
        state.senders = state.senders.saturating_sub(1);
        let wake = state.senders == 0 && state.waiting;
        drop(state);
        if wake {
            self.shared.ready.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// Waits for the oldest message, or for the last sender to go.
    pub(crate) fn recv(&self) -> Recv<T> {
        let mut state = lock(&self.shared.state);
        loop {
            match Self::take(&mut state) {
                Recv::Empty => {
                    state.waiting = true;
                    state = wait(&self.shared.ready, state);
                    state.waiting = false;
                }
                found => return found,
            }
        }
    }

    /// Waits at most about `timeout` for the oldest message. May return [`Recv::Empty`] early
    /// (a spurious wake-up): callers loop on their own deadline.
    pub(crate) fn recv_timeout(&self, timeout: Duration) -> Recv<T> {
        let mut state = lock(&self.shared.state);
        match Self::take(&mut state) {
            Recv::Empty if !timeout.is_zero() => {
                state.waiting = true;
                state = wait_timeout(&self.shared.ready, state, timeout);
                state.waiting = false;
                Self::take(&mut state)
            }
            found => found,
        }
    }

    fn take(state: &mut State<T>) -> Recv<T> {
        match state.queue.pop_front() {
            Some(message) => Recv::Message(message),
            None if state.senders == 0 => Recv::Closed,
            None => Recv::Empty,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.shared.state);
        state.receiver_alive = false;
        let queued = std::mem::take(&mut state.queue);
        drop(state);
        // Dropped outside the lock: a queued message may own the sender of another channel.
        drop(queued);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_close() {
        let (tx, rx) = channel();
        tx.send(1).ok();
        tx.clone().send(2).ok();
        assert!(matches!(rx.recv_timeout(Duration::ZERO), Recv::Message(1)));
        assert!(matches!(rx.recv(), Recv::Message(2)));
        assert!(matches!(rx.recv_timeout(Duration::ZERO), Recv::Empty));
        drop(tx);
        assert!(matches!(rx.recv(), Recv::Closed));
    }

    #[test]
    fn send_to_dropped_receiver_gives_the_message_back() {
        let (tx, rx) = channel();
        drop(rx);
        assert_eq!(tx.send(7), Err(7));
    }
}
